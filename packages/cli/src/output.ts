// Ground Control's own output: the relay every mode that runs something writes through.
import { OutputRelay, type Spec, shouldColor } from "@groundcontrol/core";

export function relayFor(
  spec: Pick<Spec, "processes" | "logFormat" | "suppressTimestamps">,
): OutputRelay {
  return new OutputRelay({
    format: spec.logFormat ?? "text",
    timestamps: !spec.suppressTimestamps,
    color: () => shouldColor(process.stdout, process.env),
    names: spec.processes.map((p) => p.name),
    // Made on their first write (Node creates each stream on first use): a run that has not
    // written yet has nothing to set up before its first spawn.
    stdout: () => process.stdout,
    stderr: () => process.stderr,
  });
}

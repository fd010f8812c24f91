// What a run and a break glass share: a Supervisor as the executable makes one, and how the
// signals reach it.
import type { Config } from "@groundcontrol/config";
import { type OutputRelay, Supervisor } from "@groundcontrol/core";
import { execAsHelper } from "./self.js";
import type { SignalHandler } from "./signals.js";

export async function makeSupervisor(config: Config, output: OutputRelay): Promise<Supervisor> {
  return new Supervisor(config, {
    output,
    // Signals are ours to handle (see signals.ts); an exit hook would fight them as PID 1.
    killOnHostExit: false,
    execAsHelper: await execAsHelper(),
  });
}

/** Termination signals stop the supervisor (a second one forces); the others are passed on. */
export function supervisorSignals(
  supervisor: Supervisor,
  output: OutputRelay,
): SignalHandler & { forced: boolean } {
  return {
    forced: false,
    terminate(signal, count) {
      if (count === 2) output.log("warn", `second ${signal}: cutting stop timeouts short`);
      if (count > 1) this.forced = true;
      void supervisor.stop({ signal, force: count > 1 });
    },
    forward(signal) {
      const to = supervisor.signal(signal);
      output.log(
        "info",
        to.length > 0
          ? `received ${signal}: passed on to ${to.join(", ")}`
          : `received ${signal}: no running process takes it`,
      );
    },
  };
}

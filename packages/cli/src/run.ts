// The default action: load the config, run it under a Supervisor, and return the exit status.
import { isatty } from "node:tty";
import { ConfigError, loadConfigSync } from "@groundcontrol/config";
import {
  createUserLauncher,
  OutputRelay,
  type Spec,
  Supervisor,
  shouldColor,
} from "@groundcontrol/core";
import { Init } from "./init.js";
import { execAsHelper } from "./self.js";
import { handleSignals, TERMINATION_SIGNALS } from "./signals.js";

export async function runConfig(configPath: string): Promise<number> {
  const init = new Init();
  if (process.env.BREAK_GLASS !== undefined) return breakGlass(configPath, init);

  let spec: Spec;
  try {
    spec = loadConfigSync(configPath);
  } catch (error) {
    return reportConfigError(error);
  }
  const output = relayFor(spec);
  const supervisor = new Supervisor(spec, {
    output,
    // Signals are ours to handle (see signals.ts); an exit hook would fight them as PID 1.
    killOnHostExit: false,
    launchAs: createUserLauncher({
      // Worked out on the first user switch, if any: it loads node:sea, not needed before.
      get helper() {
        return execAsHelper();
      },
    }),
  });
  const unhandle = handleSignals(supervisor);
  init.beforeFirstSpawn();
  // Reaping waits until the first command is on its way, and the commands spawned without a
  // pause behind it (all of them, without readiness gates): it loads the native bridge.
  supervisor.once("command:started", () => {
    setImmediate(() => init.start((level, msg) => output.log(level, msg)));
  });
  supervisor.start().catch(() => {
    // The StartupError is already logged, and wait() below carries the exit code.
  });
  const result = await supervisor.wait();
  await init.sweepOrphans();
  unhandle();
  return result.exitCode;
}

function relayFor(spec: Pick<Spec, "processes" | "logFormat" | "suppressTimestamps">): OutputRelay {
  return new OutputRelay({
    format: spec.logFormat ?? "text",
    timestamps: !spec.suppressTimestamps,
    // isatty(1) is what process.stdout.isTTY would say, without creating process.stdout; asked
    // when the first label is made, after the first spawn (loading node:tty takes ~0.2 ms).
    color: () => shouldColor({ isTTY: isatty(1) }, process.env),
    names: spec.processes.map((p) => p.name),
    // Created on their first write: ~2-3 ms less before the first command is spawned.
    stdout: () => process.stdout,
    stderr: () => process.stderr,
  });
}

/** Config errors go to stderr as they are: they name the file, line, key and what was expected. */
function reportConfigError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`groundcontrol: ${message}\n`);
  return 2;
}

/**
 * BREAK_GLASS: start nothing and stay up, so an operator can get into the machine and repair it.
 * A broken config is one reason to break the glass, so its errors are logged, not fatal.
 */
async function breakGlass(configPath: string, init: Init): Promise<number> {
  let spec: Pick<Spec, "processes" | "logFormat" | "suppressTimestamps"> = { processes: [] };
  let problem: string | undefined;
  try {
    spec = loadConfigSync(configPath);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  // Handlers first: a signal that lands before them would kill us (or, as PID 1, be dropped).
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    for (const sig of TERMINATION_SIGNALS) process.once(sig, () => resolve(sig));
  });
  const output = relayFor({ ...spec, processes: [] });
  // Nothing is started, but an operator's shell sessions can still leave orphans behind.
  init.start((level, msg) => output.log(level, msg));
  output.log("warn", "BREAK_GLASS is set: no processes will be started");
  if (problem !== undefined) output.log("error", `the config cannot be used as it is:\n${problem}`);
  output.log(
    "info",
    "to leave break-glass mode, unset BREAK_GLASS and restart; SIGTERM, SIGINT or SIGQUIT exits now",
  );
  // Signal handlers alone do not keep Node's event loop alive; this timer does.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const signal = await signalled;
  clearInterval(keepAlive);
  output.log(
    "info",
    `received ${signal}; leaving break-glass mode (remember to unset BREAK_GLASS)`,
  );
  await output.flush();
  return 0;
}

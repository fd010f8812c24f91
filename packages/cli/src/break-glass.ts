// BREAK_GLASS: start nothing and stay up, so an operator can get into the machine and repair it.
// A broken config is one reason to break the glass, so its errors are logged, not fatal.
import { loadConfigSync } from "@groundcontrol/config";
import type { Spec } from "@groundcontrol/core";
import { exitNoLaterThan } from "./exit.js";
import { Init } from "./init.js";
import { relayFor } from "./output.js";
import type { SignalDesk, TerminationSignal } from "./signals.js";

export async function breakGlass(configPath: string, signals: SignalDesk): Promise<number> {
  let spec: Pick<Spec, "processes" | "logFormat" | "suppressTimestamps"> = { processes: [] };
  let problem: string | undefined;
  try {
    spec = loadConfigSync(configPath);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  const output = relayFor({ ...spec, processes: [] });
  const log = output.log.bind(output);
  // Nothing is started, but an operator's shell sessions can still leave orphans behind.
  const init = await Init.start(log);
  const left = new Promise<TerminationSignal>((resolve) => {
    signals.take({
      terminate: (signal) => resolve(signal),
      forward: (signal) => log("info", `received ${signal}: nothing is running to pass it on to`),
    });
  });
  log("warn", "BREAK_GLASS is set: no processes will be started");
  if (problem !== undefined) log("error", `the config cannot be used as it is:\n${problem}`);
  log(
    "info",
    "to leave break-glass mode, unset BREAK_GLASS and restart; SIGTERM, SIGINT or SIGQUIT exits now",
  );
  // Signal handlers alone do not keep Node's event loop alive; this timer does.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const signal = await left;
  clearInterval(keepAlive);
  log("info", `received ${signal}; leaving break-glass mode (remember to unset BREAK_GLASS)`);
  await init.sweepOrphans();
  exitNoLaterThan(signals, 0);
  return 0;
}

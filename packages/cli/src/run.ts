// The default action: load the config, run it under a Supervisor, and return the exit status.
import { type Config, ConfigError, loadConfigSync } from "@groundcontrol/config";
import {
  type OutputRelay,
  type StatusServers,
  Supervisor,
  statusReport,
} from "@groundcontrol/core";
import { breakGlass } from "./break-glass.js";
import { exitNoLaterThan } from "./exit.js";
import { Init } from "./init.js";
import { relayFor } from "./output.js";
import { execAsHelper } from "./self.js";
import type { SignalDesk, SignalHandler } from "./signals.js";
import { startStatusServers } from "./status-server.js";

export async function runConfig(configPath: string, signals: SignalDesk): Promise<number> {
  // 1. Signals wait for the supervisor: one that lands while the config is read still counts.
  signals.hold();
  if (process.env.BREAK_GLASS !== undefined) return breakGlass(configPath, signals);

  // 2. The config; a broken one is reported as it is (file, line, key) and ends the run.
  let spec: Config;
  try {
    spec = loadConfigSync(configPath);
  } catch (error) {
    return reportConfigError(error);
  }
  const output = relayFor(spec);
  const log = output.log.bind(output);

  // 3. PID 1 duties, before the first spawn: descriptors, subreaper, reaping.
  const init = await Init.start(log);

  // 4. The supervisor takes the signals, those held since step 1 first.
  const supervisor = new Supervisor(spec, {
    output,
    // Signals are ours to handle (see signals.ts); an exit hook would fight them as PID 1.
    killOnHostExit: false,
    execAsHelper: await execAsHelper(),
  });
  const handler = supervisorSignals(supervisor, output);
  signals.take(handler);

  // 5. `groundcontrol status` and the HTTP probes can ask from before the first process starts.
  let servers: StatusServers | undefined;
  try {
    servers = await startStatusServers(spec, () => statusReport(supervisor.status()), log);
  } catch (error) {
    log("error", `startup aborted: ${(error as Error).message}`);
    await init.sweepOrphans();
    exitNoLaterThan(signals, 1);
    return 1;
  }

  // 6. Start in order, run until a reason to stop, stop in reverse (the supervisor logs why).
  supervisor.start().catch(() => {});
  const result = await supervisor.wait();

  // 7. Nothing survives: orphans adopted along the way, within what is left of the deadline.
  const deadline = supervisor.shutdownDeadline;
  await init.sweepOrphans(deadline);
  await servers?.close();

  // 8. Exit with the result once our output is out, but not past the deadline, and at once on
  // another termination signal (or after one that forced the shutdown): a reader that stopped
  // reading must not keep us here.
  if (handler.forced) process.exit(result.exitCode);
  exitNoLaterThan(signals, result.exitCode, deadline);
  return result.exitCode;
}

/** Termination signals stop the supervisor (a second one forces); the others are passed on. */
function supervisorSignals(
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

/** Config errors go to stderr as they are: they name the file, line, key and what was expected. */
function reportConfigError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    error instanceof ConfigError ? `${message}\n` : `groundcontrol: ${message}\n`,
  );
  return 2;
}

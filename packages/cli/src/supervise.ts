// What a run and a break glass share: a Supervisor as the executable makes one, how the
// signals reach it, and how it all ends.
import type { Config } from "@groundcontrol/config";
import { type OutputRelay, type StatusServers, Supervisor } from "@groundcontrol/core";
import { exitNoLaterThan } from "./exit.js";
import type { Init } from "./init.js";
import { execAsHelper } from "./self.js";
import type { SignalDesk, SignalHandler } from "./signals.js";

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

/**
 * The end of every mode that ran something. Nothing survives: orphans adopted along the way are
 * ended within what is left of the deadline, then what they wrote into the commands' pipes is
 * relayed, and the status servers close. Then exit with `code` once our output is out, but not
 * past the deadline, and at once after a termination signal that forced the shutdown (or on
 * another one): a reader that stopped reading must not keep us here.
 */
export async function finish(
  parts: {
    init: Init;
    supervisor: Supervisor | undefined;
    servers: StatusServers | undefined;
    signals: SignalDesk;
  },
  code: number,
  forced: boolean,
): Promise<number> {
  const { init, supervisor, servers, signals } = parts;
  const deadline = supervisor?.shutdownDeadline;
  await init.sweepOrphans(deadline);
  await supervisor?.drainOutput();
  await servers?.close();
  if (forced) process.exit(code);
  exitNoLaterThan(signals, code, deadline);
  return code;
}

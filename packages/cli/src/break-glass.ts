// Break glass: start nothing (or only what an operator needs to get in, `start-through`), stay
// up, and exit 0 on a termination signal. Asked for with BREAK_GLASS, or earned by too many
// failed boots in a row ([break-glass] after-failed-boots). A broken config is one reason to
// break the glass, so its errors are logged, not fatal; and nothing here may end the mode but a
// termination signal: not a status socket that cannot be made, not a process that exits.
import type { Config } from "@groundcontrol/config";
import {
  describeReason,
  type OutputRelay,
  STATUS_VERSION,
  type StatusReport,
  type StatusServers,
  statusReport,
} from "@groundcontrol/core";
import type { BootCount } from "./boots.js";
import { Init } from "./init.js";
import { relayFor } from "./output.js";
import type { SignalDesk, TerminationSignal } from "./signals.js";
import { startStatusServers } from "./status-server.js";
import { finish, makeSupervisor, supervisorSignals } from "./supervise.js";

export interface Loaded {
  config?: Config;
  /** Why the config cannot be used, when it cannot. */
  problem?: string;
  output?: OutputRelay;
  boots?: BootCount;
}

export async function breakGlass(
  loaded: Loaded,
  how: { manual: boolean },
  signals: SignalDesk,
): Promise<number> {
  const { config, boots } = loaded;
  const output = loaded.output ?? relayFor({ ...config, processes: [] });
  const log = output.log.bind(output);
  // Nothing is started, but an operator's shell sessions can still leave orphans behind.
  const init = await Init.start(log);

  const why = how.manual
    ? "BREAK_GLASS is set"
    : `${boots!.failed} boots in a row failed (the last: ${boots!.lastReason})`;
  const leave = how.manual
    ? "to leave break-glass mode, unset BREAK_GLASS and restart"
    : `to leave break-glass mode, fix the cause and restart the container (ending this one with a termination signal clears the count), or delete ${boots!.file}`;

  const through = config?.breakGlass?.startThrough;
  const supervisor = config && through ? await makeSupervisor(config, output) : undefined;
  const report = (): StatusReport => ({
    ...(supervisor
      ? statusReport(supervisor.status())
      : {
          v: STATUS_VERSION,
          pid: process.pid,
          startedAt: null,
          uptimeMs: process.uptime() * 1000,
          processes: [],
        }),
    phase: "break glass",
    ready: false,
    note: `${why}; ${leave}`,
  });
  let servers: StatusServers | undefined;
  try {
    servers = await startStatusServers(config ?? {}, report, log);
  } catch (error) {
    log("error", `${(error as Error).message}; in break glass, going on without it`);
  }

  const names = config?.processes.map((p) => p.name) ?? [];
  const starting = supervisor
    ? `starting only the processes through "${through}": ${names.slice(0, names.indexOf(through!) + 1).join(", ")}`
    : "no processes will be started";
  log(how.manual ? "warn" : "error", `${how.manual ? "" : "break glass: "}${why}: ${starting}`);
  if (loaded.problem !== undefined)
    log("error", `the config cannot be used as it is:\n${loaded.problem}`);
  log("info", `${leave}; SIGTERM, SIGINT or SIGQUIT exits now`);

  if (supervisor) {
    // Started before the signals are taken: one held since the config was read then stops it.
    supervisor.start({ through }).catch(() => {});
    void supervisor.wait().then((result) => {
      if (result.reason.kind !== "stop") {
        log(
          "warn",
          `break glass: what was started has stopped (${describeReason(result.reason)}); still waiting for a termination signal`,
        );
      }
    });
  }
  let forced = false;
  const left = new Promise<TerminationSignal>((resolve) => {
    const passOn = supervisor ? supervisorSignals(supervisor, output) : undefined;
    signals.take({
      terminate: (signal, count) => {
        resolve(signal);
        if (count > 1) forced = true;
        passOn?.terminate(signal, count);
      },
      forward: (signal) =>
        passOn
          ? passOn.forward(signal)
          : log("info", `received ${signal}: nothing is running to pass it on to`),
    });
  });

  // Signal handlers alone do not keep Node's event loop alive; this timer does.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const signal = await left;
  clearInterval(keepAlive);
  log(
    "info",
    `received ${signal}; leaving break-glass mode${how.manual ? " (remember to unset BREAK_GLASS)" : ""}`,
  );
  await supervisor?.wait();
  // A break-glass boot ended by a termination signal clears the count: the next one is normal.
  boots?.good();
  return finish({ init, supervisor, servers, signals }, 0, forced);
}

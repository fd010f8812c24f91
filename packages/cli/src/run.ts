// The default action: load the config, run it under a Supervisor, and return the exit status.
// Break glass, asked for or earned by failed boots, is break-glass.ts's.
import { type Config, ConfigError, loadConfigSync } from "@groundcontrol/config";
import {
  describeReason,
  formatDuration,
  type StatusServers,
  type SupervisorResult,
  statusReport,
} from "@groundcontrol/core";
import { BootCount, DEFAULT_HEALTHY_AFTER_MS } from "./boots.js";
import { breakGlass } from "./break-glass.js";
import { exitNoLaterThan } from "./exit.js";
import { Init } from "./init.js";
import { relayFor } from "./output.js";
import type { SignalDesk } from "./signals.js";
import { startStatusServers } from "./status-server.js";
import { finish, makeSupervisor, supervisorSignals } from "./supervise.js";

export async function runConfig(configPath: string, signals: SignalDesk): Promise<number> {
  // 1. Signals wait for the supervisor: one that lands while the config is read still counts.
  signals.hold();

  // 2. The config; a broken one is reported as it is (file, line, key) and ends the run, unless
  // the glass is broken: a broken config is one reason to break it.
  let config: Config;
  try {
    config = loadConfigSync(configPath);
  } catch (error) {
    if (process.env.BREAK_GLASS !== undefined) {
      return breakGlass({ problem: messageOf(error) }, { manual: true }, signals);
    }
    return reportConfigError(error);
  }
  const output = relayFor(config);
  const log = output.log.bind(output);

  // 3. Failed boots in a row are counted where [break-glass] says; one too many breaks the glass.
  const counting = config.breakGlass?.afterFailedBoots;
  const boots =
    counting !== undefined && config.breakGlass?.stateFile !== undefined
      ? BootCount.open(config.breakGlass.stateFile, log)
      : undefined;
  if (process.env.BREAK_GLASS !== undefined) {
    return breakGlass({ config, output, boots }, { manual: true }, signals);
  }
  if (boots && counting !== undefined && boots.failed >= counting) {
    return breakGlass({ config, output, boots }, { manual: false }, signals);
  }
  // Counted as failed from now until it turns out good: a boot killed outright stays counted.
  boots?.begin();

  // 4. PID 1 duties, before the first spawn: descriptors, subreaper, reaping.
  const init = await Init.start(log);

  // 5. The supervisor takes the signals, those held since step 1 first.
  const supervisor = await makeSupervisor(config, output);
  const handler = supervisorSignals(supervisor, output);
  signals.take(handler);

  // 6. `groundcontrol status` and the HTTP probes can ask from before the first process starts.
  let servers: StatusServers | undefined;
  try {
    servers = await startStatusServers(config, () => statusReport(supervisor.status()), log);
  } catch (error) {
    log("error", `startup aborted: ${messageOf(error)}`);
    boots?.failedBecause(messageOf(error));
    await init.sweepOrphans();
    exitNoLaterThan(signals, 1);
    return 1;
  }

  // 7. Start in order, run until a reason to stop, stop in reverse (the supervisor logs why). A
  // boot that stays up healthy-after past startup is a good one.
  let started = false;
  let healthyTimer: NodeJS.Timeout | undefined;
  supervisor.once("supervisor:running", () => {
    started = true;
    if (!boots) return;
    const after = config.breakGlass?.healthyAfterMs ?? DEFAULT_HEALTHY_AFTER_MS;
    healthyTimer = setTimeout(() => {
      boots.good();
      log(
        "info",
        `break glass: up for ${formatDuration(after)} after startup: failed boots counted from 0 again`,
      );
    }, after);
    healthyTimer.unref();
  });
  supervisor.start().catch(() => {});
  // Pending promises and signal handlers do not keep Node's event loop alive: without this, a
  // config of one-shot processes only would end the moment its startup did, with no shutdown.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const result = await supervisor.wait();
  clearInterval(keepAlive);
  clearTimeout(healthyTimer);
  if (boots) recordBoot(boots, result, started);

  // 8. Nothing survives, and nothing is lost: orphans adopted along the way are ended, what
  // they wrote is relayed. 9. Exit with the result, never past the deadline.
  return finish({ init, supervisor, servers, signals }, result.exitCode, handler.forced);
}

/**
 * How this boot counts. Good: ended by a termination signal after startup completed (a deploy,
 * a scale-down). Failed, with its reason: anything else, a signal during startup included — a
 * platform that kills a boot stuck in startup is what a crash loop looks like.
 */
function recordBoot(boots: BootCount, result: SupervisorResult, started: boolean): void {
  if (result.reason.kind === "stop" && started) {
    boots.good();
    return;
  }
  const reason =
    result.reason.kind === "startup-failed"
      ? result.reason.error.message
      : describeReason(result.reason);
  boots.failedBecause(started ? reason : `${reason}, before startup completed`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Config errors go to stderr as they are: they name the file, line, key and what was expected. */
function reportConfigError(error: unknown): number {
  const message = messageOf(error);
  process.stderr.write(
    error instanceof ConfigError ? `${message}\n` : `groundcontrol: ${message}\n`,
  );
  return 2;
}

// The sd_notify watchdog: once a process is ready, a `WATCHDOG=1` must arrive at least once per
// period; a missing one (or `WATCHDOG=trigger`) makes the process unhealthy, as a failed health
// check does.
import { formatDuration } from "./describe.js";
import type { Unhealthy } from "./health.js";
import type { NotifyChannel } from "./notify.js";
import { timers } from "./timers.js";

const TRIGGERED = "it sent WATCHDOG=trigger";

/** The watchdog as messages and events name it: `watchdog 30s`. */
export function describeWatchdog(periodMs: number): string {
  return `watchdog ${formatDuration(periodMs)}`;
}

/**
 * Starts the period now (the process has just become ready); each `WATCHDOG=1` starts it again.
 * Resolves with what failed when a period passes without one, or at once on
 * `WATCHDOG=trigger` (`triggered`: one came before the watch began, with the READY=1 that
 * opened the gate); with undefined once `signal` fires (the process is stopping).
 */
export function watchWatchdog(
  periodMs: number,
  channel: NotifyChannel,
  signal: AbortSignal,
  triggered = false,
): Promise<Unhealthy | undefined> {
  const probe = describeWatchdog(periodMs);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: Unhealthy | undefined): void => {
      timers.clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const fail = (reason: string) => finish({ source: "watchdog", probe, reason, failures: 1 });
    const arm = (): void => {
      timers.clearTimeout(timer);
      timer = timers.setTimeout(
        () => fail(`no WATCHDOG=1 for ${formatDuration(periodMs)}`),
        periodMs,
      );
    };
    const unsubscribe = channel.subscribe(({ fields }) => {
      if (fields.WATCHDOG === "1") arm();
      else if (fields.WATCHDOG === "trigger") fail(TRIGGERED);
    });
    const onAbort = (): void => finish(undefined);
    if (signal.aborted) return finish(undefined);
    if (triggered) return fail(TRIGGERED);
    signal.addEventListener("abort", onAbort, { once: true });
    arm();
  });
}

// Health checks: once a process is ready, its check runs again and again, one at a time; enough
// failures in a row make it unhealthy, which the process then treats as a failed `run`.
import { MAX_TIMER_MS } from "./deadline.js";
import { describeCheck } from "./describe.js";
import { messageOf } from "./errors.js";
import {
  type Probe,
  ProbeUnusable,
  probeFor,
  type RunCheckCommand,
  sleep,
  tryOnce,
} from "./probes.js";
import { DEFAULTS, type HealthSpec } from "./spec.js";

/** How a health check (or the watchdog) went wrong for good. */
export interface Unhealthy {
  /** What noticed: the `health` check, or the sd_notify watchdog. */
  source: "health" | "watchdog";
  /** The check, in words: `http http://127.0.0.1:8080/healthz`, `watchdog 30s`. */
  probe: string;
  /** Why the last check failed. */
  reason: string;
  /** How many failed in a row. */
  failures: number;
}

export interface HealthEvents {
  /** A check failed; `consecutive` counts this one. */
  failed(reason: string, consecutive: number): void;
  /** A check passed after one or more failed. */
  recovered(): void;
}

/**
 * Checks from `grace` after the process became ready, every `interval` after the previous check
 * ended; resolves with what failed once `failures` checks in a row have, or with undefined once
 * `signal` fires (the process is stopping). A passing check is silent.
 */
export async function watchHealth(
  spec: HealthSpec,
  runCommand: RunCheckCommand,
  events: HealthEvents,
  signal: AbortSignal,
): Promise<Unhealthy | undefined> {
  const intervalMs = spec.intervalMs ?? DEFAULTS.health.intervalMs;
  const timeoutMs = spec.timeoutMs ?? DEFAULTS.health.timeoutMs;
  const threshold = spec.failures ?? DEFAULTS.health.failures;
  const probe = describeCheck(spec.check);
  let check: Probe | undefined;
  let unusable: string | undefined;
  try {
    check = probeFor(spec.check, runCommand);
  } catch (error) {
    unusable = messageOf(error);
  }
  let consecutive = 0;
  await sleep(Math.min(spec.graceMs ?? intervalMs, MAX_TIMER_MS), signal);
  while (!signal.aborted) {
    let failure: string | null;
    try {
      failure = unusable ?? (await tryOnce(check!, timeoutMs, signal));
    } catch (error) {
      // A check command that cannot start fails this check; it may start next time.
      failure = error instanceof ProbeUnusable ? error.message : messageOf(error);
    }
    if (signal.aborted) return undefined;
    if (failure === null) {
      if (consecutive > 0) events.recovered();
      consecutive = 0;
    } else {
      consecutive++;
      events.failed(failure, consecutive);
      if (consecutive >= threshold) {
        return { source: "health", probe, reason: failure, failures: consecutive };
      }
    }
    await sleep(intervalMs, signal);
  }
  return undefined;
}

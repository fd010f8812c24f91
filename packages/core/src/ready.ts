// Readiness gates: the next process starts only once the check on this one holds.
import { MAX_TIMER_MS } from "./deadline.js";
import { StartupInterrupted } from "./errors.js";
import type { CheckContext, ReadyTarget } from "./ready-context.js";
import { NotReadyExitError, ReadyTimeoutError } from "./ready-errors.js";
import { pollCheck } from "./ready-poll.js";
import { fdCheck, logCheck, notifyCheck } from "./ready-watch.js";
import { DEFAULTS, type ReadySpec } from "./spec.js";
import { timers } from "./timers.js";

export { NotReadyExitError, ReadyCheckError, ReadyTimeoutError } from "./ready-errors.js";

/**
 * Resolves once the check holds. Rejects with NotReadyExitError (a RunExitedError) when `run`
 * exits first, ReadyTimeoutError when `timeout` passes first, StartupInterrupted when `abort`
 * fires (a shutdown began elsewhere), ReadyCheckError when the check cannot work at all.
 * Every timer, socket and listener it made is released before it settles.
 */
export function waitReady(spec: ReadySpec, target: ReadyTarget, abort: AbortSignal): Promise<void> {
  if (abort.aborted) return Promise.reject(new StartupInterrupted());
  const { check } = spec;
  const timeoutMs = spec.timeoutMs ?? DEFAULTS.readyTimeoutMs;
  const settled = new AbortController();
  let lastFailure: string | undefined;

  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error): void => {
      if (settled.signal.aborted) return;
      settled.abort();
      timers.clearTimeout(timer);
      abort.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = (): void => finish(new StartupInterrupted());
    abort.addEventListener("abort", onAbort, { once: true });
    // Past 2^31-1 ms setTimeout would fire at once; a timeout that long means "no limit".
    if (timeoutMs < MAX_TIMER_MS) {
      timer = timers.setTimeout(
        () => finish(new ReadyTimeoutError(target.process, check, timeoutMs, lastFailure)),
        timeoutMs,
      );
    }
    void target.runExit.then((status) =>
      finish(new NotReadyExitError(target.process, status, check)),
    );

    const ctx: CheckContext = {
      target,
      check,
      intervalMs: spec.intervalMs ?? DEFAULTS.readyIntervalMs,
      signal: settled.signal,
      notYet: (reason) => {
        lastFailure = reason;
      },
    };
    // Started in this same tick, so event checks subscribe before any output is read.
    runCheck(ctx).then(
      () => finish(),
      (error: Error) => finish(error),
    );
  });
}

function runCheck(ctx: CheckContext): Promise<void> {
  const { check } = ctx;
  switch (check.kind) {
    case "tcp":
    case "http":
    case "command":
    case "file":
      return pollCheck(check, ctx);
    case "log":
      return logCheck(check.pattern, ctx);
    case "fd":
      return fdCheck(check.fd, ctx);
    case "notify":
      return notifyCheck(ctx);
  }
}

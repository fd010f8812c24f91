// Readiness gates: the next process starts only once the check on this one holds.
import type { Command } from "./command.js";
import { StartupInterrupted } from "./process.js";
import type { CheckContext } from "./ready-context.js";
import { NotReadyExitError, ReadyTimeoutError } from "./ready-errors.js";
import { commandCheck, fileCheck, httpCheck, tcpCheck } from "./ready-poll.js";
import { fdCheck, logCheck } from "./ready-watch.js";
import { type CommandSpec, DEFAULTS, type ReadySpec } from "./spec.js";
import type { ExitStatus } from "./status.js";

export { describeCheck, formatDuration } from "./ready-describe.js";
export { NotReadyExitError, ReadyCheckError, ReadyTimeoutError } from "./ready-errors.js";

/** What a readiness check may look at. */
export interface ReadyTarget {
  process: string;
  run: Command;
  /** Resolves when `run` exits (readiness then fails). */
  runExit: Promise<ExitStatus>;
  /** Subscribes to the complete output lines of the process. */
  onLine(listener: (line: string) => void): () => void;
  /** Runs a `ready.command` once and resolves with how it ended; `signal` kills it. */
  spawnCheck(command: CommandSpec, signal?: AbortSignal): Promise<ExitStatus>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

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
      clearTimeout(timer);
      abort.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = (): void => finish(new StartupInterrupted());
    abort.addEventListener("abort", onAbort, { once: true });
    // Past 2^31-1 ms setTimeout would fire at once; a timeout that long means "no limit".
    if (timeoutMs < MAX_TIMER_MS) {
      timer = setTimeout(
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
      return tcpCheck(check.host, check.port, ctx);
    case "http":
      return httpCheck(check.url, ctx);
    case "command":
      return commandCheck(check.command, ctx);
    case "file":
      return fileCheck(check.path, ctx);
    case "log":
      return logCheck(check.pattern, ctx);
    case "fd":
      return fdCheck(check.fd, ctx);
  }
}

// Why a readiness gate did not open: it timed out, or the check itself cannot work.

import { describeCheck, formatDuration } from "./describe.js";
import { RunExitedError } from "./errors.js";
import type { ReadyCheck } from "./spec.js";
import type { ExitStatus } from "./status.js";

/** A readiness gate of one process that did not open, and the check it waited on. */
abstract class ReadyError extends Error {
  /** The lifecycle step that failed, as the supervisor reports it. */
  readonly phase = "ready" as const;
  constructor(
    readonly process: string,
    readonly check: ReadyCheck,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The check did not hold within `timeout`. Carries the last reason a poll gave. */
export class ReadyTimeoutError extends ReadyError {
  override name = "ReadyTimeoutError";
  constructor(
    process: string,
    check: ReadyCheck,
    readonly timeoutMs: number,
    readonly lastFailure: string | undefined,
  ) {
    const detail = lastFailure === undefined ? "" : `; ${lastFailure}`;
    const within = formatDuration(timeoutMs);
    super(
      process,
      check,
      `process "${process}" was not ready within ${within} (${describeCheck(check)}${detail})`,
    );
  }
}

/** The check cannot work at all (bad pattern or URL, a check command that cannot start...). */
export class ReadyCheckError extends ReadyError {
  override name = "ReadyCheckError";
  constructor(process: string, check: ReadyCheck, problem: string, options?: { cause?: unknown }) {
    super(
      process,
      check,
      `readiness check of process "${process}" (${describeCheck(check)}) ${problem}`,
      options,
    );
  }
}

/** The daemon exited while its readiness gate was still closed. */
export class NotReadyExitError extends RunExitedError {
  override name = "NotReadyExitError";
  constructor(process: string, status: ExitStatus, check: ReadyCheck) {
    super(process, status);
    this.message = `${this.message} before it was ready (${describeCheck(check)})`;
  }
}

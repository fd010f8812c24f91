// Why a readiness gate did not open: it timed out, or the check itself cannot work.
import { RunExitedError } from "./errors.js";
import { describeCheck, formatDuration } from "./ready-describe.js";
import type { ReadyCheck } from "./spec.js";
import type { ExitStatus } from "./status.js";

/** The check did not hold within `timeout`. Carries the last reason a poll gave. */
export class ReadyTimeoutError extends Error {
  override name = "ReadyTimeoutError";
  /** The lifecycle step that failed, as the supervisor reports it. */
  readonly phase = "ready" as const;
  constructor(
    readonly process: string,
    readonly check: ReadyCheck,
    readonly timeoutMs: number,
    readonly lastFailure: string | undefined,
  ) {
    const detail = lastFailure === undefined ? "" : `; ${lastFailure}`;
    super(
      `process "${process}" was not ready within ${formatDuration(timeoutMs)} (${describeCheck(check)}${detail})`,
    );
  }
}

/** The check cannot work at all (bad pattern or URL, a check command that cannot start...). */
export class ReadyCheckError extends Error {
  override name = "ReadyCheckError";
  readonly phase = "ready" as const;
  constructor(
    readonly process: string,
    readonly check: ReadyCheck,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`readiness check of process "${process}" (${describeCheck(check)}) ${problem}`, options);
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

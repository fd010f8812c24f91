// Typed errors that name the process and the phase, and keep their cause.
import type { ReadyCheckError, ReadyTimeoutError } from "./ready-errors.js";
import type { Phase } from "./spec.js";
import { describeStatus, type ExitStatus, startupExitCode } from "./status.js";

/** A command could not be prepared (unknown variable or user, missing only-env variable...). */
export class CommandSetupError extends Error {
  override name = "CommandSetupError";
  constructor(
    readonly process: string,
    readonly phase: Phase,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${phase} command of process "${process}": ${message}`, options);
  }
}

/** A one-shot command (pre, or a readiness command) did not succeed. */
export class CommandFailedError extends Error {
  override name = "CommandFailedError";
  constructor(
    readonly process: string,
    readonly phase: Phase,
    readonly status: ExitStatus,
  ) {
    super(`\`${phase}\` command failed for process "${process}" (${describeStatus(status)})`);
  }
}

/** A hook (see `Hooks`) threw or rejected during startup. */
export class HookError extends Error {
  override name = "HookError";
  readonly phase = "hook" as const;
  constructor(
    readonly hook: string,
    readonly process: string | undefined,
    options: { cause: unknown; listener?: boolean },
  ) {
    const of = process === undefined ? "" : ` (process "${process}")`;
    const text = options.listener ? `a listener of ${hook} threw` : `${hook} hook failed`;
    super(`${text}${of}: ${messageOf(options.cause)}`, { cause: options.cause });
    this.listener = options.listener ?? false;
  }
  /** True when an event listener threw, not the hook. */
  readonly listener: boolean;
}

/** Where a startup failed: a command's phase, its readiness gate, or a hook. */
export type StartupPhase = Phase | "ready" | "hook";

/** What can make a startup fail (a StartupError's `cause`). */
export type StartupCause =
  | CommandFailedError
  | CommandSetupError
  | RunExitedError
  | HookError
  | ReadyTimeoutError
  | ReadyCheckError
  | Error;

/** Startup did not complete; everything already started has been stopped again. */
export class StartupError extends Error {
  override name = "StartupError";
  /** The exit code Ground Control reports: the failing command's own status, else 1. */
  readonly exitCode: number;
  declare readonly cause: StartupCause;
  constructor(
    readonly process: string,
    readonly phase: StartupPhase,
    cause: StartupCause,
  ) {
    // Every cause already names the process and the phase.
    super(`startup aborted: ${messageOf(cause)}`, { cause });
    const status =
      cause instanceof CommandFailedError || cause instanceof RunExitedError
        ? cause.status
        : undefined;
    this.exitCode = startupExitCode(status);
  }
}

/** A `run` command exited while it was still needed (during startup or readiness). */
export class RunExitedError extends Error {
  override name = "RunExitedError";
  constructor(
    readonly process: string,
    readonly status: ExitStatus,
  ) {
    super(`\`run\` command of process "${process}" exited (${describeStatus(status)})`);
  }
}

/** Startup of a process was interrupted by a shutdown; not a failure of its own. */
export class StartupInterrupted extends Error {
  override name = "StartupInterrupted";
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// The Supervisor's typed events and awaited hooks, and the order they come in.
import type { Phase } from "./spec.js";
import type { ExitStatus } from "./status.js";

export interface ProcessEvent {
  process: string;
}

export interface CommandStartedEvent {
  process: string;
  phase: Phase | "ready";
  pid: number;
  argv: string[];
}

export interface CommandExitedEvent {
  process: string;
  phase: Phase | "ready";
  pid: number | undefined;
  status: ExitStatus;
}

/** Why the supervisor shut down: a small closed union. */
export type ShutdownReason =
  /** stop() was called (the CLI calls it on SIGTERM, SIGINT or SIGQUIT). */
  | { kind: "stop"; signal?: NodeJS.Signals }
  /** A `run` command exited (during startup or after it). */
  | { kind: "exit"; process: string; status: ExitStatus }
  /** Startup failed: a `pre` failed, a command could not be prepared, a readiness gate failed. */
  | { kind: "startup-failed"; error: Error };

export interface SupervisorResult {
  reason: ShutdownReason;
  /** What the CLI exits with (SPEC §4). */
  exitCode: number;
}

/**
 * Events, in order, for a spec whose processes all start and are then stopped:
 *
 *   for each process, in file order:
 *     process:starting
 *     command:started {pre} … command:exited {pre}        (when it has `pre`)
 *     command:started {run}                               (when it has `run`)
 *     command:started {ready} … command:exited {ready}    (a `ready.command`, once per try)
 *     process:ready                                       (when it has `ready`)
 *     process:started
 *   supervisor:running
 *   supervisor:stopping {reason}
 *   for each started process, in reverse order:
 *     process:stopping
 *     command:started {stop} … command:exited {stop}      (a `stop` command)
 *     command:exited {run}                                (unless it had exited already)
 *     command:started {post} … command:exited {post}      (when it has `post`)
 *     process:stopped
 *   supervisor:stopped {result}
 *
 * A `run` that exits on its own emits `command:exited {run}` at that moment, then
 * `supervisor:stopping`. Listeners run synchronously; hooks of the same name are awaited
 * before the supervisor goes on, so a test can hold the lifecycle between two steps.
 */
export interface SupervisorEvents {
  "process:starting": [ProcessEvent];
  "process:ready": [ProcessEvent];
  "process:started": [ProcessEvent];
  "process:stopping": [ProcessEvent];
  "process:stopped": [ProcessEvent];
  "command:started": [CommandStartedEvent];
  "command:exited": [CommandExitedEvent];
  "supervisor:running": [];
  "supervisor:stopping": [{ reason: ShutdownReason }];
  "supervisor:stopped": [{ result: SupervisorResult }];
}

/** The lifecycle steps a hook can hold. */
export type HookName =
  | "process:starting"
  | "process:ready"
  | "process:started"
  | "process:stopping"
  | "process:stopped"
  | "supervisor:running";

export type Hooks = {
  [K in HookName]?: (...args: SupervisorEvents[K]) => void | Promise<void>;
};

// The Supervisor's typed events and awaited hooks, and the order they come in.
import type { StartupError } from "./errors.js";
import type { Phase } from "./spec.js";
import type { ExitStatus } from "./status.js";

export interface ProcessEvent {
  process: string;
}

/** A command's phase in events: a lifecycle phase, or the command of a check. */
export type CommandPhase = Phase | "ready" | "health";

export interface CommandStartedEvent {
  process: string;
  phase: CommandPhase;
  pid: number;
  argv: string[];
}

export interface CommandExitedEvent {
  process: string;
  phase: CommandPhase;
  pid: number | undefined;
  status: ExitStatus;
}

/** A process's `run` is being started again (`restart`). */
export interface RestartingEvent {
  process: string;
  /** 1 for the first restart in the current window, 2 for the next… */
  attempt: number;
  /** How long it waits before it starts `run` again. */
  delayMs: number;
  /** How the last `run` ended (stopped and killed, when it was unhealthy). */
  status: ExitStatus;
  /** Set when it was stopped because its health check failed: the check, in words. */
  unhealthy?: string;
}

/**
 * A health check failed `failures` times in a row, or the watchdog went without `WATCHDOG=1`:
 * the process is stopped as a failed `run`.
 */
export interface UnhealthyEvent {
  process: string;
  /** What noticed: the `health` check, or the sd_notify watchdog. */
  source: "health" | "watchdog";
  /** The check, in words (`http http://127.0.0.1:8080/healthz`, `watchdog 30s`). */
  probe: string;
  failures: number;
  /** Why the last check failed. */
  reason: string;
}

/** A health check passed again after one or more failed. */
export interface HealthyEvent {
  process: string;
  probe: string;
}

/** A datagram on a process's notify socket from a process of its `run`'s tree (sd_notify). */
export interface NotifyEvent {
  process: string;
  /** The sender, as the kernel names it. */
  pid: number;
  /** Its assignments: `{ READY: "1", STATUS: "accepting connections" }`. */
  fields: Record<string, string>;
}

/** A process said what it is doing (sd_notify's `STATUS=`). */
export interface StatusEvent {
  process: string;
  pid: number;
  status: string;
}

/** How a process ended for good, as a reason to shut down. */
export type ProcessEnd =
  /** Its `run` exited, and `restart` does not start it again. */
  | { kind: "exit"; process: string; status: ExitStatus }
  /** Its health check (or watchdog) failed, and `restart` does not start it again. */
  | { kind: "unhealthy"; process: string; probe: string }
  /** `restart` would have started it once more than `max` within `within`. */
  | {
      kind: "restarts-exhausted";
      process: string;
      /** `max`, all of them used within `withinMs`. */
      restarts: number;
      withinMs: number;
      /** How its last `run` ended: an exit status, or the health check it failed. */
      last: { status: ExitStatus } | { unhealthy: string };
    };

/** Why the supervisor shut down: a small closed union. */
export type ShutdownReason =
  /** stop() was called (the CLI calls it on SIGTERM, SIGINT or SIGQUIT). */
  | { kind: "stop"; signal?: NodeJS.Signals }
  /** A process ended for good: its `run` exited, it was unhealthy, or its restarts ran out. */
  | ProcessEnd
  /** Startup failed: a `pre` failed, a command could not be prepared, a readiness gate failed. */
  | { kind: "startup-failed"; error: StartupError };

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
 * `supervisor:stopping`. With `restart`, it is started again instead, within its budget:
 *
 *     command:exited {run}
 *     process:restarting {attempt, delayMs, status}
 *     (the backoff; the beforeRestart hook)
 *     command:started {run}
 *     process:ready                                       (when it has `ready`)
 *
 * A health check that fails `failures` times in a row (or a watchdog period without WATCHDOG=1):
 *
 *     process:unhealthy {source, probe, failures}
 *     command:started {stop} … command:exited {stop}      (a `stop` command)
 *     command:exited {run}
 *     process:restarting {…, unhealthy}                   (or, without a restart: supervisor:stopping)
 *
 * With a notify socket (`ready` notify, or a watchdog), each datagram that counts emits
 * `process:notify` when it arrives, after `command:started {run}` and before `process:stopping`,
 * and one with `STATUS=` also `process:status` (after `process:notify`); a `READY=1` that opens
 * the gate comes before the `process:ready` it causes.
 *
 * Listeners run synchronously; hooks of the same name are awaited before the supervisor goes
 * on, so a test can hold the lifecycle between two steps.
 */
export interface SupervisorEvents {
  "process:starting": [ProcessEvent];
  "process:ready": [ProcessEvent];
  "process:started": [ProcessEvent];
  "process:stopping": [ProcessEvent];
  "process:stopped": [ProcessEvent];
  "process:restarting": [RestartingEvent];
  "process:unhealthy": [UnhealthyEvent];
  "process:healthy": [HealthyEvent];
  "process:notify": [NotifyEvent];
  "process:status": [StatusEvent];
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
} & {
  /** Awaited after a restart's backoff, right before `run` is started again. */
  beforeRestart?: (event: { process: string; attempt: number }) => void | Promise<void>;
};

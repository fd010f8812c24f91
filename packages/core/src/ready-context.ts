// What one readiness check runs with, shared by the polling and the event-driven kinds.
import type { Command } from "./command.js";
import type { NotifyChannel } from "./notify.js";
import type { CommandSpec, ReadyCheck } from "./spec.js";
import type { ExitStatus } from "./status.js";

/** What a readiness check may look at. */
export interface ReadyTarget {
  process: string;
  run: Command;
  /** Resolves when `run` exits (readiness then fails). */
  runExit: Promise<ExitStatus>;
  /** Subscribes to the complete output lines of the process. */
  onLine(listener: (line: string) => void): () => void;
  /** The process's notify socket, when it has one (`notify` readiness, a watchdog). */
  notify: NotifyChannel | undefined;
  /** Runs a `ready.command` once and resolves with how it ended; `signal` kills it. */
  spawnCheck(command: CommandSpec, signal?: AbortSignal): Promise<ExitStatus>;
}

export interface CheckContext {
  target: ReadyTarget;
  check: ReadyCheck;
  intervalMs: number;
  /** Fires once the gate is settled, whichever way: the check stops and releases everything. */
  signal: AbortSignal;
  /** Records why the check does not hold yet; a timeout reports the last one. */
  notYet(reason: string): void;
}

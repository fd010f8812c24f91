// Readiness gates: the next process starts only once the check on this one holds.
import type { Command } from "./command.js";
import type { CommandSpec, ReadySpec } from "./spec.js";
import type { ExitStatus } from "./status.js";

/** What a readiness check may look at. */
export interface ReadyTarget {
  process: string;
  run: Command;
  /** Resolves when `run` exits (readiness then fails). */
  runExit: Promise<ExitStatus>;
  /** Subscribes to the complete output lines of the process. */
  onLine(listener: (line: string) => void): () => void;
  /** Runs a `ready.command` once and resolves with how it ended. */
  spawnCheck(command: CommandSpec): Promise<ExitStatus>;
}

export async function waitReady(
  _spec: ReadySpec,
  _target: ReadyTarget,
  _abort: AbortSignal,
): Promise<void> {
  throw new Error("readiness checks are not implemented yet");
}

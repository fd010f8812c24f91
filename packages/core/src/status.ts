// How a command ended, and the exit code Ground Control reports for it.
import { constants } from "node:os";

export type ExitStatus =
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: NodeJS.Signals }
  /** The program could not be started at all (not found, not executable, bad cwd...). */
  | { kind: "failed"; code: number; error: NodeJS.ErrnoException };

/** The shell's convention: N for exit N, 128+N for signal N, 127 not found, 126 not executable. */
export function exitCodeOf(status: ExitStatus): number {
  switch (status.kind) {
    case "exited":
      return status.code;
    case "signaled":
      return 128 + (constants.signals[status.signal] ?? 0);
    case "failed":
      return status.code;
  }
}

export function isSuccess(status: ExitStatus): boolean {
  return status.kind === "exited" && status.code === 0;
}

export function describeStatus(status: ExitStatus): string {
  switch (status.kind) {
    case "exited":
      return `exit code ${status.code}`;
    case "signaled":
      return `killed by ${status.signal}`;
    case "failed":
      return `could not start: ${status.error.message}`;
  }
}

/** Maps a spawn error to the status a shell would report for it. */
export function spawnFailure(error: NodeJS.ErrnoException): ExitStatus {
  const code = error.code === "ENOENT" ? 127 : error.code === "EACCES" ? 126 : 126;
  return { kind: "failed", code, error };
}

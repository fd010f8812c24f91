// How a command ended, and the exit code Ground Control reports for it.
import { existsSync } from "node:fs";
import { constants } from "node:os";

export type ExitStatus =
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: NodeJS.Signals }
  /** The program could not be started at all (not found, not executable, bad cwd...). */
  | { kind: "failed"; code: number; error: NodeJS.ErrnoException };

/** The shell's codes for a program that is not found, and for one that cannot be run. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_CANNOT_RUN = 126;

/** 127 when `errno` (a code such as "ENOENT") says the program was not found, else 126. */
export function exitCodeForErrno(errno: string | undefined): 126 | 127 {
  return errno === "ENOENT" ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}

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

/** What a failed startup reports: the failing command's own status, never 0 (a daemon that
 * exited 0 before it was ready still failed startup), else 1. */
export function startupExitCode(status: ExitStatus | undefined): number {
  return status ? exitCodeOf(status) || 1 : 1;
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

/**
 * Maps an error spawning `label` (the program as the config wrote it) to the status a shell
 * would report: 127 for ENOENT, else 126. The message names the program as written, never the
 * path spawn tried (it may hold {{VAR}} values), and says what an ENOENT for a program that
 * exists means.
 */
export function spawnFailure(error: NodeJS.ErrnoException, label: string): ExitStatus {
  const code = error.code ?? "an error";
  let why = `cannot be started (${code})`;
  if (code === "ENOENT") {
    why = existsSync("/dev/null")
      ? "cannot be started (ENOENT): is it a script whose interpreter (#!) is missing?"
      : "cannot be started: /dev/null is missing, and every command reads it as stdin (the image must provide /dev)";
  }
  const failure = Object.assign(new Error(`${label}: ${why}`), { code: error.code });
  return { kind: "failed", code: exitCodeForErrno(error.code), error: failure };
}

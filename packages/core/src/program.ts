// Finds the program a command names, as a shell would and as the user the command runs as would:
// to tell "not found" (127) from "not executable" (126) before spawning (once spawned, both
// only show as the child's exit 127), and so that root's PATH walk (into directories the user
// cannot enter) never picks the program for another user.
import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, resolve } from "node:path";
import { exitCodeForErrno } from "./status.js";

/** Who checks: a uid and every group it has. Undefined: this process itself. */
export interface Identity {
  uid: number;
  groups: readonly number[];
}

export type ProgramLookup = { found: string } | { code: 126 | 127; error: NodeJS.ErrnoException };

/** `label` names the program in messages (as the config wrote it, before {{VAR}} expansion). */
export function findProgram(
  file: string,
  path: string | undefined,
  cwd: string,
  label = file,
  who?: Identity,
): ProgramLookup {
  if (file.includes("/")) {
    const full = resolve(cwd, file);
    const problem = executableProblem(full, who);
    if (problem === null) return { found: full };
    return failure(problem === "ENOENT" ? "ENOENT" : "EACCES", label);
  }
  let sawNonExecutable = false;
  for (const dir of (path ?? "").split(delimiter)) {
    // An empty PATH entry means the current directory, as execvp reads it.
    const candidate = resolve(cwd, dir, file);
    const problem = executableProblem(candidate, who);
    if (problem === null) return { found: candidate };
    if (problem === "EACCES-file") sawNonExecutable = true;
  }
  return failure(sawNonExecutable ? "EACCES" : "ENOENT", label);
}

/**
 * Why `who` could not use `path` as a working directory ("does not exist", "is not a
 * directory", "cannot be entered"), or null when it can.
 */
export function directoryProblem(path: string, who?: Identity): string | null {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    return "does not exist";
  }
  if (!isDirectory) return "is not a directory";
  return mayReach(path, who) && canExecute(path, who) ? null : "cannot be entered";
}

// "EACCES-file": the file is there but not executable (126). A directory on the way that the
// user cannot search hides the file as well as if it were missing (the shell says 127 too).
function executableProblem(path: string, who?: Identity): "ENOENT" | "EACCES-file" | null {
  if (!mayReach(path, who)) return "ENOENT";
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    return "ENOENT";
  }
  // A directory passes X_OK too, but cannot be run.
  if (!stats.isFile()) return stats.isDirectory() ? "EACCES-file" : "ENOENT";
  return canExecute(path, who) ? null : "EACCES-file";
}

/** True when `who` may search every directory on the way to `path` (as written and resolved). */
function mayReach(path: string, who?: Identity): boolean {
  if (who === undefined || who.uid === 0) return true;
  let real = path;
  try {
    real = realpathSync(path);
  } catch {}
  for (const full of new Set([path, real])) {
    for (let dir = dirname(full); ; dir = dirname(dir)) {
      if (!canExecute(dir, who)) return false;
      if (dir === dirname(dir)) break;
    }
  }
  return true;
}

/**
 * True when `who` may execute `path` (search it, for a directory) by its mode bits: the owner's
 * bits for the owner, the group's for a member, the others' otherwise, as the kernel checks
 * them (ACLs and capabilities left out). This process itself asks the kernel (access(2)).
 */
function canExecute(path: string, who?: Identity): boolean {
  try {
    if (who === undefined) {
      accessSync(path, constants.X_OK);
      return true;
    }
    const stats = statSync(path);
    const { mode, uid, gid } = stats;
    // Root may search any directory and run any file that has one x bit.
    if (who.uid === 0) return (mode & 0o111) !== 0 || stats.isDirectory();
    const shift = uid === who.uid ? 6 : who.groups.includes(gid) ? 3 : 0;
    return ((mode >> shift) & 1) !== 0;
  } catch {
    return false;
  }
}

function failure(code: "ENOENT" | "EACCES", file: string): ProgramLookup {
  const text = code === "ENOENT" ? "not found" : "not executable";
  const error: NodeJS.ErrnoException = Object.assign(new Error(`${file}: ${text}`), {
    code,
    path: file,
  });
  return { code: exitCodeForErrno(code), error };
}

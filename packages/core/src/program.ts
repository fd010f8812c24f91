// Finds the program a command names, as a shell would, to tell "not found" (127) from
// "not executable" (126): once spawned, both only show as the child's exit 127.
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, resolve } from "node:path";

export type ProgramLookup = { found: string } | { code: 126 | 127; error: NodeJS.ErrnoException };

/** `label` names the program in messages (as the config wrote it, before {{VAR}} expansion). */
export function findProgram(
  file: string,
  path: string | undefined,
  cwd: string,
  label = file,
): ProgramLookup {
  if (file.includes("/")) {
    const full = resolve(cwd, file);
    const problem = executableProblem(full);
    return problem === null ? { found: full } : failure(problem, label);
  }
  let sawNonExecutable = false;
  for (const dir of (path ?? "").split(delimiter)) {
    // An empty PATH entry means the current directory, as execvp reads it.
    const candidate = resolve(cwd, dir, file);
    const problem = executableProblem(candidate);
    if (problem === null) return { found: candidate };
    if (problem === "EACCES") sawNonExecutable = true;
  }
  return failure(sawNonExecutable ? "EACCES" : "ENOENT", label);
}

function executableProblem(path: string): "ENOENT" | "EACCES" | null {
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EACCES" ? "EACCES" : "ENOENT";
  }
  // A directory passes X_OK too, but cannot be run. "path/" resolves only for a directory
  // (POSIX): one more access(2), where a stat's first call costs ~0.3 ms on the way to the
  // first spawn.
  return existsSync(`${path}/`) ? "EACCES" : null;
}

function failure(code: "ENOENT" | "EACCES", file: string): ProgramLookup {
  const text = code === "ENOENT" ? "not found" : "not executable";
  const error: NodeJS.ErrnoException = Object.assign(new Error(`${file}: ${text}`), {
    code,
    path: file,
  });
  return { code: code === "ENOENT" ? 127 : 126, error };
}

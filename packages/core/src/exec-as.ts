// The exec-as helper: started as root, it takes on a user's groups, gid and uid (in that order,
// as s6 does), then execs the command in place, so its parent sees the command's own exit status.
// Usage: exec-as <uid> <gid> <gid,gid,...> [--fds=N] -- <program> [args...]
import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { describeErrno, F_SETFD, type Libc, loadLibc } from "./native.js";
import { ARGV_SEPARATOR, STASH_PREFIX } from "./user-switch.js";

/** Shell conventions: 127 when the program is not found, 126 when it cannot be run. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_CANNOT_RUN = 126;

const ENOENT = 2;

export interface ExecAsRequest {
  uid: number;
  gid: number;
  groups: number[];
  /** File descriptors 0..fdCount-1 are handed to the command. */
  fdCount: number;
  argv: string[];
}

/** Runs the helper with its arguments (without node and script); never returns. */
export function execAsMain(argv: string[]): never {
  const request = parseExecAsArgs(argv);
  if (typeof request === "string") fail(EXIT_CANNOT_RUN, `exec-as: ${request}`);

  const loaded = loadLibc();
  if (!loaded.ok) fail(EXIT_CANNOT_RUN, `exec-as: ${loaded.reason}`);
  const { libc } = loaded;

  unstashNodeEnv();
  switchUser(request);

  const [program] = request.argv as [string, ...string[]];
  const file = locate(program, process.env.PATH);
  if (file === undefined) {
    fail(EXIT_NOT_FOUND, `exec-as: execvp("${program}") failed: ENOENT (not found in PATH)`);
  }
  prepareInheritance(libc, request.fdCount);
  libc.execvp(file, request.argv);
  const errno = libc.errno();
  fail(
    errno === ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN,
    `exec-as: execvp("${file}") failed: ${describeErrno(errno)}`,
  );
}

/**
 * Finds `program` in PATH as a shell does, with the user's own permissions: the first executable
 * file, else the first file found (its exec then fails with EACCES: 126), else undefined (127).
 * libc's execvp would report EACCES for a program found nowhere if some PATH directory (say
 * /root/.local/bin) is closed to the user.
 */
export function locate(program: string, path = "/bin:/usr/bin"): string | undefined {
  if (program.includes("/")) return program;
  let found: string | undefined;
  for (const dir of path.split(":")) {
    const candidate = `${dir === "" ? "." : dir}/${program}`;
    try {
      if (!statSync(candidate).isFile()) continue;
    } catch {
      continue;
    }
    found ??= candidate;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return found;
}

/** Parses `<uid> <gid> <groups> [--fds=N] -- argv...`; returns an error message when malformed. */
export function parseExecAsArgs(argv: string[]): ExecAsRequest | string {
  const separator = argv.indexOf(ARGV_SEPARATOR);
  if (separator < 0 || separator === argv.length - 1) {
    return "usage: exec-as <uid> <gid> <gid,gid,...> [--fds=N] -- <program> [args...]";
  }
  const [uid, gid, groupList, ...flags] = argv.slice(0, separator);
  const ids = [uid, gid].map(toId);
  const groups = (groupList ?? "").split(",").map(toId);
  if (ids.some(Number.isNaN) || groups.some(Number.isNaN) || groupList === "") {
    return `invalid ids: uid "${uid}", gid "${gid}", groups "${groupList}"`;
  }
  let fdCount = 3;
  for (const flag of flags) {
    const match = /^--fds=([0-9]+)$/.exec(flag);
    if (!match) return `unknown option "${flag}"`;
    fdCount = Math.max(3, Number(match[1]));
  }
  return {
    uid: ids[0]!,
    gid: ids[1]!,
    groups,
    fdCount,
    argv: argv.slice(separator + 1),
  };
}

function switchUser(request: ExecAsRequest): void {
  // Groups first, then gid, then uid: once the uid changes nothing else may be changed.
  const steps: [string, () => void][] = [
    [`setgroups([${request.groups.join(",")}])`, () => process.setgroups?.(request.groups)],
    [`setgid(${request.gid})`, () => process.setgid?.(request.gid)],
    [`setuid(${request.uid})`, () => process.setuid?.(request.uid)],
  ];
  for (const [call, step] of steps) {
    try {
      step();
    } catch (error) {
      fail(EXIT_CANNOT_RUN, `exec-as: ${call} failed: ${(error as Error).message}`);
    }
  }
}

// Node marks the descriptors it inherited close-on-exec and ignores SIGPIPE and SIGXFSZ; undo
// both, so the command starts as it would from a plain spawn (libuv resets signals there).
function prepareInheritance(libc: Libc, fdCount: number): void {
  for (let fd = 0; fd < fdCount; fd++) {
    if (libc.fcntl(fd, F_SETFD, 0) < 0 && fd < 3) {
      fail(
        EXIT_CANNOT_RUN,
        `exec-as: fcntl(${fd}, F_SETFD, 0) failed: ${describeErrno(libc.errno())}`,
      );
    }
  }
  for (let signum = 1; signum < 32; signum++) libc.resetSignal(signum);
}

// The command's own NODE_* variables were set aside so they would not shape this helper.
function unstashNodeEnv(): void {
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith(STASH_PREFIX)) continue;
    delete process.env[key];
    process.env[key.slice(STASH_PREFIX.length)] = value;
  }
}

function toId(text: string | undefined): number {
  return text !== undefined && /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
}

function fail(status: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

// Run when started as a script (node dist/exec-as.js ...), not when imported or bundled.
function isMainModule(): boolean {
  if (typeof __filename === "string" || process.argv[1] === undefined) return false;
  try {
    // argv[1] may be a symlinked path (pnpm links packages); the module URL is the real one.
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMainModule()) execAsMain(process.argv.slice(2));

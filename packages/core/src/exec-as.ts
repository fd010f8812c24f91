// The exec-as helper: started as root with an empty environment, it reads what to run from its
// stdin, takes on the user's groups, gid and uid (in that order, as s6 does), enters the
// directory as that user, then execs the command in place, so its parent sees the command's own
// exit status. The command's environment reaches only the final execve: no process running as
// root ever starts with it (LD_PRELOAD, OPENSSL_CONF… would act as root).
// It also serves a command that needs its own pid in its environment before it starts
// (sd_notify's WATCHDOG_PID), which only a process that execs in place can know.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { closeInheritedDescriptors } from "./descriptors.js";
import { describeErrno, errnoCode, F_SETFD, type Libc, loadLibc } from "./native.js";
import { EXIT_CANNOT_RUN, exitCodeForErrno } from "./status.js";

const F_DUPFD_CLOEXEC = 1030;

/** What the helper is asked to do; sent as JSON on its stdin, never on its command line. */
export interface ExecAsRequest {
  /** The user to become; uid, gid and groups come together, or none (no switch). */
  uid?: number;
  gid?: number;
  /** Every group, primary first. */
  groups?: number[];
  /** The program, already found (as the user) and absolute. */
  path: string;
  argv: string[];
  /** `NAME=value` entries: the command's whole environment. */
  env: string[];
  cwd?: string;
  /**
   * The program and the cwd as the config wrote them ({{VAR}} unexpanded): the helper's own
   * messages name these, since an expanded value may be a secret.
   */
  label?: string;
  cwdLabel?: string;
  /** A descriptor besides 0-2 the command inherits (its readiness fd). */
  keepFd?: number;
  /** Set WATCHDOG_PID to the helper's own pid, which the command keeps across the exec. */
  watchdogPid?: boolean;
}

/** The argv that starts the helper when core runs from its own files: this Node and exec-as-main.js. */
export function defaultExecAsHelper(): string[] {
  const script = fileURLToPath(new URL("exec-as-main.js", import.meta.url));
  if (!existsSync(script)) {
    throw new Error(
      `the exec-as helper is missing (${script}); pass execAsHelper to the Supervisor`,
    );
  }
  return [process.execPath, script];
}

/**
 * Runs the helper: stdin carries one ExecAsRequest and is then replaced by /dev/null; a copy
 * of it stays open, close-on-exec, so the parent sees it close when the exec succeeds (until
 * then it holds back signals it would forward: this is a Node process, running as root).
 * Never returns.
 */
export async function execAsMain(): Promise<never> {
  const request = parseRequest(readFileSync(0, "utf8"));
  if (typeof request === "string") fail(EXIT_CANNOT_RUN, `exec-as: ${request}`);
  const loaded = await loadLibc();
  if (!loaded.ok) fail(EXIT_CANNOT_RUN, `exec-as: ${loaded.reason}`);
  const { libc } = loaded;

  if (libc.fcntl(0, F_DUPFD_CLOEXEC, 3) < 0) failCall(libc, "fcntl(0, F_DUPFD_CLOEXEC)");
  replaceStdin(libc);
  if (request.uid !== undefined) switchUser(request);
  if (request.cwd !== undefined) {
    try {
      process.chdir(request.cwd);
    } catch (error) {
      const cwd = request.cwdLabel ?? request.cwd;
      fail(EXIT_CANNOT_RUN, `exec-as: cannot enter cwd "${cwd}": ${codeOf(error)}`);
    }
  }
  prepareInheritance(libc, request.keepFd);
  const env = request.watchdogPid
    ? [
        ...request.env.filter((entry) => !entry.startsWith("WATCHDOG_PID=")),
        `WATCHDOG_PID=${process.pid}`,
      ]
    : request.env;
  libc.execve(request.path, request.argv, env);
  const errno = libc.errno();
  fail(
    exitCodeForErrno(errnoCode(errno)),
    `exec-as: cannot run ${request.label ?? request.path}: ${describeErrno(errno)}`,
  );
}

/** Checks the request's shape; returns why it is unusable as a string. */
export function parseRequest(text: string): ExecAsRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "expected a request on stdin (this mode is for Ground Control's own use)";
  }
  const r = value as Partial<ExecAsRequest>;
  const isId = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < 2 ** 32;
  const isStrings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === "string");
  const noSwitch = r.uid === undefined && r.gid === undefined && r.groups === undefined;
  if (
    !noSwitch &&
    (!isId(r.uid) || !isId(r.gid) || !Array.isArray(r.groups) || !r.groups.every(isId))
  ) {
    return "invalid ids in the request";
  }
  if (typeof r.path !== "string" || !isStrings(r.argv) || !isStrings(r.env)) {
    return "invalid program, argv or environment in the request";
  }
  if (r.cwd !== undefined && typeof r.cwd !== "string") return "invalid cwd in the request";
  for (const key of ["label", "cwdLabel"] as const) {
    if (r[key] !== undefined && typeof r[key] !== "string") return `invalid ${key} in the request`;
  }
  if (r.keepFd !== undefined && !(isId(r.keepFd) && r.keepFd > 2)) {
    return "invalid descriptor in the request";
  }
  if (r.watchdogPid !== undefined && typeof r.watchdogPid !== "boolean") {
    return "invalid watchdogPid in the request";
  }
  return r as ExecAsRequest;
}

// The command reads /dev/null, as every command does.
function replaceStdin(libc: Libc): void {
  let fd: number;
  try {
    fd = openSync("/dev/null", "r");
  } catch (error) {
    fail(
      EXIT_CANNOT_RUN,
      `exec-as: cannot open /dev/null (${codeOf(error)}): the image needs /dev`,
    );
  }
  if (libc.dup2(fd, 0) < 0) failCall(libc, "dup2(/dev/null, 0)");
  closeSync(fd);
}

function switchUser(request: ExecAsRequest): void {
  const { uid = 0, gid = 0, groups = [] } = request;
  // Groups first, then gid, then uid: once the uid changes nothing else may be changed.
  const steps: [string, () => void][] = [
    [`setgroups([${groups.join(",")}])`, () => process.setgroups?.(groups)],
    [`setgid(${gid})`, () => process.setgid?.(gid)],
    [`setuid(${uid})`, () => process.setuid?.(uid)],
  ];
  for (const [call, step] of steps) {
    try {
      step();
    } catch (error) {
      fail(EXIT_CANNOT_RUN, `exec-as: ${call} failed: ${codeOf(error)}`);
    }
  }
}

// Only 0-2 and the readiness descriptor reach the command: everything else is marked
// close-on-exec, and those four are unmarked (Node marks what it inherited). Node also ignores
// SIGPIPE and SIGXFSZ and may block signals: undo that, so the command starts as from a plain
// spawn (libuv resets signals there).
function prepareInheritance(libc: Libc, keepFd: number | undefined): void {
  closeInheritedDescriptors(libc);
  for (const fd of keepFd === undefined ? [0, 1, 2] : [0, 1, 2, keepFd]) {
    if (libc.fcntl(fd, F_SETFD, 0) < 0) failCall(libc, `fcntl(${fd}, F_SETFD, 0)`);
  }
  for (let signum = 1; signum < 32; signum++) libc.resetSignal(signum);
  libc.unblockAllSignals();
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

function failCall(libc: Libc, call: string): never {
  fail(EXIT_CANNOT_RUN, `exec-as: ${call} failed: ${describeErrno(libc.errno())}`);
}

function fail(status: number, message: string): never {
  writeSync(2, `${message}\n`);
  process.exit(status);
}

// The few libc calls Node does not offer (reaping foreign children, subreaper, exec in place),
// bound through koffi on first use: loading koffi costs ~15 ms, so nothing pays for it early.
import { createRequire } from "node:module";
import { endianness } from "node:os";
import { getSystemErrorMap } from "node:util";
import { loadKoffi } from "./koffi-load.js";

/** The libc functions Ground Control uses; each returns libc's own result (-1 on failure). */
export interface Libc {
  /** `waitid(idtype, id, info, options)`; `info` must hold a `siginfo_t` (128 bytes). */
  waitid(idtype: number, id: number, info: Buffer, options: number): number;
  /** `waitpid(pid, status, options)`; `status[0]` receives the wait status. */
  waitpid(pid: number, status: Int32Array, options: number): number;
  /** `prctl(option, arg2, 0, 0, 0)`; Linux only (null elsewhere). */
  prctl: ((option: number, arg2: number) => number) | null;
  /** `fcntl(fd, cmd, arg)` with an integer argument. */
  fcntl(fd: number, cmd: number, arg: number): number;
  /** `execvp(file, argv)`; returns only on failure. */
  execvp(file: string, argv: string[]): number;
  /** `signal(signum, SIG_DFL)`: restores a signal's default disposition (errors ignored). */
  resetSignal(signum: number): void;
  /** The calling thread's errno after the last call. */
  errno(): number;
}

/** What loading libc gave: the bindings, or why there are none. Never thrown. */
export type LibcResult =
  | { ok: true; libc: Libc }
  | {
      ok: false;
      /** Human-readable cause, fit for one warning line. */
      reason: string;
      /** True when the platform simply has no such facility (not worth a warning). */
      unsupported: boolean;
    };

// Constants, named as in the Linux headers (the few shared with macOS are equal there too).
export const P_ALL = 0;
export const P_PID = 1;
export const WNOHANG = 1;
export const WEXITED = 4;
export const WNOWAIT = 0x1000000;
export const PR_SET_CHILD_SUBREAPER = 36;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const FD_CLOEXEC = 1;
export const ECHILD = 10;
export const EINTR = 4;
/** Size reserved for a `siginfo_t` (the kernel's is 128 bytes). */
export const SIGINFO_SIZE = 128;

let cached: LibcResult | undefined;

/** Binds libc on first call and caches the outcome, success or failure. */
export function loadLibc(): LibcResult {
  cached ??= bind();
  return cached;
}

/** Byte offset of `si_pid` in `siginfo_t`: after three ints, aligned to the pointer size. */
export function siginfoPidOffset(): number {
  return process.arch.endsWith("64") ? 16 : 12;
}

/** Reads `si_pid` from a `siginfo_t` filled by waitid (0 when no child was ready). */
export function readSiginfoPid(info: Buffer): number {
  const offset = siginfoPidOffset();
  return endianness() === "LE" ? info.readInt32LE(offset) : info.readInt32BE(offset);
}

/** `ENOENT (no such file or directory)` for an errno value. */
export function describeErrno(errno: number): string {
  // Node's map is keyed by libuv's negated errno values.
  const entry = getSystemErrorMap().get(-errno);
  return entry ? `${entry[0]} (${entry[1]})` : `errno ${errno}`;
}

function bind(): LibcResult {
  if (process.platform !== "linux" && process.platform !== "darwin") {
    return { ok: false, reason: `no libc bindings on ${process.platform}`, unsupported: true };
  }
  let koffi: typeof import("koffi");
  try {
    koffi = loadKoffi(requireFromHere());
  } catch (error) {
    return { ok: false, reason: `cannot load koffi: ${messageOf(error)}`, unsupported: false };
  }
  try {
    // null: the libc Node itself is linked against (glibc or musl), without guessing a file name.
    const lib = koffi.load(null);
    const waitid = lib.func("int waitid(int idtype, uint32_t id, _Inout_ void *info, int options)");
    const waitpid = lib.func("int waitpid(int pid, _Inout_ int *status, int options)");
    const fcntl = lib.func("int fcntl(int fd, int cmd, int arg)");
    const execvp = lib.func("int execvp(const char *file, const char **argv)");
    const signal = lib.func("void *signal(int signum, void *handler)");
    const prctl =
      process.platform === "linux"
        ? lib.func(
            "int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)",
          )
        : null;
    const libc: Libc = {
      waitid: (idtype, id, info, options) => waitid(idtype, id, info, options) as number,
      waitpid: (pid, status, options) => waitpid(pid, status, options) as number,
      prctl: prctl ? (option, arg2) => prctl(option, arg2, 0, 0, 0) as number : null,
      fcntl: (fd, cmd, arg) => fcntl(fd, cmd, arg) as number,
      execvp: (file, argv) => execvp(file, [...argv, null]) as number,
      // Only SIGKILL, SIGSTOP and libc's reserved signals refuse, and those need no reset.
      resetSignal: (signum) => {
        signal(signum, null);
      },
      errno: () => koffi.errno(),
    };
    return { ok: true, libc };
  } catch (error) {
    return { ok: false, reason: `cannot bind libc: ${messageOf(error)}`, unsupported: false };
  }
}

// Resolves koffi from this file's location, both as ESM and inside a CommonJS bundle (where the
// bundler keeps koffi external and `__filename` names the bundle). Always through createRequire:
// the standalone binary replaces it to hand out the koffi built into the executable.
function requireFromHere(): NodeJS.Require {
  const here = typeof __filename === "string" ? __filename : import.meta.url;
  return createRequire(here);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

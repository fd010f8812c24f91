// The few libc calls Node does not offer (reaping foreign children, subreaper, real pipes,
// exec in place, close-on-exec for inherited descriptors, Unix datagram sockets), through koffi:
// one native bridge, loaded through its public entry point the first time something needs it.
import { endianness } from "node:os";
import { getSystemErrorMap } from "node:util";
import { messageOf } from "./errors.js";

/** The libc functions Ground Control uses; each returns libc's own result (-1 on failure). */
export interface Libc {
  /** `waitid(idtype, id, info, options)`; `info` must hold a `siginfo_t` (128 bytes). */
  waitid(idtype: number, id: number, info: Buffer, options: number): number;
  /** `waitpid(pid, status, options)`; `status[0]` receives the wait status. */
  waitpid(pid: number, status: Int32Array, options: number): number;
  /** `prctl(option, arg2, 0, 0, 0)`; Linux only (returns -1 elsewhere). */
  prctl(option: number, arg2: number): number;
  /** `fcntl(fd, cmd, arg)` with an integer argument. */
  fcntl(fd: number, cmd: number, arg: number): number;
  /** `pipe2(fds, flags)` (`pipe` plus fcntl where there is no pipe2); `fds` gets read, write. */
  pipe(fds: Int32Array, flags: number): number;
  /** `socketpair(domain, type, protocol, fds)` (Linux; -1 elsewhere). */
  socketpair(domain: number, type: number, protocol: number, fds: Int32Array): number;
  /** `dup2(from, to)`. */
  dup2(from: number, to: number): number;
  /** `execve(path, argv, envp)`; returns only on failure. */
  execve(path: string, argv: string[], envp: string[]): number;
  /** `close_range(first, ~0, CLOSE_RANGE_CLOEXEC)` (Linux ≥ 5.11); -1 where it is missing. */
  cloexecFrom(first: number): number;
  /** `signal(signum, SIG_DFL)`: restores a signal's default disposition (errors ignored). */
  resetSignal(signum: number): void;
  /** Empties the calling thread's signal mask (an exec'd program starts with it). */
  unblockAllSignals(): void;
  /** Unblocks one signal in the calling thread (Node's --disable-sigusr1 blocks SIGUSR1). */
  unblockSignal(signum: number): void;
  /** `socket(domain, type, protocol)`. */
  socket(domain: number, type: number, protocol: number): number;
  /** `setsockopt(fd, level, name, &value, sizeof(int))` with an integer option. */
  setsockoptInt(fd: number, level: number, name: number, value: number): number;
  /** `bind(fd, addr, addr.length)`; `addr` holds a `struct sockaddr`. */
  bind(fd: number, addr: Buffer): number;
  /**
   * `recvmsg(fd, …, flags)` of one datagram into `data`, its ancillary data into `control`
   * (both filled in place). null on failure (see errno).
   */
  recvmsg(fd: number, data: Buffer, control: Buffer, flags: number): Received | null;
  /** `close(fd)`. */
  close(fd: number): number;
  /**
   * Calls `callback` on the event loop whenever `fd` is readable (libuv's own poll, which koffi
   * exposes): nothing blocks, no thread waits. Stop with the handle's `close()`.
   */
  pollReadable(fd: number, callback: () => void): PollHandle | null;
  /** The calling thread's errno after the last call. */
  errno(): number;
}

/** What one recvmsg() gave. */
export interface Received {
  /** Bytes of the datagram in `data`. */
  bytes: number;
  /** Bytes of ancillary data in `control`. */
  controlBytes: number;
  /** `msg_flags`: MSG_TRUNC… */
  flags: number;
}

/** A descriptor watched by the event loop. */
export interface PollHandle {
  close(): void;
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
export const WNOHANG = 1;
export const WEXITED = 4;
export const WNOWAIT = 0x1000000;
export const PR_SET_CHILD_SUBREAPER = 36;
export const F_SETFD = 2;
export const FD_CLOEXEC = 1;
export const ECHILD = 10;
export const EINTR = 4;
export const O_CLOEXEC = process.platform === "darwin" ? 0x1000000 : 0o2000000;
export const EAGAIN = 11;
// Sockets (Linux values: datagram credentials exist on Linux only).
export const AF_UNIX = 1;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_PASSCRED = 16;
export const SCM_RIGHTS = 1;
export const SCM_CREDENTIALS = 2;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
/** Size reserved for a `siginfo_t` (the kernel's is 128 bytes). */
export const SIGINFO_SIZE = 128;

const SIG_UNBLOCK = process.platform === "darwin" ? 2 : 1;
const SIG_SETMASK = process.platform === "darwin" ? 3 : 2;
const SYS_CLOSE_RANGE = 436; // the same number on every Linux architecture
const CLOSE_RANGE_CLOEXEC = 4;

type Koffi = typeof import("koffi");

let loading: Promise<LibcResult> | undefined;

/** Binds libc on first call (loading koffi) and caches the outcome, success or failure. */
export function loadLibc(): Promise<LibcResult> {
  loading ??= bind();
  return loading;
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

/** `ENOENT` for an errno value (undefined for one Node does not know). */
export function errnoCode(errno: number): string | undefined {
  return getSystemErrorMap().get(-errno)?.[0];
}

async function bind(): Promise<LibcResult> {
  if (process.platform !== "linux" && process.platform !== "darwin") {
    return { ok: false, reason: `no libc bindings on ${process.platform}`, unsupported: true };
  }
  let koffi: Koffi;
  try {
    const imported = (await import("koffi")) as unknown as { default?: Koffi };
    koffi = imported.default ?? (imported as unknown as Koffi);
  } catch (error) {
    return { ok: false, reason: `cannot load koffi: ${messageOf(error)}`, unsupported: false };
  }
  try {
    return { ok: true, libc: bindLibc(koffi) };
  } catch (error) {
    return { ok: false, reason: `cannot bind libc: ${messageOf(error)}`, unsupported: false };
  }
}

function bindLibc(koffi: Koffi): Libc {
  const linux = process.platform === "linux";
  // null: the libc Node itself is linked against (glibc or musl), without guessing a file name.
  const lib = koffi.load(null);
  const waitid = lib.func("int waitid(int idtype, uint32_t id, _Inout_ void *info, int options)");
  const waitpid = lib.func("int waitpid(int pid, _Inout_ int *status, int options)");
  const fcntl = lib.func("int fcntl(int fd, int cmd, int arg)");
  const dup2 = lib.func("int dup2(int from, int to)");
  const execve = lib.func("int execve(const char *path, const char **argv, const char **envp)");
  const signal = lib.func("void *signal(int signum, void *handler)");
  const sigprocmask = lib.func("int pthread_sigmask(int how, const uint8_t *set, uint8_t *old)");
  const pipe2 = linux ? lib.func("int pipe2(_Inout_ int *fds, int flags)") : null;
  const pipe = lib.func("int pipe(_Inout_ int *fds)");
  const socketpair = linux
    ? lib.func("int socketpair(int domain, int type, int protocol, _Inout_ int *fds)")
    : null;
  const prctl = linux
    ? lib.func(
        "int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)",
      )
    : null;
  const syscall = linux ? lib.func("long syscall(long number, ...)") : null;
  // Bound on first use: only a process with a notify socket needs them, and the others should
  // not pay for them at start-up.
  let sockets: ReturnType<typeof bindSockets> | undefined;
  const sock = () => {
    sockets ??= bindSockets(koffi, lib);
    return sockets;
  };
  return {
    waitid: (idtype, id, info, options) => waitid(idtype, id, info, options) as number,
    waitpid: (pid, status, options) => waitpid(pid, status, options) as number,
    prctl: (option, arg2) => (prctl ? (prctl(option, arg2, 0, 0, 0) as number) : -1),
    fcntl: (fd, cmd, arg) => fcntl(fd, cmd, arg) as number,
    pipe(fds, flags) {
      if (pipe2) return pipe2(fds, flags) as number;
      // macOS: no pipe2. Nothing else can fork in between: Node runs this thread alone.
      if ((pipe(fds) as number) < 0) return -1;
      if (flags & O_CLOEXEC) for (const fd of fds) fcntl(fd, F_SETFD, FD_CLOEXEC);
      return 0;
    },
    socketpair: (domain, type, protocol, fds) =>
      socketpair ? (socketpair(domain, type, protocol, fds) as number) : -1,
    dup2: (from, to) => dup2(from, to) as number,
    execve: (path, argv, envp) => execve(path, [...argv, null], [...envp, null]) as number,
    cloexecFrom(first) {
      if (!syscall) return -1;
      const u = "unsigned int";
      return Number(syscall(SYS_CLOSE_RANGE, u, first, u, 0xffffffff, u, CLOSE_RANGE_CLOEXEC));
    },
    // Only SIGKILL, SIGSTOP and libc's reserved signals refuse, and those need no reset.
    resetSignal: (signum) => {
      signal(signum, null);
    },
    // SIG_SETMASK to an empty set (sigset_t is 128 bytes on Linux, 4 on macOS: 128 covers both).
    unblockAllSignals: () => {
      sigprocmask(SIG_SETMASK, Buffer.alloc(128), null);
    },
    unblockSignal: (signum) => {
      const set = Buffer.alloc(128);
      set[(signum - 1) >> 3] = 1 << ((signum - 1) & 7);
      sigprocmask(SIG_UNBLOCK, set, null);
    },
    socket: (domain, type, protocol) => sock().socket(domain, type, protocol) as number,
    setsockoptInt(fd, level, name, value) {
      const int = Buffer.alloc(4);
      if (endianness() === "LE") int.writeInt32LE(value);
      else int.writeInt32BE(value);
      return sock().setsockopt(fd, level, name, int, 4) as number;
    },
    bind: (fd, addr) => sock().bind(fd, addr, addr.length) as number,
    recvmsg(fd, data, control, flags) {
      // The buffers are only used during the call, as koffi's transient pointers allow.
      const msg = {
        name: null,
        namelen: 0,
        iov: { base: data, len: data.length },
        iovlen: 1,
        control,
        controllen: control.length,
        flags: 0,
      };
      const bytes = Number(sock().recvmsg(fd, msg, flags));
      if (bytes < 0) return null;
      return { bytes, controlBytes: Number(msg.controllen), flags: msg.flags };
    },
    close: (fd) => sock().close(fd) as number,
    pollReadable(fd, callback) {
      // koffi.node.poll is libuv's uv_poll_t (koffi 3.x; its docs call the API provisional,
      // hence the pinned version). Its callback's arguments (status, events) do not matter:
      // the reader drains the socket until EAGAIN whatever woke it. koffi calls it outside a
      // Node callback scope: Node 26 runs no microtasks after it (Node 20 does), so a promise
      // it settles would wait for the next unrelated event. The reader runs as an immediate
      // instead, in the same loop turn, before the poll is asked again.
      let queued = false;
      const handle = koffi.node.poll(fd, { readable: true }, () => {
        if (queued) return;
        queued = true;
        setImmediate(() => {
          queued = false;
          callback();
        });
      });
      return handle ?? null;
    },
    errno: () => koffi.errno(),
  };
}

/** The socket calls, bound when the first notify socket is made. */
function bindSockets(koffi: Koffi, lib: ReturnType<Koffi["load"]>) {
  const socket = lib.func("int socket(int domain, int type, int protocol)");
  const setsockopt = lib.func(
    "int setsockopt(int fd, int level, int name, const void *value, uint32_t len)",
  );
  const bind = lib.func("int bind(int fd, const void *addr, uint32_t len)");
  const close = lib.func("int close(int fd)");
  // Anonymous struct types: a name would clash when a second copy of core binds libc again.
  const iovec = koffi.struct({ base: "void *", len: "size_t" });
  const msghdr = koffi.struct({
    name: "void *",
    namelen: "uint32_t",
    iov: koffi.pointer(iovec),
    iovlen: "size_t",
    control: "void *",
    controllen: "size_t",
    flags: "int",
  });
  const recvmsg = lib.func("recvmsg", "long", ["int", koffi.inout(koffi.pointer(msghdr)), "int"]);
  return { socket, setsockopt, bind, close, recvmsg };
}

// The socket a daemon sends its sd_notify(3) messages to: a Unix datagram socket in a private
// directory that only Ground Control reads, polled by the event loop (nothing blocks), with the
// sender of every datagram taken from the kernel's credentials (SO_PASSCRED), never from what
// the message says.
//
// A path, not the abstract namespace: an abstract socket has no permissions, so anything in the
// same network namespace may send to it, and a Kubernetes pod's containers share one. Under a
// directory of mode 0700 only its owner (the user the command runs as) and root reach the
// socket at all; the credentials check then sorts the command's own processes from the rest.
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { endianness, tmpdir } from "node:os";
import { join } from "node:path";
import {
  AF_UNIX,
  describeErrno,
  EAGAIN,
  EINTR,
  type Libc,
  MSG_DONTWAIT,
  MSG_TRUNC,
  type PollHandle,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SO_PASSCRED,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from "./native.js";

/** One datagram, and who sent it according to the kernel. */
export interface Datagram {
  /** The sending process, as this process's pid namespace numbers it (0: outside of it). */
  pid: number;
  uid: number;
  /** The message, decoded as UTF-8. */
  text: string;
}

/** Longer datagrams are dropped whole, as systemd drops them (its limit is the same). */
export const NOTIFY_MAX_BYTES = 4096;

/** `sun_path` holds 108 bytes, the terminating NUL included. */
const MAX_PATH_BYTES = 107;

/** Datagrams read per wake-up: a flood must not starve the event loop (the poll comes back). */
const BATCH = 256;

export interface NotifySocketOptions {
  /** The user who must be able to send: the directory and the socket become theirs. */
  owner?: { uid: number; gid: number };
  /**
   * Where the private directory is made. Default: the temp directory (`$TMPDIR`, else /tmp),
   * then, for a read-only root, /dev/shm, /run and /var/tmp.
   */
  parent?: string;
  /** A datagram with its sender's credentials. */
  onDatagram(datagram: Datagram): void;
  /** A datagram that was dropped (too long, no credentials), or a failure to read: why. */
  onProblem(why: string): void;
}

// The word size of `struct cmsghdr` (its cmsg_len is a size_t) and of its alignment.
const WORD = process.arch.endsWith("64") ? 8 : 4;
const align = (n: number) => Math.ceil(n / WORD) * WORD;
const CMSG_HEADER = align(WORD + 8);
/**
 * Exactly CMSG_SPACE(sizeof(struct ucred)): the credentials fit, and descriptors a sender might
 * pass (SCM_RIGHTS) find no room, so the kernel closes them instead of handing them to us.
 */
const CONTROL_BYTES = CMSG_HEADER + align(12);

// One set of buffers for every socket: this thread reads one datagram at a time.
const data = Buffer.alloc(NOTIFY_MAX_BYTES);
const control = Buffer.alloc(CONTROL_BYTES);

/** Every socket still open, removed at exit even when nobody stopped the supervisor. */
const open = new Set<NotifySocket>();
let exitHook = false;

export class NotifySocket {
  /** What NOTIFY_SOCKET says: the socket's path. */
  readonly path: string;
  /** The private directory the socket lives in. */
  readonly dir: string;
  readonly #libc: Libc;
  readonly #options: NotifySocketOptions;
  #fd = -1;
  #poll: PollHandle | null = null;

  /** Makes the directory and the socket and starts reading; throws what went wrong. */
  constructor(libc: Libc, options: NotifySocketOptions) {
    if (process.platform !== "linux") {
      throw new Error(
        "readiness by notification needs Linux: other systems do not tell who sent a datagram",
      );
    }
    this.#libc = libc;
    this.#options = options;
    this.dir = privateDirectory(options.parent);
    this.path = join(this.dir, "notify.sock");
    try {
      this.#open();
    } catch (error) {
      this.close();
      throw error;
    }
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once("exit", () => {
        for (const socket of open) socket.close();
      });
    }
  }

  /** Stops reading, closes the socket, removes it and its directory. Safe to call again. */
  close(): void {
    open.delete(this);
    this.#poll?.close();
    this.#poll = null;
    if (this.#fd >= 0) this.#libc.close(this.#fd);
    this.#fd = -1;
    rmSync(this.dir, { recursive: true, force: true });
  }

  #open(): void {
    const libc = this.#libc;
    const bytes = Buffer.byteLength(this.path);
    if (bytes > MAX_PATH_BYTES) {
      throw new Error(
        `its path would be ${bytes} bytes long (at most ${MAX_PATH_BYTES}): set TMPDIR to a shorter directory`,
      );
    }
    const fail = (call: string) => new Error(`${call} failed: ${describeErrno(libc.errno())}`);
    this.#fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (this.#fd < 0) throw fail("socket(AF_UNIX, SOCK_DGRAM)");
    // Set before bind: from the first datagram on, each one carries its sender's credentials.
    if (libc.setsockoptInt(this.#fd, SOL_SOCKET, SO_PASSCRED, 1) < 0) {
      throw fail("setsockopt(SO_PASSCRED)");
    }
    const address = Buffer.alloc(2 + bytes + 1);
    // sa_family_t, in host byte order.
    if (endianness() === "LE") address.writeUInt16LE(AF_UNIX, 0);
    else address.writeUInt16BE(AF_UNIX, 0);
    address.write(this.path, 2);
    if (libc.bind(this.#fd, address) < 0) throw fail(`bind(${this.path})`);
    const { owner } = this.#options;
    // Sending needs write permission on the socket, and the directory must let its owner in.
    chmodSync(this.path, 0o600);
    if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      chownSync(this.path, owner.uid, owner.gid);
      chownSync(this.dir, owner.uid, owner.gid);
    }
    this.#poll = libc.pollReadable(this.#fd, () => this.#drain());
    if (this.#poll === null) throw new Error("the event loop cannot watch the socket");
  }

  /** Reads what is there, up to a batch: the poll is level-triggered and calls again. */
  #drain(): void {
    const libc = this.#libc;
    for (let n = 0; n < BATCH && this.#fd >= 0; n++) {
      const received = libc.recvmsg(this.#fd, data, control, MSG_DONTWAIT);
      if (received === null) {
        const errno = libc.errno();
        if (errno === EINTR) continue;
        if (errno !== EAGAIN) this.#options.onProblem(`recvmsg failed: ${describeErrno(errno)}`);
        return;
      }
      const sender = readCredentials(libc, received.controlBytes);
      if (received.flags & MSG_TRUNC) {
        this.#options.onProblem(`a datagram longer than ${NOTIFY_MAX_BYTES} bytes was dropped`);
        continue;
      }
      if (sender === undefined) {
        this.#options.onProblem("a datagram without its sender's credentials was dropped");
        continue;
      }
      const text = data.toString("utf8", 0, received.bytes);
      try {
        this.#options.onDatagram({ ...sender, text });
      } catch (error) {
        this.#options.onProblem(`handling a datagram failed: ${String(error)}`);
      }
    }
  }
}

/** A new 0700 directory, in the first of the candidate places that lets us make one. */
function privateDirectory(parent: string | undefined): string {
  const places = parent === undefined ? [tmpdir(), "/dev/shm", "/run", "/var/tmp"] : [parent];
  const failures: string[] = [];
  for (const place of new Set(places)) {
    try {
      return mkdtempSync(join(place, "groundcontrol-notify-"));
    } catch (error) {
      failures.push(`${place}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  throw new Error(`no directory to make it in (${failures.join(", ")}): set TMPDIR`);
}

/**
 * The sender's pid and uid from the ancillary data (SCM_CREDENTIALS). Descriptors passed along
 * (SCM_RIGHTS), should any fit, are closed: a sender must not leave its files open in us.
 */
function readCredentials(libc: Libc, length: number): { pid: number; uid: number } | undefined {
  const le = endianness() === "LE";
  const int = (at: number) => (le ? control.readInt32LE(at) : control.readInt32BE(at));
  const word = (at: number) =>
    WORD === 8 ? Number(le ? control.readBigUInt64LE(at) : control.readBigUInt64BE(at)) : int(at);
  let sender: { pid: number; uid: number } | undefined;
  for (let at = 0; at + CMSG_HEADER <= length; ) {
    const len = word(at);
    if (len < CMSG_HEADER || at + len > length) break;
    const level = int(at + WORD);
    const type = int(at + WORD + 4);
    const body = at + CMSG_HEADER;
    if (level === SOL_SOCKET && type === SCM_CREDENTIALS && len >= CMSG_HEADER + 12) {
      sender = { pid: int(body), uid: int(body + 4) >>> 0 };
    } else if (level === SOL_SOCKET && type === SCM_RIGHTS) {
      for (let fd = body; fd + 4 <= at + len; fd += 4) libc.close(int(fd));
    }
    at += align(len);
  }
  return sender;
}

// sd_notify(3) for one process: its socket, which senders count, and what their messages say.
import type { Libc } from "./native.js";
import { NotifySocket } from "./notify-socket.js";
import type { Pausable } from "./outlet.js";
import { type Membership, membershipOf } from "./proc.js";

/** One datagram from a process of the command's tree. */
export interface NotifyMessage {
  /** The sender, as the kernel names it. */
  pid: number;
  /** Its assignments (`READY=1`, `STATUS=…`), the last one winning when a key repeats. */
  fields: Record<string, string>;
}

/**
 * A datagram's newline-separated `KEY=VALUE` assignments. Lines without `=` are skipped, as
 * systemd skips them; keys nobody knows are kept (and ignored by whoever reads them).
 */
export function parseNotify(text: string): Record<string, string> {
  const entries: [string, string][] = [];
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) entries.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  // fromEntries defines own properties: a "__proto__" key stays a plain key.
  return Object.fromEntries(entries);
}

export interface NotifyChannelOptions {
  /** The process, for messages. */
  process: string;
  /** Who must be able to send (the user `run` runs as), when that is another user. */
  owner?: { uid: number; gid: number };
  /** Says once that datagrams from elsewhere are dropped, and why. */
  warn(message: string): void;
}

/**
 * The notify socket of one process, for as long as the process lives (restarts included), and
 * the pid whose tree may speak through it: the `run` started last. A datagram counts only when
 * the kernel says its sender is that pid, a member of its process group or a descendant; every
 * other one is dropped, and the first of them logged.
 */
export class NotifyChannel {
  readonly #socket: NotifySocket;
  readonly #options: NotifyChannelOptions;
  readonly #listeners = new Set<(message: NotifyMessage) => void>();
  #leader: number | undefined;
  #warned = false;

  constructor(libc: Libc, options: NotifyChannelOptions) {
    this.#options = options;
    this.#socket = new NotifySocket(libc, {
      ...(options.owner ? { owner: options.owner } : {}),
      onDatagram: ({ pid, uid, text }) => this.#receive(pid, uid, text),
      onProblem: (why) => this.#warnOnce(why),
    });
  }

  /** The socket's path: the command's NOTIFY_SOCKET. */
  get path(): string {
    return this.#socket.path;
  }

  /** From now on only the tree of `leader` (the new `run`) may speak; undefined: nobody. */
  follow(leader: number | undefined): void {
    this.#leader = leader;
  }

  /** Calls `listener` with every message that counts, from now on. Returns the unsubscribe. */
  subscribe(listener: (message: NotifyMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Closes and removes the socket and its directory. Safe to call again. */
  close(): void {
    this.#listeners.clear();
    this.#socket.close();
  }

  #receive(pid: number, uid: number, text: string): void {
    // Read at once, while the sender most likely still exists: a sender that has exited (and
    // been reaped) can no longer be placed in any tree, and then does not count.
    const membership: Membership =
      this.#leader === undefined ? "outsider" : membershipOf(pid, this.#leader);
    if (membership !== "member") {
      const who = pid === 0 ? "a process outside this pid namespace" : `pid ${pid} (uid ${uid})`;
      const why =
        membership === "gone"
          ? "it had exited before it could be checked"
          : this.#leader === undefined
            ? "its run is not running"
            : `it is not a process of its run (pid ${this.#leader})`;
      this.#warnOnce(`a notify message from ${who} was dropped: ${why}`);
      return;
    }
    const message: NotifyMessage = { pid, fields: parseNotify(text) };
    for (const listener of [...this.#listeners]) listener(message);
  }

  #warnOnce(why: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#options.warn(
      `process "${this.#options.process}": ${why} (further dropped notify messages are not logged)`,
    );
  }
}

/**
 * The log lines a daemon's notify messages become (its STATUS=, ERRNO=, …). While our output is
 * full, the output pauses this as it pauses a command's pipe; a datagram socket cannot be left
 * unread as a pipe can (READY=1 and watchdog pings must still arrive), so the latest line of
 * each kind is kept instead of every one, and a flood of STATUS= cannot pile up in memory. Once
 * the output drains, those are logged, after a line that says how many were not.
 */
/** How loud a notify message is logged. */
type Level = "info" | "warn";

export class NotifyLog implements Pausable {
  readonly #process: string;
  readonly #log: (level: Level, msg: string) => void;
  #held = false;
  readonly #latest = new Map<string, [Level, string]>();
  #skipped = 0;

  constructor(process: string, log: (level: Level, msg: string) => void) {
    this.#process = process;
    this.#log = log;
  }

  /** Logs `msg` now, or keeps it as the latest of its `kind` while the output is full. */
  write(kind: string, level: Level, msg: string): void {
    if (!this.#held) {
      this.#log(level, msg);
      return;
    }
    if (this.#latest.has(kind)) this.#skipped++;
    this.#latest.set(kind, [level, msg]);
  }

  pause(): void {
    this.#held = true;
  }

  resume(): void {
    this.#held = false;
    const kept = [...this.#latest.values()];
    const skipped = this.#skipped;
    this.#latest.clear();
    this.#skipped = 0;
    if (skipped > 0) {
      this.#log(
        "warn",
        `process "${this.#process}": ${skipped} notify message${skipped === 1 ? " was" : "s were"} not logged while the output was full; the latest of each kind follows`,
      );
    }
    for (const [level, msg] of kept) this.#log(level, msg);
  }
}

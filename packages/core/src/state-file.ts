// Small state files kept by a root process in directories it may not own (a volume another user
// owns, a stateDir): read and written without following a link, without blocking on a FIFO or a
// device, without reading more than a state file can be, and replaced whole so that a reader
// never sees half of one. Another user who can write the directory can then make the file
// unreadable, never make this process write elsewhere or hang.
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;

export type StateRead =
  | { ok: true; text: string }
  | { ok: false; missing: boolean; reason: string };

/** Reads `path` if it is a regular file (not a link to one) of at most `maxBytes`. */
export function readStateFile(path: string, maxBytes: number): StateRead {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    // O_NOFOLLOW on a link fails with ELOOP: say what it is.
    const reason = code === "ELOOP" ? "it is a symbolic link" : code;
    return { ok: false, missing: code === "ENOENT", reason };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, missing: false, reason: "it is not a regular file" };
    if (stat.size > maxBytes) {
      return { ok: false, missing: false, reason: `it is larger than ${maxBytes} bytes` };
    }
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return { ok: true, text: buffer.toString("utf8", 0, length) };
      length += n;
      if (length > maxBytes) return { ok: false, missing: false, reason: "it grew while read" };
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` with `text`: written to a new file of an unguessable name beside it (created,
 * never opened if something is there), flushed to disk, then renamed over `path` (a link there
 * is replaced, not followed), and the directory flushed too. Throws what failed.
 */
export function writeStateFile(path: string, text: string, mode = 0o600): void {
  // Never opened if something is there (O_EXCL, O_NOFOLLOW): a name planted in advance fails
  // the write, it cannot redirect it. The name is hard to guess, so that even that is rare.
  const temporary = join(dirname(path), `.${basename(path)}.${unguessable()}.tmp`);
  const fd = openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(dirname(path));
}

/** A name part no one predicts in advance (node:crypto would cost every start its load). */
function unguessable(): string {
  const now = process.hrtime.bigint().toString(36);
  return `${process.pid}-${now}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The rename itself is durable only once the directory is. */
function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, O_RDONLY);
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory: the file itself is on disk.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

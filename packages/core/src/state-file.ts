// Small state files kept by a root process in directories it may not own (a volume another user
// owns, a stateDir): read and written without following a link another user could plant, without
// blocking on a FIFO or a device, without reading more than a state file can be, and replaced
// whole so that a reader never sees half of one. Another user who can write the directory can
// then make the file unreadable, never make this process write elsewhere or hang.
//
// The directory is opened once, walking its path a name at a time, and the file is reached
// through that open directory (/proc/self/fd/N/name, Linux's openat for a path): a directory
// swapped for a link after the walk changes nothing, and a link found during the walk is
// followed only where no other user could have put it there.
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  writeSync,
} from "node:fs";
import { basename, dirname, resolve } from "node:path";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_DIRECTORY } =
  constants;
/** Links followed in one walk before it counts as a loop (Linux's own limit). */
const MAX_LINKS = 40;

export type StateRead =
  | { ok: true; text: string }
  | { ok: false; missing: boolean; reason: string };

/** Reads `path` if it is a regular file (not a link to one) of at most `maxBytes`. */
export function readStateFile(path: string, maxBytes: number): StateRead {
  let fd: number;
  try {
    fd = inDirectory(path, (file) => openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  } catch (error) {
    if (error instanceof UnsafePathError)
      return { ok: false, missing: false, reason: error.message };
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
  inDirectory(path, (file, directory) => {
    // Never opened if something is there (O_EXCL, O_NOFOLLOW): a name planted in advance fails
    // the write, it cannot redirect it. The name is hard to guess, so that even that is rare.
    const temporary = `${dirname(file)}/.${basename(file)}.${unguessable()}.tmp`;
    const fd = openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    try {
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    syncDirectory(directory);
  });
}

/** A state file's directory is reached through a link another user could have put there. */
export class UnsafePathError extends Error {
  override name = "UnsafePathError";
}

/**
 * Calls `use` with a path to `path`'s file that goes through its directory opened safely
 * (`/proc/self/fd/N/name`) and with that directory's descriptor, closed afterwards. Where there
 * is no /proc/self/fd to reach a file through (not Linux), the path as given: only its last
 * name is protected there.
 */
function inDirectory<T>(path: string, use: (file: string, directory: number) => T): T {
  if (process.platform !== "linux") {
    const directory = openSync(dirname(path), O_RDONLY | O_DIRECTORY);
    try {
      return use(path, directory);
    } finally {
      closeSync(directory);
    }
  }
  const directory = openDirectory(dirname(resolve(path)));
  try {
    return use(`/proc/self/fd/${directory}/${basename(path)}`, directory);
  } finally {
    closeSync(directory);
  }
}

/**
 * Opens the directory `dir` (absolute) by walking its path from `/` one name at a time. A
 * symbolic link on the way is followed only where no other user can have placed it: in a
 * directory owned by root or by this process's user that only its owner can write, or in a
 * sticky one (like /tmp) when the link is root's or ours. Any other link is refused with an
 * UnsafePathError naming it, since following it would let that user choose where a root
 * process writes. Returns the directory's descriptor.
 */
function openDirectory(dir: string): number {
  const names = dir.split("/").filter((name) => name !== "" && name !== ".");
  let fd = openSync("/", O_RDONLY | O_DIRECTORY);
  let walked = "";
  let links = 0;
  try {
    for (let name = names.shift(); name !== undefined; name = names.shift()) {
      const at = `/proc/self/fd/${fd}/${name}`;
      const stat = lstatSync(at);
      if (stat.isSymbolicLink()) {
        const where = `${walked}/${name}`;
        if (!mayFollow(fstatSync(fd), stat)) {
          throw new UnsafePathError(
            `${where} is a symbolic link in a directory another user can write; ` +
              "give the real path, or make that directory writable by its owner alone",
          );
        }
        if (++links > MAX_LINKS) throw new UnsafePathError(`${where}: too many symbolic links`);
        const target = readlinkSync(at);
        if (target.startsWith("/")) {
          closeSync(fd);
          fd = openSync("/", O_RDONLY | O_DIRECTORY);
          walked = "";
        }
        names.unshift(...target.split("/").filter((n) => n !== "" && n !== "."));
        continue;
      }
      // O_NOFOLLOW: a name swapped for a link since the lstat fails here instead of leading on.
      const next = openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      closeSync(fd);
      fd = next;
      walked = name === ".." ? dirname(walked || "/") : `${walked}/${name}`;
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** A link in `parent` that no user but root or ours can have put there or swapped. */
function mayFollow(parent: Stats, link: Stats): boolean {
  const me = process.geteuid?.() ?? 0;
  const trusted = (uid: number): boolean => uid === 0 || uid === me;
  if (!trusted(parent.uid)) return false;
  if ((parent.mode & 0o022) === 0) return true;
  // Sticky: others may add names there, but not replace or remove ours.
  return (parent.mode & 0o1000) !== 0 && trusted(link.uid);
}

/** A name part no one predicts in advance (node:crypto would cost every start its load). */
function unguessable(): string {
  const now = process.hrtime.bigint().toString(36);
  return `${process.pid}-${now}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The rename itself is durable only once the directory is. */
function syncDirectory(fd: number): void {
  try {
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory: the file itself is on disk.
  }
}

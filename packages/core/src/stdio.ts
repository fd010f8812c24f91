// The descriptors a command starts with: stdin /dev/null, stdout and stderr real pipes (so the
// command can open /dev/stdout, /dev/stderr and /proc/self/fd/1 as it could under Docker), a
// readiness pipe at the descriptor it asked for, and for the exec-as helper a socket that
// carries its instructions in and says when it has exec'd.
import type { ChildProcess, StdioOptions } from "node:child_process";
import { closeSync, fchownSync } from "node:fs";
import { Socket } from "node:net";
import type { Readable } from "node:stream";
import { describeErrno, type Libc, O_CLOEXEC } from "./native.js";

/** What the parent reads, once the child is spawned. */
export interface ParentEnds {
  stdout: Readable | undefined;
  stderr: Readable | undefined;
  notify: Readable | undefined;
  /** The exec-as helper's channel: instructions go in, its end closes when it exec's. */
  control: Socket | undefined;
}

export interface ChildStdio {
  /** What to give `spawn` as `stdio`. */
  readonly spawnStdio: StdioOptions;
  /** Closes the child's ends in this process and hands out ours (from `child` in the fallback). */
  afterSpawn(child: ChildProcess | undefined): ParentEnds;
}

/**
 * Plans a command's descriptors. Without `libc` (no native bridge), stdout and stderr are
 * Node's own pipes, which are socket pairs: everything works but opening /dev/stdout.
 */
export function childStdio(
  libc: Libc | undefined,
  options: { notifyFd?: number; control?: boolean; owner?: { uid: number; gid: number } },
): ChildStdio {
  const { notifyFd } = options;
  if (!libc) {
    if (options.control) throw new Error("the native bridge is needed to switch users here");
    return nodePipes(notifyFd);
  }
  // Every end is close-on-exec here, so no other command inherits it; spawn places the child's
  // ends at 0..n (dup2 clears the flag on the copies there).
  const ours: number[] = [];
  const theirs: number[] = [];
  const closeAll = () => {
    for (const fd of [...ours, ...theirs]) closeSync(fd);
  };
  const pair = (make: (fds: Int32Array) => number, what: string): [number, number] => {
    const fds = new Int32Array(2);
    if (make(fds) < 0) {
      const errno = libc.errno();
      closeAll();
      throw new Error(`${what} failed: ${describeErrno(errno)}`);
    }
    ours.push(fds[0]!);
    theirs.push(fds[1]!);
    return [fds[0]!, fds[1]!];
  };
  const { owner } = options;
  const pipe = () => {
    const ends = pair((fds) => libc.pipe(fds, O_CLOEXEC), "pipe2()");
    // Opening /dev/stdout (/proc/self/fd/1) opens the pipe again, which the pipe's mode
    // allows to its owner only: make it the command's, as runc does for a container's stdio.
    try {
      if (owner) fchownSync(ends[1], owner.uid, owner.gid);
    } catch (error) {
      closeAll();
      throw error;
    }
    return ends;
  };
  const out = pipe();
  const err = pipe();
  const notify = notifyFd === undefined ? undefined : pipe();
  const control = options.control
    ? pair((fds) => libc.socketpair(AF_UNIX, SOCK_STREAM | O_CLOEXEC, 0, fds), "socketpair()")
    : undefined;
  const stdio: StdioOptions = [control ? control[1] : "ignore", out[1], err[1]];
  if (notify) {
    for (let fd = 3; fd < notifyFd!; fd++) stdio.push("ignore");
    stdio.push(notify[1]);
  }
  return {
    spawnStdio: stdio,
    afterSpawn(child) {
      for (const fd of theirs) closeSync(fd);
      if (!child) {
        for (const fd of ours) closeSync(fd);
        return { stdout: undefined, stderr: undefined, notify: undefined, control: undefined };
      }
      return {
        stdout: readEnd(out[0]),
        stderr: readEnd(err[0]),
        notify: notify && readEnd(notify[0]),
        control: control && new Socket({ fd: control[0], allowHalfOpen: true }),
      };
    },
  };
}

function nodePipes(notifyFd: number | undefined): ChildStdio {
  const stdio: StdioOptions = ["ignore", "pipe", "pipe"];
  if (notifyFd !== undefined) {
    for (let fd = 3; fd < notifyFd; fd++) stdio.push("ignore");
    stdio.push("pipe");
  }
  return {
    spawnStdio: stdio,
    afterSpawn: (child) => ({
      stdout: child?.stdout ?? undefined,
      stderr: child?.stderr ?? undefined,
      notify: notifyFd === undefined ? undefined : (child?.stdio[notifyFd] as Readable | undefined),
      control: undefined,
    }),
  };
}

function readEnd(fd: number): Readable {
  return new Socket({ fd, readable: true, writable: false });
}

const AF_UNIX = 1;
const SOCK_STREAM = 1;

// The reaping round against a scripted kernel: orphans reaped, own children left to libuv, an own
// zombie first in line stops the round; plus wait status and /proc/<pid>/stat decoding.

import { describe, expect, it } from "vitest";
import { ECHILD, type Libc, siginfoPidOffset, WEXITED, WNOHANG, WNOWAIT } from "../src/native.js";
import { readStat } from "../src/proc.js";
import { decodeStatus, type ReapEvent, reapRound } from "../src/reaper.js";

/** A kernel with zombies in line (pid, wait status); waitid peeks at the first one. */
function fakeKernel(zombies: [number, number][], options: { noChildren?: boolean } = {}) {
  const queue = [...zombies];
  const calls: string[] = [];
  let errno = 0;
  const libc: Pick<Libc, "waitid" | "waitpid" | "errno"> = {
    waitid(_idtype, _id, info, flags) {
      expect(flags).toBe(WEXITED | WNOHANG | WNOWAIT);
      calls.push("waitid");
      if (options.noChildren) {
        errno = ECHILD;
        return -1;
      }
      info.writeInt32LE(queue[0]?.[0] ?? 0, siginfoPidOffset());
      return 0;
    },
    waitpid(pid, status) {
      calls.push(`waitpid ${pid}`);
      const index = queue.findIndex(([zombie]) => zombie === pid);
      if (index < 0) {
        errno = ECHILD;
        return -1;
      }
      status[0] = queue[index]![1];
      queue.splice(index, 1);
      return pid;
    },
    errno: () => errno,
  };
  return { libc, queue, calls };
}

describe("reapRound", () => {
  it("reaps every orphan zombie, with its status", () => {
    const kernel = fakeKernel([
      [101, 0x0300],
      [102, 9],
      [103, 0],
    ]);
    const events: ReapEvent[] = [];
    const result = reapRound(
      kernel.libc,
      () => false,
      (event) => events.push(event),
    );
    expect(result).toEqual({ reaped: 3, blocked: false });
    expect(events).toEqual([
      { pid: 101, code: 3, signal: null },
      { pid: 102, code: null, signal: 9 },
      { pid: 103, code: 0, signal: null },
    ]);
    expect(kernel.queue).toEqual([]);
  });

  it("never waits for an own child, and stops when one is first in line", () => {
    const kernel = fakeKernel([
      [201, 0],
      [500, 0x0700], // ours: libuv must get this status
      [202, 0],
    ]);
    const result = reapRound(kernel.libc, (pid) => pid === 500);
    expect(result).toEqual({ reaped: 1, blocked: true });
    expect(kernel.calls).toEqual(["waitid", "waitpid 201", "waitid"]);
    expect(kernel.queue.map(([pid]) => pid)).toEqual([500, 202]);

    // Once libuv has waited for it, the next round finds the orphan behind it.
    kernel.queue.shift();
    expect(reapRound(kernel.libc, (pid) => pid === 500)).toEqual({ reaped: 1, blocked: false });
    expect(kernel.queue).toEqual([]);
  });

  it("ends quietly when there are no children at all", () => {
    const kernel = fakeKernel([], { noChildren: true });
    expect(reapRound(kernel.libc, () => false)).toEqual({ reaped: 0, blocked: false });
  });

  it("does not spin when waitpid contradicts waitid", () => {
    const kernel = fakeKernel([[301, 0]]);
    kernel.libc.waitpid = () => 0;
    expect(reapRound(kernel.libc, () => false)).toEqual({ reaped: 0, blocked: false });
  });
});

describe("decoding", () => {
  it("splits wait statuses", () => {
    expect(decodeStatus(1, 0)).toEqual({ pid: 1, code: 0, signal: null });
    expect(decodeStatus(1, 127 << 8)).toEqual({ pid: 1, code: 127, signal: null });
    expect(decodeStatus(1, 15)).toEqual({ pid: 1, code: null, signal: 15 });
    expect(decodeStatus(1, 0x80 | 6)).toEqual({ pid: 1, code: null, signal: 6 }); // core dumped
  });

  it.skipIf(process.platform !== "linux")("reads state and parent from /proc/<pid>/stat", () => {
    const stat = readStat(process.pid);
    expect(stat?.state).toMatch(/^[RS]$/);
    expect(stat?.ppid).toBe(process.ppid);
    expect(readStat(2 ** 22 + 1)).toBeUndefined(); // above pid_max: never exists
  });
});

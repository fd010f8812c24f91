// The final sweep kills our leftovers, and never a group that merely carries a recycled number.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sweepGroups } from "../src/sweep.js";

function stat(pid: number): { state: string; ppid: number; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid, pgrp] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: state!, ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}
const alive = (pid: number) => ![undefined, "Z", "X"].includes(stat(pid)?.state);

/** Runs a shell script in its own process group; resolves with the group and the pid it printed. */
function leaveBehind(script: string): Promise<{ pgid: number; pid: number }> {
  const sh = spawn("/bin/sh", ["-c", script], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  sh.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  return new Promise((resolve) =>
    sh.on("close", () => resolve({ pgid: sh.pid!, pid: Number(out.trim()) })),
  );
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.runIf(process.platform === "linux")("sweepGroups", () => {
  it("kills what is left in a group whose leader has exited", async () => {
    const { pgid, pid } = await leaveBehind("sleep 600 >/dev/null & echo $!");
    expect(stat(pid)?.pgrp).toBe(pgid);
    sweepGroups([{ pgid, leaderRunning: false }]);
    await waitFor(() => !alive(pid));
  });

  it("leaves alone a group whose number now belongs to a process that is not ours", async () => {
    // setsid makes the sleep lead a group of its own number, then its parent exits: to the
    // sweep it looks exactly like a recycled number held by a stranger.
    const { pid } = await leaveBehind("setsid sleep 600 >/dev/null & echo $!");
    await waitFor(() => stat(pid)?.pgrp === pid);
    try {
      sweepGroups([{ pgid: pid, leaderRunning: false }]);
      expect(alive(pid)).toBe(true);
    } finally {
      process.kill(pid, "SIGKILL");
    }
  });

  it("ignores groups with nobody left", () => {
    expect(() => sweepGroups([{ pgid: 2 ** 22 + 7, leaderRunning: false }])).not.toThrow();
  });
});

// A Supervisor embedded in someone else's Node process leaves nothing behind when that process dies.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readStat } from "../src/proc.js";

const here = dirname(fileURLToPath(import.meta.url));

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

/** Starts the embedding host and waits until its sidecar and the sidecar's child run. */
async function startHost(env: NodeJS.ProcessEnv = {}) {
  const host = spawn(process.execPath, [join(here, "fixtures/embedded-host.mjs")], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  host.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    host.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (/host-ready/.test(out) && /background=\d+/.test(out)) resolve();
    });
    host.once("exit", () => reject(new Error(`host exited early:\n${out}`)));
  });
  const pids = [/started=(\d+)/, /background=(\d+)/].map((re) => Number(out.match(re)![1]));
  const exited = new Promise<NodeJS.Signals | null>((r) =>
    host.once("exit", (_code, sig) => r(sig)),
  );
  return { host, pids, exited, output: () => out };
}

async function untilGone(pids: number[]): Promise<number[]> {
  const deadline = Date.now() + 2_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return pids.filter(alive);
}

describe("embedded supervisor", () => {
  it.each(["SIGTERM", "SIGHUP"] as const)(
    "a host killed by %s, which it does not handle, takes every child with it",
    async (signal) => {
      const { host, pids, exited } = await startHost();
      for (const pid of pids) expect(alive(pid)).toBe(true);
      host.kill(signal);
      expect(await exited).toBe(signal);
      // SIGKILLed by the host's exit hook: gone as soon as the kernel has run them once more.
      expect(await untilGone(pids)).toEqual([]);
    },
  );
});

describe("stateDir", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gc-state-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("the next supervisor kills what a SIGKILLed host left behind, before it starts anything", async () => {
    const first = await startHost({ STATE_DIR: dir });
    first.host.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    // Nothing could run in the host: its sidecar and the sidecar's child live on.
    for (const pid of first.pids) expect(alive(pid)).toBe(true);

    const second = await startHost({ STATE_DIR: dir });
    try {
      expect(await untilGone(first.pids)).toEqual([]);
      for (const pid of first.pids) {
        expect(second.output()).toContain(
          `killed pid ${pid}, left behind by the last supervisor's process "sidecar"`,
        );
      }
      for (const pid of second.pids) expect(alive(pid)).toBe(true);
    } finally {
      second.host.kill("SIGTERM");
      await second.exited;
    }
    expect(await untilGone(second.pids)).toEqual([]);
  });

  it("leaves alone a group whose number now belongs to something else", async () => {
    // A record of a dead host naming a group led by a process started after it was written:
    // the number was recycled, and the group is not ours to kill.
    const stranger = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    try {
      const leader = readStat(stranger.pid!)!;
      writeFileSync(
        join(dir, "groundcontrol-supervisor.json"),
        JSON.stringify({
          version: 1,
          host: { pid: 999_999_999, start: 1 },
          groups: [{ pgid: stranger.pid, start: leader.start - 1, process: "sidecar" }],
          written: leader.start - 1,
        }),
      );
      const host = await startHost({ STATE_DIR: dir });
      host.host.kill("SIGTERM");
      await host.exited;
      expect(host.output()).not.toContain("left behind");
      expect(alive(stranger.pid!)).toBe(true);
    } finally {
      stranger.kill("SIGKILL");
    }
  });

  it("does not touch the record of a supervisor still running", async () => {
    const first = await startHost({ STATE_DIR: dir });
    const second = await startHost({ STATE_DIR: dir });
    try {
      expect(second.output()).not.toContain("left behind");
      for (const pid of first.pids) expect(alive(pid)).toBe(true);
    } finally {
      for (const { host, exited } of [first, second]) {
        host.kill("SIGTERM");
        await exited;
      }
    }
  });

  it("a host that ends, even by a signal it does not handle, leaves no record", async () => {
    const host = await startHost({ STATE_DIR: dir });
    expect(readdirSync(dir)).toEqual(["groundcontrol-supervisor.json"]);
    host.host.kill("SIGTERM");
    await host.exited;
    expect(readdirSync(dir)).toEqual([]);
  });
});

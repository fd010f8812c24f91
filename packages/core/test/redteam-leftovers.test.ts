// Red-team attacks on `stateDir` (docs/library.md "After the host dies"): the next supervisor
// kills what a dead predecessor left, and "never kills a group whose number was recycled". It
// must never kill a process that is not such a leftover, even with a crafted record file. Each
// test here is an attack that once worked; it guards the fix.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readStat } from "../src/proc.js";

const here = dirname(fileURLToPath(import.meta.url));
const HOST = join(here, "fixtures/embedded-host.mjs");
const RECORD = "groundcontrol-supervisor.json";

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The embedding host of embedded.test.ts, on `stateDir`: resolves once it is ready. */
function startHost(stateDir: string) {
  const host = spawn(process.execPath, [HOST], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, STATE_DIR: stateDir },
  });
  let out = "";
  host.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  host.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<void>((resolve) => host.once("exit", () => resolve()));
  return { host, exited, output: () => out, ready: () => /host-ready/.test(out) };
}

/**
 * Kills the process groups of the sidecars a host SIGKILLed left behind (no next host of the
 * test will): each `started=<pid>` it printed leads one.
 */
function killLeftBehind(output: string): void {
  for (const [, pid] of output.matchAll(/started=(\d+)/g)) {
    try {
      process.kill(-Number(pid), "SIGKILL");
    } catch {}
  }
}

const canUnshare = (() => {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  try {
    execFileSync("unshare", ["--pid", "--fork", "--mount-proc", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(process.platform === "linux")("red team: stateDir", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gc-redteam-state-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a record naming a live group that was never the supervisor's does not get it killed", async () => {
    // Anything running: a database, sshd. Its leader's start time is in /proc, for anyone to read.
    const stranger = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    try {
      const { start } = readStat(stranger.pid!)!;
      writeFileSync(
        join(dir, RECORD),
        JSON.stringify({
          version: 1,
          host: { pid: 999_999_999, start: 1 },
          groups: [{ pgid: stranger.pid, start, process: "sidecar" }],
          written: start,
        }),
      );
      const host = startHost(dir);
      try {
        await until(host.ready, "the host to be ready");
        expect(host.output()).not.toContain("left behind");
        expect(alive(stranger.pid!)).toBe(true);
      } finally {
        host.host.kill("SIGTERM");
        await host.exited;
      }
    } finally {
      stranger.kill("SIGKILL");
    }
  });

  it.runIf(canUnshare)(
    "a record naming group 1 does not make the supervisor kill every process there is",
    () => {
      // In a pid namespace of its own, as a container: PID 1 leads its session (pgrp 1), two
      // processes run beside the host, one of them in a session of its own.
      const script = `
sleep 600 & a=$!
setsid sleep 600 & b=$!
start=$(sed 's/.*) //' /proc/1/stat | cut -d' ' -f20)
printf '{"version":1,"host":{"pid":999999,"start":1},"groups":[{"pgid":1,"start":%s,"process":"sidecar"}],"written":%s}' "$start" "$start" > "$0/${RECORD}"
STATE_DIR="$0" "$1" "$2" > "$0/host.out" 2>&1 &
h=$!
until grep -q host-ready "$0/host.out"; do sleep 0.01; done
for p in $a $b; do
  state=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -d' ' -f1)
  if [ -n "$state" ] && [ "$state" != Z ]; then echo "victim $p alive"; else echo "victim $p killed"; fi
done
kill -9 $h
`;
      const out = execFileSync(
        "unshare",
        [
          "--pid",
          "--fork",
          "--mount-proc",
          "setsid",
          "/bin/sh",
          "-c",
          script,
          dir,
          process.execPath,
          HOST,
        ],
        { encoding: "utf8", timeout: 30_000 },
      );
      const host = readFileSync(join(dir, "host.out"), "utf8");
      expect(host).not.toContain("killed pid 1,");
      expect(out).not.toMatch(/killed/);
      expect(out.match(/alive/g)).toHaveLength(2);
    },
    40_000,
  );

  it("a record naming group 0 does not make the supervisor kill its own process group", async () => {
    // Kernel threads are in group 0 and have lived since boot: they pass for members. The host
    // runs in a group of its own here, so that kill(0) takes down nothing else.
    writeFileSync(
      join(dir, RECORD),
      JSON.stringify({
        version: 1,
        host: { pid: 999_999_999, start: 1 },
        groups: [{ pgid: 0, start: 0, process: "sidecar" }],
        written: Number.MAX_SAFE_INTEGER,
      }),
    );
    const host = spawn(process.execPath, [HOST], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, STATE_DIR: dir },
      detached: true,
    });
    let out = "";
    host.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    const outcome = await new Promise<string>((resolve) => {
      host.stdout.on("data", () => {
        if (/host-ready/.test(out)) resolve("ready");
      });
      host.once("exit", (code, signal) => resolve(`exited (${signal ?? code})`));
    });
    try {
      expect(outcome).toBe("ready");
    } finally {
      try {
        process.kill(-host.pid!, "SIGKILL");
      } catch {}
      killLeftBehind(out);
    }
  });

  it("a FIFO in the record's place does not hang start()", async () => {
    execFileSync("mkfifo", [join(dir, RECORD)]);
    const host = startHost(dir);
    try {
      await until(host.ready, "the host to start");
    } finally {
      host.host.kill("SIGKILL");
      await host.exited;
      killLeftBehind(host.output());
    }
  }, 20_000);

  it.runIf(process.getuid?.() === 0)(
    "the record is never written through a link another user planted in stateDir",
    async () => {
      // A stateDir that another user can write: a volume, a directory made by someone else.
      const nobody = 65_534;
      chownSync(dir, nobody, nobody);
      chmodSync(dir, 0o755);
      const outside = mkdtempSync(join(tmpdir(), "gc-redteam-victim-"));
      const victim = join(outside, "victim");
      writeFileSync(victim, "root's own content\n", { mode: 0o644 });
      const host = startHost(dir);
      try {
        await until(host.ready, "the host to be ready");
        // Such a directory is refused outright: a record there could name anything to kill,
        // and a link planted there could be written through.
        expect(host.output()).toContain("can be written by other users");
        const record = join(dir, RECORD);
        expect(existsSync(record)).toBe(false);
        const planted = spawnSync("ln", ["-s", victim, `${record}.tmp`], {
          uid: nobody,
          gid: nobody,
        });
        expect(planted.status).toBe(0);
        expect(readFileSync(victim, "utf8")).toBe("root's own content\n");
      } finally {
        host.host.kill("SIGTERM");
        await host.exited;
        rmSync(outside, { recursive: true, force: true });
      }
    },
    20_000,
  );
});

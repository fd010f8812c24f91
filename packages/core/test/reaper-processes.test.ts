// The reaper with real processes, from the compiled dist: as PID 1 of a fresh pid namespace under
// an orphan storm, as a child subreaper, and with an own zombie first in the kernel's queue.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const dist = fileURLToPath(new URL("../dist/reaper.js", import.meta.url));
const linux = process.platform === "linux";
const root = process.getuid?.() === 0;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and parses the last stdout line as JSON. */
async function runJson(file: string, args: string[]): Promise<Record<string, unknown>> {
  const ran = await new Promise<Ran>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  const last = ran.stdout.trim().split("\n").at(-1) ?? "";
  expect(ran.code, `${file} ${args.join(" ")}\n${ran.stdout}\n${ran.stderr}`).toBe(0);
  return JSON.parse(last) as Record<string, unknown>;
}

beforeAll(() => {
  if (linux && !existsSync(dist)) {
    throw new Error(`${dist} is missing: run \`pnpm --filter @groundcontrol/core build\` first`);
  }
});

describe.skipIf(!linux)("as a child subreaper", () => {
  it("adopts a grandchild orphaned by a child, lists it, and reaps it", async () => {
    const result = await runJson(process.execPath, [`${fixtures}reaper-subreaper.mjs`]);
    expect(result.subreaper).toBe(true);
    expect(result.childCode).toBe(0);
    expect(result.parentAfterOrphaning).toBe(result.pid);
    expect(result.adopted).toEqual([result.grandchild]);
    expect(result.own).toEqual([]);
    expect(result.event).toEqual({ pid: result.grandchild, code: null, signal: 15 });
    expect(result.stateAfter).toBe("gone");
    expect(result.adoptedAfter).toEqual([]);
  });

  it("works from `node -e`, where there is no script file", async () => {
    const index = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = `
      const core = require(${JSON.stringify(index)});
      (async () => {
        const subreaper = await core.becomeSubreaper();
        const reaper = await core.startReaper();
        console.log(JSON.stringify({ subreaper, active: reaper.active, reason: reaper.reason ?? null }));
        reaper.stop();
      })();`;
    const result = await runJson(process.execPath, ["-e", script]);
    expect(result).toEqual({ subreaper: true, active: true, reason: null });
  });

  it("without the subreaper flag, the orphan goes elsewhere (control)", async () => {
    const result = await runJson(process.execPath, [
      `${fixtures}reaper-subreaper.mjs`,
      "--no-subreaper",
    ]);
    expect(result.subreaper).toBe(false);
    expect(result.parentAfterOrphaning).not.toBe(result.pid);
    expect(result.adopted).toEqual([]);
  });

  it("reaps an orphan queued behind an own zombie, and libuv keeps the own statuses", async () => {
    const result = await runJson(process.execPath, [`${fixtures}reaper-head-of-line.mjs`]);
    expect(result.blocked).toBe(true);
    expect(result.reapedAtOnce).toBe(0);
    expect(result.orphanEvent).toEqual({ pid: result.orphan, code: 5, signal: null });
    expect(result.ownExits).toEqual([
      { code: 3, signal: null },
      { code: 0, signal: null },
    ]);
  });
});

describe.skipIf(!linux || !root)("as PID 1 of a pid namespace (needs root)", () => {
  it("reaps 10,000 orphans while 50 own commands keep their exit codes", async () => {
    const result = await runJson("unshare", [
      "--pid",
      "--fork",
      "--mount-proc",
      process.execPath,
      `${fixtures}reaper-storm.mjs`,
      "10000",
    ]);
    expect(result.pid).toBe(1);
    expect(result.maker).toEqual({ code: 0, signal: null });
    const results = result.results as { expected: number; code: number; signal: null }[];
    expect(results).toHaveLength(50);
    for (const { expected, code, signal } of results) {
      expect({ code, signal }).toEqual({ code: expected, signal: null });
    }
    expect(result.zombies).toBe(0);
    expect((result.stats as { reaped: number }).reaped).toBe(10_000);
    const perOrphanMs = (result.stormCpuMs as number) / 10_000;
    console.log(
      `reaper as PID 1: ${JSON.stringify(result.stats)}, ` +
        `${(result.stormCpuMs as number).toFixed(0)} ms CPU over the storm ` +
        `(${perOrphanMs.toFixed(3)} ms per orphan, SIGCHLD handling included)`,
    );
  }, 120_000);
});

if (!linux) {
  it.skip("reaper process tests need Linux", () => {});
} else if (!root) {
  it.skip("the PID 1 storm needs root (unshare --pid); run the suite as root", () => {});
}

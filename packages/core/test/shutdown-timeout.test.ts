// shutdown-timeout: one deadline for the whole shutdown, shared by every stop wait and post.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CommandExitedEvent,
  type CommandSpec,
  OutputRelay,
  type ProcessSpec,
  Supervisor,
} from "../src/index.js";

const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });

let dir: string;
let results: string;
let supervisor: Supervisor | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gc-shutdown-"));
  results = join(dir, "results.txt");
});
afterEach(async () => {
  if (supervisor && supervisor.state !== "stopped") await supervisor.stop({ force: true });
  supervisor = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A daemon that ignores SIGTERM, with 30 s to stop: only the shutdown deadline can cut it short. */
function stubborn(name: string): ProcessSpec {
  return {
    name,
    run: sh(
      `trap 'echo ${name}:ignored-term >> ${results}' TERM; echo up; while :; do sleep 0.05; done`,
    ),
    // The trap is set once it says "up": a SIGTERM cannot kill it any more.
    ready: { check: { kind: "log", pattern: "^up$" } },
    stopTimeoutMs: 30_000,
    post: sh(`echo ${name}-post >> ${results}`),
  };
}

function start(processes: ProcessSpec[], shutdownTimeoutMs: number): Supervisor {
  const out = new PassThrough().resume();
  const output = new OutputRelay({
    format: "text",
    timestamps: false,
    color: false,
    names: processes.map((p) => p.name),
    stdout: out,
    stderr: out,
  });
  supervisor = new Supervisor({ processes, shutdownTimeoutMs }, { output, killOnHostExit: false });
  return supervisor;
}

describe("shutdown-timeout", () => {
  it("cuts every stop-timeout to what is left of one deadline, and skips posts past it", async () => {
    const s = start([stubborn("a"), stubborn("b"), stubborn("c")], 2_000);
    const runExits: CommandExitedEvent[] = [];
    s.on("command:exited", (e) => {
      if (e.phase === "run") runExits.push(e);
    });
    await s.start();

    const began = performance.now();
    const result = await s.stop();
    const elapsed = performance.now() - began;

    expect(result.exitCode).toBe(0);
    // c ignored SIGTERM for the whole 2 s; b and a got what was left (nothing) and were killed.
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(4_000);
    expect(runExits.map((e) => [e.process, e.status])).toEqual([
      ["c", { kind: "signaled", signal: "SIGKILL" }],
      ["b", { kind: "signaled", signal: "SIGKILL" }],
      ["a", { kind: "signaled", signal: "SIGKILL" }],
    ]);
    const transcript = readFileSync(results, "utf8").split("\n").filter(Boolean);
    expect(transcript.filter((line) => line.endsWith("-post"))).toEqual([]);
    expect(transcript).toContain("c:ignored-term");
  });

  it("a daemon that stops in time leaves the deadline to the next ones", async () => {
    const polite: ProcessSpec = {
      name: "polite",
      run: sh("exec sleep 600"),
      stopTimeoutMs: 30_000,
      post: sh(`echo polite-post >> ${results}`),
    };
    const s = start([stubborn("a"), polite], 1_000);
    await s.start();
    const began = performance.now();
    await s.stop();
    const elapsed = performance.now() - began;
    // polite stops at once; a still gets (nearly) the whole second before it is killed.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3_000);
    // a used the rest of the deadline: its post has no time left.
    expect(readFileSync(results, "utf8")).toMatch(/^polite-post\n(a:ignored-term\n)?$/);
  });
});

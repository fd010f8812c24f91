// What a test of a spec needs (@groundcontrol/core/testing): output kept in memory, the event
// transcript, the next event awaited, real time under fake timers, and a stop() that an unread
// output stream cannot hold.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CommandSpec, DEFAULT_MAX_LINE_BYTES, OutputRelay, Supervisor } from "../src/index.js";
import { MemoryOutput, nextEvent, recordEvents, useCoreTimers } from "../src/testing.js";

const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });

afterEach(() => {
  vi.useRealTimers();
});

describe("MemoryOutput", () => {
  it("keeps every line with its process, phase and stream, the last one without a newline too", async () => {
    const output = new MemoryOutput();
    const supervisor = new Supervisor(
      {
        processes: [
          { name: "a", pre: sh("echo one; echo two >&2; printf 'three\\r\\nlast'") },
          { name: "b", run: sh("echo running; exit 0") },
        ],
      },
      { output, killOnHostExit: false },
    );
    const result = await supervisor.wait();
    expect(result.exitCode).toBe(0);
    // Each stream in its own order (two pipes: which one is read first is the kernel's call).
    expect(output.lines.filter((l) => l.process === "a" && l.stream === "stdout")).toEqual([
      { process: "a", phase: "pre", stream: "stdout", line: "one" },
      { process: "a", phase: "pre", stream: "stdout", line: "three" },
      { process: "a", phase: "pre", stream: "stdout", line: "last" },
    ]);
    expect(output.linesOf("a", { stream: "stderr" })).toEqual(["two"]);
    expect(output.linesOf("b")).toEqual(["running"]);
    expect(output.messages.map((m) => m.msg)).toContain("all processes stopped; exit code 0");
  });

  it("splits as the relay does: a line longer than the relay's limit comes in pieces", async () => {
    const source = new PassThrough();
    const memory = new MemoryOutput();
    const relayed: string[] = [];
    const stdout = new PassThrough().on("data", (chunk: Buffer) => relayed.push(chunk.toString()));
    const relay = new OutputRelay({ timestamps: false, names: ["p"], stdout, stderr: stdout });
    const twin = new PassThrough();
    const origin = { process: "p", phase: "run", stream: "stdout" } as const;
    const done = [memory.attach(source, origin), relay.attach(twin, origin)];
    const text = `${"x".repeat(DEFAULT_MAX_LINE_BYTES + 10)}\nshort\r\nlast\r`;
    source.end(text);
    twin.end(text);
    await Promise.all(done);
    const lines = relayed
      .join("")
      .split("\n")
      .filter((l) => l !== "");
    expect(memory.linesOf("p")).toEqual(lines.map((l) => l.replace(/^p +\| /, "")));
    expect(memory.linesOf("p")).toHaveLength(4);
  });
});

describe("recordEvents and nextEvent", () => {
  it("give the transcript and the next event of a process", async () => {
    const supervisor = new Supervisor(
      {
        processes: [
          {
            name: "db",
            run: sh("echo up; exec sleep 60"),
            ready: { check: { kind: "log", pattern: "^up$" } },
          },
        ],
      },
      { output: new MemoryOutput(), killOnHostExit: false },
    );
    const transcript = recordEvents(supervisor);
    const ready = nextEvent(supervisor, "process:ready", "db");
    const started = supervisor.start();
    expect(await ready).toEqual({ process: "db" });
    await started;
    const stopped = nextEvent(supervisor, "supervisor:stopped");
    void supervisor.stop();
    expect((await stopped).result.exitCode).toBe(0);
    expect(transcript).toEqual([
      "process:starting db",
      "command:started db run",
      "process:ready db",
      "process:started db",
      "supervisor:running",
      "supervisor:stopping stop",
      "process:stopping db",
      "command:exited db run",
      "process:stopped db",
      "supervisor:stopped 0",
    ]);
  });

  it("nextEvent rejects when the supervisor stops without the event", async () => {
    const supervisor = new Supervisor(
      { processes: [{ name: "a", run: sh("exit 0") }] },
      { output: new MemoryOutput(), killOnHostExit: false },
    );
    const never = nextEvent(supervisor, "process:ready", "a");
    await supervisor.wait();
    await expect(never).rejects.toThrow("the supervisor stopped before process:ready of a");
  });
});

describe("under fake timers", () => {
  it("keeps real time: a polling gate opens when its file appears, and nothing waits on the faked clock", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-fake-timers-"));
    try {
      vi.useFakeTimers();
      const flag = join(dir, "up");
      const supervisor = new Supervisor(
        {
          processes: [
            {
              name: "db",
              run: sh(`sleep 0.1; : > ${flag}; exec sleep 60`),
              ready: { check: { kind: "file", path: flag }, intervalMs: 20 },
            },
            { name: "app", run: sh("exec sleep 60") },
          ],
        },
        { output: new MemoryOutput(), killOnHostExit: false },
      );
      await supervisor.start(); // without advancing the fake clock once
      expect(existsSync(flag)).toBe(true);
      await supervisor.stop();
    } finally {
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("core driven by a test's fake timers", () => {
  afterEach(() => {
    useCoreTimers();
    vi.useRealTimers();
  });

  it("a 30-second restart backoff passes when the test advances the clock", async () => {
    vi.useFakeTimers();
    useCoreTimers(globalThis);
    const supervisor = new Supervisor(
      {
        processes: [
          {
            name: "flaky",
            run: sh("exit 3"),
            restart: { on: "failure", max: 1, withinMs: 3_600_000, backoffMs: 30_000 },
          },
        ],
      },
      { output: new MemoryOutput(), killOnHostExit: false },
    );
    const events = recordEvents(supervisor, ["command:started", "process:restarting"]);
    const restarting = nextEvent(supervisor, "process:restarting", "flaky");
    await supervisor.start();
    expect((await restarting).delayMs).toBe(30_000);
    const again = nextEvent(supervisor, "command:started", "flaky");
    await vi.advanceTimersByTimeAsync(29_999);
    expect(events).toEqual(["command:started flaky run", "process:restarting flaky"]);
    await vi.advanceTimersByTimeAsync(1);
    await again;
    expect((await supervisor.wait()).reason.kind).toBe("restarts-exhausted");
  });

  it("a 60-second ready timeout ends startup as soon as the test advances past it", async () => {
    vi.useFakeTimers();
    useCoreTimers(globalThis);
    const supervisor = new Supervisor(
      {
        processes: [
          {
            name: "db",
            run: sh("exec sleep 60"),
            ready: { check: { kind: "file", path: "/nonexistent/ready" }, timeoutMs: 60_000 },
          },
        ],
      },
      { output: new MemoryOutput(), killOnHostExit: false },
    );
    const spawned = nextEvent(supervisor, "command:started", "db");
    const started = supervisor.start();
    started.catch(() => {});
    await spawned;
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(started).rejects.toThrow(/ready/);
    expect((await supervisor.wait()).exitCode).not.toBe(0);
  });
});

describe("an output stream nobody reads", () => {
  it("cannot hold stop() past the shutdown deadline", async () => {
    const unread = new PassThrough(); // never read: it fills, then takes nothing more
    const output = new OutputRelay({ stdout: unread, stderr: unread });
    const supervisor = new Supervisor(
      { processes: [{ name: "flood", run: sh("exec yes flooding") }], shutdownTimeoutMs: 1_000 },
      { output, killOnHostExit: false },
    );
    await supervisor.start();
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the stream fill
    const began = performance.now();
    const result = await supervisor.stop();
    expect(result.exitCode).toBe(0);
    expect(performance.now() - began).toBeLessThan(3_000);
  });
});

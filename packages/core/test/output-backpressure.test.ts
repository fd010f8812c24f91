// Backpressure: a slow destination stops the relay reading, so commands block instead of the relay
// buffering their output without bound.

import { spawn } from "node:child_process";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { OutputRelay } from "../src/output.js";
import { Gate } from "./output-helpers.js";

const HIGH_WATER = 16 * 1024;

/** Takes each write a few milliseconds later: far slower than a command writing in a loop. */
class Slow extends Writable {
  accepted = 0;
  maxQueued = 0;
  onWrite: () => void = () => {};

  constructor() {
    super({ highWaterMark: HIGH_WATER });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.maxQueued = Math.max(this.maxQueued, this.writableLength);
    this.onWrite();
    setTimeout(() => {
      this.accepted += chunk.length;
      done();
    }, 3);
  }
}

function relayTo(stdout: Writable): OutputRelay {
  return new OutputRelay({
    format: "text",
    timestamps: false,
    color: false,
    names: ["p"],
    stdout,
    stderr: new PassThrough(),
  });
}

describe("backpressure", () => {
  it("pauses every source of a full destination and resumes them on drain", async () => {
    const gate = new Gate(HIGH_WATER);
    const relay = relayTo(gate);
    const a = new PassThrough();
    const b = new PassThrough();
    const doneA = relay.attach(a, { process: "p", phase: "run", stream: "stdout" });
    const doneB = relay.attach(b, { process: "p", phase: "post", stream: "stdout" });
    expect(a.isPaused()).toBe(false);
    a.write(`${"x".repeat(HIGH_WATER)}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(relay.stats().pauses).toBe(1);
    expect(a.isPaused()).toBe(true);
    expect(b.isPaused()).toBe(true);
    // A source attached while the destination is full starts paused too.
    const c = new PassThrough();
    const doneC = relay.attach(c, { process: "p", phase: "stop", stream: "stdout" });
    expect(c.isPaused()).toBe(true);
    const drained = new Promise((resolve) => gate.once("drain", resolve));
    gate.release();
    await drained;
    expect(a.isPaused()).toBe(false);
    expect(b.isPaused()).toBe(false);
    expect(c.isPaused()).toBe(false);
    for (const source of [a, b, c]) source.end("bye\n");
    await Promise.all([doneA, doneB, doneC]);
  });

  it("makes a command that writes a lot block until a slow destination has taken its output", async () => {
    const slow = new Slow();
    const relay = relayTo(slow);
    let maxPending = 0;
    slow.onWrite = () => {
      maxPending = Math.max(maxPending, relay.stats().pendingBytes);
    };
    const lineCount = 100_000; // 80-byte lines: 8 MB in, 9.6 MB out with the 16-byte prefix
    const script = `
      const fs = require("node:fs");
      const block = Buffer.from(("x".repeat(79) + "\\n").repeat(800));
      for (let i = 0; i < ${lineCount / 800}; i++) fs.writeSync(1, block);`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const outputBytes = lineCount * ("p             | ".length + 80);
    const unsentAtExit = new Promise<number>((resolve) =>
      child.on("exit", () => resolve(outputBytes - slow.accepted)),
    );
    await relay.attach(child.stdout, { process: "p", phase: "run", stream: "stdout" });
    await relay.flush();

    expect(slow.accepted).toBe(outputBytes);
    expect(relay.stats().pauses).toBeGreaterThan(10);
    // The command could only finish once nearly all its output had reached the destination: what
    // was still in flight fits in the pipe, the socket buffer and one chunk of the relay.
    expect(await unsentAtExit).toBeLessThan(1024 * 1024);
    // The relay itself never held more than the destination's buffer plus about one read.
    expect(maxPending).toBeLessThan(HIGH_WATER + 256 * 1024);
    expect(slow.maxQueued).toBeLessThan(HIGH_WATER + 256 * 1024);
  });
});

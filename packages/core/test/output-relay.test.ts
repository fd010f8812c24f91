// Relaying real commands: streams kept apart, nothing lost, order kept, line listeners, flush.

import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { OutputRelay } from "../src/output.js";
import { Collector, collectingRelay, Gate, relayChild, relayChunks } from "./output-helpers.js";

const app = { process: "app", phase: "run", stream: "stdout" } as const;

describe("OutputRelay with real commands", () => {
  it("relays a command's stdout to stdout and its stderr to stderr", async () => {
    const { relay, out, err } = collectingRelay({ names: ["web"] });
    const { code } = await relayChild(
      relay,
      "web",
      `process.stdout.write("to out\\n"); process.stderr.write("to err\\n"); process.stderr.write("err tail");`,
    );
    expect(code).toBe(0);
    expect(out.lines()).toEqual(["web           | to out"]);
    expect(err.lines()).toEqual(["web           | to err", "web           | err tail"]);
  });

  it("relays 100,000 numbered lines and a last line without newline, in order, nothing lost", async () => {
    const { relay, out } = collectingRelay({ names: ["count"] });
    // Odd write sizes, so lines straddle chunk boundaries everywhere.
    const script = `
      const fs = require("node:fs");
      let text = "";
      for (let i = 0; i < 100000; i++) text += "line " + i + "\\n";
      const bytes = Buffer.from(text + "no newline at the end");
      const sizes = [1, 7, 4096, 13, 65536, 333, 100000];
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const size = sizes[k % sizes.length];
        fs.writeSync(1, bytes.subarray(at, at + size));
        at += size;
      }`;
    const { code } = await relayChild(relay, "count", script);
    expect(code).toBe(0);
    const lines = out.lines();
    expect(lines).toHaveLength(100_001);
    for (let i = 0; i < 100_000; i++) {
      if (lines[i] !== `count         | line ${i}`)
        expect(lines[i]).toBe(`count         | line ${i}`);
    }
    expect(lines[100_000]).toBe("count         | no newline at the end");
  });

  it("relays what a command wrote right before it was killed", async () => {
    const { relay, out } = collectingRelay({ names: ["victim"] });
    const script = `process.stdout.write("last words", () => process.kill(process.pid, "SIGKILL"));`;
    const { code } = await relayChild(relay, "victim", script);
    expect(code).toBe(null);
    expect(out.lines()).toEqual(["victim        | last words"]);
  });
});

describe("OutputRelay line listeners", () => {
  it("hands each complete line of one process to its listeners, as a string without newline", async () => {
    const { relay } = collectingRelay({ names: ["app", "other"] });
    const seen: string[] = [];
    const unsubscribe = relay.onLine("app", (line, origin) =>
      seen.push(`${origin.phase}/${origin.stream}: ${line}`),
    );
    await relayChunks(relay, ["ready on ", "port 80\r\n", "é\n", "tail"]);
    await relayChunks(relay, ["not mine\n"], { process: "other", phase: "run", stream: "stdout" });
    await relayChunks(relay, ["from pre\n"], { process: "app", phase: "pre", stream: "stderr" });
    unsubscribe();
    await relayChunks(relay, ["after unsubscribe\n"]);
    expect(seen).toEqual([
      "run/stdout: ready on port 80",
      "run/stdout: é",
      "run/stdout: tail",
      "pre/stderr: from pre",
    ]);
  });

  it("writes a line before its listeners hear of it", async () => {
    const { relay, out } = collectingRelay();
    let written = "";
    relay.onLine("app", () => {
      written = out.text();
    });
    await relayChunks(relay, ["ready\n"]);
    expect(written).toBe("app           | ready\n");
  });

  it("keeps relaying when a listener throws, and says so", async () => {
    const { relay, out, err } = collectingRelay();
    relay.onLine("app", () => {
      throw new Error("bad pattern");
    });
    await relayChunks(relay, ["one\n", "two\n"]);
    expect(out.lines()).toEqual(["app           | one", "app           | two"]);
    expect(err.lines()[0]).toBe(
      'groundcontrol | output line listener failed process=app error="bad pattern"',
    );
  });
});

describe("OutputRelay.flush", () => {
  it("resolves only once stdout and stderr have taken everything written", async () => {
    const out = new Gate(1024);
    const err = new Collector();
    const relay = new OutputRelay({
      format: "text",
      timestamps: false,
      color: false,
      names: ["app"],
      stdout: out,
      stderr: err,
    });
    await relayChunks(relay, ["x".repeat(5000), "\n"]);
    let flushed = false;
    const flushing = relay.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    out.release();
    await flushing;
    expect(out.accepted).toBe("app           | ".length + 5001);
  });
});

describe("OutputRelay with a failing destination", () => {
  it("drops the output and keeps reading, so the source is never stuck", async () => {
    const broken = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, done) {
        done(new Error("EPIPE"));
      },
    });
    const { relay } = collectingRelay({ stdout: broken });
    const source = new PassThrough();
    const done = relay.attach(source, app);
    source.write("first\n");
    await new Promise((resolve) => broken.once("close", resolve));
    for (let i = 0; i < 1000; i++) source.write("x".repeat(100));
    source.end("\n");
    await done;
    await relay.flush();
    expect(relay.stats().droppedBytes).toBeGreaterThanOrEqual(100_000);
  });
});

describe("OutputRelay edges", () => {
  it("accepts a source that was given an encoding (string chunks)", async () => {
    const { relay, out } = collectingRelay();
    const source = new PassThrough();
    source.setEncoding("utf8");
    const done = relay.attach(source, app);
    source.end("été\nfin");
    await done;
    expect(out.lines()).toEqual(["app           | été", "app           | fin"]);
  });

  it("stops listening to its destinations on close", () => {
    const out = new Collector();
    const before = out.listenerCount("error") + out.listenerCount("close");
    const relay = new OutputRelay({
      format: "text",
      timestamps: false,
      color: false,
      names: [],
      stdout: out,
      stderr: out,
    });
    expect(out.listenerCount("error") + out.listenerCount("close")).toBeGreaterThan(before);
    relay.close();
    expect(out.listenerCount("error") + out.listenerCount("close")).toBe(before);
  });

  it("rejects a maxLineBytes too small at construction", () => {
    expect(() => collectingRelay({ maxLineBytes: 2 })).toThrow(RangeError);
  });
});

// Destinations given as functions: each stream is asked for once, when the first bytes go to it.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { OutputRelay } from "../src/output.js";
import { Collector } from "./output-helpers.js";

function lazy(stream: Collector): { get: () => Collector; calls: () => number } {
  let calls = 0;
  return {
    get: () => {
      calls++;
      return stream;
    },
    calls: () => calls,
  };
}

describe("destinations given as functions", () => {
  it("are not asked for until something is written to them, then once", async () => {
    const out = lazy(new Collector());
    const err = lazy(new Collector());
    const relay = new OutputRelay({
      format: "text",
      timestamps: false,
      color: false,
      names: ["p"],
      stdout: out.get,
      stderr: err.get,
    });
    const a = new PassThrough();
    const done = relay.attach(a, { process: "p", phase: "run", stream: "stdout" });
    expect(relay.stats().pendingBytes).toBe(0);
    await relay.flush();
    expect([out.calls(), err.calls()]).toEqual([0, 0]);

    a.write("one\ntwo\n");
    a.end("three\n");
    await done;
    await relay.flush();
    expect(out.calls()).toBe(1);
    expect(err.calls()).toBe(0);
    expect((out.get() as Collector).lines()).toEqual([
      "p             | one",
      "p             | two",
      "p             | three",
    ]);

    relay.log("info", "hello");
    expect(err.calls()).toBe(1);
    expect((err.get() as Collector).lines()).toEqual(["groundcontrol | hello"]);
    relay.close();
  });

  it("still drop output once the stream they gave has failed", async () => {
    const broken = new Collector();
    const relay = new OutputRelay({
      format: "text",
      timestamps: false,
      color: false,
      names: ["p"],
      stdout: () => broken,
      stderr: new PassThrough(),
    });
    const a = new PassThrough();
    const done = relay.attach(a, { process: "p", phase: "run", stream: "stdout" });
    a.write("first\n");
    await new Promise((resolve) => setImmediate(resolve));
    broken.destroy(new Error("EPIPE"));
    await new Promise((resolve) => setImmediate(resolve));
    a.end("second\n");
    await done;
    expect(relay.stats().droppedBytes).toBeGreaterThan(0);
    expect(broken.lines()).toEqual(["p             | first"]);
  });
});

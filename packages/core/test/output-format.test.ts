// What relayed lines and own messages look like: labels, alignment, colour, timestamps, JSON.

import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { shouldColor } from "../src/colors.js";
import { OutputRelay } from "../src/output.js";
import { Collector, collectingRelay, relayChunks, T0 } from "./output-helpers.js";

const ESC = "\x1b[";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("text format", () => {
  it("writes `<timestamp> <label> | <line>`", async () => {
    const { relay, out } = collectingRelay({ timestamps: true });
    await relayChunks(relay, ["hello\n"]);
    expect(out.text()).toBe(`2026-11-02T10:00:00.123Z app           | hello\n`);
  });

  it("drops the timestamp when timestamps are off", async () => {
    const { relay, out } = collectingRelay({ timestamps: false });
    await relayChunks(relay, ["hello\n"]);
    expect(out.text()).toBe("app           | hello\n");
  });

  it("labels pre, stop and post lines with their phase, run lines with the name alone", async () => {
    const { relay, out } = collectingRelay({ names: ["db"] });
    for (const phase of ["pre", "run", "stop", "post"] as const) {
      await relayChunks(relay, [`${phase} line\n`], { process: "db", phase, stream: "stdout" });
    }
    expect(out.lines()).toEqual([
      "db[pre]       | pre line",
      "db            | run line",
      "db[stop]      | stop line",
      "db[post]      | post line",
    ]);
  });

  it("aligns `|` across every name, every phase and Ground Control's own label", async () => {
    const names = ["a", "a-much-longer-name", "mid"];
    const all = new Collector();
    const relay = new OutputRelay({
      format: "text",
      timestamps: true,
      color: false,
      names,
      stdout: all,
      stderr: all,
      now: () => T0,
    });
    await relayChunks(relay, ["x\n"], { process: "a", phase: "run", stream: "stdout" });
    await relayChunks(relay, ["x\n"], {
      process: "a-much-longer-name",
      phase: "post",
      stream: "stderr",
    });
    await relayChunks(relay, ["x\n"], { process: "mid", phase: "pre", stream: "stdout" });
    relay.log("info", "hello");
    const lines = all.lines();
    expect(lines).toHaveLength(4);
    // The widest label any of them can have is "a-much-longer-name[stop]".
    const bar = "2026-11-02T10:00:00.123Z ".length + "a-much-longer-name[stop]".length + 1;
    for (const line of lines) expect(line.indexOf("|")).toBe(bar);
  });

  it("aligns own messages with relayed lines", async () => {
    const { relay, out, err } = collectingRelay({ names: ["a", "a-much-longer-name"] });
    await relayChunks(relay, ["x\n"], { process: "a", phase: "stop", stream: "stdout" });
    relay.log("info", "started");
    const lines = [...out.lines(), ...err.lines()];
    expect(lines).toEqual(["a[stop]                  | x", "groundcontrol            | started"]);
  });

  it("colours the label only, one stable colour per process by its position in names", async () => {
    const { relay, out } = collectingRelay({ names: ["first", "second"], color: true });
    // Attached in the opposite order: colours still follow `names`.
    await relayChunks(relay, ["b\n"], { process: "second", phase: "run", stream: "stdout" });
    await relayChunks(relay, ["a\n"], { process: "first", phase: "pre", stream: "stdout" });
    await relayChunks(relay, ["c\n"], { process: "second", phase: "post", stream: "stdout" });
    expect(out.lines()).toEqual([
      `${ESC}33msecond${ESC}39m        | b`,
      `${ESC}36mfirst[pre]${ESC}39m    | a`,
      `${ESC}33msecond[post]${ESC}39m  | c`,
    ]);
  });

  it("asks a colour function once, when the first label is made", async () => {
    let asked = 0;
    const color = () => {
      asked++;
      return true;
    };
    const { relay, out } = collectingRelay({ names: ["first"], color });
    expect(asked).toBe(0);
    await relayChunks(relay, ["a\n", "b\n"], { process: "first", phase: "run", stream: "stdout" });
    relay.log("info", "own");
    expect(asked).toBe(1);
    // Padded to the width of Ground Control's own label.
    const label = `${ESC}36mfirst${ESC}39m${" ".repeat(8)} |`;
    expect(out.lines()).toEqual([`${label} a`, `${label} b`]);
  });

  it("writes no escape sequence at all when colour is off", async () => {
    const { relay, out, err } = collectingRelay({ names: ["first", "second"], color: false });
    await relayChunks(relay, ["b\n"], { process: "second", phase: "run", stream: "stdout" });
    relay.log("warn", "careful");
    expect(out.text() + err.text()).not.toContain("\x1b");
  });

  it("passes bytes that are not UTF-8 through unchanged", async () => {
    const { relay, out } = collectingRelay();
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x28]);
    await relayChunks(relay, [Buffer.concat([bytes, Buffer.from("\n")])]);
    expect(out.bytes()).toEqual(
      Buffer.concat([Buffer.from("app           | "), bytes, Buffer.from("\n")]),
    );
  });

  it("formats the timestamp at most once per millisecond", async () => {
    let now = T0;
    const { relay, out } = collectingRelay({ timestamps: true, now: () => now });
    const toISOString = vi.spyOn(Date.prototype, "toISOString");
    const source = new PassThrough();
    const done = relay.attach(source, { process: "app", phase: "run", stream: "stdout" });
    for (let i = 0; i < 100; i++) source.write(`same ms ${i}\n`);
    now += 1;
    source.write("next ms\n");
    relay.log("info", "also next ms");
    source.end();
    await done;
    expect(toISOString).toHaveBeenCalledTimes(2);
    expect(out.lines()).toHaveLength(101);
    expect(out.lines()[100]).toBe("2026-11-02T10:00:00.124Z app           | next ms");
  });

  it("writes own messages with their fields, and one prefix per line of a multi-line message", () => {
    const { relay, err, out } = collectingRelay();
    relay.log("error", "pre failed\nsee above", { process: "db", code: 1, note: "two words" });
    expect(err.lines()).toEqual([
      "groundcontrol | pre failed",
      'groundcontrol | see above process=db code=1 note="two words"',
    ]);
    expect(out.lines()).toEqual([]);
  });

  it("does not repeat as process= the process a message already names", () => {
    const { relay, err } = collectingRelay();
    relay.log("info", 'process "db" is ready (tcp 127.0.0.1:5432)', { process: "db" });
    relay.log("info", "something about db", { process: "db" });
    expect(err.lines()).toEqual([
      'groundcontrol | process "db" is ready (tcp 127.0.0.1:5432)',
      "groundcontrol | something about db process=db",
    ]);
  });

  it("leaves out debug messages unless asked for them", () => {
    const quiet = collectingRelay();
    quiet.relay.log("debug", "hidden");
    quiet.relay.log("info", "shown");
    expect(quiet.err.lines()).toEqual(["groundcontrol | shown"]);
    const verbose = collectingRelay({ logLevel: "debug" });
    verbose.relay.log("debug", "shown");
    expect(verbose.err.lines()).toEqual(["groundcontrol | shown"]);
  });
});

describe("JSON format", () => {
  it("writes one object per line with time, process, phase, stream and line", async () => {
    const { relay, out, err } = collectingRelay({ format: "json", timestamps: true });
    await relayChunks(relay, ['say "hi"\n', "tab\there\r\n", "\n", "last"]);
    await relayChunks(relay, ["oops\n"], { process: "app", phase: "post", stream: "stderr" });
    const records = out.lines().map((line) => JSON.parse(line));
    const base = {
      time: "2026-11-02T10:00:00.123Z",
      process: "app",
      phase: "run",
      stream: "stdout",
    };
    expect(records).toEqual([
      { ...base, line: 'say "hi"' },
      { ...base, line: "tab\there" },
      { ...base, line: "" },
      { ...base, line: "last" },
    ]);
    expect(Object.keys(records[0])).toEqual(["time", "process", "phase", "stream", "line"]);
    expect(err.lines().map((line) => JSON.parse(line))).toEqual([
      { ...base, phase: "post", stream: "stderr", line: "oops" },
    ]);
  });

  it("omits time when timestamps are off", async () => {
    const { relay, out, err } = collectingRelay({ format: "json", timestamps: false });
    await relayChunks(relay, ["x\n"]);
    relay.log("info", "hello");
    expect(JSON.parse(out.lines()[0]!)).toEqual({
      process: "app",
      phase: "run",
      stream: "stdout",
      line: "x",
    });
    expect(JSON.parse(err.lines()[0]!)).toEqual({ level: "info", msg: "hello" });
  });

  it("decodes lines as UTF-8, replacing bytes that are not UTF-8 with U+FFFD", async () => {
    const { relay, out } = collectingRelay({ format: "json" });
    await relayChunks(relay, [Buffer.from([0x41, 0xff, 0x42, 0xc3, 0xa9, 0x0a])]);
    expect(JSON.parse(out.lines()[0]!).line).toBe("A\ufffdBé");
  });

  it("keeps escape sequences and control characters inside the JSON string", async () => {
    const { relay, out } = collectingRelay({ format: "json" });
    await relayChunks(relay, ["\x1b[31mred\x1b[0m\x00\u2028end\n"]);
    expect(out.lines()).toHaveLength(1);
    expect(JSON.parse(out.lines()[0]!).line).toBe("\x1b[31mred\x1b[0m\x00\u2028end");
  });

  it("writes own messages as {time, level, msg, ...fields}; fields cannot replace those three", () => {
    const { relay, err } = collectingRelay({ format: "json", timestamps: true });
    relay.log("warn", "slow stop", { process: "db", waitedMs: 10000, forced: true, msg: "no" });
    const record = JSON.parse(err.lines()[0]!);
    expect(record).toEqual({
      time: "2026-11-02T10:00:00.123Z",
      level: "warn",
      msg: "slow stop",
      process: "db",
      waitedMs: 10000,
      forced: true,
    });
  });
});

describe("shouldColor", () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  it.each([
    ["a terminal", tty, {}, true],
    ["a pipe", pipe, {}, false],
    ["a stream without isTTY", {}, {}, false],
    ["NO_COLOR on a terminal", tty, { NO_COLOR: "1" }, false],
    ["an empty NO_COLOR", tty, { NO_COLOR: "" }, true],
    ["FORCE_COLOR on a pipe", pipe, { FORCE_COLOR: "1" }, true],
    ["an empty FORCE_COLOR", pipe, { FORCE_COLOR: "" }, true],
    ["FORCE_COLOR=0 on a terminal", tty, { FORCE_COLOR: "0" }, false],
    ["FORCE_COLOR=false on a terminal", tty, { FORCE_COLOR: "false" }, false],
    ["NO_COLOR and FORCE_COLOR", pipe, { NO_COLOR: "1", FORCE_COLOR: "1" }, false],
  ])("%s", (_what, stream, env, expected) => {
    expect(shouldColor(stream, env)).toBe(expected);
  });
});

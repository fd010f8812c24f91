// `stop`: signal names versus commands, `stop-timeout`, and which signals are passed on.
import { constants } from "node:os";
import { describe, expect, it } from "vitest";
import { classifyStop } from "../src/index.js";
import { firstProcess, oneIssue, processWith } from "./helpers.js";

const withRun = (line: string) => processWith(`run = "srv"\n${line}`);

describe("stop", () => {
  it("takes the original's signal names", () => {
    for (const signal of ["SIGINT", "SIGQUIT", "SIGTERM"]) {
      expect(firstProcess(withRun(`stop = "${signal}"`)).stop).toEqual({ kind: "signal", signal });
    }
  });

  it("takes any standard signal this platform knows (e.g. SIGHUP, SIGUSR1, SIGWINCH)", () => {
    for (const signal of ["SIGHUP", "SIGUSR1", "SIGWINCH"]) {
      expect(Object.hasOwn(constants.signals, signal)).toBe(true);
      expect(firstProcess(withRun(`stop = "${signal}"`)).stop).toEqual({ kind: "signal", signal });
    }
  });

  it("trims spaces around a signal name", () => {
    expect(firstProcess(withRun('stop = " SIGINT "')).stop).toEqual({
      kind: "signal",
      signal: "SIGINT",
    });
  });

  it("rejects an unknown SIG name instead of running it as a command", () => {
    expect(oneIssue(withRun('stop = "SIGFOO"'))).toBe(
      '4:1 processes[0].stop: unknown signal "SIGFOO": expected a standard signal such as SIGTERM, SIGINT, SIGQUIT or SIGHUP',
    );
  });

  it("rejects a lower-case signal name, naming the right spelling", () => {
    expect(oneIssue(withRun('stop = "sigterm"'))).toBe(
      '4:1 processes[0].stop: signal names are written in upper case: "SIGTERM"',
    );
  });

  it("treats a string with spaces, or not starting with SIG, as a command", () => {
    expect(firstProcess(withRun('stop = "nginx -s quit"')).stop).toEqual({
      kind: "command",
      command: { program: "nginx", args: ["-s", "quit"] },
    });
    expect(firstProcess(withRun('stop = "TERM"')).stop).toEqual({
      kind: "command",
      command: { program: "TERM", args: [] },
    });
    expect(classifyStop("SIGTERM now")).toEqual({ kind: "command" });
  });

  it("takes array and table commands", () => {
    expect(firstProcess(withRun('stop = ["/bin/kill", "-TERM", "1"]')).stop).toEqual({
      kind: "command",
      command: { program: "/bin/kill", args: ["-TERM", "1"] },
    });
    expect(firstProcess(withRun('stop = { command = "ctl stop", user = "app" }')).stop).toEqual({
      kind: "command",
      command: { program: "ctl", args: ["stop"], user: "app" },
    });
  });

  it("rejects an empty stop command", () => {
    expect(oneIssue(withRun('stop = ""'))).toBe("4:1 processes[0].stop: empty command");
  });

  it("is accepted without run, as in the original (where it is ignored)", () => {
    expect(firstProcess(processWith('pre = "x"\nstop = "SIGINT"')).stop).toEqual({
      kind: "signal",
      signal: "SIGINT",
    });
  });
});

describe("durations (stop-timeout, shutdown-timeout, ready timing)", () => {
  it.each([
    ['"250ms"', 250],
    ['"10s"', 10_000],
    ['"2m"', 120_000],
    ['"1h"', 3_600_000],
    ['"1.5s"', 1500],
    ['"10"', 10_000],
    ["10", 10_000],
    ["0.25", 250],
    ["0", 0],
  ])("stop-timeout = %s is %i ms", (value, ms) => {
    expect(firstProcess(withRun(`stop-timeout = ${value}`)).stopTimeoutMs).toBe(ms);
  });

  it.each([
    ['"10 s"', "got a string"],
    ['"ten seconds"', "got a string"],
    ['"-1s"', "got a string"],
    ["-1", "got an integer"],
    ["true", "got a boolean"],
  ])("rejects stop-timeout = %s", (value, got) => {
    expect(oneIssue(withRun(`stop-timeout = ${value}`))).toBe(
      `4:1 processes[0].stop-timeout: expected a duration such as "250ms", "10s", "2m" or a number of seconds, ${got}`,
    );
  });

  it("rejects a duration longer than a Node timer can wait", () => {
    expect(oneIssue(withRun('stop-timeout = "25d"'))).toContain("expected a duration");
    expect(oneIssue(withRun('stop-timeout = "600h"'))).toBe(
      "4:1 processes[0].stop-timeout: duration too long: at most 24 days",
    );
  });

  it("rejects inf and nan", () => {
    expect(oneIssue(withRun("stop-timeout = inf"))).toContain("got a number");
    expect(oneIssue(withRun("stop-timeout = nan"))).toContain("got a number");
  });
});

describe("forward-signals", () => {
  it("lists the signals passed on, once each; [] for none", () => {
    expect(
      firstProcess(processWith('run = "x"\nforward-signals = ["SIGHUP", "SIGHUP"]')).forwardSignals,
    ).toEqual(["SIGHUP"]);
    expect(firstProcess(processWith('run = "x"\nforward-signals = []')).forwardSignals).toEqual([]);
    expect(firstProcess(processWith('run = "x"')).forwardSignals).toBeUndefined();
  });

  it.each([
    [
      '["SIGTERM"]',
      '3:20 processes[0].forward-signals[0]: expected "SIGHUP", "SIGUSR1" or "SIGUSR2", got a string',
    ],
    [
      '"SIGHUP"',
      '3:1 processes[0].forward-signals: expected an array of signal names, such as ["SIGHUP"], got a string',
    ],
  ])("rejects forward-signals = %s", (value, issue) => {
    expect(oneIssue(processWith(`forward-signals = ${value}\nrun = "x"`))).toBe(issue);
  });
});

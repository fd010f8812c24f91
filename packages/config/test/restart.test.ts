// `restart` and `health`: their forms, their defaults left to core, and every bad value named.
import { describe, expect, it } from "vitest";
import { firstProcess, oneIssue, processWith } from "./helpers.js";

const withRun = (line: string) => processWith(`run = "srv"\n${line}`);

describe("restart", () => {
  it("reads every key, in milliseconds", () => {
    expect(
      firstProcess(
        withRun(
          'restart = { on = "failure", max = 5, within = "2m", backoff = "250ms", max-backoff = 10 }',
        ),
      ).restart,
    ).toEqual({ on: "failure", max: 5, withinMs: 120_000, backoffMs: 250, maxBackoffMs: 10_000 });
    expect(firstProcess(withRun('restart = { on = "always" }')).restart).toEqual({ on: "always" });
  });

  it.each([
    [
      'restart = { on = "sometimes" }',
      '4:13 processes[0].restart.on: expected "never", "failure" or "always", got a string',
    ],
    [
      'restart = { on = "failure", max = -1 }',
      "4:29 processes[0].restart.max: expected a whole number of at least 1, got -1",
    ],
    [
      'restart = { on = "failure", max = 1.5 }',
      "4:29 processes[0].restart.max: expected a whole number of at least 1, got 1.5",
    ],
    [
      'restart = { on = "failure", within = "0s" }',
      "4:29 processes[0].restart.within: expected a duration longer than 0",
    ],
    [
      'restart = { on = "failure", backoff = "2s", max-backoff = "1s" }',
      "4:1 processes[0].restart: max-backoff is shorter than backoff",
    ],
    [
      "restart = { max = 3 }",
      '4:1 processes[0].restart.on: missing required key "on": say when: "failure" or "always"',
    ],
    [
      'restart = { on = "failure", tries = 3 }',
      '4:29 processes[0].restart.tries: unknown key "tries"; expected one of: on, max, within, backoff, max-backoff',
    ],
    [
      'restart = "always"',
      '4:1 processes[0].restart: expected a table such as { on = "failure", max = 3 }, got a string',
    ],
  ])("rejects %s", (line, issue) => {
    expect(oneIssue(withRun(line))).toBe(issue);
  });

  it("needs a run", () => {
    expect(oneIssue(processWith('pre = "x"\nrestart = { on = "always" }'))).toBe(
      "4:1 processes[0].restart: `restart` needs a `run` command: only a running process can be started again",
    );
  });
});

describe("health", () => {
  it("reads one check and its timing", () => {
    expect(
      firstProcess(
        withRun(
          'health = { http = "http://127.0.0.1:8080/healthz", interval = "5s", timeout = "1s", failures = 2, grace = "30s" }',
        ),
      ).health,
    ).toEqual({
      check: { kind: "http", url: "http://127.0.0.1:8080/healthz" },
      intervalMs: 5_000,
      timeoutMs: 1_000,
      failures: 2,
      graceMs: 30_000,
    });
    expect(firstProcess(withRun('health = { tcp = "[::1]:6379" }')).health).toEqual({
      check: { kind: "tcp", host: "::1", port: 6379 },
    });
    expect(firstProcess(withRun('health = { command = ["pg_isready"] }')).health).toEqual({
      check: { kind: "command", command: { program: "pg_isready", args: [] } },
    });
  });

  it.each([
    [
      'health = { http = "http://x/", failures = 0 }',
      "4:32 processes[0].health.failures: expected a whole number of at least 1, got 0",
    ],
    [
      'health = { file = "/tmp/x" }',
      '4:12 processes[0].health.file: unknown key "file"; expected one of: tcp, http, command, interval, timeout, failures, grace',
    ],
    ['health = { interval = "1s" }', "4:1 processes[0].health: give one check: tcp, http, command"],
    [
      'health = { tcp = "a:1", http = "http://x/" }',
      "4:1 processes[0].health: give only one check, found tcp and http",
    ],
    [
      'health = { tcp = "a:1", timeout = "0s" }',
      "4:25 processes[0].health.timeout: expected a duration longer than 0",
    ],
  ])("rejects %s", (line, issue) => {
    expect(oneIssue(withRun(line))).toBe(issue);
  });
});

describe("watchdog", () => {
  it("reads a duration, in milliseconds", () => {
    expect(firstProcess(withRun('ready = { notify = true }\nwatchdog = "30s"')).watchdogMs).toBe(
      30_000,
    );
    expect(firstProcess(withRun("watchdog = 2.5")).watchdogMs).toBe(2_500);
  });

  it.each([
    ['watchdog = "0s"', "4:1 processes[0].watchdog: expected a duration longer than 0"],
    [
      'watchdog = "soon"',
      '4:1 processes[0].watchdog: expected a duration such as "250ms", "10s", "2m" or a number of seconds, got a string',
    ],
    [
      "watchdog = true",
      expect.stringMatching(/^4:1 processes\[0\]\.watchdog: expected a duration/),
    ],
  ])("rejects %s", (line, issue) => {
    expect(oneIssue(withRun(line))).toEqual(issue);
  });

  it("needs a run", () => {
    expect(oneIssue(processWith('pre = "x"\nwatchdog = "10s"'))).toBe(
      "4:1 processes[0].watchdog: `watchdog` needs a `run` command: only a running process can ping it",
    );
  });
});

// `ready`: every check form with its timing, and what is rejected.
import { describe, expect, it } from "vitest";
import { firstProcess, issuesOf, oneIssue, processWith } from "./helpers.js";

const readyWith = (value: string) => processWith(`run = "srv"\nready = ${value}`);

describe("ready checks", () => {
  it.each([
    ['{ tcp = "127.0.0.1:5432" }', { kind: "tcp", host: "127.0.0.1", port: 5432 }],
    ['{ tcp = "db.internal:80" }', { kind: "tcp", host: "db.internal", port: 80 }],
    ['{ tcp = "[::1]:6379" }', { kind: "tcp", host: "::1", port: 6379 }],
    [
      '{ http = "http://127.0.0.1:8080/healthz" }',
      { kind: "http", url: "http://127.0.0.1:8080/healthz" },
    ],
    ['{ http = "https://example.test/" }', { kind: "http", url: "https://example.test/" }],
    ['{ file = "/run/app.ready" }', { kind: "file", path: "/run/app.ready" }],
    ["{ log = 'listening on port \\d+' }", { kind: "log", pattern: "listening on port \\d+" }],
    ["{ fd = 3 }", { kind: "fd", fd: 3 }],
    ["{ notify = true }", { kind: "notify" }],
    [
      '{ command = "pg_isready -q" }',
      { kind: "command", command: { program: "pg_isready", args: ["-q"] } },
    ],
    [
      '{ command = { command = ["redis-cli", "ping"], user = "redis" } }',
      { kind: "command", command: { program: "redis-cli", args: ["ping"], user: "redis" } },
    ],
  ])("ready = %s", (value, check) => {
    expect(firstProcess(readyWith(value)).ready).toEqual({ check });
  });

  it("takes timeout and interval as durations", () => {
    const ready = firstProcess(readyWith('{ file = "/x", timeout = "30s", interval = 0.5 }')).ready;
    expect(ready).toEqual({
      check: { kind: "file", path: "/x" },
      timeoutMs: 30_000,
      intervalMs: 500,
    });
  });

  it("takes the [processes.ready] table form", () => {
    const text = `[[processes]]\nname = "db"\nrun = "db"\n[processes.ready]\ntcp = "localhost:5432"\ntimeout = "2m"\n`;
    expect(firstProcess(text).ready).toEqual({
      check: { kind: "tcp", host: "localhost", port: 5432 },
      timeoutMs: 120_000,
    });
  });
});

describe("ready rejections", () => {
  it.each([
    [
      '{ tcp = "localhost" }',
      '4:11 processes[0].ready.tcp: expected "host:port", such as "127.0.0.1:5432"',
    ],
    [
      '{ tcp = "::1:80" }',
      '4:11 processes[0].ready.tcp: expected "host:port"; write an IPv6 address in brackets: "[::1]:5432"',
    ],
    [
      '{ tcp = "localhost:70000" }',
      "4:11 processes[0].ready.tcp: the port is out of range (1-65535)",
    ],
    [
      '{ http = "ftp://x" }',
      "4:11 processes[0].ready.http: expected an http:// or https:// URL, got a string",
    ],
    [
      '{ http = "not a url" }',
      "4:11 processes[0].ready.http: expected an http:// or https:// URL, got a string",
    ],
    [
      "{ fd = 2 }",
      "4:11 processes[0].ready.fd: expected a file descriptor number from 3 to 1023 (0-2 are stdin, stdout and stderr), got an integer",
    ],
    [
      "{ fd = 3.5 }",
      "4:11 processes[0].ready.fd: expected a file descriptor number from 3 to 1023 (0-2 are stdin, stdout and stderr), got a number",
    ],
    ['{ file = "" }', "4:11 processes[0].ready.file: expected a file path, got an empty string"],
    [
      "{ notify = false }",
      "4:11 processes[0].ready.notify: expected true (leave the key out for no notification), got a boolean",
    ],
    [
      '{ notify = "yes" }',
      "4:11 processes[0].ready.notify: expected true (leave the key out for no notification), got a string",
    ],
    [
      '{ notify = true, log = "up" }',
      "4:1 processes[0].ready: give only one check, found log and notify",
    ],
    [
      '{ timeout = "30s" }',
      "4:1 processes[0].ready: give one check: tcp, http, command, file, log, fd, notify",
    ],
    [
      '{ tcp = "a:1", http = "http://a/" }',
      "4:1 processes[0].ready: give only one check, found tcp and http",
    ],
    [
      '{ file = "/x", timeout = "0s" }',
      "4:24 processes[0].ready.timeout: expected a duration longer than 0",
    ],
    [
      '{ file = "/x", interval = 0 }',
      "4:24 processes[0].ready.interval: expected a duration longer than 0",
    ],
    [
      '{ file = "/x", retries = 3 }',
      '4:24 processes[0].ready.retries: unknown key "retries"; expected one of: tcp, http, command, file, log, fd, notify, timeout, interval',
    ],
    [
      '"tcp://db:5432"',
      '4:1 processes[0].ready: expected a table such as { tcp = "127.0.0.1:5432" }, got a string',
    ],
  ])("ready = %s", (value, expected) => {
    expect(oneIssue(readyWith(value))).toBe(expected);
  });

  it("rejects a log pattern that is not a valid regular expression", () => {
    expect(oneIssue(readyWith("{ log = 'ready (' }"))).toMatch(
      /^4:11 processes\[0\]\.ready\.log: invalid regular expression: .*Unterminated group/,
    );
  });

  it("needs a run command", () => {
    expect(oneIssue(processWith('pre = "x"\nready = { file = "/x" }'))).toBe(
      "4:1 processes[0].ready: `ready` needs a `run` command: only a running process can become ready",
    );
  });

  it("reports every bad key of the table at once", () => {
    const issues = issuesOf(readyWith('{ fd = "3", timeout = "soon" }'));
    expect(issues.map((issue) => issue.path)).toEqual([
      "processes[0].ready.fd",
      "processes[0].ready.timeout",
    ]);
  });
});

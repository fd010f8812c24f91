// Top-level settings, [env] and the processes list.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/index.js";
import { issuesOf, oneIssue } from "./helpers.js";

const ONE = '[[processes]]\nname = "a"\nrun = "a"\n';

describe("top-level settings", () => {
  it("leaves every optional setting out of the Spec when absent (core applies DEFAULTS)", () => {
    expect(parseConfig(ONE)).toEqual({
      processes: [{ name: "a", run: { program: "a", args: [] } }],
    });
  });

  it("takes suppress_timestamps (original spelling) and suppress-timestamps", () => {
    expect(parseConfig(`suppress_timestamps = true\n${ONE}`).suppressTimestamps).toBe(true);
    expect(parseConfig(`suppress-timestamps = false\n${ONE}`).suppressTimestamps).toBe(false);
  });

  it("rejects both spellings at once", () => {
    expect(oneIssue(`suppress_timestamps = true\nsuppress-timestamps = true\n${ONE}`)).toBe(
      "2:1 suppress-timestamps: suppress_timestamps is also set: give only one of the two spellings",
    );
  });

  it("takes log-format and shutdown-timeout", () => {
    const spec = parseConfig(`log-format = "json"\nshutdown-timeout = "25s"\n${ONE}`);
    expect(spec.logFormat).toBe("json");
    expect(spec.shutdownTimeoutMs).toBe(25_000);
  });

  it("rejects an unknown log-format and a non-boolean suppress_timestamps", () => {
    expect(oneIssue(`log-format = "xml"\n${ONE}`)).toBe(
      '1:1 log-format: expected "text" or "json", got a string',
    );
    expect(oneIssue(`suppress_timestamps = "yes"\n${ONE}`)).toBe(
      "1:1 suppress_timestamps: expected true or false, got a string",
    );
  });

  it("takes [env] as string values", () => {
    const spec = parseConfig(`[env]\nLITESTREAM_DB = "/data/app.db"\n"WITH SPACE" = ""\n\n${ONE}`);
    expect(spec.env).toEqual({ LITESTREAM_DB: "/data/app.db", "WITH SPACE": "" });
  });

  it("rejects [env] values that are not strings, at the key", () => {
    expect(oneIssue(`[env]\nPORT = 8080\n${ONE}`)).toBe(
      "2:1 env.PORT: expected a string (quote the value), got an integer",
    );
  });

  it("rejects variable names a JS object would drop", () => {
    expect(oneIssue(`[env]\nconstructor = "x"\n${ONE}`)).toBe(
      '2:1 env.constructor: unsupported variable name "constructor"',
    );
  });

  it("rejects [env] written as something other than a table", () => {
    expect(oneIssue(`env = ["A=1"]\n${ONE}`)).toBe(
      '1:1 env: expected a table of variables, such as { NAME = "value" }, got an array',
    );
  });

  it("rejects a shutdown-timeout that is not a duration", () => {
    expect(oneIssue(`shutdown-timeout = "forever"\n${ONE}`)).toBe(
      '1:1 shutdown-timeout: expected a duration such as "250ms", "10s", "2m" or a number of seconds, got a string',
    );
  });

  it("rejects unknown top-level keys with a suggestion", () => {
    expect(oneIssue(`log_format = "json"\n${ONE}`)).toBe(
      '1:1 log_format: unknown key "log_format" (did you mean "log-format"?); expected one of: suppress_timestamps, suppress-timestamps, log-format, shutdown-timeout, control-socket, status-listen, break-glass, env, processes',
    );
  });
});

describe("processes", () => {
  it("keeps file order, including one-shot processes", () => {
    const spec = parseConfig(
      '[[processes]]\nname = "z"\npre = "a"\n[[processes]]\nname = "a"\nrun = "b"\n[[processes]]\nname = "m"\npost = "c"\n',
    );
    expect(spec.processes.map((process) => process.name)).toEqual(["z", "a", "m"]);
    expect(spec.processes[0]).toEqual({ name: "z", pre: { program: "a", args: [] } });
  });

  it("accepts the inline array form and an empty list", () => {
    expect(parseConfig('processes = [{ name = "a", run = "a" }]').processes).toHaveLength(1);
    expect(parseConfig("processes = []").processes).toEqual([]);
  });

  it("needs a processes list", () => {
    expect(oneIssue('[env]\nA = "1"\n')).toBe(
      '1:1 processes: missing required key "processes": add at least one [[processes]] table',
    );
    expect(oneIssue("")).toBe(
      '1:1 processes: missing required key "processes": add at least one [[processes]] table',
    );
  });

  it("rejects processes that is not an array of tables", () => {
    expect(oneIssue('[processes]\nname = "a"\n')).toBe(
      "1:1 processes: expected an array of process tables: write each process as [[processes]], got a table",
    );
    expect(oneIssue('processes = ["a"]')).toBe(
      "1:14 processes[0]: expected a process table: write each process as [[processes]], got a string",
    );
  });

  it("needs a name, pointing at the [[processes]] header of the nameless one", () => {
    expect(oneIssue('[[processes]]\nname = "a"\n\n[[processes]]\nrun = "b"\n')).toBe(
      '4:1 processes[1].name: missing required key "name": every process needs a name',
    );
  });

  it("rejects duplicate names at the second one", () => {
    const text =
      '[[processes]]\nname = "web"\n[[processes]]\nname = "db"\n[[processes]]\nname = "web"\n';
    expect(oneIssue(text)).toBe(
      '6:1 processes[2].name: duplicate process name "web" (first used by processes[0])',
    );
  });

  it("rejects empty names and names with control characters", () => {
    expect(oneIssue('[[processes]]\nname = ""\n')).toBe(
      "2:1 processes[0].name: expected a process name (not empty, no control characters), got an empty string",
    );
    expect(oneIssue('[[processes]]\nname = "a\\nb"\n')).toBe(
      "2:1 processes[0].name: expected a process name (not empty, no control characters), got a string",
    );
  });

  it("takes names with spaces, as the original did", () => {
    expect(
      parseConfig('[[processes]]\nname = "migrate database"\npre = "x"').processes[0]?.name,
    ).toBe("migrate database");
  });

  it("rejects the older `type` and `env-vars` keys as unknown", () => {
    const issues = issuesOf(
      '[[processes]]\nname = "a"\ntype = "oneshot"\npre = { command = "x", env-vars = [] }\n',
    );
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}`)).toEqual([
      "3:1 processes[0].type",
      "4:24 processes[0].pre.env-vars",
    ]);
  });
});

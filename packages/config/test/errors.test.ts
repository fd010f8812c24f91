// The error report: issue fields, the multi-line message, TOML syntax errors, bad bytes, I/O.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadConfigSync, parseConfig } from "../src/index.js";
import { issuesOf } from "./helpers.js";

const BROKEN = `[[processes]]
name = "db"
run = { command = "postgres", only-env = "PGDATA" }

[[processes]]
name = "web"
run = ["node", 8080]
stop-timeout = "soon"
`;

describe("ConfigError", () => {
  it("lists every issue with file, line, column, key path and message", () => {
    expect(issuesOf(BROKEN, "deploy/gc.toml")).toEqual([
      {
        file: "deploy/gc.toml",
        line: 3,
        column: 31,
        path: "processes[0].run.only-env",
        message: "expected an array of variable names, got a string",
      },
      {
        file: "deploy/gc.toml",
        line: 7,
        column: 16,
        path: "processes[1].run[1]",
        message: "expected a string, got an integer",
      },
      {
        file: "deploy/gc.toml",
        line: 8,
        column: 1,
        path: "processes[1].stop-timeout",
        message:
          'expected a duration such as "250ms", "10s", "2m" or a number of seconds, got a string',
      },
    ]);
  });

  it("has the whole report as its message", () => {
    try {
      parseConfig(BROKEN, { file: "gc.toml" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        [
          "gc.toml: invalid config (3 problems)",
          "gc.toml:3:31: processes[0].run.only-env: expected an array of variable names, got a string",
          "gc.toml:7:16: processes[1].run[1]: expected a string, got an integer",
          'gc.toml:8:1: processes[1].stop-timeout: expected a duration such as "250ms", "10s", "2m" or a number of seconds, got a string',
        ].join("\n"),
      );
      expect((error as ConfigError).file).toBe("gc.toml");
    }
  });

  it("names the file groundcontrol.toml when no file is given", () => {
    expect(() => parseConfig("processes = 1")).toThrow(
      /^groundcontrol\.toml: invalid config \(1 problem\)\ngroundcontrol\.toml:1:1: /,
    );
  });
});

describe("TOML syntax errors", () => {
  it("come with the parser's line, column and code frame", () => {
    const [issue, ...rest] = issuesOf('[[processes]]\nname = "a"\nrun = \n', "gc.toml");
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      file: "gc.toml",
      line: 3,
      column: 7,
      path: "",
      message: "TOML syntax error: invalid value",
    });
    expect(issue?.frame).toContain("3:  run = ");
    expect(issue?.frame).toContain("^");
  });

  it("show the frame indented under the message", () => {
    expect(() => parseConfig('name = "a"\nname = "b"\n', { file: "gc.toml" })).toThrow(
      /gc\.toml:2:1: TOML syntax error: .*\n {4}1: {2}name = "\*"\n {4}2: {2}name = "\*"/,
    );
  });
});

describe("encoding", () => {
  it("rejects invalid UTF-8, naming the byte offset, line and column", () => {
    const bytes = Buffer.concat([
      Buffer.from('[[processes]]\nname = "ab'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"\n'),
    ]);
    expect(issuesOf(bytes, "gc.toml")).toEqual([
      {
        file: "gc.toml",
        line: 2,
        column: 11,
        path: "",
        message: "invalid UTF-8 at byte offset 24: the file must be UTF-8 text",
      },
    ]);
  });

  it("counts columns in characters before the bad byte", () => {
    const bytes = Buffer.concat([Buffer.from('name = "é'), Buffer.from([0xff])]);
    expect(issuesOf(bytes)[0]).toMatchObject({
      line: 1,
      column: 10,
      message: expect.stringContaining("offset 10"),
    });
  });

  it("ignores a byte-order mark, in bytes and in text", () => {
    const text = '[[processes]]\nname = "a"\n';
    expect(
      parseConfig(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).processes,
    ).toHaveLength(1);
    expect(parseConfig(`\uFEFF${text}`).processes).toHaveLength(1);
  });
});

// Both readers share everything past the read; the sync one is what the CLI starts with.
const loaders = [
  ["loadConfig", loadConfig],
  ["loadConfigSync", async (path: string) => loadConfigSync(path)],
] as const;

describe.each(loaders)("%s", (_name, load) => {
  const dir = mkdtempSync(join(tmpdir(), "gc-config-"));

  it("reads and validates a file", async () => {
    const file = join(dir, "ok.toml");
    writeFileSync(file, '[[processes]]\nname = "a"\nrun = "a b"\n');
    await expect(load(file)).resolves.toEqual({
      processes: [{ name: "a", run: { program: "a", args: ["b"] } }],
    });
  });

  it("names the path it was given in issues", async () => {
    const file = join(dir, "bad.toml");
    writeFileSync(file, "processes = 5\n");
    await expect(load(file)).rejects.toThrow(
      `${file}:1:1: processes: expected an array of process tables`,
    );
  });

  it("rejects invalid UTF-8 and keeps a U+FFFD the file really has", async () => {
    const bad = join(dir, "bad-utf8.toml");
    writeFileSync(
      bad,
      Buffer.concat([Buffer.from('# \uFFFD\n[[processes]]\nname = "a'), Buffer.from([0xff, 0x22])]),
    );
    await expect(load(bad)).rejects.toThrow(`${bad}:3:10: invalid UTF-8 at byte offset 29`);
    const good = join(dir, "replacement.toml");
    writeFileSync(good, '[[processes]]\nname = "a\uFFFD"\nrun = "a"\n');
    await expect(load(good)).resolves.toMatchObject({ processes: [{ name: "a\uFFFD" }] });
  });

  it("turns a missing file or a directory into a ConfigError", async () => {
    const missing = join(dir, "nope.toml");
    await expect(load(missing)).rejects.toMatchObject({
      name: "ConfigError",
      issues: [
        {
          file: missing,
          line: 0,
          column: 0,
          path: "",
          message: "cannot read the config file: no such file",
        },
      ],
    });
    await expect(load(dir)).rejects.toThrow(
      `${dir}: cannot read the config file: it is a directory`,
    );
  });
});

// The position finder: where keys and array items start in TOML text.
import { describe, expect, it } from "vitest";
import type { KeySegment } from "../src/key-path.js";
import { formatKeyPath } from "../src/key-path.js";
import { PositionIndex } from "../src/positions.js";

const at = (text: string, ...path: KeySegment[]) => {
  const { line, column } = new PositionIndex(text).lookup(path);
  return `${line}:${column}`;
};

describe("PositionIndex", () => {
  const doc = [
    "# a comment with = and [brackets]", // 1
    'log-format = "text"', // 2
    "[env]", // 3
    'A = "1" # trailing', // 4
    '"B C" = """multi', // 5
    'line = [ "not a key" ]"""', // 6
    "[[processes]]", // 7
    'name = "one"', // 8
    "run = [", // 9
    '  "srv", # first', // 10
    "  'x',", // 11
    "]", // 12
    "[[processes]]", // 13
    'name = "two"', // 14
    'pre.user = "app"', // 15
    "[processes.ready]", // 16
    'tcp = "a:1"', // 17
    "[[processes]]", // 18
    'run = { command = ["a", { nested = 1 }], env = { K = "v" } }', // 19
  ].join("\n");

  it.each([
    [["log-format"], "2:1"],
    [["env"], "3:1"],
    [["env", "A"], "4:1"],
    [["env", "B C"], "5:1"],
    [["processes"], "7:1"],
    [["processes", 0], "7:1"],
    [["processes", 0, "name"], "8:1"],
    [["processes", 0, "run"], "9:1"],
    [["processes", 0, "run", 0], "10:3"],
    [["processes", 0, "run", 1], "11:3"],
    [["processes", 1], "13:1"],
    [["processes", 1, "pre"], "15:1"],
    [["processes", 1, "pre", "user"], "15:5"],
    [["processes", 1, "ready"], "16:1"],
    [["processes", 1, "ready", "tcp"], "17:1"],
    [["processes", 2], "18:1"],
    [["processes", 2, "run", "command", 1], "19:25"],
    [["processes", 2, "run", "command", 1, "nested"], "19:27"],
    [["processes", 2, "run", "env", "K"], "19:50"],
  ] as [KeySegment[], string][])("%j is at %s", (path, expected) => {
    expect(at(doc, ...path)).toBe(expected);
  });

  it("falls back to the nearest ancestor for a missing key", () => {
    expect(at(doc, "processes", 2, "name")).toBe("18:1");
    expect(at(doc, "processes", 1, "ready", "timeout")).toBe("16:1");
    expect(at(doc, "nothing", "here")).toBe("1:1");
  });

  it("does not read keys inside strings or comments", () => {
    expect(at(doc, "line")).toBe("1:1");
    expect(at(doc, "env", "line")).toBe("3:1");
  });

  it("decodes escapes in quoted keys and handles CRLF line ends", () => {
    expect(at('[env]\r\n"\\u0041B" = "1"\r\nC = "2"\r\n', "env", "AB")).toBe("2:1");
    expect(at('[env]\r\n"\\u0041B" = "1"\r\nC = "2"\r\n', "env", "C")).toBe("3:1");
  });

  it("resolves sub-tables of an array of tables to its latest item", () => {
    const text = "[[p]]\n[[p]]\n[p.q]\nx = 1\n[[p.r]]\n[[p.r]]\ny = 2\n";
    expect(at(text, "p", 1, "q", "x")).toBe("4:1");
    expect(at(text, "p", 1, "r", 1, "y")).toBe("7:1");
    expect(at(text, "p", 1, "r", 0)).toBe("5:1");
  });

  it("survives text it cannot make sense of", () => {
    expect(at("[[[[", "a")).toBe("1:1");
    expect(at('x = "unterminated', "x")).toBe("1:1");
  });
});

describe("formatKeyPath", () => {
  it("writes indexes in brackets and quotes keys that are not bare", () => {
    expect(formatKeyPath(["processes", 2, "run", "only-env"])).toBe("processes[2].run.only-env");
    expect(formatKeyPath(["env", "MY VAR"])).toBe('env."MY VAR"');
    expect(formatKeyPath([])).toBe("");
  });
});

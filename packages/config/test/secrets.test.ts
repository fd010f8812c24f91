// Ground Control's messages never print a value from the config file's strings: frames mask
// them, type errors name the expected type only, and a NUL byte in a value is refused.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";
import { issuesOf, oneIssue, processWith } from "./helpers.js";

const SECRET = "sk-live-4f9a8b7c6d5e";

/** The whole report a user would see for `text`. */
function report(text: string): string {
  try {
    parseConfig(text, { file: "gc.toml" });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("syntax error frames", () => {
  it.each([
    ["a basic string", `API_KEY = "${SECRET}"`],
    ["a literal string", `API_KEY = '${SECRET}'`],
    ["a multi-line string", `API_KEY = """\n${SECRET}\n"""`],
    ["a multi-line literal string", `API_KEY = '''\n${SECRET}'''`],
    ["a quoted key", `"${SECRET}" = "x"`],
    ["a comment", `# the old key was ${SECRET}`],
    ["an escaped quote", `API_KEY = "a\\"${SECRET}"`],
  ])("mask %s next to the error", (_what, line) => {
    const text = `[env]\n${line}\nBROKEN = \n\n[[processes]]\nname = "a"\n`;
    const shown = report(text);
    expect(shown).toMatch(/TOML syntax error/);
    expect(shown).not.toContain("sk-live");
    expect(shown).not.toContain("4f9a8b");
  });

  it.each([
    ["a value whose quotes were forgotten", `API_KEY = ${SECRET}`],
    ["in an inline table", `run = { command = "x", env = { TOKEN = ${SECRET} } }`],
    ["in an array", `only-env = [PATH, ${SECRET}]`],
  ])("mask a bare word where a value goes: %s", (_what, line) => {
    const shown = report(`[env]\n${line}\n\n[[processes]]\nname = "a"\n`);
    expect(shown).toMatch(/TOML syntax error|invalid/);
    expect(shown).not.toContain("4f9a8b");
  });

  it("show keys, headers, booleans, numbers and dates, which help read the error", () => {
    const [issue] = issuesOf(
      "[break-glass]\nafter-failed-boots = 3\nenabled = true\nwhen = 1979-05-27T07:32:00Z\nOOPS = oops\n",
    );
    expect(issue!.frame).toContain("when = 1979-05-27T07:32:00Z");
    expect(issue!.frame).toContain("OOPS = ****");
  });

  it("mask an unterminated string up to the end of the file", () => {
    const shown = report(`[env]\nAPI_KEY = "${SECRET}\nOTHER = "${SECRET}"\n`);
    expect(shown).not.toContain("4f9a8b");
  });

  it("still show the structure and point at the error", () => {
    const [issue] = issuesOf(`[env]\nAPI_KEY = "${SECRET}"\nBROKEN = \n`);
    expect(issue!.line).toBe(3);
    expect(issue!.frame).toMatch(/API_KEY = "\*+"/);
    expect(issue!.frame).toMatch(/BROKEN = /);
    expect(issue!.frame).toContain("^");
  });

  it("stay short for a huge one-line file", () => {
    const huge = `[env]\nX = "${"a".repeat(400_000)}" oops\n`;
    const shown = report(huge);
    expect(shown.length).toBeLessThan(2_000);
  });
});

describe("value errors", () => {
  it.each([
    ["a number where a string belongs", "[env]\nPORT = 98765432\n", "98765432"],
    ["a string where a duration belongs", processWith(`stop-timeout = "${SECRET}"`), SECRET],
    [
      "a string where an array belongs",
      processWith(`run = { command = "x", only-env = "${SECRET}" }`),
      SECRET,
    ],
    [
      "a string of the wrong form",
      processWith(`run = { command = "x", user = "a b ${SECRET}" }`),
      SECRET,
    ],
  ])("name the key and the expected type, not the value: %s", (_what, text, value) => {
    const shown = report(text);
    expect(shown).not.toContain(value);
    expect(shown).toMatch(/expected .*, got (a|an) /);
  });

  it.each([
    ["[env]", '[env]\nX = "a\\u0000b"\n[[processes]]\nname = "a"\n', "env.X"],
    [
      "a command's env",
      processWith('run = { command = "x", env = { X = "a\\u0000b" } }'),
      "processes[0].run.env.X",
    ],
    ["an argv word", processWith('run = ["x", "a\\u0000b"]'), "processes[0].run[1]"],
    ["a command line", processWith('run = "x a\\u0000b"'), "processes[0].run"],
    ["a cwd", processWith('run = { command = "x", cwd = "/a\\u0000b" }'), "processes[0].run.cwd"],
  ])("refuse a NUL byte in %s", (_what, text, path) => {
    expect(oneIssue(text)).toMatch(
      new RegExp(`^\\d+:\\d+ ${path.replace(/[.[\]]/g, "\\$&")}: .*NUL`),
    );
  });
});

// The command-string grammar: words, quotes, escapes, and the errors.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { joinCommand, splitCommand } from "../src/index.js";

describe("splitCommand", () => {
  it.each([
    ["a b c", ["a", "b", "c"]],
    ["  a \t b\n c  ", ["a", "b", "c"]],
    ["echo 'hello world'", ["echo", "hello world"]],
    ['echo "hello world"', ["echo", "hello world"]],
    ['a"b c"d', ["ab cd"]],
    ["echo '' x", ["echo", "", "x"]],
    ['echo ""', ["echo", ""]],
    ["a\\ b", ["a b"]],
    ["a\\'b", ["a'b"]],
    ["'a\\b'", ["a\\b"]],
    ['"a\\"b"', ['a"b']],
    ['"it\'s"', ["it's"]],
    ["'say \"hi\"'", ['say "hi"']],
    ["echo $HOME | wc", ["echo", "$HOME", "|", "wc"]],
    ["x {{ NAME }}", ["x", "{{ NAME }}"]],
    ["x a{{ NAME }}b c", ["x", "a{{ NAME }}b", "c"]],
    ["x {{NAME}} {{ OTHER\t}}", ["x", "{{NAME}}", "{{ OTHER\t}}"]],
    ["x {{ not a template }}", ["x", "{{", "not", "a", "template", "}}"]],
    ["x '{{ NAME }}'", ["x", "{{ NAME }}"]],
  ])("%j", (line, argv) => {
    expect(splitCommand(line)).toEqual({ ok: true, argv });
  });

  it.each([
    ["", "empty command"],
    [" \t\n", "empty command"],
    ["echo 'x", "unterminated single quote (opened at character 6)"],
    ['echo "x', "unterminated double quote (opened at character 6)"],
    ['echo "x\\"', "unterminated double quote (opened at character 6)"],
    ["echo x\\", "command ends with a lone backslash"],
  ])("rejects %j", (line, error) => {
    expect(splitCommand(line)).toEqual({ ok: false, error });
  });
});

describe("joinCommand", () => {
  it.each([
    [["nginx", "-g", "daemon off;"], "nginx -g 'daemon off;'"],
    [["echo", "it's"], "echo 'it'\\''s'"],
    [["echo", ""], "echo ''"],
    [["run", "{{DB}}", "a=b", "{a,b}", "$$"], "run '{{DB}}' a=b '{a,b}' '$$'"],
  ])("%j reads as %s", (argv, line) => {
    expect(joinCommand(argv)).toBe(line);
  });

  const samples = [["a", " b ", "c'd", 'e"f', "g\\h", "", "$x", "$$", "{{ X }}", "*"], ["only"]];

  it("round-trips through splitCommand", () => {
    for (const argv of samples) expect(splitCommand(joinCommand(argv))).toEqual({ ok: true, argv });
    expect(splitCommand(joinCommand(["a\nb\tc"]))).toEqual({ ok: true, argv: ["a\nb\tc"] });
  });

  it("reads as the same words in a POSIX shell", () => {
    for (const argv of samples) {
      const words = execFileSync("/bin/sh", ["-c", `printf '[%s]' ${joinCommand(argv)}`], {
        encoding: "utf8",
      });
      expect(words).toBe(argv.map((word) => `[${word}]`).join(""));
    }
  });

  it("keeps a multi-line word on one line with oneLine, as $'…' that bash reads back", () => {
    const argv = ["printf", "a\nb", "it's", "tab\there", "back\\slash"];
    const line = joinCommand(argv, { oneLine: true });
    expect(line).toBe("printf $'a\\nb' 'it'\\''s' $'tab\\there' 'back\\slash'");
    const words = execFileSync("bash", ["-c", `printf '[%s]' ${line.slice("printf ".length)}`], {
      encoding: "utf8",
    });
    expect(words).toBe("[a\nb][it's][tab\there][back\\slash]");
  });
});

// The command-string grammar: words, quotes, escapes, and the errors.
import { describe, expect, it } from "vitest";
import { splitCommand } from "../src/index.js";

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

// How a command line reads in --check and in messages: as the same words in a POSIX shell and in
// Ground Control's own command grammar.
import { execFileSync } from "node:child_process";
import { splitCommand } from "@groundcontrol/config";
import { joinCommand } from "@groundcontrol/core";
import { describe, expect, it } from "vitest";

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

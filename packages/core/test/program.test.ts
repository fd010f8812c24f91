// Finding a command's program as a shell would: 127 for "not found", 126 for "not executable".
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findProgram } from "../src/program.js";

const dir = mkdtempSync(join(tmpdir(), "gc-program-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(path: string, mode: number): string {
  const full = join(dir, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, "#!/bin/sh\n");
  chmodSync(full, mode);
  return full;
}

const exe = file("bin/tool", 0o755);
file("plain/tool", 0o644);
file("plain/data", 0o644);
mkdirSync(join(dir, "bin/adir"));
symlinkSync(join(dir, "bin/adir"), join(dir, "bin/dirlink"));

const codeOf = (lookup: ReturnType<typeof findProgram>) =>
  "code" in lookup ? lookup.code : lookup.found;

// Run as root, every file with any execute bit passes access(X_OK); 0o644 has none.
describe("findProgram", () => {
  it("finds a path with a slash, relative to the working directory", () => {
    expect(codeOf(findProgram("/bin/sh", undefined, "/"))).toBe("/bin/sh");
    expect(codeOf(findProgram("bin/tool", undefined, dir))).toBe(exe);
  });

  it("tells a missing program (127) from one that cannot be run (126)", () => {
    expect(codeOf(findProgram("bin/none", undefined, dir))).toBe(127);
    expect(codeOf(findProgram("plain/tool", undefined, dir))).toBe(126);
    expect(codeOf(findProgram("bin/adir", undefined, dir))).toBe(126);
    expect(codeOf(findProgram("bin/dirlink", undefined, dir))).toBe(126);
    expect(codeOf(findProgram("bin/tool/x", undefined, dir))).toBe(127);
  });

  it("searches PATH past entries that cannot be run, as execvp does", () => {
    const path = [join(dir, "plain"), join(dir, "bin")].join(":");
    expect(codeOf(findProgram("tool", path, "/"))).toBe(exe);
    expect(codeOf(findProgram("data", path, "/"))).toBe(126);
    expect(codeOf(findProgram("adir", path, "/"))).toBe(126);
    expect(codeOf(findProgram("none", path, "/"))).toBe(127);
  });

  it("names the program as the config wrote it", () => {
    const lookup = findProgram("none", "", "/", "{{TOOL}}");
    expect("error" in lookup && lookup.error.message).toBe("{{TOOL}}: not found");
  });
});

// State files in directories another user may write: never read through a link or from a FIFO,
// never more than a state file can be, and replaced without writing through anything planted.
import { execFileSync } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readStateFile, writeStateFile } from "../src/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gc-state-file-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("readStateFile", () => {
  it("reads a regular file, and says when there is none", () => {
    writeFileSync(join(dir, "state"), "{}");
    expect(readStateFile(join(dir, "state"), 100)).toEqual({ ok: true, text: "{}" });
    expect(readStateFile(join(dir, "none"), 100)).toMatchObject({ ok: false, missing: true });
  });

  it.each([
    [
      "a symbolic link",
      () => symlinkSync("/etc/hostname", join(dir, "state")),
      "it is a symbolic link",
    ],
    [
      "a FIFO (nothing blocks)",
      () => execFileSync("mkfifo", [join(dir, "state")]),
      "it is not a regular file",
    ],
    ["a directory", () => execFileSync("mkdir", [join(dir, "state")]), "it is not a regular file"],
    [
      "too large",
      () => writeFileSync(join(dir, "state"), "x".repeat(101)),
      "it is larger than 100 bytes",
    ],
  ])("refuses %s", (_what, make, reason) => {
    make();
    expect(readStateFile(join(dir, "state"), 100)).toEqual({ ok: false, missing: false, reason });
  });
});

describe("writeStateFile", () => {
  it("replaces a link at its path instead of writing through it, and leaves no temporary file", () => {
    const victim = join(dir, "victim");
    writeFileSync(victim, "untouched");
    symlinkSync(victim, join(dir, "state"));
    writeStateFile(join(dir, "state"), "new");
    expect(readFileSync(victim, "utf8")).toBe("untouched");
    expect(readStateFile(join(dir, "state"), 100)).toEqual({ ok: true, text: "new" });
    expect(readdirSync(dir).sort()).toEqual(["state", "victim"]);
  });
});

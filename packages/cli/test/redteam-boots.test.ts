// Red-team attacks on break glass's state file ([break-glass] state-file, docs/configuration.md):
// "one that cannot be read or parsed is logged and read as zero; one that cannot be written is
// logged and never stops a boot". The file lives on a volume, often one the app's user owns. Each
// test here is an attack that once worked; it guards the fix.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until, withScenario } from "./helpers/harness.js";
import { canSwitchUsers, createTestUsers, type TestUsers } from "./helpers/users.js";

let work = "";

describe.runIf(process.platform === "linux")("red team: the state file", () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "gc-redteam-boots-"));
    chmodSync(work, 0o755);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each([["a run"], ["BREAK_GLASS"]])(
    "a FIFO in the state file's place does not hang the boot (%s)",
    async (mode) => {
      const fifo = join(work, `fifo-${mode === "a run" ? "run" : "glass"}`);
      execFileSync("mkfifo", [fifo]);
      await withScenario(
        `
suppress_timestamps = true
control-socket = false

[break-glass]
after-failed-boots = 3
state-file = "${fifo}"
start-through = "app"

[[processes]]
name = "app"
run = ["/bin/sh", "-c", "echo app-up; exec sleep 600"]
`,
        async (s) => {
          // Blocked in open(2) of the FIFO, it never gets to start anything, nor to a SIGTERM.
          await until(() => /app-up/.test(s.stdout), "the boot to go on", 10_000);
          s.signal("SIGTERM");
          expect((await s.finished).code).toBe(0);
        },
        {
          env: {
            ...process.env,
            NO_COLOR: "1",
            ...(mode === "BREAK_GLASS" ? { BREAK_GLASS: "1" } : {}),
          },
        },
      );
    },
    30_000,
  );
});

let users: TestUsers;

describe.runIf(canSwitchUsers)("red team: the state file on a volume a user owns", () => {
  beforeAll(() => {
    users = createTestUsers();
  });
  afterAll(() => users.remove());

  it("a command run as that user cannot make Ground Control overwrite a file of root's", async () => {
    const loner = { uid: users.uid(users.loner), gid: users.gid(users.loner) };
    const base = mkdtempSync(join(tmpdir(), "gc-redteam-clobber-"));
    try {
      chmodSync(base, 0o755);
      // The volume: the app's data, and Ground Control's count of failed boots beside it.
      const volume = join(base, "data");
      mkdirSync(volume);
      chownSync(volume, loner.uid, loner.gid);
      // Any file of root's: /etc/passwd, /etc/shadow, a binary.
      const victim = join(base, "victim");
      writeFileSync(victim, "root's own content\n", { mode: 0o644 });
      await withScenario(
        `
suppress_timestamps = true
control-socket = false

[break-glass]
after-failed-boots = 3
state-file = "${volume}/boots"

[[processes]]
name = "app"
# $PPID is Ground Control (as PID 1 it is simply 1): the name of its next temporary file.
run = { user = "${users.loner}", command = ["/bin/sh", "-c", "ln -s ${victim} ${volume}/.boots.$PPID.tmp && echo planted; exec sleep 600"] }
`,
        async (s) => {
          await s.waitForOutput(/planted/);
          s.signal("SIGTERM");
          expect((await s.finished).code).toBe(0);
          expect(readFileSync(victim, "utf8")).toBe("root's own content\n");
        },
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it("nor by swapping a directory on the path for a link to one of root's", async () => {
    const loner = { uid: users.uid(users.loner), gid: users.gid(users.loner) };
    const base = mkdtempSync(join(tmpdir(), "gc-redteam-dirlink-"));
    try {
      chmodSync(base, 0o755);
      // The volume is the user's; the state file lives one directory further down.
      const volume = join(base, "vol");
      mkdirSync(join(volume, "gc"), { recursive: true });
      chownSync(volume, loner.uid, loner.gid);
      chownSync(join(volume, "gc"), loner.uid, loner.gid);
      // A directory only root can enter, holding a file of root's with the state file's name.
      const rootOnly = join(base, "root-only");
      mkdirSync(rootOnly, { mode: 0o700 });
      const victim = join(rootOnly, "boots");
      writeFileSync(victim, "root's own content\n", { mode: 0o600 });
      await withScenario(
        `
suppress_timestamps = true
control-socket = false

[break-glass]
after-failed-boots = 3
state-file = "${volume}/gc/boots"

[[processes]]
name = "app"
run = { user = "${users.loner}", command = ["/bin/sh", "-c", "cd ${volume} && mv gc gc.old && ln -s ${rootOnly} gc && echo swapped; exec sleep 600"] }
`,
        async (s) => {
          await s.waitForOutput(/swapped/);
          // Stopped by a signal after startup: the boot counts as good, and the count is written.
          s.signal("SIGTERM");
          const done = await s.finished;
          expect(done.code).toBe(0);
          expect(readFileSync(victim, "utf8")).toBe("root's own content\n");
          expect(done.stdout + done.stderr).toMatch(
            /vol\/gc is a symbolic link in a directory another user can write/,
          );
        },
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

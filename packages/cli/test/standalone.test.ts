// The standalone binary (build:sea) on its own: copied into an empty directory, it runs the
// examples, switches users through its own exec-as mode, and reaps as PID 1 with the native
// bridge it carries, leaving no extracted file behind.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, inOrder, runIn } from "./helpers/example.js";
import { AS_PID1, canUnshare } from "./helpers/harness.js";

const BINARY = fileURLToPath(new URL("../standalone/groundcontrol", import.meta.url));
const built = existsSync(BINARY);
if (!built) {
  console.warn(
    `standalone binary tests skipped: ${BINARY} has not been built ` +
      "(pnpm build && pnpm --filter @groundcontrol/cli build:sea)",
  );
}
const isRoot = process.platform === "linux" && process.getuid?.() === 0;

describe.skipIf(!built)("the standalone binary", () => {
  let home = "";
  let binary = "";
  // The embedded native module is extracted under TMPDIR: a private one shows what is left.
  let scratch = "";

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "gc-standalone-"));
    binary = join(home, "groundcontrol");
    copyFileSync(BINARY, binary);
    chmodSync(binary, 0o755);
    scratch = mkdtempSync(join(tmpdir(), "gc-standalone-tmp-"));
  });

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  const env = () => ({ TMPDIR: scratch });

  it("prints no warning of Node's own, with DEBUG tracing on as well", async () => {
    const config = join(home, "quiet.toml");
    writeFileSync(config, '[[processes]]\nname = "quiet"\nrun = ["/bin/sh", "-c", "exit 0"]\n');
    for (const debug of [undefined, "groundcontrol:*"]) {
      const done = await runIn(home, [binary, config], { ...env(), DEBUG: debug }).finished;
      expect(done.code).toBe(0);
      expect(done.stderr).not.toMatch(/Warning/);
    }
    rmSync(config);
  });

  it("needs nothing beside it: --version and --check", () => {
    expect(readdirSync(home)).toEqual(["groundcontrol"]);
    expect(execFileSync(binary, ["--version"], { cwd: home, encoding: "utf8" })).toMatch(
      /^groundcontrol \d+\.\d+\.\d+/,
    );
    const example = copyExample("litestream");
    try {
      const plan = execFileSync(binary, ["--check", join(example.dir, "groundcontrol.toml")], {
        encoding: "utf8",
      });
      expect(plan).toMatch(/valid \(2 processes\)/);
    } finally {
      example.remove();
    }
  });

  it("runs the Litestream-style example to the end, and leaves no extracted file", async () => {
    const example = copyExample("litestream");
    try {
      const done = await runIn(example.dir, [binary], env()).finished;
      expect(done.code).toBe(0);
      expect(done.stderr).not.toMatch(/cannot reap|native/);
      // Nothing of Node's own: its require() inside the binary warns about names it cannot load.
      expect(done.stderr).not.toMatch(/\(node:\d+\) Warning/);
      inOrder(done.stdout, [
        "litestream | replicating to: file://replica/app.db",
        "app | done: 4 rows, exiting",
        "litestream | final sync of data/app.db done, exiting",
      ]);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      example.remove();
    }
  });

  // Its Node (the pinned LTS) runs no microtasks after a native poll callback, where Node 20
  // does: a READY=1 read there once settled nothing until the timeout.
  it("opens a notify gate on READY=1 at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-standalone-notify-"));
    try {
      const config = join(dir, "groundcontrol.toml");
      const send =
        "import os, socket, time; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET']); time.sleep(600)";
      writeFileSync(
        config,
        `suppress_timestamps = true
control-socket = false

[[processes]]
name = "daemon"
run = ["python3", "-c", "${send}"]
ready = { notify = true, timeout = "20s" }

[[processes]]
name = "after"
run = ["/bin/sh", "-c", "echo gate-open"]
`,
      );
      const done = await runIn(dir, [binary, config], env()).finished;
      expect(done.stdout).toMatch(/after +\| gate-open/);
      expect(done.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.runIf(isRoot)("as root", () => {
    const suffix = `${process.pid}${Date.now() % 100000}`;
    const user = `gcsea${suffix}`;
    const group = `gcseax${suffix}`;

    beforeAll(() => {
      execFileSync("groupadd", [group]);
      execFileSync("useradd", ["-M", "-U", "-d", `/home/${user}`, "-G", group, user]);
    });

    afterAll(() => {
      try {
        execFileSync("userdel", [user], { stdio: "ignore" });
      } catch {}
      try {
        execFileSync("groupdel", [group], { stdio: "ignore" });
      } catch {}
    });

    it("runs a command as a user with its supplementary groups (its own exec-as mode)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "gc-standalone-user-"));
      try {
        const config = join(dir, "groundcontrol.toml");
        const toml = `
[[processes]]
name = "who"
run = { user = "${user}", command = ["/bin/sh", "-c", "echo groups=$(id -Gn) home=$HOME"] }
`;
        writeFileSync(config, toml);
        const done = await runIn(dir, [binary, config], env()).finished;
        expect(done.stderr).not.toMatch(/exec-as/);
        expect(done.code).toBe(0);
        // Node's own spawn would have dropped the extra group: this went through the helper.
        expect(done.stdout).toMatch(new RegExp(`groups=${user} ${group} home=/home/${user}`));
        expect(readdirSync(scratch)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.runIf(canUnshare)("reaps orphans as PID 1 with the embedded bridge", async () => {
      const dir = mkdtempSync(join(tmpdir(), "gc-standalone-pid1-"));
      try {
        const config = join(dir, "groundcontrol.toml");
        // 500 orphans, then wait until no zombie is left in the namespace: exit 42 when clean.
        const toml = `
[[processes]]
name = "storm"
run = ["/bin/sh", "-c", "i=0; while [ $i -lt 500 ]; do ( true & ); i=$((i+1)); done; n=0; while [ $n -lt 200 ]; do z=$(grep -ls '^State:.Z' /proc/[0-9]*/status | wc -l); [ $z -eq 0 ] && exit 42; n=$((n+1)); sleep 0.05; done; echo zombies=$z; exit 3"]
`;
        writeFileSync(config, toml);
        const running = runIn(dir, [...AS_PID1, binary, config], env());
        const done = await running.finished;
        expect(done.stdout).not.toMatch(/zombies=/);
        expect(done.stderr).not.toMatch(/cannot reap/);
        expect(done.code).toBe(42);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

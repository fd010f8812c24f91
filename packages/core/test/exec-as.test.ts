// Commands run as real users (created for the test), spawned the way the supervisor does: groups,
// environment, exit status, file permissions, signal dispositions and inherited descriptors.

import { type ChildProcess, execFileSync, type StdioOptions, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planLaunch, type UserLaunch } from "../src/user-switch.js";
import { resolveUser } from "../src/users.js";

const helperScript = fileURLToPath(new URL("../dist/exec-as.js", import.meta.url));
const HELPER = [process.execPath, helperScript];
const usable = process.platform === "linux" && process.getuid?.() === 0;

// Unique names, so parallel or aborted runs never collide; removed in afterAll.
const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const names = {
  extraA: `gcta${tag}`,
  extraB: `gctb${tag}`,
  member: `gctm${tag}`, // member of extraA and extraB
  loner: `gctl${tag}`, // no supplementary groups
};

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  plan: UserLaunch;
}

const BASE_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/root",
  USER: "root",
  LOGNAME: "root",
};

/** Resolves `spec`, plans the launch and spawns it as the supervisor would. */
async function runAs(
  spec: string,
  argv: string[],
  options: { env?: Record<string, string>; stdio?: StdioOptions; fdCount?: number } = {},
  onSpawn?: (child: ChildProcess) => void,
): Promise<Result> {
  const [program, ...args] = argv as [string, ...string[]];
  const plan = planLaunch(resolveUser(spec), program, args, HELPER, {
    env: options.env ?? BASE_ENV,
    fdCount: options.fdCount,
  });
  const child = spawn(plan.file, plan.args, {
    uid: plan.uid,
    gid: plan.gid,
    env: plan.env,
    stdio: options.stdio ?? ["ignore", "pipe", "pipe"],
    detached: true,
  });
  onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, plan }));
  });
}

function gidOf(group: string): number {
  return Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]);
}

describe.skipIf(!usable)("running commands as a user (root, Linux)", () => {
  let dir = "";

  beforeAll(() => {
    if (!existsSync(helperScript)) {
      throw new Error(
        `${helperScript} is missing: run \`pnpm --filter @groundcontrol/core build\``,
      );
    }
    execFileSync("groupadd", [names.extraA]);
    execFileSync("groupadd", [names.extraB]);
    const extra = `${names.extraA},${names.extraB}`;
    execFileSync("useradd", [
      "-M",
      "-U",
      "-d",
      `/home/${names.member}`,
      "-s",
      "/bin/sh",
      "-G",
      extra,
      names.member,
    ]);
    execFileSync("useradd", [
      "-M",
      "-U",
      "-d",
      `/home/${names.loner}`,
      "-s",
      "/bin/sh",
      names.loner,
    ]);
    // The directory is traversable by anyone, so only the file's own mode can refuse a read.
    dir = mkdtempSync(join(tmpdir(), "gc-exec-as-"));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "secret"), "root only\n", { mode: 0o600 });
    writeFileSync(join(dir, "not-executable"), "#!/bin/sh\necho hi\n", { mode: 0o644 });
  });

  afterAll(() => {
    for (const user of [names.member, names.loner]) {
      try {
        execFileSync("userdel", [user], { stdio: "ignore" });
      } catch {}
    }
    for (const group of [names.extraA, names.extraB]) {
      try {
        execFileSync("groupdel", [group], { stdio: "ignore" });
      } catch {}
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("gives exactly the user's groups (never root's), HOME, USER and LOGNAME", async () => {
    const result = await runAs(names.member, [
      "sh",
      "-c",
      'id -u; id -g; id -G; echo "$HOME|$USER|$LOGNAME"',
    ]);
    expect(result.plan.viaHelper).toBe(true);
    expect(result.stderr).toBe("");
    const [uid, gid, groups, env] = result.stdout.trim().split("\n");
    const user = resolveUser(names.member);
    expect(Number(uid)).toBe(user.uid);
    expect(Number(gid)).toBe(user.gid);
    const expected = [user.gid, gidOf(names.extraA), gidOf(names.extraB)];
    expect(groups?.split(" ").map(Number).sort()).toEqual(expected.sort());
    expect(groups?.split(" ")).not.toContain("0");
    expect(env).toBe(`/home/${names.member}|${names.member}|${names.member}`);
  });

  it("gives the named group alone with name:group", async () => {
    const result = await runAs(`${names.member}:${names.extraB}`, ["id", "-G"]);
    expect(result.plan.viaHelper).toBe(false);
    expect(result.stdout.trim()).toBe(String(gidOf(names.extraB)));
  });

  it("takes the direct path for a user without supplementary groups", async () => {
    const result = await runAs(names.loner, ["sh", "-c", 'id -G; echo "$USER"']);
    expect(result.plan.viaHelper).toBe(false);
    expect(result.plan.file).toBe("sh");
    expect(result.plan.uid).toBe(resolveUser(names.loner).uid);
    expect(result.stdout.trim().split("\n")).toEqual([
      String(resolveUser(names.loner).gid),
      names.loner,
    ]);
  });

  it("keeps the command's exit status and terminating signal (exec in place)", async () => {
    expect(await runAs(names.member, ["sh", "-c", "exit 7"])).toMatchObject({
      code: 7,
      signal: null,
    });
    expect(await runAs(names.member, ["sh", "-c", "kill -TERM $$"])).toMatchObject({
      code: null,
      signal: "SIGTERM",
    });
  });

  it("cannot read a root-owned mode-600 file (root can)", async () => {
    const denied = await runAs(names.member, ["cat", join(dir, "secret")]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Permission denied/);
    const control = await runAs("root", ["cat", join(dir, "secret")]);
    expect(control).toMatchObject({ code: 0, stdout: "root only\n" });
  });

  it("exits 127 for a missing program and 126 for a non-executable one, naming execvp", async () => {
    const missing = await runAs(names.member, ["no-such-program-gc"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/execvp\("no-such-program-gc"\) failed: ENOENT/);
    const notExecutable = await runAs(names.member, [join(dir, "not-executable")]);
    expect(notExecutable.code).toBe(126);
    expect(notExecutable.stderr).toMatch(/execvp\(.*\) failed: EACCES/);
  });

  it("starts the command with default signal dispositions and an empty signal mask", async () => {
    const result = await runAs(names.member, ["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"]);
    expect(result.stdout).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  });

  it("hands a readiness descriptor through when asked to", async () => {
    const stdio: StdioOptions = ["ignore", "pipe", "pipe", "pipe"];
    const command = ["sh", "-c", "echo ready >&3"];
    let fd3 = "";
    const withFd = await runAs(names.member, command, { stdio, fdCount: 4 }, (child) => {
      (child.stdio[3] as Readable).setEncoding("utf8").on("data", (chunk: string) => {
        fd3 += chunk;
      });
    });
    expect(withFd.code).toBe(0);
    expect(fd3).toBe("ready\n");
    // Control: without it, Node's close-on-exec mark closes fd 3 at exec.
    const without = await runAs(names.member, command, { stdio });
    expect(without.code).not.toBe(0);
  });

  it("hands NODE_* variables to the command without applying them to the helper", async () => {
    const env = {
      ...BASE_ENV,
      NODE_OPTIONS: "--require /no/such/preload.js",
      NODE_ENV: "production",
    };
    const result = await runAs(names.member, ["sh", "-c", 'echo "$NODE_OPTIONS|$NODE_ENV"; env'], {
      env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("--require /no/such/preload.js|production");
    expect(result.stdout).not.toMatch(/GROUNDCONTROL_EXEC_AS_/);
  });

  it("leaves HOME, USER and LOGNAME out when the environment does not have them", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    const script = 'echo "${HOME-unset}|${USER-unset}"';
    const result = await runAs(names.member, ["sh", "-c", script], {
      env: { PATH: BASE_ENV.PATH },
    });
    expect(result.stdout).toBe("unset|unset\n");
  });
});

if (!usable) {
  it.skip("user switching tests need root on Linux (they create users with useradd)", () => {});
}

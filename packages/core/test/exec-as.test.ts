// Commands run as real users (created for the test), spawned the way a process does: groups,
// environment, exit status, file permissions, signal dispositions, descriptors, and the exec-as
// helper's promise that nothing of the command's environment reaches a process running as root.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveUser } from "../src/users.js";
import { BASE_ENV, runCommand, startCommand } from "./run-command.js";

/** Polls until `condition` holds (the output of a running command, here). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const helperScript = fileURLToPath(new URL("../dist/exec-as-main.js", import.meta.url));
const usable = process.platform === "linux" && process.getuid?.() === 0;

// Unique names, so parallel or aborted runs never collide; removed in afterAll.
const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const names = {
  extraA: `gcta${tag}`,
  extraB: `gctb${tag}`,
  member: `gctm${tag}`, // member of extraA and extraB: through the helper
  loner: `gctl${tag}`, // no supplementary groups: Node's own uid/gid
};

const gidOf = (group: string) =>
  Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]);

const sh = (script: string, user: string) => ({
  program: "sh",
  args: ["-c", script],
  user,
});

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
    const common = ["-M", "-U", "-s", "/bin/sh"];
    execFileSync("useradd", [
      ...common,
      "-d",
      `/home/${names.member}`,
      "-G",
      `${names.extraA},${names.extraB}`,
      names.member,
    ]);
    execFileSync("useradd", [...common, "-d", `/home/${names.loner}`, names.loner]);
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
    const result = await runCommand(
      sh('id -u; id -g; id -G; echo "$HOME|$USER|$LOGNAME"', names.member),
    );
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

  it("gives the named group alone with name:group, and a loner its own group", async () => {
    const named = await runCommand({
      program: "id",
      args: ["-G"],
      user: `${names.member}:${names.extraB}`,
    });
    expect(named.stdout.trim()).toBe(String(gidOf(names.extraB)));
    const loner = await runCommand(sh('id -G; echo "$USER"', names.loner));
    expect(loner.stdout.trim().split("\n")).toEqual([
      String(resolveUser(names.loner).gid),
      names.loner,
    ]);
  });

  it("keeps the command's exit status and terminating signal (exec in place)", async () => {
    expect((await runCommand(sh("exit 7", names.member))).status).toEqual({
      kind: "exited",
      code: 7,
    });
    expect((await runCommand(sh("kill -TERM $$", names.member))).status).toEqual({
      kind: "signaled",
      signal: "SIGTERM",
    });
  });

  it("cannot read a root-owned mode-600 file (root can)", async () => {
    const denied = await runCommand({
      program: "cat",
      args: [join(dir, "secret")],
      user: names.member,
    });
    expect(denied.status).not.toEqual({ kind: "exited", code: 0 });
    expect(denied.stderr).toMatch(/Permission denied/);
    const control = await runCommand({ program: "cat", args: [join(dir, "secret")] });
    expect(control.stdout).toBe("root only\n");
  });

  it.each([["member"], ["loner"]] as const)(
    "tells a missing program (127) from a non-executable one (126) before spawning (%s)",
    async (which) => {
      const missing = await runCommand({
        program: "no-such-program-gc",
        args: [],
        user: names[which],
      });
      expect(missing.status).toMatchObject({ kind: "failed", code: 127 });
      const notExecutable = await runCommand({
        program: join(dir, "not-executable"),
        args: [],
        user: names[which],
      });
      expect(notExecutable.status).toMatchObject({ kind: "failed", code: 126 });
    },
  );

  it.each([["member"], ["loner"]] as const)(
    "starts the command with default dispositions, an empty signal mask, stdin /dev/null (%s)",
    async (which) => {
      const result = await runCommand({
        program: "sh",
        args: ["-c", "grep -E '^Sig(Ign|Blk)' /proc/self/status; readlink /proc/self/fd/0"],
        user: names[which],
      });
      expect(result.stdout).toBe(
        "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n/dev/null\n",
      );
    },
  );

  it("hands the readiness descriptor through, and no other", async () => {
    let fromFd = "";
    const started = await startCommand(sh("echo ready >&5; exec sleep 600", names.member), {
      notifyFd: 5,
      onSpawn: (command) =>
        command.notify!.setEncoding("utf8").on("data", (chunk: string) => {
          fromFd += chunk;
        }),
    });
    await until(() => fromFd === "ready\n");
    // Once sleep runs (until its exec, the shell may hold a descriptor of its own), read from
    // outside: sleep holds exactly what it inherited.
    const comm = `/proc/${started.command.pid}/comm`;
    await until(() => readFileSync(comm, "utf8").trim() === "sleep");
    const fds = readdirSync(`/proc/${started.command.pid}/fd`).map(Number);
    expect(fds.sort((a, b) => a - b)).toEqual([0, 1, 2, 5]);
    started.command.signalGroup("SIGKILL");
    await started.result;
  });

  it("hands the command its whole environment, NODE_* and LD_* included", async () => {
    const env = {
      ...BASE_ENV,
      NODE_OPTIONS: "--require /no/such/preload.js",
      LD_LIBRARY_PATH: "/x",
    };
    const result = await runCommand(sh('echo "$NODE_OPTIONS|$LD_LIBRARY_PATH"', names.member), {
      env,
    });
    expect(result.stdout).toBe("--require /no/such/preload.js|/x\n");
  });

  it("starts the helper as root with an empty environment and none of the command's argv", async () => {
    // A stand-in helper that shows what a process starting as root gets, then does nothing.
    const spy = join(dir, "spy.sh");
    writeFileSync(spy, "#!/bin/sh\nid -u; env | sort | tr '\\n' ' '; echo; echo \"$@\"; cat\n", {
      mode: 0o755,
    });
    const result = await runCommand(sh("echo never-runs", names.member), {
      env: { ...BASE_ENV, LD_PRELOAD: "/tmp/evil.so", SECRET: "s3cr3t" },
      helper: [spy, "--exec-as"],
    });
    const [uid, env, argv, request] = result.stdout.split("\n");
    expect(uid).toBe("0");
    // sh sets PWD (and dash nothing else) on its own; nothing came from us.
    expect(
      env!
        .trim()
        .split(" ")
        .filter((entry) => !entry.startsWith("PWD=")),
    ).toEqual([]);
    expect(argv).toBe("--exec-as");
    // The environment travels on stdin, for the final execve only.
    expect(JSON.parse(request!).env).toContain("SECRET=s3cr3t");
  });

  it("holds back forwarded signals until the helper has exec'd, then delivers them", async () => {
    // A stand-in helper, slow on purpose: it reads its request, traps SIGUSR1 (which the real
    // helper, a Node process running as root, must never get: it would open Node's inspector),
    // waits for a flag, then "execs" by letting go of its stdin, the socket that says so.
    const flag = join(dir, "flag");
    const script = [
      "cat >/dev/null",
      "trap 'echo helper-got-usr1' USR1",
      "echo helper-waiting",
      `while [ ! -e ${flag} ]; do sleep 0.01; done`,
      "trap 'echo program-got-usr1' USR1",
      "exec 0</dev/null",
      "echo program-running",
      "while :; do sleep 0.01; done",
    ].join("; ");
    const started = await startCommand(sh("true", names.member), {
      helper: ["/bin/sh", "-c", script],
    });
    const { command, output } = started;
    await until(() => output.stdout.includes("helper-waiting"));
    expect(command.forward("SIGUSR1")).toBe(true);
    writeFileSync(flag, "");
    await until(() => output.stdout.includes("program-got-usr1"));
    expect(output.stdout).not.toContain("helper-got-usr1");
    // From now on, straight through.
    command.forward("SIGUSR1");
    await until(() => output.stdout.split("program-got-usr1").length === 3);
    command.signalGroup("SIGKILL");
    await started.result;
  });

  it.each([["member"], ["loner"]] as const)(
    "starts in Ground Control's directory when the command has no cwd (%s)",
    async (which) => {
      const result = await runCommand({ program: "/bin/pwd", args: [], user: names[which] });
      expect(result.stdout).toBe(`${process.cwd()}\n`);
    },
  );

  it("leaves HOME, USER and LOGNAME out when the environment does not have them", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    const result = await runCommand(sh('echo "${HOME-unset}|${USER-unset}"', names.member), {
      env: { PATH: BASE_ENV.PATH! },
    });
    expect(result.stdout).toBe("unset|unset\n");
  });
});

if (!usable) {
  it.skip("user switching tests need root on Linux (they create users with useradd)", () => {});
}

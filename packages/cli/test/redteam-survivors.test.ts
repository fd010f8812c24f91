// Red-team attacks on "nothing survives, within one deadline" (docs/pid1.md "Security model"):
// after a SIGTERM, no descendant of any command may be left, and shutdown-timeout bounds the
// whole shutdown. Each test here is an attack that once worked; it guards the fix.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AS_PID1,
  alive,
  canUnshare,
  type Scenario,
  until,
  withScenario,
} from "./helpers/harness.js";

/** True while any thread of `pid` is alive: a process whose main thread exited still runs. */
function anyThreadAlive(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((task) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
      return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? "");
    } catch {
      return false;
    }
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

const haveCc = (() => {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

// A daemon whose main thread exits while another thread runs on: /proc/<pid>/stat then says
// "Z", and a sweep that skips zombies never signals it.
const ZOMBIE_LEADER_C = String.raw`
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *spin(void *arg) { (void)arg; for (;;) pause(); return NULL; }
int main(int argc, char **argv) {
  if (fork() != 0) return 0;
  setsid();
  pthread_t t;
  pthread_create(&t, NULL, spin, NULL);
  FILE *f = fopen(argv[1], "w");
  fprintf(f, "%d\n", getpid());
  fclose(f);
  pthread_exit(NULL);
}
`;

// Level N ignores SIGTERM, starts level N-1 in a session of its own, and stays: level N-1 only
// becomes an orphan of Ground Control once level N is gone, one level per kill round.
const CHAIN_SH = `trap '' TERM
n=$1; dir=$2
if [ "$n" -gt 0 ]; then setsid /bin/sh "$0" $((n - 1)) "$dir" & fi
echo $$ > "$dir/chain-$n.pid.tmp" && mv "$dir/chain-$n.pid.tmp" "$dir/chain-$n.pid"
exec sleep 600
`;
const LEVELS = 150;

function chainPids(s: Scenario): number[] {
  return Array.from({ length: LEVELS + 1 }, (_, n) => s.pidOf(`chain-${n}`));
}

async function startChain(s: Scenario): Promise<number[]> {
  await s.waitForOutput(/chain-started/);
  await until(
    () =>
      Array.from({ length: LEVELS + 1 }, (_, n) => n).every((n) =>
        existsSync(join(s.dir, `chain-${n}.pid`)),
      ),
    `all ${LEVELS + 1} levels of the chain`,
  );
  return chainPids(s);
}

const chainConfig = (extra: string) => `
suppress_timestamps = true
control-socket = false
${extra}

[[processes]]
name = "chain"
pre = ["/bin/sh", "-c", "/bin/sh ${tools}/chain.sh ${LEVELS} {dir} & echo chain-started"]
run = ["/bin/sh", "-c", "exec sleep 600"]
`;

/** The attack's programs, made before any Ground Control starts. */
let tools = "";

describe.runIf(process.platform === "linux")("red team: nothing survives", () => {
  beforeAll(() => {
    tools = mkdtempSync(join(tmpdir(), "gc-redteam-tools-"));
    writeFileSync(join(tools, "chain.sh"), CHAIN_SH);
    if (haveCc) {
      writeFileSync(join(tools, "zombie-leader.c"), ZOMBIE_LEADER_C);
      execFileSync("cc", [
        "-pthread",
        "-o",
        join(tools, "zombie-leader"),
        join(tools, "zombie-leader.c"),
      ]);
    }
  });
  afterAll(() => rmSync(tools, { recursive: true, force: true }));

  it.runIf(haveCc)(
    "ends a daemon whose main thread has exited (as a child subreaper)",
    async () => {
      await withScenario(
        `
suppress_timestamps = true
control-socket = false

[[processes]]
name = "daemonizer"
pre = ["${tools}/zombie-leader", "{dir}/leader.pid"]
run = ["/bin/sh", "-c", "echo up; exec sleep 600"]
`,
        async (s) => {
          const daemon = await s.waitForPid("leader");
          try {
            await s.waitForOutput(/up/);
            s.signal("SIGTERM");
            const done = await s.finished;
            expect(done.code).toBe(0);
            expect(anyThreadAlive(daemon)).toBe(false);
          } finally {
            killQuietly(daemon);
          }
        },
      );
    },
  );

  it(`ends every level of a ${LEVELS + 1}-deep chain of detached daemons (as a child subreaper)`, async () => {
    await withScenario(chainConfig(""), async (s) => {
      const pids = await startChain(s);
      try {
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(pids.filter(alive)).toEqual([]);
      } finally {
        pids.forEach(killQuietly);
      }
    });
  }, 60_000);

  it.runIf(canUnshare)(
    `exits within shutdown-timeout with a ${LEVELS + 1}-deep chain of detached daemons (as PID 1)`,
    async () => {
      await withScenario(
        chainConfig('shutdown-timeout = "1s"'),
        async (s) => {
          // The pid files hold pids of the namespace: nothing here may signal them from outside
          // (the kernel ends the namespace with its PID 1).
          await startChain(s);
          const childrenFile = `/proc/${s.child.pid}/task/${s.child.pid}/children`;
          const pid1 = Number(readFileSync(childrenFile, "utf8").trim().split(/\s+/)[0]);
          const signalled = Date.now();
          process.kill(pid1, "SIGTERM");
          await s.finished;
          // The deadline is 1 s; a little slack for the exit itself.
          expect(Date.now() - signalled).toBeLessThan(1_500);
        },
        { wrapper: AS_PID1 },
      );
    },
    60_000,
  );

  it.runIf(canUnshare)(
    "ends a daemon that keeps forking itself into new sessions (as PID 1)",
    async () => {
      // Each generation forks, the parent exits and the child starts a session of its own: at
      // any moment one process, never the same pid for long, and never in a group Ground
      // Control made. No sweep by pid can catch it (each pid is gone before it is signalled);
      // as PID 1, Ground Control's exit ends the whole namespace with it. As a child subreaper
      // of another init it cannot (docs/pid1.md, "What it cannot do").
      const marker = `hopper-${process.pid}`;
      await withScenario(
        `
suppress_timestamps = true
control-socket = false

[[processes]]
name = "hopper"
pre = ["/usr/bin/perl", "-e", "use POSIX; $SIG{TERM} = 'IGNORE'; exit 0 if fork; while (1) { my $p = fork; next unless defined $p; POSIX::_exit(0) if $p; POSIX::setsid(); }", "${marker}"]
run = ["/bin/sh", "-c", "echo started; exec sleep 600"]
`,
        async (s) => {
          await s.waitForOutput(/started/);
          const childrenFile = `/proc/${s.child.pid}/task/${s.child.pid}/children`;
          const pid1 = Number(readFileSync(childrenFile, "utf8").trim().split(/\s+/)[0]);
          process.kill(pid1, "SIGTERM");
          expect((await s.finished).code).toBe(0);
          let seen = 0;
          for (let i = 0; i < 50; i++) {
            if (spawnSync("pgrep", ["-f", marker]).status === 0) seen++;
          }
          expect(seen).toBe(0);
        },
        { wrapper: AS_PID1 },
      );
    },
    90_000,
  );

  it("exits within shutdown-timeout while a client keeps the control socket open", async () => {
    await withScenario(
      `
suppress_timestamps = true
control-socket = "{dir}/gc.sock"
shutdown-timeout = "1s"

[[processes]]
name = "app"
run = ["/bin/sh", "-c", "echo app-up; exec sleep 600"]
`,
      async (s) => {
        await s.waitForOutput(/app-up/);
        // A client that asks for the status now and then and never reads an answer: a stuck
        // monitoring script, or an attacker with root.
        const client = connect(join(s.dir, "gc.sock"));
        client.on("error", () => {});
        await new Promise((resolve) => client.once("connect", resolve));
        const asking = setInterval(() => client.write("\n"), 500);
        try {
          const signalled = Date.now();
          s.signal("SIGTERM");
          await s.waitForOutput(/all processes stopped/);
          // Once everything is stopped, another termination signal must end it at once.
          s.signal("SIGTERM");
          const exited = await Promise.race([
            s.finished.then(() => true),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
          ]);
          expect(exited, "Ground Control still runs 5 s after two SIGTERMs").toBe(true);
          expect(Date.now() - signalled).toBeLessThan(1_500);
        } finally {
          clearInterval(asking);
          client.destroy();
        }
      },
    );
  }, 30_000);
});

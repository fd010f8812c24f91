// Ground Control as PID 1 of a pid namespace (a container's real conditions), and as a child
// subreaper when another init is PID 1.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  AS_PID1,
  alive,
  canUnshare,
  type Scenario,
  until,
  withScenario,
} from "./helpers/harness.js";

if (!canUnshare) console.warn("pid1 tests skipped: they need root and unshare(1) on Linux");

/** The pid (in our namespace) of Ground Control running as PID 1 under unshare --fork. */
async function groundControlPid(s: Scenario): Promise<number> {
  const unsharePid = s.child.pid!;
  const childrenFile = `/proc/${unsharePid}/task/${unsharePid}/children`;
  await until(() => readFileSync(childrenFile, "utf8").trim() !== "", "unshare's child");
  return Number(readFileSync(childrenFile, "utf8").trim().split(/\s+/)[0]);
}

const fiftyProcesses = Array.from(
  { length: 50 },
  (_, i) => `
[[processes]]
name = "short${i}"
pre = ["/bin/sh", "-c", "echo short${i} >> {results}"]
`,
).join("");

describe.runIf(canUnshare)("as PID 1", () => {
  it("reaps 10,000 orphans while its own commands keep their exit statuses", async () => {
    await withScenario(
      `
suppress_timestamps = true

[[processes]]
name = "storm"
# Each ( true & ) leaves an orphan to PID 1; then the storm stays up, quietly.
run = ["/bin/sh", "-c", "i=0; while [ $i -lt 10000 ]; do ( true & ); i=$((i+1)); done; echo storm-done >> {results}; exec sleep 600"]
${fiftyProcesses}
[[processes]]
name = "checker"
# Waits for the storm, then for every zombie in the namespace to be gone; exits 42 when clean.
run = ["/bin/sh", "-c", "until grep -q storm-done {results}; do sleep 0.05; done; n=0; while [ $n -lt 400 ]; do z=$(grep -ls '^State:.Z' /proc/[0-9]*/status | wc -l); [ $z -eq 0 ] && exit 42; n=$((n+1)); sleep 0.05; done; echo zombies=$z; exit 3"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.stdout).not.toMatch(/zombies=/);
        expect(done.code).toBe(42); // the checker's own status, intact
        const lines = s.transcriptLines();
        for (let i = 0; i < 50; i++) expect(lines).toContain(`short${i}`);
        expect(done.stderr).not.toMatch(/cannot reap/);
      },
      { wrapper: AS_PID1 },
    );
  }, 120_000);

  it.each(["SIGTERM", "SIGINT", "SIGQUIT"] as const)("handles %s as PID 1", async (signal) => {
    await withScenario(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "{daemon}", "daemon", "{results}", "{dir}"]
post = ["/bin/sh", "-c", "echo daemon-post >> {results}"]
`,
      async (s) => {
        await s.waitForPid("daemon");
        process.kill(await groundControlPid(s), signal);
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcript()).toBe(
          "daemon:started\ndaemon:shutdown-requested\ndaemon:stopped\ndaemon-post\n",
        );
      },
      { wrapper: AS_PID1 },
    );
  });
});

describe.runIf(process.platform === "linux")("as a child subreaper", () => {
  it("adopts and reaps an orphaned grandchild, and ends it at shutdown", async () => {
    await withScenario(
      `
[[processes]]
name = "daemon"
# setsid takes the grandchild out of the daemon's process group, so only adoption can find it.
run = ["/bin/sh", "-c", "( setsid sleep 600 & echo $! > {dir}/grandchild.pid.tmp; mv {dir}/grandchild.pid.tmp {dir}/grandchild.pid ); exec sleep 600"]
`,
      async (s) => {
        const grandchild = await s.waitForPid("grandchild");
        const parentOf = (pid: number) => {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        };
        await until(() => parentOf(grandchild) === s.child.pid, "the grandchild to be re-parented");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        await until(() => !alive(grandchild), "the adopted grandchild to die");
      },
    );
  });

  it("reaps an orphan that exits while Ground Control runs", async () => {
    await withScenario(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "( sh -c 'echo $$ > {dir}/orphan.pid.tmp; mv {dir}/orphan.pid.tmp {dir}/orphan.pid; exit 0' & ); exec sleep 600"]
`,
      async (s) => {
        const orphan = await s.waitForPid("orphan");
        // A zombie orphan not reaped would linger with state Z until Ground Control exits.
        await until(() => {
          try {
            readFileSync(`/proc/${orphan}/stat`);
            return false;
          } catch {
            return true;
          }
        }, "the orphan to be reaped");
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
      },
    );
  });
});

/** A run that leaves the setsid chain of fixtures/setsid-chain.sh behind. */
const chain = `
[[processes]]
name = "chain"
run = ["/bin/sh", "{fixtures}/setsid-chain.sh", "{dir}"]
`;

// As PID 1 the kernel ends every process of the namespace when Ground Control exits; as a
// child subreaper, Ground Control must do it itself.
describe.runIf(process.platform === "linux")("nothing survives", () => {
  it("ends a chain of setsid descendants that ignore SIGTERM, as a child subreaper", async () => {
    await withScenario(chain, async (s) => {
      const a = await s.waitForPid("A");
      const b = await s.waitForPid("B");
      s.signal("SIGTERM");
      const done = await s.finished;
      expect(done.code).toBe(0);
      // Checked the moment Ground Control is gone: nothing may be left to die later.
      expect([a, b].filter(alive)).toEqual([]);
    });
  });
});

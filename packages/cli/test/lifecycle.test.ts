// Whole lifecycles: one-shots beside daemons, several daemons, a daemon that exits first.
import { describe, expect, it } from "vitest";
import { alive, until, withScenario } from "./helpers/harness.js";

const twoDaemons = `
[[processes]]
name = "daemon1"
pre = ["/bin/sh", "-c", "echo daemon1-pre >> {results}"]
run = ["/bin/sh", "{daemon}", "daemon1", "{results}", "{dir}"]
post = ["/bin/sh", "-c", "echo daemon1-post >> {results}"]

[[processes]]
name = "wait-daemon1"
pre = ["/bin/sh", "{wait}", "daemon1", "{dir}"]

[[processes]]
name = "daemon2"
pre = ["/bin/sh", "-c", "echo daemon2-pre >> {results}"]
run = ["/bin/sh", "{daemon}", "daemon2", "{results}", "{dir}"]
post = ["/bin/sh", "-c", "echo daemon2-post >> {results}"]
`;

describe("lifecycle", () => {
  it("a one-shot, then a daemon that exits", async () => {
    await withScenario(
      `
[[processes]]
name = "oneshot"
pre = ["/bin/sh", "-c", "echo oneshot-pre >> {results}"]
post = ["/bin/sh", "-c", "echo oneshot-post >> {results}"]

[[processes]]
name = "daemon"
pre = ["/bin/sh", "-c", "echo daemon-pre >> {results}"]
run = ["/bin/sh", "-c", "echo daemon >> {results}"]
post = ["/bin/sh", "-c", "echo daemon-post >> {results}"]
`,
      async (s) => {
        expect((await s.finished).code).toBe(0);
        expect(s.transcript()).toBe("oneshot-pre\ndaemon-pre\ndaemon\ndaemon-post\noneshot-post\n");
      },
    );
  });

  it("several daemons shut down gracefully in reverse order", async () => {
    await withScenario(twoDaemons, async (s) => {
      await s.waitForPid("daemon2");
      s.signal("SIGTERM");
      expect((await s.finished).code).toBe(0);
      expect(s.transcriptLines()).toEqual([
        "daemon1-pre",
        "daemon1:started",
        "daemon2-pre",
        "daemon2:started",
        "daemon2:shutdown-requested",
        "daemon2:stopped",
        "daemon2-post",
        "daemon1:shutdown-requested",
        "daemon1:stopped",
        "daemon1-post",
      ]);
    });
  });

  it("the first daemon exiting shuts the others down; it is not stopped again", async () => {
    await withScenario(twoDaemons, async (s) => {
      await s.waitForPid("daemon2");
      process.kill(s.pidOf("daemon1"), "SIGTERM");
      expect((await s.finished).code).toBe(0);
      expect(s.transcriptLines()).toEqual([
        "daemon1-pre",
        "daemon1:started",
        "daemon2-pre",
        "daemon2:started",
        "daemon1:shutdown-requested",
        "daemon1:stopped",
        "daemon2:shutdown-requested",
        "daemon2:stopped",
        "daemon2-post",
        "daemon1-post",
      ]);
    });
  });

  it.each(["SIGTERM", "SIGINT", "SIGQUIT"] as const)(
    "%s starts a graceful shutdown",
    async (signal) => {
      await withScenario(twoDaemons, async (s) => {
        await s.waitForPid("daemon2");
        s.signal(signal);
        expect((await s.finished).code).toBe(0);
        expect(s.transcriptLines().slice(-3)).toEqual([
          "daemon1:shutdown-requested",
          "daemon1:stopped",
          "daemon1-post",
        ]);
      });
    },
  );

  it("a daemon's background grandchild is gone after Ground Control exits", async () => {
    await withScenario(
      `
[[processes]]
name = "parent"
# The grandchild ignores SIGTERM, so only the final sweep of the process group can end it.
run = ["/bin/sh", "-c", "(trap '' TERM; exec sleep 600) & echo $! > {dir}/grandchild.pid; echo $$ > {dir}/parent.pid; wait"]
`,
      async (s) => {
        const grandchild = await s.waitForPid("grandchild");
        await s.waitForPid("parent");
        expect(alive(grandchild)).toBe(true);
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
        await until(() => !alive(grandchild), "the grandchild to die");
      },
    );
  });

  it("leftovers of a run that already exited are killed at the end", async () => {
    await withScenario(
      `
[[processes]]
name = "leaver"
run = ["/bin/sh", "-c", "sleep 600 & echo $! > {dir}/orphan.pid; exit 0"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(0);
        // SIGKILL was sent before Ground Control exited; the kernel finishes it a moment later.
        const orphan = s.pidOf("orphan");
        await until(() => !alive(orphan), "the orphan to die");
      },
    );
  });
});

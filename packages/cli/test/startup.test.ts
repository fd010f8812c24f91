// Startup scenarios of the original Ground Control's suite, run against the real executable.
import { describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

describe("startup", () => {
  it("a daemon that exits 0 at once shuts Ground Control down cleanly", async () => {
    await withScenario(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "echo daemon >> {results}"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcript()).toBe("daemon\n");
      },
    );
  });

  it("a daemon is stopped gracefully on SIGTERM", async () => {
    await withScenario(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "{daemon}", "daemon", "{results}", "{dir}"]
`,
      async (s) => {
        await s.waitForPid("daemon");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcript()).toBe("daemon:started\ndaemon:shutdown-requested\ndaemon:stopped\n");
      },
    );
  });

  it("a daemon that fails at once makes Ground Control exit with its status", async () => {
    await withScenario(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "{daemon}", "daemon"]
`,
      async (s) => {
        const done = await s.finished;
        // `set -u` in the fake daemon trips over the missing arguments: sh exits 2.
        expect(done.code).toBe(2);
        expect(s.transcript()).toBe("");
      },
    );
  });

  it("a run that exits during startup ends startup: nothing more is started", async () => {
    await withScenario(
      `
[[processes]]
name = "quick"
# Exits once the next process's pre is under way.
run = ["/bin/sh", "-c", "until grep -q slow-pre {results} 2>/dev/null; do sleep 0.01; done; echo quick >> {results}; exit 3"]
post = ["/bin/sh", "-c", "echo quick-post >> {results}"]

[[processes]]
name = "slow"
pre = ["/bin/sh", "-c", "echo slow-pre >> {results}; exec sleep 600"]
run = ["/bin/sh", "-c", "echo slow >> {results}"]
post = ["/bin/sh", "-c", "echo slow-post >> {results}"]

[[processes]]
name = "never"
pre = ["/bin/sh", "-c", "echo never-pre >> {results}"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(3);
        // The running pre of "slow" is stopped; "slow" never started, so it has no post.
        expect(s.transcript()).toBe("slow-pre\nquick\nquick-post\n");
      },
    );
  });
});

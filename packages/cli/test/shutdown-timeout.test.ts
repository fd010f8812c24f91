// shutdown-timeout: one deadline for the whole shutdown; daemons that ignore SIGTERM are killed
// when it runs out, whatever their stop-timeout, and posts it leaves no time for are skipped.
import { describe, expect, it } from "vitest";
import { alive, type Scenario, until, withScenario } from "./helpers/harness.js";

/** Waits for `what`, but fails at once (with its stderr) if groundcontrol exits first. */
async function unlessExited<T>(s: Scenario, what: Promise<T>): Promise<T> {
  const exited = s.finished.then((done) => {
    throw new Error(`groundcontrol exited early (code ${done.code}):\n${done.stderr}`);
  });
  // Handled here too: once `what` has won, a later exit must not count as an unhandled rejection.
  exited.catch(() => {});
  return Promise.race([what, exited]);
}

/**
 * Ignores SIGTERM (a `sleep` killed by the group-wide signal does not end its loop); its pid
 * file, written once the trap is set, opens its gate.
 */
const stubborn = (name: string) => `
[[processes]]
name = "${name}"
run = ["/bin/sh", "-c", "trap 'echo ${name}:ignored-term >> {results}' TERM; echo $$ > {dir}/${name}.tmp && mv {dir}/${name}.tmp {dir}/${name}.pid; while :; do sleep 0.1; done"]
ready = { file = "{dir}/${name}.pid" }
stop-timeout = "30s"
post = ["/bin/sh", "-c", "echo ${name}-post >> {results}"]
`;

describe("shutdown-timeout", () => {
  it("kills three daemons that ignore SIGTERM within the deadline, naming the posts it skips", async () => {
    const toml = `shutdown-timeout = "2s"\n${stubborn("a")}${stubborn("b")}${stubborn("c")}`;
    await withScenario(toml, async (s) => {
      await unlessExited(s, s.waitForPid("c"));
      const pids = ["a", "b", "c"].map((name) => s.pidOf(name));

      const began = performance.now();
      s.signal("SIGTERM");
      const done = await s.finished;
      const elapsed = performance.now() - began;

      expect(done.code).toBe(0);
      // c used the whole 2 s; b and a got what was left of it, nothing.
      expect(elapsed).toBeGreaterThanOrEqual(1_900);
      expect(elapsed).toBeLessThan(4_000);
      expect(pids.filter(alive)).toEqual([]);
      const lines = s.transcriptLines();
      // The deadline has passed once c is killed: no post has time left to run.
      expect(lines.filter((line) => line.endsWith("-post"))).toEqual([]);
      expect(lines).toContain("c:ignored-term");
      for (const name of ["a", "b", "c"]) {
        expect(done.stderr).toContain(`process "${name}" did not stop in time; sending SIGKILL`);
        expect(done.stderr).toContain(`skipping the post command of process "${name}"`);
      }
      process.stdout.write(
        `shutdown-timeout 2s: all stopped ${Math.round(elapsed)} ms after SIGTERM\n`,
      );
    });
  });
});

describe("the shutdown deadline bounds everything", () => {
  it("kills a post that hangs at the deadline and skips the posts after it, naming each", async () => {
    const toml = `
shutdown-timeout = "1s"

[[processes]]
name = "first"
post = ["/bin/sh", "-c", "echo first-post >> {results}"]

[[processes]]
name = "hangs"
post = ["/bin/sh", "-c", "echo hangs-post >> {results}; echo $$ > {dir}/post.pid; exec sleep 600"]

[[processes]]
name = "last"
run = ["/bin/sh", "{daemon}", "last", "{results}", "{dir}"]
post = ["/bin/sh", "-c", "echo last-post >> {results}"]
`;
    await withScenario(toml, async (s) => {
      await unlessExited(s, s.waitForPid("last"));
      const began = performance.now();
      s.signal("SIGTERM");
      const done = await s.finished;
      const elapsed = performance.now() - began;
      expect(elapsed).toBeLessThan(3_000);
      expect(s.transcriptLines().filter((line) => line.endsWith("-post"))).toEqual([
        "last-post",
        "hangs-post",
      ]);
      expect(alive(s.pidOf("post"))).toBe(false);
      expect(done.stderr).toMatch(/post command of process "hangs".*deadline/);
      expect(done.stderr).toMatch(/skipping the post command of process "first"/);
    });
  });

  it.each([
    ["at the shutdown deadline", 'shutdown-timeout = "1s"', ["SIGTERM"]],
    ["on a second signal", "", ["SIGTERM", "SIGTERM"]],
  ] as const)("exits %s even when its stdout is blocked", async (_when, setting, signals) => {
    // The reader of Ground Control's stdout has stopped reading: everything written to it is
    // stuck, and a flood makes sure the pipe is full.
    const toml = `${setting}

[[processes]]
name = "flood"
run = ["/bin/sh", "-c", "echo $$ > {dir}/flood.pid; exec yes flooding-the-pipe"]
`;
    await withScenario(toml, async (s) => {
      s.child.stdout!.pause();
      await unlessExited(s, s.waitForPid("flood"));
      await unlessExited(
        s,
        until(() => (s.child.stdout!.readableLength ?? 0) > 0, "the pipe to fill"),
      );
      const began = performance.now();
      for (const signal of signals) {
        s.signal(signal);
        if (signals.length > 1) await s.waitForOutput(/shutting down/);
      }
      // 'exit', not 'close': the pipe we stopped reading stays open until we read it.
      if (!s.running.exited) await new Promise((exited) => s.child.once("exit", exited));
      expect(performance.now() - began).toBeLessThan(5_000);
      expect(s.child.exitCode).toBe(0);
      s.child.stdout!.resume();
    });
  });
});

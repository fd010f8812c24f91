// shutdown-timeout: one deadline for the whole shutdown; daemons that ignore SIGTERM are killed
// when it runs out, whatever their stop-timeout, and every post still runs.
import { describe, expect, it } from "vitest";
import { alive, type Scenario, withScenario } from "./helpers/harness.js";

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
  it("kills three daemons that ignore SIGTERM within the deadline, and runs every post", async () => {
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
      expect(lines.filter((line) => line.endsWith("-post"))).toEqual([
        "c-post",
        "b-post",
        "a-post",
      ]);
      expect(lines).toContain("c:ignored-term");
      for (const name of ["a", "b", "c"]) {
        expect(done.stderr).toContain(`process "${name}" did not stop in time; sending SIGKILL`);
      }
      process.stdout.write(
        `shutdown-timeout 2s: all stopped ${Math.round(elapsed)} ms after SIGTERM\n`,
      );
    });
  });
});

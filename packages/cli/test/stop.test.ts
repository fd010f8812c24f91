// How a running daemon is stopped: a signal to its process group, or a stop command; then a deadline.
import { describe, expect, it } from "vitest";
import { alive, withScenario } from "./helpers/harness.js";

const daemon = (extra: string) => `
[[processes]]
name = "daemon"
run = ["/bin/sh", "{daemon}", "daemon", "{results}", "{dir}"]
post = ["/bin/sh", "-c", "echo daemon-post >> {results}"]
${extra}
`;

describe("stop", () => {
  it("defaults to SIGTERM", async () => {
    await withScenario(daemon(""), async (s) => {
      await s.waitForPid("daemon");
      s.signal("SIGTERM");
      expect((await s.finished).code).toBe(0);
      expect(s.transcript()).toBe(
        "daemon:started\ndaemon:shutdown-requested\ndaemon:stopped\ndaemon-post\n",
      );
    });
  });

  it("supports other signals", async () => {
    await withScenario(daemon(`stop = "SIGINT"`), async (s) => {
      await s.waitForPid("daemon");
      s.signal("SIGTERM");
      expect((await s.finished).code).toBe(0);
      // The fake daemon exits at once on SIGINT, without a word.
      expect(s.transcript()).toBe("daemon:started\ndaemon-post\n");
    });
  });

  it("supports signal names beyond the original three", async () => {
    await withScenario(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "trap 'echo got-hup >> {results}; exit 0' HUP; echo $$ > {dir}/daemon.pid; while :; do sleep 0.05; done"]
stop = "SIGHUP"
`,
      async (s) => {
        await s.waitForPid("daemon");
        s.signal("SIGINT");
        expect((await s.finished).code).toBe(0);
        expect(s.transcript()).toBe("got-hup\n");
      },
    );
  });

  it("runs a stop command", async () => {
    await withScenario(
      daemon(`stop = ["/bin/sh", "-c", "kill -TERM \`cat {dir}/daemon.pid\`"]`),
      async (s) => {
        await s.waitForPid("daemon");
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
        expect(s.transcript()).toBe(
          "daemon:started\ndaemon:shutdown-requested\ndaemon:stopped\ndaemon-post\n",
        );
      },
    );
  });

  // Deviation from the original: a failing stop command no longer leaves the daemon running.
  it.each([
    ["fails", `["/bin/sh", "-c", "exit 1"]`],
    ["is killed", `["/bin/sh", "-c", "kill -9 $$"]`],
    ["is not found", `"/user/binary/nope"`],
  ])("a stop command that %s falls back to SIGTERM", async (_what, stop) => {
    await withScenario(
      `
[[processes]]
name = "daemon1"
run = ["/bin/sh", "{daemon}", "daemon1", "{results}", "{dir}"]
post = ["/bin/sh", "-c", "echo daemon1-post >> {results}"]

[[processes]]
name = "wait-daemon1"
pre = ["/bin/sh", "{wait}", "daemon1", "{dir}"]

[[processes]]
name = "daemon2"
run = ["/bin/sh", "{daemon}", "daemon2", "{results}", "{dir}"]
stop = ${stop}
post = ["/bin/sh", "-c", "echo daemon2-post >> {results}"]
`,
      async (s) => {
        await s.waitForPid("daemon2");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcript()).toBe(
          [
            "daemon1:started",
            "daemon2:started",
            "daemon2:shutdown-requested",
            "daemon2:stopped",
            "daemon2-post",
            "daemon1:shutdown-requested",
            "daemon1:stopped",
            "daemon1-post",
            "",
          ].join("\n"),
        );
        expect(done.stderr).toMatch(/stop command of process "daemon2" failed .*sending SIGTERM/);
      },
    );
  });

  it("escalates to SIGKILL after stop-timeout when the daemon ignores its stop signal", async () => {
    await withScenario(
      `
[[processes]]
name = "stubborn"
run = ["/bin/sh", "{stubborn}", "stubborn", "{results}", "{dir}"]
stop-timeout = "300ms"
post = ["/bin/sh", "-c", "echo stubborn-post >> {results}"]
`,
      async (s) => {
        const pid = await s.waitForPid("stubborn");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        // Whether its trap gets to write "ignored-term" within 300 ms depends on the scheduler;
        // the SIGKILL is what counts.
        const lines = s.transcriptLines();
        expect(lines[0]).toBe("stubborn:started");
        expect(lines.at(-1)).toBe("stubborn-post");
        expect(done.stderr).toMatch(/did not stop in time; sending SIGKILL/);
        expect(alive(pid)).toBe(false);
      },
    );
  });

  it("a second termination signal cuts the stop wait short, and post still runs", async () => {
    await withScenario(
      `
[[processes]]
name = "stubborn"
run = ["/bin/sh", "{stubborn}", "stubborn", "{results}", "{dir}"]
stop-timeout = "10m"
post = ["/bin/sh", "-c", "echo stubborn-post >> {results}"]
`,
      async (s) => {
        const pid = await s.waitForPid("stubborn");
        s.signal("SIGTERM");
        await s.waitForTranscript("stubborn:ignored-term");
        s.signal("SIGINT");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcript()).toBe("stubborn:started\nstubborn:ignored-term\nstubborn-post\n");
        expect(alive(pid)).toBe(false);
      },
    );
  });
});

describe("one stop-timeout per process", () => {
  it("covers a stop command that hangs: both are killed at the deadline, not twice later", async () => {
    await withScenario(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "{stubborn}", "daemon", "{results}", "{dir}"]
stop = ["/bin/sh", "-c", "echo stop-began >> {results}; echo $$ > {dir}/stop.pid; exec sleep 600"]
stop-timeout = "1s"
post = ["/bin/sh", "-c", "echo daemon-post >> {results}"]
`,
      async (s) => {
        const daemon = await s.waitForPid("daemon");
        const began = performance.now();
        s.signal("SIGTERM");
        const done = await s.finished;
        const elapsed = performance.now() - began;
        expect(done.code).toBe(0);
        expect(elapsed).toBeGreaterThanOrEqual(950);
        expect(elapsed).toBeLessThan(1_900);
        expect(alive(daemon)).toBe(false);
        expect(alive(s.pidOf("stop"))).toBe(false);
        expect(s.transcriptLines()).toEqual(["daemon:started", "stop-began", "daemon-post"]);
      },
    );
  });
});

// When a process fails after it started: a restart budget that ends in the ordinary shutdown, and
// health checks that turn a hung process into a failed one (SPEC §8).
import { describe, expect, it } from "vitest";
import { until, withScenario } from "./helpers/harness.js";

/** A run that stamps the time it started (ms) into the transcript, then does `then`. */
const stamped = (name: string, then: string) =>
  `["/bin/sh", "-c", "echo ${name}:start:$(date +%s%3N) >> {results}; ${then}"]`;

/** The times `name` started, from its stamps. */
function startsOf(transcript: string[], name: string): number[] {
  return transcript
    .filter((line) => line.startsWith(`${name}:start:`))
    .map((line) => Number(line.split(":")[2]));
}

const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);

const keeper = `
[[processes]]
name = "keeper"
run = ["/bin/sh", "{daemon}", "keeper", "{results}", "{dir}"]
post = ["/bin/sh", "-c", "echo keeper-post >> {results}"]
`;

describe("restart", () => {
  it("restarts a failing run max times with doubling delays, then shuts down with its status", async () => {
    await withScenario(
      `${keeper}
[[processes]]
name = "worker"
run = ${stamped("worker", "exit 3")}
restart = { on = "failure", max = 3, within = "60s", backoff = "100ms" }
post = ["/bin/sh", "-c", "echo worker-post >> {results}"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(3);
        const lines = s.transcriptLines();
        const starts = startsOf(lines, "worker");
        expect(starts).toHaveLength(4);
        const [first, second, third] = gaps(starts);
        // The n-th restart waits backoff × 2^(n−1): 100, 200, 400 ms (and little more).
        expect(first).toBeGreaterThanOrEqual(100);
        expect(second).toBeGreaterThanOrEqual(200);
        expect(third).toBeGreaterThanOrEqual(400);
        expect(third! - first!).toBeGreaterThanOrEqual(250);
        expect(lines.filter((line) => line.endsWith("-post"))).toEqual([
          "worker-post",
          "keeper-post",
        ]);
        expect(done.stderr).toMatch(/process "worker" exited: exit code 3; restart 1 in 100ms/);
        expect(done.stderr).toMatch(/restart 3 in 400ms/);
        expect(done.stderr).toMatch(
          /shutting down: process "worker" used up its restart budget \(3 within 1m; last: exit code 3\)/,
        );
      },
    );
  });

  it.each([
    ["always", 4],
    ["failure", 1],
  ] as const)('on = "%s" and a clean exit: %i starts, then exit 0', async (on, starts) => {
    await withScenario(
      `
[[processes]]
name = "worker"
run = ${stamped("worker", "exit 0")}
restart = { on = "${on}", max = 3, backoff = "10ms" }
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(startsOf(s.transcriptLines(), "worker")).toHaveLength(starts);
      },
    );
  });

  it("counts restarts in a sliding window, forgetting old ones", async () => {
    // Each run lasts longer than the window: max = 1 never runs out. The fourth stays up.
    await withScenario(
      `
[[processes]]
name = "worker"
run = ["/bin/sh", "-c", "echo worker:start:$(date +%s%3N) >> {results}; n=$(grep -c worker:start {results}); [ $n -ge 4 ] && exec sleep 600; sleep 0.4; exit 1"]
restart = { on = "failure", max = 1, within = "300ms", backoff = "10ms" }
`,
      async (s) => {
        await until(() => startsOf(s.transcriptLines(), "worker").length === 4, "a fourth start");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(startsOf(s.transcriptLines(), "worker")).toHaveLength(4);
        expect(done.stderr).not.toMatch(/restart budget/);
      },
    );
  });

  it("a termination signal during a backoff ends it at once: nothing is started, post runs", async () => {
    await withScenario(
      `${keeper}
[[processes]]
name = "worker"
run = ${stamped("worker", "exit 1")}
restart = { on = "failure", backoff = "30s" }
post = ["/bin/sh", "-c", "echo worker-post >> {results}"]
`,
      async (s) => {
        await s.waitForOutput(/restart 1 in 30s/);
        const began = performance.now();
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(performance.now() - began).toBeLessThan(3_000);
        expect(done.code).toBe(0);
        const lines = s.transcriptLines();
        expect(startsOf(lines, "worker")).toHaveLength(1);
        expect(lines.filter((line) => line.endsWith("-post"))).toEqual([
          "worker-post",
          "keeper-post",
        ]);
      },
    );
  });

  it("an exit before the process was ready still fails startup, without a restart", async () => {
    await withScenario(
      `
[[processes]]
name = "worker"
run = ${stamped("worker", "exit 5")}
ready = { file = "{dir}/never", timeout = "10s" }
restart = { on = "failure", backoff = "10ms" }

[[processes]]
name = "after"
run = ${stamped("after", "exec sleep 600")}
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(5);
        expect(startsOf(s.transcriptLines(), "worker")).toHaveLength(1);
        expect(startsOf(s.transcriptLines(), "after")).toHaveLength(0);
        expect(done.stderr).toMatch(/startup aborted/);
      },
    );
  });
});

describe("health", () => {
  it("failing checks make a process unhealthy: stopped, restarted, then the budget is spent: exit 1", async () => {
    await withScenario(
      `${keeper}
[[processes]]
name = "hung"
run = ${stamped("hung", "trap 'echo hung:stopped >> {results}; exit 0' TERM; while :; do sleep 0.05; done")}
health = { command = ["/bin/sh", "-c", "exit 1"], interval = "50ms", failures = 2 }
restart = { on = "failure", max = 1, backoff = "10ms" }
post = ["/bin/sh", "-c", "echo hung-post >> {results}"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(1);
        const lines = s.transcriptLines();
        expect(startsOf(lines, "hung")).toHaveLength(2);
        // Stopped with its own stop signal each time, as a shutdown would.
        expect(lines.filter((line) => line === "hung:stopped")).toHaveLength(2);
        expect(lines.filter((line) => line.endsWith("-post"))).toEqual([
          "hung-post",
          "keeper-post",
        ]);
        expect(done.stderr).toMatch(/health check of process "hung" failed \(1 in a row\)/);
        expect(done.stderr).toMatch(
          /process "hung" is unhealthy: 2 health checks failed in a row \(command \/bin\/sh -c 'exit 1': exit code 1\); stopping it/,
        );
        expect(done.stderr).toMatch(
          /used up its restart budget \(1 within 1m; last: unhealthy: command/,
        );
      },
    );
  });

  it("without a restart, an unhealthy process shuts everything down with exit 1", async () => {
    await withScenario(
      `
[[processes]]
name = "hung"
run = ["/bin/sh", "-c", "exec sleep 600"]
health = { tcp = "127.0.0.1:9", interval = "50ms", timeout = "1s", failures = 1 }
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(1);
        expect(done.stderr).toMatch(
          /shutting down: process "hung" is unhealthy \(tcp 127.0.0.1:9\)/,
        );
      },
    );
  });

  it("a passing check is never logged", async () => {
    await withScenario(
      `
[[processes]]
name = "fine"
run = ["/bin/sh", "-c", "exec sleep 600"]
health = { command = ["/bin/sh", "-c", "echo checked >> {results}"], interval = "20ms" }
`,
      async (s) => {
        await until(() => s.transcriptLines().length >= 5, "five passing checks");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(done.stderr).not.toMatch(/health/);
      },
    );
  });
});

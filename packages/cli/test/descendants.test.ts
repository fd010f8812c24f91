// Descendants that outlive their command: one that holds the command's output pipe open from
// another session, and one that keeps writing until the final sweep ends it. Neither may stretch
// a stop window or the shutdown deadline, and what they wrote before they were ended is relayed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, withScenario } from "./helpers/harness.js";

/** A run that leaves a `setsid sleep` holding its stdout, and notes that sleep's pid. */
const holder = (name: string, rest: string) =>
  `["/bin/sh", "-c", "setsid sleep 600 & echo $! > {dir}/${name}-holder.pid; echo $$ > {dir}/${name}.tmp && mv {dir}/${name}.tmp {dir}/${name}.pid; ${rest}"]`;

describe("a descendant that holds the output pipe from another session", () => {
  it("does not stretch the shutdown deadline: three such daemons, all past their stop", async () => {
    const daemon = (name: string) => `
[[processes]]
name = "${name}"
run = ${holder(name, "trap '' TERM; while :; do sleep 0.05; done")}
ready = { file = "{dir}/${name}.pid" }
stop-timeout = "30s"
`;
    await withScenario(
      `shutdown-timeout = "500ms"\n${daemon("a")}${daemon("b")}${daemon("c")}`,
      async (s) => {
        await s.waitForPid("c");
        const holders = ["a", "b", "c"].map((n) =>
          Number(readFileSync(join(s.dir, `${n}-holder.pid`), "utf8")),
        );
        const began = performance.now();
        s.signal("SIGTERM");
        const done = await s.finished;
        const elapsed = performance.now() - began;
        expect(done.code).toBe(0);
        // Before: 250 ms of waiting for output after each SIGKILL, past the deadline (~1.3 s).
        expect(elapsed).toBeLessThan(1_000);
        expect(done.stderr.match(/did not stop in time; sending SIGKILL/g)).toHaveLength(3);
        // The holders are orphans, ended by the orphan sweep: nothing survives.
        for (const pid of holders) expect(alive(pid)).toBe(false);
      },
    );
  });

  it("a run that stops at once is not reported as killed at its stop-timeout", async () => {
    await withScenario(
      `
[[processes]]
name = "app"
run = ${holder("app", "trap 'exit 0' TERM; while :; do sleep 0.05; done")}
ready = { file = "{dir}/app.pid" }
stop-timeout = "200ms"
`,
      async (s) => {
        await s.waitForPid("app");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(done.stderr).not.toMatch(/did not stop in time/);
      },
    );
  });
});

describe("a descendant that writes until the final sweep ends it", () => {
  it("loses no line it wrote before the sweep ended it, even to a reader that lags", async () => {
    // The run exits at once; its background loop ignores SIGTERM and writes until the sweep
    // SIGKILLs its group. Each number is noted after its line went into the pipe.
    await withScenario(
      `
[[processes]]
name = "app"
run = ["/bin/sh", "-c", "(trap '' TERM; i=0; while [ $i -lt 50000 ]; do i=$((i+1)); echo line-$i; echo $i >> {dir}/written; done) & sleep 0.2; exit 0"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(0);
        // Whole lines only: the sweep may have cut the last note short.
        const written = readFileSync(join(s.dir, "written"), "utf8").split("\n").length - 1;
        expect(written).toBeGreaterThan(0);
        const relayed = [...done.stdout.matchAll(/\| line-(\d+)$/gm)].map((m) => Number(m[1]));
        // Every line up to the last one noted, once and in order (perhaps one more, written
        // before it could be noted). Before, a slow reader got about a third of them.
        expect(relayed.slice(0, written)).toEqual(Array.from({ length: written }, (_, i) => i + 1));
        expect(relayed.length - written).toBeLessThanOrEqual(1);
      },
    );
  });
});

describe("a config of one-shot processes only", () => {
  it("stays up after its startup until a termination signal, then runs the posts", async () => {
    await withScenario(
      `
[[processes]]
name = "setup"
pre = ["/bin/sh", "-c", "echo setup-pre >> {results}; setsid sleep 600 & echo $! > {dir}/orphan.pid"]
post = ["/bin/sh", "-c", "echo setup-post >> {results}"]
`,
      async (s) => {
        await s.waitForOutput(/started: 1 process ready/);
        const orphan = s.pidOf("orphan");
        // Still up, and still taking signals: a one-shot process never ends the run.
        s.signal("SIGHUP");
        await s.waitForOutput(/received SIGHUP: no running process takes it/);
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcriptLines()).toEqual(["setup-pre", "setup-post"]);
        expect(done.stderr).toMatch(/shutting down: received SIGTERM/);
        expect(alive(orphan)).toBe(false);
      },
    );
  });
});

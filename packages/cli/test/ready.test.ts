import { describe, expect, it } from "vitest";
import { freePort, type Scenario, withScenario } from "./helpers/harness.js";

/** Waits for `what`, but fails at once (with its stderr) if groundcontrol exits first. */
async function unlessExited<T>(s: Scenario, what: Promise<T>): Promise<T> {
  const exited = s.finished.then((done) => {
    throw new Error(`groundcontrol exited early (code ${done.code}):\n${done.stderr}`);
  });
  // Handled here too: once `what` has won, a later exit must not count as an unhandled rejection.
  exited.catch(() => {});
  return Promise.race([what, exited]);
}

const note = (line: string) => `["/bin/sh", "-c", "echo ${line} >> {results}"]`;

/** A daemon that is up at once (it notes early:ready) and notes early:stopped on SIGTERM. */
const early = `
[[processes]]
name = "early"
run = ["{node}", "{fixtures}/../../../core/test/fixtures/ready-daemon.mjs", "{results}", "early", "0", "file", "{dir}/early.up"]
ready = { file = "{dir}/early.up" }
post = ${note("early-post")}`;

/** `a` becomes ready 300 ms after it starts (the fixture notes a:ready just before); `b` follows. */
const gated = (ready: string, mode: string) => `
[[processes]]
name = "a"
pre = ${note("a-pre")}
run = ["{node}", "{fixtures}/../../../core/test/fixtures/ready-daemon.mjs", "{results}", "a", "300", ${mode}]
ready = { ${ready}, timeout = "20s", interval = "20ms" }
post = ${note("a-post")}

[[processes]]
name = "b"
pre = ${note("b-pre")}
run = ["/bin/sh", "-c", "echo b-run >> {results}; exec sleep 600"]
post = ${note("b-post")}
`;

describe("ready", () => {
  it.each([
    [
      "tcp",
      async () => {
        const port = await freePort();
        return gated(`tcp = "127.0.0.1:${port}"`, `"tcp", "${port}"`);
      },
    ],
    [
      "http",
      async () => {
        const port = await freePort();
        return gated(`http = "http://127.0.0.1:${port}/health"`, `"http", "${port}"`);
      },
    ],
    [
      "command",
      async () =>
        gated(`command = ["/bin/sh", "-c", "test -e {dir}/flag"]`, `"file", "{dir}/flag"`),
    ],
    ["file", async () => gated(`file = "{dir}/flag"`, `"file", "{dir}/flag"`)],
    // The fixture writes "starting up\nserver " first and "ready\n" later: one line, two writes.
    [
      "log, on a line split across two writes",
      async () => gated(`log = "^server ready$"`, `"log"`),
    ],
    // The fixture writes "x" to fd 3 first and the newline later: only the newline counts.
    ["fd (s6 notification-fd)", async () => gated("fd = 3", `"fd", "3"`)],
  ])("%s: the next process starts only once the check holds", async (_kind, config) => {
    await withScenario(await config(), async (s) => {
      // b's run is up, so startup is complete: both are stopped, with their posts.
      await unlessExited(s, s.waitForTranscript("b-run"));
      s.signal("SIGTERM");
      expect((await s.finished).code).toBe(0);
      expect(s.transcriptLines()).toEqual([
        "a-pre",
        "a:ready",
        "b-pre",
        "b-run",
        "b-post",
        "a:stopped",
        "a-post",
      ]);
    });
  });

  it("a timeout aborts startup, names process and check, and stops earlier processes in reverse", async () => {
    const port = await freePort();
    const toml = `
${early}

[[processes]]
name = "middle"
pre = ${note("middle-pre")}
post = ${note("middle-post")}

[[processes]]
name = "db"
run = ["/bin/sh", "-c", "exec sleep 600"]
ready = { tcp = "127.0.0.1:${port}", timeout = "300ms", interval = "20ms" }
post = ${note("db-post")}

[[processes]]
name = "late"
pre = ${note("late-pre")}
`;
    await withScenario(toml, async (s) => {
      const done = await s.finished;
      expect(done.code).toBe(1);
      expect(done.stderr).toContain(
        `startup aborted: process "db" was not ready within 300ms (tcp 127.0.0.1:${port}; last attempt: ECONNREFUSED)`,
      );
      // db never ran its post; late never started; the others stopped in reverse.
      expect(s.transcriptLines()).toEqual([
        "early:ready",
        "middle-pre",
        "middle-post",
        "early:stopped",
        "early-post",
      ]);
    });
  });

  it.each([
    ["exits non-zero", "exit 3", 3, "exit code 3"],
    ["exits 0", "exit 0", 1, "exit code 0"],
    ["is killed", "kill -9 $$", 137, "killed by SIGKILL"],
  ])("a daemon that %s before it is ready aborts startup", async (_what, script, code, how) => {
    const toml = `
${early}

[[processes]]
name = "db"
run = ["/bin/sh", "-c", "${script}"]
ready = { log = "^never$", timeout = "25s" }
post = ${note("db-post")}

[[processes]]
name = "late"
pre = ${note("late-pre")}
`;
    await withScenario(toml, async (s) => {
      const began = Date.now();
      const done = await s.finished;
      // At once, not after the 25 s timeout.
      expect(Date.now() - began).toBeLessThan(15_000);
      expect(done.code).toBe(code);
      expect(done.stderr).toContain(
        `\`run\` command of process "db" exited (${how}) before it was ready (log /^never$/)`,
      );
      expect(s.transcriptLines()).toEqual(["early:ready", "early:stopped", "early-post"]);
    });
  });

  it("a termination signal while a gate is pending stops the waiting daemon and runs its post", async () => {
    const toml = `
[[processes]]
name = "db"
run = ["{node}", "{fixtures}/../../../core/test/fixtures/ready-daemon.mjs", "{results}", "db", "0", "never"]
ready = { file = "{dir}/never" }
post = ${note("db-post")}

[[processes]]
name = "late"
pre = ${note("late-pre")}
`;
    await withScenario(toml, async (s) => {
      await unlessExited(s, s.waitForTranscript("db:unready"));
      s.signal("SIGTERM");
      expect((await s.finished).code).toBe(0);
      expect(s.transcriptLines()).toEqual(["db:unready", "db:stopped", "db-post"]);
    });
  });
});

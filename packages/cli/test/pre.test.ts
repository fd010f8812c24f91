// `pre` commands: one-shot, must succeed, and a failure aborts startup.
import { describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

const threeProcesses = (aRun = "") => `
[[processes]]
name = "a"
pre = ["/bin/sh", "-c", "echo a-pre >> {results}"]
${aRun}
post = ["/bin/sh", "-c", "echo a-post >> {results}"]

[[processes]]
name = "b"
pre = "/user/binary/nope"
post = ["/bin/sh", "-c", "echo b-post >> {results}"]

[[processes]]
name = "c"
pre = ["/bin/sh", "-c", "echo c-pre >> {results}"]
post = ["/bin/sh", "-c", "echo c-post >> {results}"]
`;

describe("pre", () => {
  it("a failed pre aborts startup; earlier processes are stopped and run their post", async () => {
    await withScenario(threeProcesses(), async (s) => {
      const done = await s.finished;
      expect(s.transcript()).toBe("a-pre\na-post\n");
      expect(done.code).toBe(127); // not found, as a shell reports it
      expect(done.stderr).toMatch(/startup aborted: `pre` command failed for process "b"/);
      expect(done.stderr).toMatch(/ENOENT|not found/i);
    });
  });

  it("a failed pre shuts down the daemons started before it", async () => {
    const aRun = `run = ["/bin/sh", "{daemon}", "a-daemon", "{results}-daemon", "{dir}"]`;
    await withScenario(threeProcesses(aRun), async (s) => {
      const done = await s.finished;
      expect(s.transcript()).toBe("a-pre\na-post\n");
      expect(done.code).toBe(127);
    });
  });

  it.each([
    ["exits non-zero", `["/bin/sh", "-c", "exit 4"]`, 4],
    ["is killed by a signal", `["/bin/sh", "-c", "kill -9 $$"]`, 137],
    ["is not executable", `["{dir}/groundcontrol.toml"]`, 126],
  ])("a pre that %s aborts startup with its status", async (_what, pre, code) => {
    await withScenario(
      `
[[processes]]
name = "a"
pre = ${pre}
run = ["/bin/sh", "-c", "echo a >> {results}"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(code);
        expect(s.transcript()).toBe("");
      },
    );
  });
});

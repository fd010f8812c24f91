// The exit status tells the platform what happened: SPEC §4.
import { describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

const run = (command: string, extra = "") => `
[[processes]]
name = "app"
run = ${command}
${extra}
`;

describe("exit status", () => {
  it.each([
    ["a run that exits 0", run(`["/bin/sh", "-c", "exit 0"]`), 0],
    ["a run that exits N", run(`["/bin/sh", "-c", "exit 9"]`), 9],
    ["a run killed by signal N", run(`["/bin/sh", "-c", "kill -KILL $$"]`), 128 + 9],
    ["a run that is not found", run(`"/no/such/program"`), 127],
    ["a run that is not executable", run(`"{dir}/groundcontrol.toml"`), 126],
    ["a pre that fails", run(`"true"`, `pre = ["/bin/sh", "-c", "exit 4"]`), 4],
    ["an unknown variable", run(`["/bin/echo", "{{NO_SUCH_VARIABLE_HERE}}"]`), 1],
    ["an unknown user", run(`{ command = "true", user = "no-such-user-here" }`), 1],
    ["a missing cwd", run(`{ command = "true", cwd = "/no/such/dir" }`), 1],
    ["an invalid config", `[[processes]]\nname = 1\n`, 2],
  ])("%s", async (_what, toml, code) => {
    await withScenario(toml, async (s) => {
      const done = await s.finished;
      expect(done.code).toBe(code);
      expect(done.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // never a stack trace
    });
  });

  it("exits 2 for a usage error", async () => {
    await withScenario(
      "",
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(2);
        expect(done.stderr).toMatch(/--no-such-option/);
      },
      { args: ["--no-such-option"] },
    );
  });

  it("exits 2 when the config file does not exist", async () => {
    await withScenario(
      "",
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(2);
        expect(done.stderr).toMatch(/\/no\/such\/groundcontrol\.toml/);
      },
      { args: ["/no/such/groundcontrol.toml"] },
    );
  });
});

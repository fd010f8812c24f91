// BREAK_GLASS: start nothing, stay up for an operator, exit 0 on a termination signal.
import { describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

const env = { ...process.env, NO_COLOR: "1", BREAK_GLASS: "1" };

describe("break glass", () => {
  it("starts nothing with a valid config, and exits 0 on SIGTERM", async () => {
    await withScenario(
      `
[[processes]]
name = "app"
pre = ["/bin/sh", "-c", "echo app-pre >> {results}"]
run = ["/bin/sh", "-c", "echo app >> {results}"]
`,
      async (s) => {
        await s.waitForOutput(/BREAK_GLASS/);
        await s.waitForOutput(/unset BREAK_GLASS/);
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcript()).toBe("");
      },
      { env },
    );
  });

  it("stays up with a broken config, logging its errors", async () => {
    await withScenario(
      `
[[processes]]
name = "app"
run = 42
`,
      async (s) => {
        await s.waitForOutput(/unset BREAK_GLASS/);
        expect(s.stderr).toMatch(/processes\[0\]\.run/);
        s.signal("SIGINT");
        const done = await s.finished;
        expect(done.code).toBe(0);
      },
      { env },
    );
  });
});

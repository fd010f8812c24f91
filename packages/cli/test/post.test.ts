// `post` commands run at shutdown after `run` has exited; a failing one does not stop shutdown.
import { describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

const scenario = (bPost: string) => `
[[processes]]
name = "a"
pre = ["/bin/sh", "-c", "echo a-pre >> {results}"]
post = ["/bin/sh", "-c", "echo a-post >> {results}"]

[[processes]]
name = "b"
pre = ["/bin/sh", "-c", "echo b-pre >> {results}"]
run = ["/bin/sh", "-c", "echo b >> {results}"]
post = ${bPost}
`;

describe("post", () => {
  it("runs during shutdown, in reverse order", async () => {
    await withScenario(scenario(`["/bin/sh", "-c", "echo b-post >> {results}"]`), async (s) => {
      const done = await s.finished;
      expect(done.code).toBe(0);
      expect(s.transcript()).toBe("a-pre\nb-pre\nb\nb-post\na-post\n");
    });
  });

  it.each([
    ["fails", `["/bin/sh", "-c", "exit 1"]`],
    ["is killed", `["/bin/sh", "-c", "kill -9 $$"]`],
    ["is not found", `"/user/binary/nope"`],
  ])("a post that %s is logged and shutdown goes on", async (_what, post) => {
    await withScenario(scenario(post), async (s) => {
      const done = await s.finished;
      expect(done.code).toBe(0);
      expect(s.transcript()).toBe("a-pre\nb-pre\nb\na-post\n");
      expect(done.stderr).toMatch(/post/);
    });
  });
});

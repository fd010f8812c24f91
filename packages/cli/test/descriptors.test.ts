// A command never inherits a descriptor Ground Control was given (other than 0-2 and a ready.fd
// it asked for), whichever user it runs as.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until, withScenario } from "./helpers/harness.js";
import { descriptorsOf } from "./helpers/signals.js";
import { canSwitchUsers, createTestUsers, type TestUsers } from "./helpers/users.js";

/** Starts Ground Control with descriptor 251 open, as a careless parent would. */
const WITH_FD_251 = ["/bin/bash", "-c", 'exec 251</dev/null; exec "$@"', "with-fd-251"];

let users: TestUsers | undefined;

const commandOf = (pid: number) => readFileSync(`/proc/${pid}/comm`, "utf8").trim();

describe.runIf(process.platform === "linux")("inherited descriptors", () => {
  beforeAll(() => {
    if (canSwitchUsers) users = createTestUsers();
  });
  afterAll(() => users?.remove());

  it.each([["root"], ["member"], ["loner"]] as const)(
    "descriptor 251 does not reach a command (%s)",
    async (who) => {
      if (who !== "root" && !users) return;
      const user = who === "root" ? "" : `user = "${users![who]}", `;
      await withScenario(
        `
suppress_timestamps = true

[[processes]]
name = "lister"
run = { ${user}command = ["/bin/sh", "-c", "echo pid=$$; exec sleep 600"] }
`,
        async (s) => {
          // Read from outside, from a process that does nothing: a shell listing its own
          // descriptors would see those of its own pipelines.
          const pid = Number((await s.running.waitFor(/pid=(\d+)/))[1]);
          // Once sleep runs: until its exec, the shell may hold a descriptor of its own.
          await until(() => commandOf(pid) === "sleep", "sleep in place of the shell");
          expect(descriptorsOf(pid)).toEqual([0, 1, 2]);
          s.signal("SIGTERM");
          expect((await s.finished).code).toBe(0);
        },
        { wrapper: WITH_FD_251 },
      );
    },
  );
});

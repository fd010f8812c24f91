// Signals Ground Control forwards to its commands while it keeps running.
import { describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

describe("signal forwarding", () => {
  it("forwards SIGHUP, SIGUSR1 and SIGUSR2 to every running run command", async () => {
    await withScenario(
      `
[[processes]]
name = "printer"
run = ["/bin/sh", "{fixtures}/signal-printer.sh", "{results}", "{dir}"]
`,
      async (s) => {
        await s.waitForPid("printer");
        for (const signal of ["SIGHUP", "SIGUSR1", "SIGUSR2"] as const) {
          s.signal(signal);
          await s.waitForTranscript(signal.slice(3));
        }
        expect(s.child.exitCode).toBe(null);
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcriptLines()).toEqual(["HUP", "USR1", "USR2", "TERM"]);
      },
    );
  });
});

// Signals: forwarded to the commands while Ground Control runs, and handled from the first moment
// in every mode, so that none of them kills Ground Control or opens Node's inspector (as root).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, CLI, until, withScenario } from "./helpers/harness.js";
import { Running } from "./helpers/running.js";
import { handlesAllSix } from "./helpers/signals.js";

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
        expect(done.stderr).not.toMatch(/Debugger/);
      },
    );
  });
});

describe("forward-signals", () => {
  it("keeps SIGHUP from a process that opts out, while another still gets it", async () => {
    await withScenario(
      `
[[processes]]
name = "reloads"
run = ["/bin/sh", "{fixtures}/signal-printer.sh", "{results}", "{dir}"]

[[processes]]
name = "app"
# Dies of SIGHUP (no handler), as a Node program would.
run = ["/bin/sh", "-c", "echo $$ > {dir}/app.pid; exec sleep 600"]
forward-signals = []
`,
      async (s) => {
        await s.waitForPid("printer");
        const app = await s.waitForPid("app");
        s.signal("SIGHUP");
        await s.waitForTranscript("HUP");
        await s.waitForOutput(/received SIGHUP: passed on to reloads$/m);
        expect(alive(app)).toBe(true);
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
      },
    );
  });
});

describe.runIf(process.platform === "linux")("signals in every mode", () => {
  it("break glass: SIGHUP, SIGUSR1 and SIGUSR2 neither kill Ground Control nor open a debugger", async () => {
    await withScenario(
      `
[[processes]]
name = "app"
run = "true"
`,
      async (s) => {
        await s.waitForOutput(/unset BREAK_GLASS/);
        for (const signal of ["SIGUSR1", "SIGHUP", "SIGUSR2"] as const) {
          s.signal(signal);
          // Said by Ground Control's own handler: the signal did not reach Node's.
          await s.waitForOutput(new RegExp(`received ${signal}`));
        }
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(done.signal).toBe(null);
        expect(done.stderr).not.toMatch(/Debugger/);
      },
      { env: { ...process.env, NO_COLOR: "1", BREAK_GLASS: "1" } },
    );
  });

  it("--check: all six are handled while it works, and SIGUSR1 opens no debugger", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-check-signals-"));
    const fifo = join(dir, "groundcontrol.toml");
    try {
      // Reading a FIFO blocks until something writes it: --check is caught in the middle.
      execFileSync("mkfifo", [fifo]);
      const check = new Running([process.execPath, CLI, "--check", fifo], { env: process.env });
      const pid = check.child.pid!;
      await until(() => handlesAllSix(pid), "handlers for all six signals");
      for (const signal of ["SIGUSR1", "SIGHUP", "SIGUSR2"] as const) process.kill(pid, signal);
      writeFileSync(fifo, '[[processes]]\nname = "app"\nrun = "true"\n');
      const done = await check.finished;
      expect(done.signal).toBe(null);
      expect(done.code).toBe(0);
      expect(done.stderr).not.toMatch(/Debugger/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("run: all six are handled before the config is read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-run-signals-"));
    const fifo = join(dir, "groundcontrol.toml");
    try {
      execFileSync("mkfifo", [fifo]);
      const run = new Running([process.execPath, CLI, fifo], {
        env: { ...process.env, NO_COLOR: "1" },
      });
      const pid = run.child.pid!;
      await until(() => handlesAllSix(pid), "handlers for all six signals");
      process.kill(pid, "SIGUSR1");
      process.kill(pid, "SIGTERM");
      writeFileSync(fifo, '[[processes]]\nname = "app"\nrun = ["sleep", "600"]\n');
      const done = await run.finished;
      // The SIGTERM that came first still counts: nothing is left running, exit 0.
      expect(done.signal).toBe(null);
      expect(done.code).toBe(0);
      expect(done.stderr).not.toMatch(/Debugger/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

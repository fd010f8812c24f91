// Attacks on the privilege drop: nothing of a command's environment may reach a process that
// runs as root, lookups and checks happen as the target user, and a readiness descriptor
// reaches the command whichever way the user switch is made.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until, withScenario } from "./helpers/harness.js";
import { descriptorsOf, handlesAllSix } from "./helpers/signals.js";
import { canSwitchUsers, createTestUsers, linesOf, type TestUsers } from "./helpers/users.js";

if (!canSwitchUsers) console.warn("privilege tests skipped: they need root on Linux");

let users: TestUsers;
/** A directory only root can enter, as /root is. */
let rootOnly = "";

describe.runIf(canSwitchUsers)("privilege drop", () => {
  beforeAll(() => {
    users = createTestUsers();
    rootOnly = mkdtempSync(join(tmpdir(), "gc-root-only-"));
    chmodSync(rootOnly, 0o700);
  });

  afterAll(() => {
    users.remove();
    rmSync(rootOnly, { recursive: true, force: true });
  });

  it.each([["member"], ["loner"]] as const)(
    "no root process reads the command's LD_* variables (%s)",
    async (which) => {
      const user = users[which];
      const trace = join(rootOnly, `trace-${which}`);
      // The dynamic loader of any process that starts with this environment writes its trace
      // into a directory only root may write to: a file there means root read the variables.
      await withScenario(
        `
suppress_timestamps = true

[[processes]]
name = "app"
run = { user = "${user}", command = ["/bin/sh", "-c", "echo seen=$LD_DEBUG,$LD_LIBRARY_PATH,$OPENSSL_CONF,$MARK"], env = { LD_DEBUG = "files", LD_DEBUG_OUTPUT = "${trace}", LD_LIBRARY_PATH = "${rootOnly}/lib", OPENSSL_CONF = "${rootOnly}/openssl.cnf", MARK = "x" } }
`,
        async (s) => {
          const done = await s.finished;
          expect(done.stderr).not.toMatch(/exec-as|cannot/);
          expect(done.code).toBe(0);
          // The command itself still gets its whole environment.
          expect(linesOf(done.stdout, "app")).toContain(
            `seen=files,${rootOnly}/lib,${rootOnly}/openssl.cnf,x`,
          );
          expect(readdirSync(rootOnly).filter((f) => f.startsWith(`trace-${which}`))).toEqual([]);
        },
      );
    },
  );

  it.each([["member"], ["loner"]] as const)(
    "hands the readiness descriptor to the command and nothing else (%s)",
    async (which) => {
      await withScenario(
        `
suppress_timestamps = true

[[processes]]
name = "notifier"
run = { user = "${users[which]}", command = ["/bin/bash", "-c", "echo pid=$$; echo >&5; exec sleep 600"] }
ready = { fd = 5, timeout = "10s" }

[[processes]]
name = "after"
run = ["/bin/sh", "-c", "echo after-started; exec sleep 600"]
`,
        async (s) => {
          await s.waitForOutput(/after-started/);
          const pid = Number((await s.running.waitFor(/pid=(\d+)/))[1]);
          // Read from outside: sleep holds exactly what it inherited.
          expect(descriptorsOf(pid)).toEqual([0, 1, 2, 5]);
          s.signal("SIGTERM");
          const done = await s.finished;
          expect(done.stderr).not.toMatch(/not ready|exec-as/);
        },
      );
    },
  );

  it.each([["member"], ["loner"]] as const)(
    "looks a bare program name up in PATH as the user would (%s)",
    async (which) => {
      // Root's PATH finds a shim first, in a directory the user cannot enter.
      const shims = join(rootOnly, "bin");
      const publicBin = mkdtempSync(join(tmpdir(), "gc-public-bin-"));
      chmodSync(publicBin, 0o755);
      mkdirSync(shims, { recursive: true });
      const name = `gc-tool-${which}`;
      copyFileSync("/bin/true", join(shims, name));
      copyFileSync("/bin/echo", join(publicBin, name));
      try {
        await withScenario(
          `
suppress_timestamps = true

[[processes]]
name = "tool"
run = { user = "${users[which]}", command = ["${name}", "the-public-one"] }
`,
          async (s) => {
            const done = await s.finished;
            expect(done.stderr).not.toMatch(/not executable|cannot/);
            expect(done.code).toBe(0);
            expect(linesOf(done.stdout, "tool")).toEqual(["the-public-one"]);
          },
          {
            env: {
              ...process.env,
              NO_COLOR: "1",
              PATH: `${shims}:${publicBin}:${process.env.PATH}`,
            },
          },
        );
      } finally {
        rmSync(publicBin, { recursive: true, force: true });
      }
    },
  );

  it.each([["member"], ["loner"]] as const)(
    "refuses a cwd the user cannot enter, naming it (%s)",
    async (which) => {
      const dir = join(rootOnly, "work");
      mkdirSync(dir, { recursive: true });
      await withScenario(
        `
[[processes]]
name = "app"
run = { user = "${users[which]}", cwd = "${dir}", command = ["/bin/pwd"] }
`,
        async (s) => {
          const done = await s.finished;
          expect(done.code).toBe(1);
          expect(done.stderr).toContain(`cwd "${dir}"`);
          expect(done.stderr).toContain(users[which]);
        },
      );
    },
  );

  it("a forwarded SIGUSR1 never reaches the exec-as helper while it runs as root", async () => {
    // The run command starts through the helper, a Node program that would open a debugger
    // (as root) on SIGUSR1 until it has switched users and exec'd.
    await withScenario(
      `
[[processes]]
name = "app"
run = { user = "${users.member}", command = ["/bin/sh", "-c", "trap 'echo got-usr1' USR1; while :; do sleep 0.05; done"] }
`,
      async (s) => {
        const pid = s.child.pid!;
        await until(() => handlesAllSix(pid), "handlers for all six signals");
        // As fast as an operator's script can go, until the command has one (or died of one).
        const spam = setInterval(() => {
          if (!s.running.exited) s.signal("SIGUSR1");
        }, 2);
        try {
          // Held back until the exec, a SIGUSR1 may still land before sh has set its trap, and
          // end it: either way the helper must never have opened a debugger.
          await s.waitForOutput(/got-usr1/).catch(() => {});
        } finally {
          clearInterval(spam);
        }
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.stdout + done.stderr).not.toMatch(/Debugger/);
      },
    );
  });
});

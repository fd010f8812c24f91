// Red-team attacks on the control socket and the HTTP status (docs/configuration.md "Status"):
// malformed, huge, slow or many clients must not kill Ground Control, grow its memory without
// bound, block its supervision or starve it of descriptors, and a live Ground Control's socket is
// never taken over. Each test here is an attack that once worked; it guards the fix.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, CLI, freePort, Scenario, until, withScenario } from "./helpers/harness.js";
import { Running } from "./helpers/running.js";
import { canSwitchUsers, createTestUsers } from "./helpers/users.js";

/** Sends `request` on a new connection; resolves with the first line of the answer, or "" if
 * the connection ends without one. */
function ask(path: string, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("error", () => resolve(answer));
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: string) => {
      answer += chunk;
      if (answer.includes("\n")) {
        socket.destroy();
        resolve(answer.slice(0, answer.indexOf("\n")));
      }
    });
    socket.on("close", () => resolve(answer));
  });
}

function rssKiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
}

/** Writes `total` bytes of `unit` repeated, never reading what comes back; resolves once all of
 * it has been taken by the other side. */
function flood(socket: Socket, unit: string, total: number): Promise<void> {
  const chunk = Buffer.from(unit.repeat(Math.ceil(65_536 / unit.length)));
  return new Promise((resolve, reject) => {
    let sent = 0;
    socket.on("error", reject);
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
      socket.end(() => resolve());
    };
    pump();
  });
}

const APP = `
[[processes]]
name = "app"
run = ["/bin/sh", "-c", "echo $$ > {dir}/app.pid.tmp && mv {dir}/app.pid.tmp {dir}/app.pid && echo app-up && exec sleep 600"]
`;

describe.runIf(process.platform === "linux")("red team: the control socket", () => {
  it("answers a request that is JSON null, and stays up", async () => {
    await withScenario(
      `
suppress_timestamps = true
control-socket = "{dir}/gc.sock"
${APP}`,
      async (s) => {
        const app = await s.waitForPid("app");
        const answer = await ask(join(s.dir, "gc.sock"), "null\n");
        // A Ground Control that died left its command running: end it here, then say so.
        const crashed = s.running.exited;
        const orphaned = crashed && alive(app);
        if (orphaned) process.kill(app, "SIGKILL");
        expect(s.stderr).not.toMatch(/TypeError/);
        expect(crashed, "Ground Control died of one request").toBe(false);
        expect(orphaned, "and left its command running").toBe(false);
        expect(answer).toMatch(/"ok":false/);
      },
    );
  });

  it("keeps its memory bounded while a client sends requests and never reads the answers", async () => {
    await withScenario(
      `
suppress_timestamps = true
control-socket = "{dir}/gc.sock"
${APP}`,
      async (s) => {
        await s.waitForPid("app");
        const pid = s.child.pid!;
        const before = rssKiB(pid);
        const client = connect(join(s.dir, "gc.sock"));
        await new Promise((resolve) => client.once("connect", resolve));
        try {
          // Let go of (the connection reset) is a fine answer too: nothing piles up.
          await flood(client, '{"v":1,"op":"status"}\n', 16 * 2 ** 20).catch(
            (error: NodeJS.ErrnoException) => {
              if (error.code !== "ECONNRESET" && error.code !== "EPIPE") throw error;
            },
          );
          const grown = (rssKiB(pid) - before) / 1024;
          expect(grown, `RSS grew by ${grown.toFixed(0)} MiB`).toBeLessThan(100);
        } finally {
          client.destroy();
        }
      },
    );
  }, 60_000);

  it("goes on relaying output while a client floods the socket with empty lines", async () => {
    await withScenario(
      `
log-format = "json"
control-socket = "{dir}/gc.sock"

[[processes]]
name = "ticker"
run = ["/bin/sh", "-c", "while :; do echo tick; sleep 0.02; done"]
`,
      async (s) => {
        await s.waitForOutput(/"line":"tick"/);
        const client = connect(join(s.dir, "gc.sock"));
        await new Promise((resolve) => client.once("connect", resolve));
        try {
          await flood(client, "\n", 2 * 2 ** 20);
          const ticks = () => (s.stdout.match(/"line":"tick"/g) ?? []).length;
          const after = ticks();
          await until(() => ticks() >= after + 20, "20 more ticks relayed");
        } finally {
          client.destroy();
        }
        s.signal("SIGTERM");
        const done = await s.finished;
        const times = done.stdout
          .split("\n")
          .filter((line) => line.includes('"line":"tick"'))
          .map((line) => Date.parse((JSON.parse(line) as { time: string }).time));
        const gap = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
        expect(gap, `no line relayed for ${gap} ms`).toBeLessThan(1_000);
      },
    );
  }, 60_000);

  it("is never taken over from a live Ground Control, even one whose backlog is full", async () => {
    const gc1 = new Scenario(`
suppress_timestamps = true
control-socket = "{dir}/gc.sock"
${APP}`);
    const other = mkdtempSync(join(tmpdir(), "gc-redteam-second-"));
    const clients: Socket[] = [];
    let gc2: Running | undefined;
    try {
      await gc1.waitForPid("app");
      const path = join(gc1.dir, "gc.sock");
      // Alive, but not running for a moment (docker pause, a debugger, a stall).
      process.kill(gc1.child.pid!, "SIGSTOP");
      for (;;) {
        const client = connect(path);
        clients.push(client);
        const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
          client.once("connect", () => resolve(undefined));
          client.once("error", resolve);
        });
        if (error) break; // EAGAIN: the backlog is full
      }
      const config = join(other, "groundcontrol.toml");
      writeFileSync(
        config,
        `control-socket = "${path}"\n\n[[processes]]\nname = "second"\nrun = ["/bin/sh", "-c", "echo second-up; exec sleep 600"]\n`,
      );
      gc2 = new Running([process.execPath, CLI, config], {
        env: { ...process.env, NO_COLOR: "1" },
      });
      await gc2.waitFor(/another Ground Control answers there|second-up/);
      expect(gc2.stderr).toMatch(/another Ground Control answers there/);
    } finally {
      for (const client of clients) client.destroy();
      process.kill(gc1.child.pid!, "SIGCONT");
      if (gc2 && !gc2.exited) {
        gc2.kill("SIGTERM");
        await gc2.finished;
      }
      gc1.cleanup();
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);
});

const havePrlimit = (() => {
  try {
    execFileSync("prlimit", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(process.platform === "linux" && havePrlimit)("red team: the HTTP status", () => {
  it("keeps descriptors for its commands while many clients hold connections open", async () => {
    const port = await freePort();
    const sockets: Socket[] = [];
    await withScenario(
      `
suppress_timestamps = true
control-socket = false
status-listen = "127.0.0.1:${port}"

[[processes]]
name = "flaky"
run = ["/bin/sh", "-c", "echo flaky-up; sleep 0.2; exit 1"]
restart = { on = "failure", max = 1000, within = "10m", backoff = "50ms", max-backoff = "50ms" }
`,
      async (s) => {
        try {
          await s.waitForOutput(/flaky-up/);
          // Anyone who can reach the port (it is often 0.0.0.0 for the platform's checks).
          for (let i = 0; i < 300; i++) {
            const socket = connect(port, "127.0.0.1");
            socket.on("error", () => {});
            sockets.push(socket);
            await new Promise((resolve) => {
              socket.once("connect", resolve);
              socket.once("error", resolve);
            });
          }
          const from = s.stderr.length;
          const restarts = () => (s.stderr.slice(from).match(/restart \d+ in/g) ?? []).length;
          await until(() => restarts() >= 5, "5 more restarts");
          expect(s.stderr.slice(from)).not.toMatch(/could not start|EMFILE/);
        } finally {
          for (const socket of sockets) socket.destroy();
        }
      },
      { wrapper: ["prlimit", "--nofile=256:256"] },
    );
  }, 60_000);
});

// Run by a user who can write the socket's directory: each time Ground Control binds its
// temporary name beside the socket, put a symlink to root's file in its place.
const SWAPPER = `
const fs = require("node:fs");
const [dir, target] = process.argv.slice(2);
process.chdir(dir);
for (;;) {
  try { fs.symlinkSync(target, "link"); } catch {}
  for (const name of fs.readdirSync(".")) {
    if (name.startsWith(".gc-") && name.endsWith(".sock")) {
      try { fs.renameSync("link", name); } catch {}
    }
  }
}
`;

describe.runIf(canSwitchUsers)(
  "red team: the control socket in a directory a user can write",
  () => {
    it("never changes the mode of a file through a link planted at its temporary name", async () => {
      const users = createTestUsers();
      const base = mkdtempSync(join(tmpdir(), "gc-redteam-sockdir-"));
      let swapper: Running | undefined;
      try {
        chmodSync(base, 0o755);
        const loner = { uid: users.uid(users.loner), gid: users.gid(users.loner) };
        // /run/app, say, made for the app's user.
        const dir = join(base, "run-app");
        mkdirSync(dir);
        chownSync(dir, loner.uid, loner.gid);
        const victim = join(base, "victim");
        writeFileSync(victim, "root's, readable by all\n", { mode: 0o644 });
        writeFileSync(join(base, "swapper.cjs"), SWAPPER, { mode: 0o644 });
        const config = join(base, "groundcontrol.toml");
        writeFileSync(
          config,
          `control-socket = "${dir}/gc.sock"\n\n[[processes]]\nname = "app"\nrun = "/bin/true"\n`,
        );
        swapper = new Running(
          [
            "setpriv",
            `--reuid=${loner.uid}`,
            `--regid=${loner.gid}`,
            "--clear-groups",
            process.execPath,
            join(base, "swapper.cjs"),
            dir,
            victim,
          ],
          { env: process.env },
        );
        for (
          let attempt = 0;
          attempt < 30 && (statSync(victim).mode & 0o777) === 0o644;
          attempt++
        ) {
          await new Running([process.execPath, CLI, config], {
            env: { ...process.env, NO_COLOR: "1" },
          }).finished;
        }
        expect((statSync(victim).mode & 0o777).toString(8)).toBe("644");
      } finally {
        swapper?.kill("SIGKILL");
        await swapper?.finished;
        rmSync(base, { recursive: true, force: true });
        users.remove();
      }
    }, 60_000);
  },
);

// `groundcontrol status`, the control socket and the HTTP status, as a black box: the real CLI
// runs a config, and another real CLI (or an HTTP client) asks it.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, canUnshare, freePort, type Scenario, withScenario } from "./helpers/harness.js";
import { runCli } from "./run-cli.js";

let dir: string;
let socket: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gc-status-"));
  socket = join(dir, "gc.sock");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}) => ({
  ...process.env,
  NO_COLOR: "1",
  GROUNDCONTROL_CONFIG: "",
  GROUNDCONTROL_SOCKET: socket,
  ...extra,
});

const status = (...args: string[]) => runCli(["status", ...args], { env: env() });

async function statusJson() {
  const result = await status("--json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as {
    v: number;
    phase: string;
    ready: boolean;
    processes: { name: string; state: string; pid: number | null }[];
  };
}

const SECRET = "hunter2-do-not-print";

/** The narrating fixture daemon as a command array: writes {dir}/NAME.pid once up. */
const daemon = (name: string) => `["/bin/sh", "{daemon}", "${name}", "{results}", "{dir}"]`;

const TWO_PROCESSES = `
[env]
DB_PASSWORD = "${SECRET}"

[[processes]]
name = "db"
run = { command = ${daemon("db")}, env = { TOKEN = "${SECRET}" } }
ready = { file = "{dir}/db.ready" }

[[processes]]
name = "app"
run = ${daemon("app")}
`;

function writeReadyFile(s: Scenario): void {
  writeFileSync(join(s.dir, "db.ready"), "");
}

describe("groundcontrol status", () => {
  it("lists names, pids and states while running, and never an environment value", async () => {
    await withScenario(
      TWO_PROCESSES,
      async (s) => {
        const db = await s.waitForPid("db");
        writeReadyFile(s);
        const app = await s.waitForPid("app");
        await s.waitForOutput(/started: all 2 processes ready/);

        const report = await statusJson();
        expect(report).toMatchObject({ v: 1, phase: "running", ready: true });
        expect(report.processes.map(({ name, state, pid }) => ({ name, state, pid }))).toEqual([
          { name: "db", state: "ready", pid: db },
          { name: "app", state: "running", pid: app },
        ]);
        const text = await status();
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(/^groundcontrol running, ready, up \d+s \(pid \d+\)$/m);
        expect(text.stdout).toMatch(new RegExp(`^db +ready +${db} `, "m"));
        expect(text.stdout).toMatch(new RegExp(`^app +running +${app} `, "m"));
        for (const out of [text.stdout, JSON.stringify(report)]) expect(out).not.toContain(SECRET);

        // The socket is Ground Control's own: mode 0600.
        expect(statSync(socket).mode & 0o777).toBe(0o600);
        expect(statSync(socket).isSocket()).toBe(true);
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
        expect(existsSync(socket)).toBe(false);
      },
      { env: env() },
    );
  });

  it("exits 3 when nothing answers, and says where it asked", async () => {
    const result = await status();
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `groundcontrol status: nothing answers on ${socket} (no such socket: is Ground Control running here, with this control-socket?)\n`,
    );
    const ready = await status("--ready");
    expect(ready.code).toBe(3);
  });

  it("--ready is 1 while a ready gate holds startup, and 0 once it opened", async () => {
    await withScenario(
      TWO_PROCESSES,
      async (s) => {
        await s.waitForPid("db");
        const held = await status("--ready");
        expect(held.code).toBe(1);
        expect(held.stdout).toMatch(/^groundcontrol starting, not ready/m);
        expect(held.stdout).toMatch(/^db +starting /m);
        expect(held.stdout).toMatch(/^app +waiting +- /m);
        writeReadyFile(s);
        await s.waitForOutput(/started: all 2 processes ready/);
        expect((await status("--ready")).code).toBe(0);
      },
      { env: env() },
    );
  });

  it("two status calls at once both answer", async () => {
    await withScenario(
      TWO_PROCESSES,
      async (s) => {
        await s.waitForPid("db");
        const answers = await Promise.all([status("--json"), status("--json"), status()]);
        for (const answer of answers) expect(answer.code, answer.stderr).toBe(0);
      },
      { env: env() },
    );
  });

  it("a stale socket left by a SIGKILLed Ground Control does not stop the next start", async () => {
    const pids: number[] = [];
    try {
      await withScenario(
        `[[processes]]\nname = "a"\nrun = ${daemon("a")}\n`,
        async (s) => {
          pids.push(await s.waitForPid("a"));
          s.signal("SIGKILL");
          await s.finished;
        },
        { env: env() },
      );
      expect(statSync(socket).isSocket()).toBe(true); // left behind
      await withScenario(
        `[[processes]]\nname = "b"\nrun = ${daemon("b")}\n`,
        async (s) => {
          pids.push(await s.waitForPid("b"));
          const report = await statusJson();
          expect(report.processes.map((p) => p.name)).toEqual(["b"]);
          expect(s.stderr).not.toMatch(/control socket/);
        },
        { env: env() },
      );
    } finally {
      // Each led a process group (its daemon's background sleep is in it): the group goes.
      for (const pid of pids) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
      }
    }
  });

  it("a socket another live Ground Control answers on is never taken: an error when chosen", async () => {
    await withScenario(
      `[[processes]]\nname = "first"\nrun = ${daemon("first")}\n`,
      async (first) => {
        await first.waitForPid("first");
        await withScenario(
          `[[processes]]\nname = "second"\nrun = ${daemon("second")}\n`,
          async (second) => {
            const done = await second.finished;
            expect(done.code).toBe(1);
            expect(done.stderr).toContain(
              `startup aborted: control socket ${socket}: another Ground Control answers there (from GROUNDCONTROL_SOCKET)`,
            );
            expect(second.transcript()).toBe(""); // nothing started
          },
          { env: env() },
        );
        // The first still answers on its socket.
        expect((await statusJson()).processes.map((p) => p.name)).toEqual(["first"]);
      },
      { env: env() },
    );
  });

  it("a socket path that cannot be made is a startup error naming it", async () => {
    const nowhere = join(dir, "no-such-dir", "gc.sock");
    await withScenario(
      `control-socket = "${nowhere}"\n[[processes]]\nname = "a"\nrun = ${daemon("a")}\n`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(1);
        expect(done.stderr).toContain(
          `startup aborted: control socket ${nowhere}: its directory ${join(dir, "no-such-dir")} does not exist`,
        );
      },
      { env: env({ GROUNDCONTROL_SOCKET: "" }) },
    );
  });

  it("control-socket = false serves nothing", async () => {
    await withScenario(
      `control-socket = false\n[[processes]]\nname = "a"\nrun = ${daemon("a")}\n`,
      async (s) => {
        await s.waitForPid("a");
        expect(existsSync(socket)).toBe(false);
        const asked = await runCli(["status"], { env: env({ GROUNDCONTROL_SOCKET: "" }) });
        // Nothing at the default place either, unless another Ground Control runs here.
        expect([3, 0]).toContain(asked.code);
        if (asked.code === 0) expect(asked.stdout).not.toMatch(/^a +/m);
      },
      { env: env({ GROUNDCONTROL_SOCKET: "" }) },
    );
  });
});

describe("status-listen", () => {
  it("/healthz is 503 while startup waits and 200 once it completed; /status is the JSON", async () => {
    const port = await freePort();
    await withScenario(
      `status-listen = "127.0.0.1:${port}"\n${TWO_PROCESSES}`,
      async (s) => {
        await s.waitForOutput(new RegExp(`serving status on http://127.0.0.1:${port}`));
        await s.waitForPid("db");
        const base = `http://127.0.0.1:${port}`;
        const before = await fetch(`${base}/healthz`);
        expect(before.status).toBe(503);
        expect(await before.text()).toBe("not ready: starting\n");
        writeReadyFile(s);
        await s.waitForOutput(/started: all 2 processes ready/);
        const after = await fetch(`${base}/healthz`);
        expect(after.status).toBe(200);
        const statusPage = await fetch(`${base}/status`);
        expect(statusPage.headers.get("content-type")).toBe("application/json; charset=utf-8");
        const body = await statusPage.text();
        expect(JSON.parse(body)).toMatchObject({ v: 1, phase: "running", ready: true });
        expect(body).not.toContain(SECRET);
        expect((await fetch(`${base}/`)).status).toBe(404);
        expect((await fetch(`${base}/status`, { method: "POST" })).status).toBe(405);
      },
      { env: env() },
    );
  });

  it("an address already in use is a startup error naming it, and nothing starts", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      await withScenario(
        `status-listen = "127.0.0.1:${port}"\n[[processes]]\nname = "a"\nrun = ${daemon("a")}\n`,
        async (s) => {
          const done = await s.finished;
          expect(done.code).toBe(1);
          expect(done.stderr).toContain(
            `startup aborted: cannot serve status on 127.0.0.1:${port}: listen EADDRINUSE`,
          );
          expect(s.transcript()).toBe("");
          // The control socket it had made is gone again.
          expect(existsSync(socket)).toBe(false);
        },
        { env: env() },
      );
    } finally {
      taken.close();
    }
  });
});

describe("GROUNDCONTROL_STATUS_LISTEN", () => {
  it("serves the HTTP status where the platform's manifest says, over status-listen", async () => {
    const port = await freePort();
    await withScenario(
      `status-listen = "127.0.0.1:1"\n[[processes]]\nname = "a"\nrun = ${daemon("a")}\n`,
      async (s) => {
        await s.waitForPid("a");
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      },
      { env: env({ GROUNDCONTROL_STATUS_LISTEN: `127.0.0.1:${port}` }) },
    );
  });

  it("a value that is not host:port is a startup error naming the variable", async () => {
    await withScenario(
      `[[processes]]\nname = "a"\nrun = ${daemon("a")}\n`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(1);
        expect(done.stderr).toContain(
          'startup aborted: GROUNDCONTROL_STATUS_LISTEN="9090": expected "host:port", such as "127.0.0.1:5432"',
        );
        expect(s.transcript()).toBe("");
      },
      { env: env({ GROUNDCONTROL_STATUS_LISTEN: "9090" }) },
    );
  });
});

describe.skipIf(!canUnshare)("the default socket, in a private /run", () => {
  /**
   * Runs `script` with sh in a new mount namespace whose /run is an empty tmpfs: the default
   * socket path is then this test's alone. $GC runs the CLI; $DIR is the test's directory.
   */
  async function inPrivateRun(script: string) {
    const gc = `${process.execPath} ${CLI}`;
    const child = spawn(
      "unshare",
      ["--mount", "--propagation", "private", "sh", "-ec", `mount -t tmpfs tmpfs /run\n${script}`],
      { env: { ...env({ GROUNDCONTROL_SOCKET: "" }), GC: gc, DIR: dir }, stdio: "pipe" },
    );
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { code, out };
  }

  const config = (name: string) => {
    const file = join(dir, `${name}.toml`);
    writeFileSync(
      file,
      `[[processes]]\nname = "${name}"\nrun = "sh -c 'echo $$ > ${dir}/${name}.pid; exec sleep 600'"\n`,
    );
    return file;
  };
  const waitPid = (name: string) =>
    `while ! grep -q . "$DIR/${name}.pid" 2>/dev/null; do sleep 0.01; done`;

  it("is /run/groundcontrol.sock, where status asks by default; removed at exit", async () => {
    const { code, out } = await inPrivateRun(`
      $GC ${config("a")} 2>"$DIR/a.err" & gc=$!
      ${waitPid("a")}
      $GC status --json > "$DIR/status.json"
      stat -c %a /run/groundcontrol.sock > "$DIR/mode"
      kill -TERM $gc; wait $gc
      ls -A /run > "$DIR/after"
    `);
    expect(code, out).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "status.json"), "utf8")).processes[0].name).toBe("a");
    expect(readFileSync(join(dir, "mode"), "utf8")).toBe("600\n");
    expect(readFileSync(join(dir, "after"), "utf8")).toBe("");
    expect(readFileSync(join(dir, "a.err"), "utf8")).not.toMatch(/control socket/);
  });

  it("taken by another live Ground Control: a warning, and this one runs without a socket", async () => {
    const { code, out } = await inPrivateRun(`
      $GC ${config("a")} 2>"$DIR/a.err" & first=$!
      ${waitPid("a")}
      $GC ${config("b")} 2>"$DIR/b.err" & second=$!
      ${waitPid("b")}
      $GC status --json > "$DIR/status.json"
      kill -TERM $second; wait $second
      ls -A /run > "$DIR/after-second"
      kill -TERM $first; wait $first
    `);
    expect(code, out).toBe(0);
    expect(readFileSync(join(dir, "b.err"), "utf8")).toContain(
      "control socket /run/groundcontrol.sock: another Ground Control answers there; running without a control socket",
    );
    // The first keeps its socket, and the second's exit does not remove it.
    expect(JSON.parse(readFileSync(join(dir, "status.json"), "utf8")).processes[0].name).toBe("a");
    expect(readFileSync(join(dir, "after-second"), "utf8")).toBe("groundcontrol.sock\n");
  });

  it("cannot be made (a read-only /run): a warning, and the run goes on", async () => {
    const { code, out } = await inPrivateRun(`
      mount -o remount,ro /run
      $GC ${config("a")} 2>"$DIR/a.err" & gc=$!
      ${waitPid("a")}
      kill -TERM $gc; wait $gc
    `);
    expect(code, out).toBe(0);
    expect(readFileSync(join(dir, "a.err"), "utf8")).toMatch(
      /control socket \/run\/groundcontrol.sock: read-only file system \(EROFS\); running without a control socket/,
    );
  });
});

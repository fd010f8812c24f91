// The plan built from a Spec, its text rendering, and check() (the code --check runs).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Spec } from "@groundcontrol/core";
import { describe, expect, it } from "vitest";
import { check } from "../src/check.js";
import { buildPlan } from "../src/plan.js";
import { renderPlan } from "../src/plan-text.js";

const SPEC: Spec = {
  env: { DB_URL: "postgres://secret@db/app", REGION: "eu" },
  shutdownTimeoutMs: 25_000,
  processes: [
    {
      name: "db",
      pre: { program: "restore", args: ["{{DB_URL}}"] },
      run: {
        program: "postgres",
        args: ["-D", "/data"],
        user: "postgres",
        onlyEnv: ["DB_URL", "PGPORT"],
      },
      stop: { kind: "signal", signal: "SIGINT" },
      ready: { check: { kind: "tcp", host: "::1", port: 5432 }, timeoutMs: 30_000 },
    },
    {
      name: "migrate",
      pre: { program: "migrate", args: ["up"], env: { TOKEN: "t0ps3cret" }, cwd: "/srv" },
    },
    {
      name: "web",
      run: { program: "node", args: ["server.js", "--title", "my app"] },
      stop: { kind: "command", command: { program: "ctl", args: ["quit"], user: "app:app" } },
      stopTimeoutMs: 5_000,
      post: { program: "/bin/echo", args: ["bye"] },
    },
  ],
};

describe("buildPlan", () => {
  const plan = buildPlan(SPEC, "gc.toml");

  it("lists startup in file order and shutdown in reverse, marking one-shots", () => {
    expect(plan.startup.map((entry) => [entry.process, entry.oneShot])).toEqual([
      ["db", false],
      ["migrate", true],
      ["web", false],
    ]);
    expect(
      plan.shutdown.map((entry) => [entry.process, entry.phases.map((phase) => phase.phase)]),
    ).toEqual([
      ["web", ["stop", "post"]],
      ["migrate", []],
      ["db", ["stop"]],
    ]);
  });

  it("fills defaults from core's DEFAULTS", () => {
    expect(plan.settings).toEqual({
      logFormat: "text",
      suppressTimestamps: false,
      shutdownTimeoutMs: 25_000,
      env: ["DB_URL", "REGION"],
    });
    expect(plan.startup[0]?.phases[1]).toMatchObject({
      phase: "run",
      ready: {
        check: "tcp",
        target: "[::1]:5432",
        command: null,
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    });
    expect(plan.shutdown[2]?.phases[0]).toEqual({
      phase: "stop",
      signal: "SIGINT",
      stopTimeoutMs: 10_000,
    });
  });

  it("describes each command's argv, user, cwd and variable names", () => {
    expect(plan.startup[0]?.phases[1]).toMatchObject({
      argv: ["postgres", "-D", "/data"],
      user: "postgres",
      cwd: null,
      env: {
        inheritsAll: false,
        onlyEnv: ["PATH", "DB_URL", "PGPORT"],
        envTable: ["DB_URL"],
        commandEnv: [],
      },
    });
    expect(plan.startup[1]?.phases[0]).toMatchObject({
      argv: ["migrate", "up"],
      user: null,
      cwd: "/srv",
      env: {
        inheritsAll: true,
        onlyEnv: null,
        envTable: ["DB_URL", "REGION"],
        commandEnv: ["TOKEN"],
      },
    });
    expect(plan.shutdown[0]?.phases[0]).toMatchObject({
      phase: "stop",
      signal: null,
      stopTimeoutMs: 5_000,
      argv: ["ctl", "quit"],
      user: "app:app",
    });
  });

  it("never carries a variable's value", () => {
    const json = JSON.stringify(plan);
    expect(json).not.toContain("secret@db");
    expect(json).not.toContain("t0ps3cret");
    expect(json).not.toContain('"eu"');
  });
});

describe("renderPlan", () => {
  it("prints startup phase by phase, then the reverse shutdown", () => {
    expect(renderPlan(buildPlan(SPEC, "gc.toml"))).toBe(
      `gc.toml: valid (3 processes)
log format: text, timestamps shown; shutdown deadline: 25s
[env]: DB_URL, REGION

Startup, in order:
  1. db
       pre   restore '{{DB_URL}}'
             user: (inherited); env: inherits all + [env] DB_URL, REGION
       run   postgres -D /data
             user: postgres; env: only PATH, DB_URL, PGPORT
       ready when tcp [::1]:5432 (timeout 30s, every 100ms)
       not restarted: when it exits, everything stops
       signals passed on: SIGHUP, SIGUSR1, SIGUSR2
  2. migrate (one-shot: no run command)
       pre   migrate up
             user: (inherited); cwd: /srv; env: inherits all + [env] DB_URL, REGION + own env TOKEN
  3. web
       run   node server.js --title 'my app'
             user: (inherited); env: inherits all + [env] DB_URL, REGION
       ready at once (no ready check)
       not restarted: when it exits, everything stops
       signals passed on: SIGHUP, SIGUSR1, SIGUSR2

Shutdown, in reverse order (within the 25s deadline: each stop wait gets what is left of it; a post still running at it is killed, the posts after it are skipped):
  1. web
       stop  ctl quit
             user: app:app; env: inherits all + [env] DB_URL, REGION
             then SIGKILL to its process group after 5s if still running
       post  /bin/echo bye
             user: (inherited); env: inherits all + [env] DB_URL, REGION
  2. migrate (one-shot: nothing to stop)
       (nothing to do)
  3. db
       stop  SIGINT; SIGKILL to its process group after 10s
`,
    );
  });
});

describe("check", () => {
  const dir = mkdtempSync(join(tmpdir(), "gc-check-"));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("returns exit 0 and the plan for a valid file", async () => {
    const file = write(
      "ok.toml",
      '[env]\nSECRET = "hunter2"\n[[processes]]\nname = "a"\nrun = "a"\n',
    );
    const text = await check(file, { json: false, strict: false });
    expect(text).toMatchObject({ exitCode: 0, stderr: "" });
    expect(text.stdout).toContain(`${file}: valid (1 process)`);
    expect(text.stdout).not.toContain("hunter2");
    const json = await check(file, { json: true, strict: false });
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      config: file,
      startup: [{ process: "a" }],
    });
  });

  it("returns exit 2 and the report on stderr for an invalid file; JSON issues with --json", async () => {
    const file = write("bad.toml", '[[processes]]\nname = "a"\nrun = 5\n');
    const text = await check(file, { json: false, strict: false });
    expect(text).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `${file}: invalid config (1 problem)\n${file}:3:1: processes[0].run: expected a command: a string, an array of strings, or a table with \`command\`, got an integer\n`,
    });
    const json = await check(file, { json: true, strict: false });
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      config: file,
      issues: [
        {
          file,
          line: 3,
          column: 1,
          path: "processes[0].run",
          message:
            "expected a command: a string, an array of strings, or a table with `command`, got an integer",
        },
      ],
    });
  });
});

describe("restart and health in the plan", () => {
  const spec: Spec = {
    processes: [
      {
        name: "worker",
        run: { program: "worker", args: [] },
        restart: { on: "failure", max: 5, backoffMs: 500 },
        health: { check: { kind: "http", url: "http://127.0.0.1:8080/healthz" }, failures: 2 },
      },
    ],
  };

  it("lists the budget and the check with their defaults, in JSON", () => {
    const [run] = buildPlan(spec, "gc.toml").startup[0]!.phases;
    expect(run).toMatchObject({
      restart: { on: "failure", max: 5, withinMs: 60_000, backoffMs: 500, maxBackoffMs: 30_000 },
      health: {
        check: "http",
        target: "http://127.0.0.1:8080/healthz",
        intervalMs: 10_000,
        timeoutMs: 5_000,
        failures: 2,
        graceMs: 10_000,
      },
    });
  });

  it("says them in words", () => {
    const text = renderPlan(buildPlan(spec, "gc.toml"));
    expect(text).toContain(
      "healthy while http http://127.0.0.1:8080/healthz holds (every 10s, first after 10s, timeout 5s; unhealthy after 2 failures in a row)",
    );
    expect(text).toContain(
      "restarted when it fails, at most 5 times within 1m (waiting 500ms, doubling up to 30s); then everything stops",
    );
  });
});

describe("notify and the watchdog in the plan", () => {
  const spec: Spec = {
    processes: [
      {
        name: "db",
        run: { program: "postgres", args: [], onlyEnv: [] },
        ready: { check: { kind: "notify" }, timeoutMs: 30_000 },
        watchdogMs: 20_000,
      },
      { name: "web", run: { program: "web", args: [] }, ready: { check: { kind: "notify" } } },
      { name: "plain", run: { program: "plain", args: [] } },
    ],
  };

  it("lists the gate, the socket's variables and the watchdog, in JSON", () => {
    const [db, web, plain] = buildPlan(spec, "gc.toml").startup.map((entry) => entry.phases[0]);
    expect(db).toMatchObject({
      ready: { check: "notify", target: "READY=1", command: null, timeoutMs: 30_000 },
      notify: { env: ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"], watchdogMs: 20_000 },
    });
    expect(web).toMatchObject({ notify: { env: ["NOTIFY_SOCKET"], watchdogMs: null } });
    expect(plain).toMatchObject({ notify: null });
  });

  it("says them in words", () => {
    const text = renderPlan(buildPlan(spec, "gc.toml"));
    expect(text).toContain("ready when notify READY=1 (timeout 30s)\n");
    expect(text).toContain(
      "notify socket: NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID set for it, whatever its env (only messages from its own processes count)",
    );
    expect(text).toContain(
      "watchdog: WATCHDOG=1 at least every 20s once ready, or it is unhealthy",
    );
  });
});

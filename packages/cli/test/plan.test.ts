// The plan built from a Spec, its text rendering, and check() (the code --check runs).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@groundcontrol/config";
import type { Spec } from "@groundcontrol/core";
import { describe, expect, it } from "vitest";
import { check } from "../src/check.js";
import { buildPlan, type ShutdownBudget } from "../src/plan.js";
import { renderPlan } from "../src/plan-text.js";
import type { KillTimeout } from "../src/platforms.js";

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

Worst-case shutdown: 25s (the shutdown-timeout)
Status: control socket /run/groundcontrol.sock (the default: best effort); no HTTP status
Break glass: when BREAK_GLASS is set: starts nothing
`,
    );
  });
});

describe("the plan's status and break glass", () => {
  it("names the socket, the HTTP address, what break glass starts and where boots are counted", () => {
    const config = parseConfig(`
control-socket = "/run/app/gc.sock"
status-listen = "0.0.0.0:9090"

[break-glass]
after-failed-boots = 3
state-file = "/data/boots"
start-through = "vpn"

[[processes]]
name = "vpn"
run = "tailscaled"

[[processes]]
name = "sshd"
run = "sshd -D"

[[processes]]
name = "app"
run = "app"
`);
    const plan = buildPlan(config, "gc.toml");
    expect(plan.status).toEqual({
      controlSocket: "/run/app/gc.sock",
      bestEffort: false,
      listen: "0.0.0.0:9090",
    });
    expect(plan.breakGlass).toEqual({
      starts: ["vpn"],
      afterFailedBoots: 3,
      stateFile: "/data/boots",
      healthyAfterMs: 60_000,
    });
    expect(renderPlan(plan).split("\n").slice(-3)).toEqual([
      "Status: control socket /run/app/gc.sock; GET /status and /healthz on 0.0.0.0:9090",
      "Break glass: when BREAK_GLASS is set, or after 3 failed boots in a row (counted in /data/boots; a boot up 1m after startup is good): starts vpn and nothing else",
      "",
    ]);
    expect(
      buildPlan(parseConfig('control-socket = false\n[[processes]]\nname = "a"\nrun = "a"\n'), "x")
        .status.controlSocket,
    ).toBeNull();
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

describe("secrets in the plan", () => {
  const spec: Spec = {
    processes: [
      {
        name: "app",
        run: {
          program: "app",
          args: [],
          onlyEnv: [],
          secrets: { API_KEY: "/run/secrets/api-key", DB_PASSWORD: "secrets/db" },
        },
        stop: {
          kind: "command",
          command: { program: "ctl", args: ["stop"], secrets: { API_KEY: "/run/secrets/api-key" } },
        },
      },
    ],
  };

  it("names each secret and its file, in JSON", () => {
    const plan = buildPlan(spec, "gc.toml");
    expect(plan.startup[0]!.phases[0]!.env.secrets).toEqual([
      { name: "API_KEY", path: "/run/secrets/api-key" },
      { name: "DB_PASSWORD", path: "secrets/db" },
    ]);
    expect(plan.shutdown[0]!.phases[0]).toMatchObject({
      env: { secrets: [{ name: "API_KEY", path: "/run/secrets/api-key" }] },
    });
  });

  it("and in words", () => {
    const text = renderPlan(buildPlan(spec, "gc.toml"));
    expect(text).toContain(
      "user: (inherited); env: only PATH + secrets API_KEY from /run/secrets/api-key, DB_PASSWORD from secrets/db",
    );
    expect(text).toContain(
      "user: (inherited); env: inherits all + secrets API_KEY from /run/secrets/api-key",
    );
  });
});

describe("the worst-case shutdown", () => {
  const runs = (count: number, extra: Partial<Spec> = {}): Spec => ({
    ...extra,
    processes: Array.from({ length: count }, (_, i) => ({
      name: `p${i}`,
      run: { program: "x", args: [] },
    })),
  });
  const withPost: Spec = {
    processes: [{ name: "db", run: { program: "x", args: [] }, post: { program: "y", args: [] } }],
  };

  it.each<[string, Spec, KillTimeout | undefined, Partial<ShutdownBudget>, string]>([
    [
      "no kill timeout",
      runs(2),
      undefined,
      { worstCaseMs: 20_000, bound: "stop-timeouts" },
      "Worst-case shutdown: 20s (the stop-timeouts, one after the other)",
    ],
    [
      "unbounded",
      withPost,
      undefined,
      { worstCaseMs: null, bound: "unbounded" },
      "Worst-case shutdown: unbounded (a post command has no time limit without shutdown-timeout)",
    ],
    [
      "Fly.io, two default stop-timeouts",
      runs(2),
      { platform: "fly" },
      { worstCaseMs: 20_000, platform: "fly", killTimeoutMs: 5_000, fits: false },
      `Worst-case shutdown: 20s (the stop-timeouts, one after the other): does not fit in Fly.io's 5s kill timeout with 1s to spare
  set shutdown-timeout = "4s" (1s under the kill timeout, for Ground Control's last output and orphans), or shorten the stop-timeouts, which add up to 20s; or raise kill_timeout in fly.toml`,
    ],
    [
      "Fly.io, shutdown-timeout 4s",
      runs(2, { shutdownTimeoutMs: 4_000 }),
      { platform: "fly" },
      { worstCaseMs: 4_000, bound: "shutdown-timeout", fits: true },
      "Worst-case shutdown: 4s (the shutdown-timeout): fits in Fly.io's 5s kill timeout, 1s to spare",
    ],
    [
      "Fly.io, shutdown-timeout 4.5s: no second to spare",
      runs(2, { shutdownTimeoutMs: 4_500 }),
      { platform: "fly" },
      { worstCaseMs: 4_500, fits: false },
      `  lower shutdown-timeout to "4s" (1s under the kill timeout, for Ground Control's last output and orphans); or raise kill_timeout in fly.toml`,
    ],
    [
      "Docker, one default stop-timeout: 10s does not leave 1s",
      runs(1),
      { platform: "docker" },
      { worstCaseMs: 10_000, killTimeoutMs: 10_000, fits: false },
      "does not fit in Docker's 10s kill timeout with 1s to spare",
    ],
    [
      "Kubernetes, two default stop-timeouts",
      runs(2),
      { platform: "kubernetes" },
      { worstCaseMs: 20_000, killTimeoutMs: 30_000, fits: true },
      "fits in Kubernetes's 30s kill timeout, 10s to spare",
    ],
    [
      "a kill timeout of 25s, three default stop-timeouts",
      runs(3),
      { ms: 25_000 },
      { worstCaseMs: 30_000, killTimeoutMs: 25_000, fits: false },
      `does not fit in the 25s kill timeout with 1s to spare
  set shutdown-timeout = "24s" (1s under the kill timeout, for Ground Control's last output and orphans), or shorten the stop-timeouts, which add up to 30s; or raise the kill timeout`,
    ],
    [
      "a post without shutdown-timeout never fits",
      withPost,
      { ms: 60_000 },
      { worstCaseMs: null, fits: false },
      `  set shutdown-timeout = "59s" (1s under the kill timeout, for Ground Control's last output and orphans): without it a post command has no time limit; or raise the kill timeout`,
    ],
    [
      "shutdown-timeout 0 fits a 1s kill timeout",
      runs(1, { shutdownTimeoutMs: 0 }),
      { ms: 1_000 },
      { worstCaseMs: 0, fits: true },
      "fits in the 1s kill timeout, 1s to spare",
    ],
    [
      "a kill timeout shorter than the margin",
      runs(1),
      { ms: 500 },
      { fits: false },
      "  raise the kill timeout: 500ms leaves no time for a graceful shutdown (Ground Control needs about 1s of its own)",
    ],
  ])("%s", (_what, spec, killTimeout, budget, text) => {
    const plan = buildPlan(spec, "gc.toml", killTimeout);
    expect(plan.shutdownBudget).toMatchObject(budget);
    expect("advice" in plan.shutdownBudget).toBe(plan.shutdownBudget.fits === false);
    expect(renderPlan(plan)).toContain(text);
  });

  it("fails the check on stderr, with exit 2, in text and in JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-budget-"));
    const file = join(dir, "gc.toml");
    writeFileSync(
      file,
      '[[processes]]\nname = "a"\nrun = "a"\n[[processes]]\nname = "b"\nrun = "b"\n',
    );
    const text = await check(file, {
      json: false,
      strict: false,
      killTimeout: { platform: "fly" },
    });
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toBe(
      `${file}: the worst-case shutdown (20s) does not fit in Fly.io's 5s kill timeout with 1s to spare: set shutdown-timeout = "4s" (1s under the kill timeout, for Ground Control's last output and orphans), or shorten the stop-timeouts, which add up to 20s; or raise kill_timeout in fly.toml\n`,
    );
    const json = await check(file, { json: true, strict: false, killTimeout: { ms: 25_000 } });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout).shutdownBudget).toEqual({
      worstCaseMs: 20_000,
      bound: "stop-timeouts",
      killTimeoutMs: 25_000,
      fits: true,
    });
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

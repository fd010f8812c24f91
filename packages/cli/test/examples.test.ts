// The examples in examples/ stay true: every groundcontrol.toml passes --check, and each runnable
// example runs to the end as its README describes (or until SIGTERM, as a platform would stop it).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyExample, EXAMPLES, exampleConfigs, inOrder, runIn } from "./helpers/example.js";
import { CLI } from "./helpers/harness.js";
import type { Running } from "./helpers/running.js";
import { runCli } from "./run-cli.js";

/** Configs that are only checked, and why they cannot run here. */
const CHECK_ONLY: Record<string, string> = {
  "real-stack/groundcontrol.toml":
    "needs root, PostgreSQL 15 and nginx; run as PID 1 by real-stack.test.ts where they are there",
};

/** Configs that run below, one `it` each. */
const RUNNABLE = [
  "demo/groundcontrol.toml",
  "litestream/groundcontrol.toml",
  "tailscale-nginx/groundcontrol.toml",
  "when-things-fail/groundcontrol.toml",
  "notify/groundcontrol.toml",
];

const configs = exampleConfigs();

describe("every example config", () => {
  it("is either run below or listed as check-only", () => {
    expect(configs.length).toBeGreaterThan(0);
    for (const config of configs) {
      expect([...RUNNABLE, ...Object.keys(CHECK_ONLY)], config).toContain(config);
    }
  });

  it.each(configs)("%s passes --check, in text and JSON", async (config) => {
    const path = join(EXAMPLES, config);
    const text = await runCli(["--check", path]);
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/: valid \(\d+ process/);
    const json = await runCli(["--check", "--json", path]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true });
  });
});

/** Runs the CLI from a copy of the example's directory, as its README says. */
function runExample(dir: string, env: NodeJS.ProcessEnv = {}): Running {
  return runIn(dir, [process.execPath, CLI], env);
}

describe("runnable examples", () => {
  it("demo: starts in order, the app exits 0, everything stops in reverse", async () => {
    const example = copyExample("demo");
    try {
      const done = await runExample(example.dir).finished;
      expect(done.code).toBe(0);
      // The sidecar has no ready check: its first line may come before or after the app's.
      inOrder(done.stdout, ["sidecar | replicating", "sidecar | flushing and exiting"]);
      inOrder(done.stdout, [
        "setup[pre] | preparing the data directory",
        "app[pre] | hello from Ground Control",
        "app | work done, exiting 0",
        "app[post] | app: goodbye",
        "sidecar | flushing and exiting",
        "setup[post] | setup: cleaned up, last to go",
      ]);
    } finally {
      example.remove();
    }
  });

  it("litestream: a fresh machine restores what the last one replicated", async () => {
    const example = copyExample("litestream");
    try {
      const first = await runExample(example.dir).finished;
      expect(first.code).toBe(0);
      inOrder(first.stdout, [
        "litestream[pre] | no replica found, skipping restore",
        "litestream | replicating to: file://replica/app.db",
        "app[pre] | created schema v1",
        "app | done: 4 rows, exiting",
        "litestream | final sync of data/app.db done, exiting",
      ]);
      const db = () => readFileSync(join(example.dir, "data/app.db"), "utf8");
      const replica = () => readFileSync(join(example.dir, "replica/app.db"), "utf8");
      // The final sync ran after the app's last write.
      expect(replica()).toBe(db());

      // A new machine: the disk is gone, the replica is not.
      rmSync(join(example.dir, "data"), { recursive: true });
      const second = await runExample(example.dir).finished;
      expect(second.code).toBe(0);
      inOrder(second.stdout, [
        "litestream[pre] | restored data/app.db from file://replica/app.db",
        "app[pre] | schema up to date (4 rows)",
        "app | done: 7 rows, exiting",
        "litestream | final sync of data/app.db done, exiting",
      ]);
      expect(replica()).toBe(db());
    } finally {
      example.remove();
    }
  });

  it("tailscale-nginx: nginx starts last, stops first (SIGQUIT); the tailnet is left last", async () => {
    const example = copyExample("tailscale-nginx");
    // A shell started from the example's directory exports it as PWD: nginx's -c takes it.
    const running = runExample(example.dir, { TS_AUTHKEY: "tskey-example", PWD: example.dir });
    try {
      await running.waitFor(/^\S+ nginx +\| \[notice\] start worker processes$/m);
      running.kill("SIGTERM");
      const done = await running.finished;
      expect(done.code).toBe(0);
      inOrder(done.stdout, [
        "tailscaled | tailscaled: userspace networking",
        "tailscale[pre] | Success.",
        "app | listening on 127.0.0.1:3000 (production)",
        "app | draining connections, exiting",
        "tailscale[post] | Logged out.",
        "tailscaled | tailscaled: shutting down",
      ]);
      inOrder(done.stderr, [
        `nginx[pre] | nginx: configuration file ${example.dir}/nginx.conf test is successful`,
        "nginx | [notice] start worker processes",
        "groundcontrol | shutting down: received SIGTERM",
        "nginx | [notice] gracefully shutting down",
        "groundcontrol | all processes stopped; exit code 0",
      ]);
      // The secret reached tailscale as an argument, never the log.
      expect(done.stdout + done.stderr).not.toContain("tskey-example");
    } finally {
      running.kill();
      example.remove();
    }
  });

  it("tailscale-nginx: after three failed boots, break glass starts only what gets an operator in", async () => {
    const example = copyExample("tailscale-nginx");
    const boots = join(example.dir, "state/groundcontrol-boots.json");
    // Three boots failed before this one (what the state file on the volume would say).
    writeFileSync(
      boots,
      JSON.stringify({
        version: 1,
        failedBoots: 3,
        updated: "",
        lastReason: "the app would not start",
      }),
    );
    const running = runExample(example.dir, { TS_AUTHKEY: "tskey-example", PWD: example.dir });
    try {
      await running.waitFor(
        /3 boots in a row failed \(the last: the app would not start\): starting only the processes through "tailscale": tailscaled, tailscale/,
      );
      await running.waitFor(/started: all 2 processes ready/);
      running.kill("SIGTERM");
      const done = await running.finished;
      expect(done.code).toBe(0);
      inOrder(done.stdout, [
        "tailscale[post] | Logged out.",
        "tailscaled | tailscaled: shutting down",
      ]);
      expect(done.stdout + done.stderr).not.toMatch(/^\S+ (app|nginx)/m);
      expect(JSON.parse(readFileSync(boots, "utf8")).failedBoots).toBe(0);
    } finally {
      running.kill();
      example.remove();
    }
  });

  it("tailscale-nginx: without TS_AUTHKEY, startup stops and names the variable", async () => {
    const example = copyExample("tailscale-nginx");
    try {
      const done = await runExample(example.dir, { TS_AUTHKEY: undefined }).finished;
      expect(done.code).toBe(1);
      expect(done.stderr).toMatch(/TS_AUTHKEY/);
      inOrder(done.stdout, ["tailscaled | tailscaled: shutting down"]);
    } finally {
      example.remove();
    }
  });

  it("node-service: serves once its sidecars are up, and takes them down on SIGTERM", async () => {
    const dir = join(EXAMPLES, "node-service");
    const running = runIn(dir, [process.execPath, "service.mjs"]);
    try {
      const [, port] = await running.waitFor(/^service: listening on (\d+)$/m);
      expect(await get(`http://127.0.0.1:${port}/`)).toBe("ok\n");
      running.kill("SIGTERM");
      const done = await running.finished;
      expect(done.code).toBe(0);
      inOrder(done.stdout, [
        "service: starting migrate",
        "migrate[pre] | schema is up to date",
        "service: starting worker",
        "worker | worker ready",
        "service: listening on",
        "worker | worker: finishing the current job",
        "service: worker stopped",
        "service: migrate stopped",
        "service: stopped (stop), exit code 0",
      ]);
    } finally {
      running.kill();
    }
  });

  it("notify: the app waits for READY=1; a silent watchdog gets the database restarted", async () => {
    const example = copyExample("notify");
    const running = runExample(example.dir);
    try {
      // Stopped by the watchdog, restarted, and through its gate again.
      await running.waitFor(/was unhealthy \(watchdog 1s\)[\s\S]*is ready \(notify READY=1\)/);
      running.kill("SIGTERM");
      const done = await running.finished;
      expect(done.code).toBe(0);
      inOrder(done.stdout, [
        "db | db: start 1, recovering",
        "db | db: accepting connections",
        "app | app: the database is ready, serving",
      ]);
      inOrder(done.stdout, [
        "db | db: stuck: no more heartbeats",
        "db | db: shutting down",
        "db | db: start 2, recovering",
        "db | db: accepting connections",
        "db | db: shutting down",
      ]);
      inOrder(done.stderr, [
        'groundcontrol | process "db" status: recovering from the write-ahead log',
        'groundcontrol | process "db" status: accepting connections',
        'groundcontrol | process "db" is ready (notify READY=1)',
        'groundcontrol | process "db" is unhealthy: no WATCHDOG=1 for 1s (watchdog 1s); stopping it',
        'groundcontrol | process "db" says it is stopping',
        'groundcontrol | process "db" was unhealthy (watchdog 1s); restart 1 in 200ms',
        'groundcontrol | process "db" is ready (notify READY=1)',
        "groundcontrol | shutting down: received SIGTERM",
        "groundcontrol | all processes stopped; exit code 0",
      ]);
    } finally {
      running.kill();
      example.remove();
    }
  });

  it("when-things-fail: the worker is restarted until it holds; the hung app until its budget is spent", async () => {
    const example = copyExample("when-things-fail");
    try {
      const done = await runExample(example.dir).finished;
      expect(done.code).toBe(1);
      inOrder(done.stdout, [
        "worker | worker: start 1, taking jobs",
        "worker | worker: start 2, taking jobs",
        "worker | worker: start 3, taking jobs",
      ]);
      inOrder(done.stderr, [
        'groundcontrol | process "worker" exited: exit code 1; restart 1 in 200ms',
        'groundcontrol | process "worker" exited: exit code 1; restart 2 in 400ms',
      ]);
      inOrder(done.stderr, [
        'groundcontrol | process "app" is unhealthy: 2 health checks failed in a row',
        'groundcontrol | process "app" was unhealthy (http http://127.0.0.1:8089/healthz); restart 1 in 100ms',
        'groundcontrol | process "app" is unhealthy: 2 health checks failed in a row',
        'groundcontrol | shutting down: process "app" used up its restart budget (1 within 1m; last: unhealthy',
        "groundcontrol | all processes stopped; exit code 1",
      ]);
    } finally {
      example.remove();
    }
  });
});

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve(body));
    })
      .on("error", reject)
      .end();
  });
}

// examples/real-stack with the real programs: PostgreSQL 15, the Node app and nginx, started by
// Ground Control as PID 1 of a pid namespace, as in a container. Run from a copy of the example,
// as its README says, with the ports and directories in the environment.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runIn } from "./helpers/example.js";
import { AS_PID1, alive, CLI, canUnshare, until } from "./helpers/harness.js";
import type { Finished, Running } from "./helpers/running.js";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const NGINX = "/usr/sbin/nginx";

/** Why these tests cannot run here, or undefined when they can. */
function missing(): string | undefined {
  if (!canUnshare) return "they need root and unshare(1) on Linux";
  if (!existsSync(join(PG_BIN, "postgres")))
    return `no ${PG_BIN}/postgres (Debian's postgresql-15)`;
  if (!existsSync(NGINX)) return `no ${NGINX} (Debian's nginx-light)`;
  for (const [db, name] of [
    ["passwd", "postgres"],
    ["passwd", "www-data"],
    ["group", "ssl-cert"],
  ]) {
    try {
      execFileSync("getent", [db!, name!], { stdio: "ignore" });
    } catch {
      return `no ${db} entry for ${name}`;
    }
  }
  try {
    execFileSync("runuser", ["-u", "www-data", "--", process.execPath, "-e", ""]);
  } catch {
    return `www-data cannot run ${process.execPath}`;
  }
  return undefined;
}

const skip = missing();
if (skip) console.warn(`real-stack tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)("examples/real-stack, as PID 1 with the real programs", () => {
  let example: { dir: string; remove(): void };
  let env: NodeJS.ProcessEnv;
  let ids: { postgres: number; wwwData: number; postgresGroup: number; sslCert: number };

  beforeAll(async () => {
    example = copyExample("real-stack");
    // mkdtemp makes it 0700: postgres and www-data must reach the files in it, as in an image.
    chmodSync(example.dir, 0o755);
    const [pgPort, appPort, httpPort] = await freePorts(3);
    const state = join(example.dir, "state");
    // The test's own libpq settings (PGUSER, PGDATABASE…) must not reach the example.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("PG")),
    );
    env = {
      ...inherited,
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      PGDATA: join(state, "pgdata"),
      PGHOST: join(state, "pgrun"),
      PGPORT: String(pgPort),
      APP_PORT: String(appPort),
      HTTP_PORT: String(httpPort),
      NGINX_DIR: join(state, "nginx"),
    };
    ids = {
      postgres: id("-u", "postgres"),
      postgresGroup: id("-g", "postgres"),
      wwwData: id("-u", "www-data"),
      sslCert: Number(
        execFileSync("getent", ["group", "ssl-cert"], { encoding: "utf8" }).split(":")[2],
      ),
    };
  });

  afterAll(() => example?.remove());

  const start = (): Running => runIn(example.dir, [...AS_PID1, process.execPath, CLI], env);
  const url = () => `http://127.0.0.1:${env.HTTP_PORT}/`;

  it("starts postgres, the app and nginx in order, serves through all three, stops on SIGTERM", async () => {
    const fresh = !existsSync(join(env.PGDATA!, "PG_VERSION"));
    const spawnedAt = Date.now();
    const running = start();
    try {
      await running.waitFor(/^\S+ groundcontrol +\| started: all 4 processes ready/m);
      const readyAt = Date.now();

      // nginx → app → psql → postgres, and back.
      expect(await get(url())).toEqual({
        status: 200,
        body: "hello from PostgreSQL (as www-data)\n",
      });
      // nginx writes its access log line after the answer: wait for it, relayed as nginx's.
      await running.waitFor(
        /^\S+ nginx +\| 127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+ /m,
      );

      const stack = await stackOf(running);
      const { postmaster, app, nginx, workers } = stack;
      // postgres (and the processes it forked) runs as postgres, with ssl-cert among its groups.
      expect(stack.postgresChildren.map(cmdline)).toContain("postgres: checkpointer");
      for (const pid of [postmaster, ...stack.postgresChildren]) {
        expect(credentials(pid), `postgres pid ${pid}`).toMatchObject({
          uid: ids.postgres,
          gid: ids.postgresGroup,
        });
        expect(credentials(pid).groups).toContain(ids.sslCert);
      }
      expect(credentials(app)).toMatchObject({ uid: ids.wwwData, gid: ids.wwwData });
      // only-env: the app sees PATH and the two variables it lists, nothing else.
      expect(environmentNames(app)).toEqual(["PATH", "PGHOST", "PGPORT"]);
      expect(credentials(nginx)).toMatchObject({ uid: 0, gid: 0 });
      expect(workers).toHaveLength(2);
      for (const pid of workers) {
        expect(credentials(pid)).toMatchObject({ uid: ids.wwwData, gid: ids.wwwData });
      }

      // SIGHUP reaches postgres and nginx, which reload; the app, which would die of it, not.
      process.kill(stack.groundcontrol, "SIGHUP");
      await running.waitFor(/groundcontrol +\| received SIGHUP: passed on to postgres, nginx$/m);
      await running.waitFor(/postgres +\| \[\d+\] LOG: +received SIGHUP, reloading/m);
      await running.waitFor(/nginx +\| .*signal 1 \(SIGHUP\) received .*reconfiguring/m);
      expect((await get(url())).status).toBe(200);
      expect(alive(app)).toBe(true);

      const everyone = descendants(stack.groundcontrol);
      const stoppingAt = Date.now();
      process.kill(stack.groundcontrol, "SIGTERM");
      const done = await running.finished;
      const stoppedAt = Date.now();
      expect(done.code, done.stderr).toBe(0);

      const lines = timeline(done);
      happenedInOrder(lines, [
        ["setup[pre]", /^state ready: /],
        ...(fresh ? ([["postgres[pre]", /^Success\./]] as const) : []),
        ["postgres", /LOG: +database system is ready to accept connections$/],
        ["groundcontrol", /^process "postgres" is ready \(command /],
        ["app", /^listening on 127\.0\.0\.1:\d+$/],
        ["groundcontrol", /^process "app" is ready /],
        ["nginx[pre]", /test is successful$/],
        ["nginx", /\[notice\] \d+#\d+: start worker processes$/],
        ["groundcontrol", /^process "nginx" is ready /],
        ["groundcontrol", /^started: all 4 processes ready$/],
        ["groundcontrol", /^shutting down: received SIGTERM$/],
        ["nginx", /\[notice\] \d+#\d+: gracefully shutting down$/],
        ["nginx", stack.nginxExit],
        ["app", /^SIGTERM: finishing requests in flight$/],
        ["app", /^stopped$/],
        ["postgres", /LOG: +received fast shutdown request$/],
        ["postgres", /LOG: +database system is shut down$/],
        ["groundcontrol", /^all processes stopped; exit code 0$/],
      ]);
      expect(done.stderr).not.toMatch(/SIGKILL|warn/i);

      // Nothing of the stack is left, and both daemons cleaned up after themselves.
      expect(everyone.filter(alive)).toEqual([]);
      expect(existsSync(join(env.PGDATA!, "postmaster.pid"))).toBe(false);
      expect(existsSync(join(env.NGINX_DIR!, "nginx.pid"))).toBe(false);

      report(fresh ? "first run (initdb)" : "run", lines, {
        "spawn → all ready": readyAt - spawnedAt,
        "SIGTERM → exit": stoppedAt - stoppingAt,
      });
    } finally {
      kill(running);
    }
  }, 30_000);

  it("a postmaster killed with SIGKILL stops the stack in order (137); the next start recovers first", async () => {
    const initialized = existsSync(join(env.PGDATA!, "PG_VERSION"));
    const spawnedAt = Date.now();
    const running = start();
    let again: Running | undefined;
    try {
      await running.waitFor(/^\S+ groundcontrol +\| started: all 4 processes ready/m);
      const readyAt = Date.now();
      expect((await get(url())).status).toBe(200);
      const stack = await stackOf(running);

      const everyone = descendants(stack.groundcontrol);
      process.kill(stack.postmaster, "SIGKILL");
      const done = await running.finished;
      expect(done.code, done.stderr).toBe(137);

      const lines = timeline(done);
      happenedInOrder(lines, [
        initialized
          ? ["postgres[pre]", /holds a database cluster already$/]
          : ["postgres[pre]", /^Success\./],
        ["groundcontrol", /^started: all 4 processes ready$/],
        ["groundcontrol", /^shutting down: process "postgres" exited \(killed by SIGKILL\)$/],
        ["nginx", /\[notice\] \d+#\d+: gracefully shutting down$/],
        ["nginx", stack.nginxExit],
        ["app", /^SIGTERM: finishing requests in flight$/],
        ["app", /^stopped$/],
        ["groundcontrol", /^all processes stopped; exit code 137$/],
      ]);
      // postgres had no chance to shut down cleanly; its orphaned children are gone all the same.
      expect(done.stderr).not.toMatch(/database system is shut down/);
      expect(everyone.filter(alive)).toEqual([]);

      report(initialized ? "second run (cluster kept)" : "run", lines, {
        "spawn → all ready": readyAt - spawnedAt,
      });

      // The next container start: crash recovery, during which the port is open but logins are
      // refused. The gate opens only once it is over, and the app's pre gets in.
      again = start();
      await again.waitFor(/^\S+ groundcontrol +\| started: all 4 processes ready/m);
      expect(await get(url())).toEqual({
        status: 200,
        body: "hello from PostgreSQL (as www-data)\n",
      });
      process.kill((await stackOf(again)).groundcontrol, "SIGTERM");
      const recovered = await again.finished;
      expect(recovered.code, recovered.stderr).toBe(0);
      happenedInOrder(timeline(recovered), [
        [
          "postgres",
          /LOG: +database system was not properly shut down; automatic recovery in progress$/,
        ],
        ["postgres", /LOG: +database system is ready to accept connections$/],
        ["groundcontrol", /^process "postgres" is ready \(command /],
        ["app[pre]", /./],
        ["groundcontrol", /^all processes stopped; exit code 0$/],
      ]);
    } finally {
      kill(running);
      if (again) kill(again);
    }
  }, 30_000);
});

/** `count` TCP ports that were free a moment ago, on the loopback address. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer().on("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function id(flag: "-u" | "-g", user: string): number {
  return Number(execFileSync("id", [flag, user], { encoding: "utf8" }));
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode!, body }));
    })
      .on("error", reject)
      .end();
  });
}

/** The children of `pid`, from every one of its threads. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

function status(pid: number): string {
  return readFileSync(`/proc/${pid}/status`, "utf8");
}

/** Real uid and gid, and the supplementary groups, from /proc/<pid>/status. */
function credentials(pid: number): { uid: number; gid: number; groups: number[] } {
  const text = status(pid);
  const first = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)![1]);
  const groups = /^Groups:\s*(.*)$/m.exec(text)![1]!.split(/\s+/).filter(Boolean).map(Number);
  return { uid: first("Uid"), gid: first("Gid"), groups };
}

/** The pid of `pid` inside its own pid namespace (the last NSpid entry). */
function nsPid(pid: number): number {
  return Number(/^NSpid:\s*(.*)$/m.exec(status(pid))![1]!.trim().split(/\s+/).at(-1));
}

/** The names of the variables in a process's environment, sorted. */
function environmentNames(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, "utf8")
    .split("\0")
    .filter(Boolean)
    .map((entry) => entry.slice(0, entry.indexOf("=")))
    .sort();
}

/** Every process below `pid`, now. */
function descendants(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendants(child)]);
}

/**
 * Ends a run that is still going (a failed test): Ground Control is killed first, since killing
 * unshare alone would leave it and the stack running; as PID 1 its death ends the namespace.
 */
function kill(running: Running): void {
  if (running.exited) return;
  for (const pid of childrenOf(running.child.pid!)) process.kill(pid, "SIGKILL");
  running.kill("SIGKILL");
}

interface Stack {
  groundcontrol: number;
  postmaster: number;
  postgresChildren: number[];
  app: number;
  nginx: number;
  workers: number[];
  /** The master's last line ("[notice] 63#63: exit", with its pid inside the namespace). */
  nginxExit: RegExp;
}

/** The stack's processes (pids as seen from here), once nginx's two workers have taken their user. */
async function stackOf(running: Running): Promise<Stack> {
  const unshare = running.child.pid!;
  await until(() => childrenOf(unshare).length > 0, "Ground Control under unshare");
  const groundcontrol = childrenOf(unshare)[0]!;
  const daemons = childrenOf(groundcontrol);
  const find = (what: string, test: (line: string) => boolean) => {
    const pid = daemons.find((child) => test(cmdline(child)));
    if (pid === undefined) throw new Error(`no ${what} among ${daemons.map(cmdline).join(" / ")}`);
    return pid;
  };
  const postmaster = find("postmaster", (line) => line.startsWith(`${PG_BIN}/postgres `));
  const app = find("app", (line) => line.includes("app/server.mjs"));
  const nginx = find("nginx master", (line) => line.startsWith("nginx: master process"));
  // A worker renames itself only once it has switched to www-data.
  const workers = () => childrenOf(nginx).filter((pid) => cmdline(pid) === "nginx: worker process");
  await until(() => workers().length === 2, "nginx's two workers");
  return {
    groundcontrol,
    postmaster,
    // Its own processes, not the backend of a connection that may be going away.
    postgresChildren: childrenOf(postmaster).filter((pid) =>
      /^postgres: (checkpointer|background writer|walwriter|autovacuum launcher)/.test(
        cmdline(pid),
      ),
    ),
    app,
    nginx,
    workers: workers(),
    nginxExit: new RegExp(`\\[notice\\] ${nsPid(nginx)}#${nsPid(nginx)}: exit$`),
  };
}

interface Line {
  at: number;
  stream: "stdout" | "stderr";
  index: number;
  label: string;
  text: string;
}

/** Every log line of both streams, with Ground Control's timestamp, label and text. */
function timeline(done: Finished): Line[] {
  return (["stdout", "stderr"] as const).flatMap((stream) =>
    done[stream].split("\n").flatMap((line, index) => {
      const match = /^(\d{4}-\d\d-\d\dT\S+Z) (\S+) +\| ?(.*)$/.exec(line);
      if (!match) return [];
      return [{ at: Date.parse(match[1]!), stream, index, label: match[2]!, text: match[3]! }];
    }),
  );
}

/**
 * Fails unless each wanted line comes after the one before it: later in the same stream, or
 * (across stdout and stderr, which are read apart) stamped no earlier.
 */
function happenedInOrder(lines: Line[], wanted: (readonly [string, RegExp])[]): void {
  let previous: Line | undefined;
  for (const [label, pattern] of wanted) {
    const after = (line: Line) =>
      previous === undefined ||
      (line.stream === previous.stream ? line.index > previous.index : line.at >= previous.at);
    const found = lines.find(
      (line) => line.label === label && pattern.test(line.text) && after(line),
    );
    if (!found) {
      const shown = lines.map(
        (line) => `${new Date(line.at).toISOString()} ${line.label} | ${line.text}`,
      );
      throw new Error(
        `${label} | ${pattern} not found after the previous line in:\n${shown.join("\n")}`,
      );
    }
    previous = found;
  }
}

/** Milliseconds from the first line matching `from` (or the first line of all) to `to`'s. */
function span(lines: Line[], from: RegExp | undefined, to: RegExp): number | undefined {
  const own = lines.filter((line) => line.label === "groundcontrol");
  const end = own.find((line) => to.test(line.text));
  const start = from
    ? own.find((line) => from.test(line.text))
    : lines.reduce((first, line) => (line.at < first.at ? line : first));
  return end && start ? end.at - start.at : undefined;
}

/** Prints the run's figures (the example's README quotes such runs). */
function report(run: string, lines: Line[], figures: Record<string, number> = {}): void {
  const all = {
    ...figures,
    "first line → all ready": span(lines, undefined, /^started: all 4 processes ready$/),
    "shutting down → all stopped": span(lines, /^shutting down/, /^all processes stopped/),
  };
  const text = Object.entries(all)
    .filter(([, ms]) => ms !== undefined)
    .map(([name, ms]) => `${name} ${ms} ms`);
  console.info(`real-stack, ${run}: ${text.join(", ")}`);
}

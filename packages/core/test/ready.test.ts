// Readiness gates through the Supervisor's public API, with real daemons, ports and pipes.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CommandExitedEvent,
  type CommandSpec,
  NotReadyExitError,
  OutputRelay,
  type ProcessSpec,
  type ReadyCheck,
  ReadyTimeoutError,
  RunExitedError,
  type Spec,
  StartupError,
  Supervisor,
} from "../src/index.js";
import { recordEvents } from "../src/testing.js";

const PROCESS_EVENTS = [
  "process:starting",
  "process:ready",
  "process:started",
  "process:stopping",
  "process:stopped",
  "command:started",
  "command:exited",
] as const;

const DAEMON = join(dirname(fileURLToPath(import.meta.url)), "fixtures/ready-daemon.mjs");
const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });

let dir: string;
let results: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gc-ready-"));
  results = join(dir, "results.txt");
});
// A failing test must not leave its daemons running.
const supervisors = new Set<Supervisor>();
afterEach(async () => {
  for (const supervisor of supervisors) {
    console.log("AFTER", supervisor.state);
    if (supervisor.state !== "stopped") console.log(await supervisor.stop({ force: true }));
  }
  supervisors.clear();
  rmSync(dir, { recursive: true, force: true });
});

/** Appends `line` to the transcript. */
const note = (line: string): CommandSpec => sh(`echo ${line} >> ${results}`);
/** The fixture daemon: becomes ready `delayMs` after it starts, in the way `mode` says. */
const daemon = (name: string, delayMs: number, ...mode: string[]): CommandSpec => ({
  program: process.execPath,
  args: [DAEMON, results, name, String(delayMs), ...mode],
});

function transcript(): string[] {
  try {
    return readFileSync(results, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** A port nothing listens on (the OS picks it; we close it again). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Timers and sockets still open: after a shutdown, a readiness check must have left none. */
function leftovers(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => /^(Timeout|TCPSocketWrap|TCPWrap)$/.test(r));
}

/** Runs `processes` with a quiet relay; records every event as "event process[ phase]". */
function supervise(processes: ProcessSpec[], extra: Partial<Spec> = {}) {
  const stdout = new PassThrough().resume();
  const stderr = new PassThrough().resume();
  const names = processes.map((p) => p.name);
  const relay = new OutputRelay({
    format: "text",
    timestamps: false,
    color: false,
    names,
    stdout,
    stderr,
  });
  const supervisor = new Supervisor(
    { processes, ...extra },
    { output: relay, killOnHostExit: false },
  );
  supervisors.add(supervisor);
  const events = recordEvents(supervisor, PROCESS_EVENTS);
  return { supervisor, events };
}

async function startupError(supervisor: Supervisor): Promise<StartupError> {
  const error = await supervisor.start().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StartupError);
  return error as StartupError;
}

/** A daemon the gate holds on: its `ready` entry, and the mode the fixture runs in. */
type Case = [kind: string, setup: () => Promise<{ check: ReadyCheck; mode: string[] }>];

const cases: Case[] = [
  [
    "tcp",
    async () => {
      const port = await freePort();
      return { check: { kind: "tcp", host: "127.0.0.1", port }, mode: ["tcp", String(port)] };
    },
  ],
  [
    "http",
    async () => {
      const port = await freePort();
      return {
        check: { kind: "http", url: `http://127.0.0.1:${port}/health` },
        mode: ["http", String(port)],
      };
    },
  ],
  [
    "command",
    async () => ({
      check: { kind: "command", command: sh(`test -e ${dir}/flag`) },
      mode: ["file", join(dir, "flag")],
    }),
  ],
  [
    "file",
    async () => ({
      check: { kind: "file", path: join(dir, "flag") },
      mode: ["file", join(dir, "flag")],
    }),
  ],
  // The fixture writes "server " and "ready\n" apart: only the whole line matches.
  ["log", async () => ({ check: { kind: "log", pattern: "^server ready$" }, mode: ["log"] })],
  // The fixture writes "x" at once and the newline later: only the newline counts.
  ["fd", async () => ({ check: { kind: "fd", fd: 3 }, mode: ["fd", "3"] })],
  ["fd above 3", async () => ({ check: { kind: "fd", fd: 5 }, mode: ["fd", "5"] })],
];

describe("readiness gates", () => {
  it.each(cases)("%s: the next process starts only once the check holds", async (_kind, setup) => {
    const { check, mode } = await setup();
    const { supervisor, events } = supervise([
      {
        name: "a",
        pre: note("a-pre"),
        run: daemon("a", 300, ...mode),
        ready: { check, timeoutMs: 20_000, intervalMs: 20 },
        post: note("a-post"),
      },
      { name: "b", pre: note("b-pre"), post: note("b-post") },
    ]);
    await supervisor.start();
    // The daemon notes a:ready just before it becomes ready, 300 ms after it started.
    expect(transcript()).toEqual(["a-pre", "a:ready", "b-pre"]);
    expect(events.filter((e) => e.startsWith("process:"))).toEqual([
      "process:starting a",
      "process:ready a",
      "process:started a",
      "process:starting b",
      "process:started b",
    ]);
    await supervisor.stop();
    expect(transcript()).toEqual(["a-pre", "a:ready", "b-pre", "b-post", "a:stopped", "a-post"]);
    expect(leftovers()).toEqual([]);
  });

  it("orders process:ready after the run command and its checks, before process:started", async () => {
    const { supervisor, events } = supervise([
      {
        name: "db",
        run: daemon("db", 100, "file", join(dir, "flag")),
        ready: { check: { kind: "command", command: sh(`test -e ${dir}/flag`) }, intervalMs: 20 },
      },
      { name: "app", pre: sh("true") },
    ]);
    const order: string[] = [];
    supervisor.on("process:ready", ({ process }) => order.push(`ready ${process}`));
    supervisor.on("process:starting", ({ process }) => order.push(`starting ${process}`));
    await supervisor.start();
    expect(order).toEqual(["starting db", "ready db", "starting app"]);
    const dbEvents = events.slice(0, events.indexOf("process:ready db") + 2);
    expect(dbEvents[0]).toBe("process:starting db");
    expect(dbEvents[1]).toBe("command:started db run");
    // One or more tries of the readiness command, each started and ended, then ready, started.
    const tries = dbEvents.slice(2, -2);
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(tries).toEqual(
      tries.map((_e, i) => (i % 2 === 0 ? "command:started db ready" : "command:exited db ready")),
    );
    expect(dbEvents.slice(-2)).toEqual(["process:ready db", "process:started db"]);
    await supervisor.stop();
  });

  it("a timeout aborts startup and stops the earlier processes in reverse", async () => {
    const port = await freePort();
    const { supervisor, events } = supervise([
      {
        name: "early",
        run: daemon("early", 0, "log"),
        ready: { check: { kind: "log", pattern: "ready" } },
        post: note("early-post"),
      },
      { name: "middle", pre: note("middle-pre"), post: note("middle-post") },
      {
        name: "db",
        run: sh("exec sleep 600"),
        ready: { check: { kind: "tcp", host: "127.0.0.1", port }, timeoutMs: 300, intervalMs: 20 },
        post: note("db-post"),
      },
      { name: "late", pre: note("late-pre") },
    ]);
    const error = await startupError(supervisor);
    expect(error.message).toBe(
      `startup aborted: process "db" was not ready within 300ms (tcp 127.0.0.1:${port}; last attempt: ECONNREFUSED)`,
    );
    expect(error.phase).toBe("ready");
    expect(error.exitCode).toBe(1);
    expect(error.cause).toBeInstanceOf(ReadyTimeoutError);
    expect(error.cause).toMatchObject({ phase: "ready", process: "db", timeoutMs: 300 });
    expect((await supervisor.wait()).exitCode).toBe(1);
    // The daemon that never got ready is stopped too, without its post; late never starts.
    expect(transcript()).toEqual([
      "early:ready",
      "middle-pre",
      "middle-post",
      "early:stopped",
      "early-post",
    ]);
    expect(events.filter((e) => /^process:(stopping|stopped)/.test(e))).toEqual([
      "process:stopping db",
      "process:stopped db",
      "process:stopping middle",
      "process:stopped middle",
      "process:stopping early",
      "process:stopped early",
    ]);
  });

  it("a timeout of an http check names the last answer", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/health`;
    const { supervisor } = supervise([
      {
        name: "web",
        run: daemon("web", 600_000, "http", String(port)),
        ready: { check: { kind: "http", url }, timeoutMs: 1_000, intervalMs: 20 },
      },
    ]);
    const error = await startupError(supervisor);
    expect(error.message).toBe(
      `startup aborted: process "web" was not ready within 1s (http ${url}; last attempt: HTTP 503)`,
    );
  });

  it("a readiness command still running when the gate times out is killed", async () => {
    let checkExited: (e: CommandExitedEvent) => void = () => {};
    const exited = new Promise<CommandExitedEvent>((resolve) => {
      checkExited = resolve;
    });
    const processes: ProcessSpec[] = [
      {
        name: "db",
        run: sh("exec sleep 600"),
        ready: { check: { kind: "command", command: sh("exec sleep 600") }, timeoutMs: 300 },
      },
    ];
    const stdout = new PassThrough().resume();
    const relay = new OutputRelay({
      format: "text",
      timestamps: false,
      color: false,
      names: ["db"],
      stdout,
      stderr: stdout,
    });
    const supervisor = new Supervisor(
      { processes },
      {
        output: relay,
        killOnHostExit: false,
        // Held until the check is gone: killed when its gate gave up, not by the final sweep.
        hooks: { "process:stopping": () => exited.then(() => {}) },
      },
    );
    supervisors.add(supervisor);
    supervisor.on("command:exited", (e) => {
      if (e.phase === "ready") checkExited(e);
    });
    const error = await startupError(supervisor);
    // No try finished: there is no reason to give beyond the check itself.
    expect(error.cause).toBeInstanceOf(ReadyTimeoutError);
    expect((error.cause as Error).message).toBe(
      `process "db" was not ready within 300ms (command /bin/sh -c 'exec sleep 600')`,
    );
    expect((await exited).status).toEqual({ kind: "signaled", signal: "SIGKILL" });
  });

  it("a daemon that closes its notification descriptor without a newline never becomes ready", async () => {
    const { supervisor } = supervise([
      {
        name: "db",
        run: sh("exec 3>&-; exec sleep 600"),
        ready: { check: { kind: "fd", fd: 3 }, timeoutMs: 300 },
      },
    ]);
    const error = await startupError(supervisor);
    expect((error.cause as Error).message).toBe(
      `process "db" was not ready within 300ms (fd 3; descriptor 3 was closed without a newline)`,
    );
  });

  it.each([
    ["exits non-zero", "echo booting; exit 3", 3, "exit code 3"],
    ["exits 0", "exit 0", 1, "exit code 0"],
    ["is killed", "kill -9 $$", 137, "killed by SIGKILL"],
  ])(
    "a daemon that %s before it is ready aborts startup at once",
    async (_what, script, code, how) => {
      const { supervisor } = supervise([
        {
          name: "early",
          run: daemon("early", 0, "log"),
          ready: { check: { kind: "log", pattern: "ready" } },
          post: note("early-post"),
        },
        {
          name: "db",
          run: sh(script),
          ready: { check: { kind: "log", pattern: "^never$" }, timeoutMs: 20_000 },
          post: note("db-post"),
        },
        { name: "late", pre: note("late-pre") },
      ]);
      const began = Date.now();
      const error = await startupError(supervisor);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(error.message).toBe(
        `startup aborted: \`run\` command of process "db" exited (${how}) before it was ready (log /^never$/)`,
      );
      expect(error.cause).toBeInstanceOf(NotReadyExitError);
      expect(error.cause).toBeInstanceOf(RunExitedError);
      expect(error.exitCode).toBe(code);
      expect((await supervisor.wait()).exitCode).toBe(code);
      expect(transcript()).toEqual(["early:ready", "early:stopped", "early-post"]);
    },
  );

  it("a shutdown while a gate is pending interrupts startup; the waiting daemon is stopped", async () => {
    const { supervisor, events } = supervise([
      {
        name: "db",
        run: daemon("db", 0, "never"),
        ready: { check: { kind: "file", path: join(dir, "never") }, intervalMs: 20 },
        post: note("db-post"),
      },
      { name: "late", pre: note("late-pre") },
    ]);
    supervisor.once("command:started", () => {
      void supervisor.stop();
    });
    const error = await startupError(supervisor);
    expect(error.message).toMatch(/startup interrupted: stop requested/);
    const result = await supervisor.wait();
    expect(result).toEqual({ reason: { kind: "stop" }, exitCode: 0 });
    expect(events).not.toContain("process:ready db");
    expect(events).not.toContain("process:starting late");
    // It was not a failure of its own, so its post runs.
    expect(transcript().at(-1)).toBe("db-post");
  });

  it("a check that cannot work fails at once, naming the check", async () => {
    const { supervisor } = supervise([
      {
        name: "db",
        run: sh("exec sleep 600"),
        ready: { check: { kind: "command", command: { program: "/no/such/check", args: [] } } },
      },
    ]);
    const error = await startupError(supervisor);
    expect(error.phase).toBe("ready");
    expect(error.message).toMatch(
      /^startup aborted: readiness check of process "db" \(command \/no\/such\/check\) could not start: \/no\/such\/check: not found/,
    );
  });

  it("leaves no timer or socket behind once the gate has failed", async () => {
    const port = await freePort();
    const { supervisor } = supervise([
      {
        name: "db",
        run: sh("exec sleep 600"),
        // A long interval: the gate gives up while it waits for its next try.
        ready: {
          check: { kind: "tcp", host: "127.0.0.1", port },
          timeoutMs: 200,
          intervalMs: 60_000,
        },
      },
    ]);
    await startupError(supervisor);
    await supervisor.wait();
    expect(leftovers()).toEqual([]);
  });
});

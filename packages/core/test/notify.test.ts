// Readiness by notification (sd_notify's READY=1) and the watchdog, through the Supervisor, with
// real senders: python3 speaks the protocol in a few lines, as a daemon's library would.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CommandSpec,
  MemoryOutput,
  type ProcessSpec,
  StartupError,
  Supervisor,
} from "../src/index.js";
import { OutputRelay } from "../src/output.js";
import { nextEvent, recordEvents } from "../src/testing.js";
import { Gate } from "./output-helpers.js";

/** A python3 program that can send to NOTIFY_SOCKET and wait for a file before it goes on. */
const py = (body: string): CommandSpec => ({
  program: "python3",
  args: [
    "-c",
    `import os, socket, sys, time
def send(msg):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(msg.encode(), os.environ["NOTIFY_SOCKET"])
    s.close()
def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.01)
${body}`,
  ],
});
const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });

let dir: string;
const supervisors = new Set<Supervisor>();
const strangers = new Set<ChildProcess>();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gc-notify-"));
});
afterEach(async () => {
  for (const stranger of strangers) stranger.kill("SIGKILL");
  strangers.clear();
  for (const supervisor of supervisors) {
    if (supervisor.state !== "stopped") await supervisor.stop({ force: true });
  }
  supervisors.clear();
  rmSync(dir, { recursive: true, force: true });
});

// A watchdog's run starts through the exec-as helper (for WATCHDOG_PID): the built one.
const execAsHelper = [
  process.execPath,
  fileURLToPath(new URL("../dist/exec-as-main.js", import.meta.url)),
];

function supervise(processes: ProcessSpec[], env: NodeJS.ProcessEnv = process.env) {
  const output = new MemoryOutput();
  const supervisor = new Supervisor(
    { processes },
    { output, env, execAsHelper, killOnHostExit: false },
  );
  supervisors.add(supervisor);
  return { supervisor, output, events: recordEvents(supervisor) };
}

/** Resolves once `condition` holds; the supervisor's own events drive these, not the clock. */
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const file = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(file(name), "utf8");
/** Writes `text` to `name` whole (a temp file renamed), so a reader never sees half of it. */
const note = (name: string, text: string) =>
  `open("${file(name)}.tmp", "w").write(${text}); os.rename("${file(name)}.tmp", "${file(name)}")`;

describe("ready = notify", () => {
  it("opens the gate on READY=1 (several assignments in one datagram), with STATUS= logged and emitted", async () => {
    const { supervisor, output, events } = supervise([
      {
        name: "db",
        run: py(`send("STATUS=recovering")
wait_for("${file("go")}")
send("STATUS=accepting connections\\nREADY=1\\nX-UNKNOWN=ignored")
time.sleep(600)`),
        ready: { check: { kind: "notify" }, timeoutMs: 20_000 },
      },
      { name: "app", run: sh("exec sleep 600") },
    ]);
    const statuses: string[] = [];
    supervisor.on("process:status", ({ status }) => statuses.push(status));
    const started = supervisor.start();
    await nextEvent(supervisor, "process:status", "db");
    // The gate holds: app has not started.
    expect(events).not.toContain("process:starting app");
    writeFileSync(file("go"), "");
    await started;
    expect(statuses).toEqual(["recovering", "accepting connections"]);
    expect(events.slice(0, 8)).toEqual([
      "process:starting db",
      "command:started db run",
      "process:notify db",
      "process:status db",
      "process:notify db",
      "process:status db",
      "process:ready db",
      "process:started db",
    ]);
    expect(output.messages.map((m) => m.msg)).toContain('process "db" status: recovering');
    expect(output.messages.map((m) => m.msg)).toContain('process "db" is ready (notify READY=1)');
    await supervisor.stop();
  });

  it("gives NOTIFY_SOCKET to run even under only-env = [], and to no other command", async () => {
    const seen = (phase: string) => sh(`echo "${phase}=\${NOTIFY_SOCKET-unset}" >> ${file("env")}`);
    const { supervisor } = supervise(
      [
        {
          name: "db",
          pre: seen("pre"),
          run: {
            ...py(`${note("socket", 'os.environ["NOTIFY_SOCKET"]')}
send("READY=1")
time.sleep(600)`),
            onlyEnv: [],
          },
          ready: { check: { kind: "notify" } },
          stop: { kind: "command", command: seen("stop") },
          stopTimeoutMs: 200,
          post: seen("post"),
        },
      ],
      { ...process.env, NOTIFY_SOCKET: "/inherited/by/groundcontrol" },
    );
    await supervisor.start();
    const socket = read("socket");
    expect(socket).toMatch(/\/groundcontrol-notify-[^/]+\/notify\.sock$/);
    await supervisor.stop();
    // Ours never leaks to pre, stop or post (they keep what Ground Control inherited).
    expect(read("env").split("\n").filter(Boolean)).toEqual([
      "pre=/inherited/by/groundcontrol",
      "stop=/inherited/by/groundcontrol",
      "post=/inherited/by/groundcontrol",
    ]);
  });

  it("takes an inherited WATCHDOG_USEC and WATCHDOG_PID out of run's environment when it has no watchdog", async () => {
    const { supervisor } = supervise(
      [
        {
          name: "db",
          run: py(`${note("env", 'os.environ.get("WATCHDOG_USEC", "-") + " " + os.environ.get("WATCHDOG_PID", "-")')}
send("READY=1")
time.sleep(600)`),
          ready: { check: { kind: "notify" } },
        },
      ],
      { ...process.env, WATCHDOG_USEC: "5000000", WATCHDOG_PID: "1" },
    );
    await supervisor.start();
    expect(read("env")).toBe("- -");
    await supervisor.stop();
  });

  it("makes the directory private, and removes it with the socket when the process stops", async () => {
    const { supervisor } = supervise([
      {
        name: "db",
        run: py(`${note("socket", 'os.environ["NOTIFY_SOCKET"]')}
send("READY=1")
time.sleep(600)`),
        ready: { check: { kind: "notify" } },
      },
    ]);
    await supervisor.start();
    const socket = read("socket");
    const { statSync } = await import("node:fs");
    const directory = statSync(join(socket, ".."));
    expect(directory.mode & 0o777).toBe(0o700);
    expect(statSync(socket).isSocket()).toBe(true);
    await supervisor.stop();
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(join(socket, ".."))).toBe(false);
  });

  it("does not open the gate for READY=1 from a process outside the command's tree", async () => {
    const { supervisor, output, events } = supervise([
      {
        name: "db",
        run: py(`${note("socket", 'os.environ["NOTIFY_SOCKET"]')}
wait_for("${file("go")}")
send("READY=1")
time.sleep(600)`),
        ready: { check: { kind: "notify" }, timeoutMs: 20_000 },
      },
      { name: "app", run: sh("exec sleep 600") },
    ]);
    const started = supervisor.start();
    await until(() => existsSync(file("socket")), "the daemon's socket path");
    // Same socket, another process (not in the tree); it stays alive while it is checked.
    const stranger = spawn("python3", [
      "-c",
      `import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\\nSTATUS=forged", sys.argv[1])
s.sendto(b"READY=1", sys.argv[1])
time.sleep(600)`,
      read("socket"),
    ]);
    strangers.add(stranger);
    // Whichever comes first: the message dropped, or (were the check missing) the gate open.
    const dropped = () => output.messages.find((m) => /notify message .* was dropped/.test(m.msg));
    await until(() => dropped() !== undefined || events.includes("process:ready db"), "either");
    expect(events).not.toContain("process:ready db");
    expect(dropped()!.msg).toContain(`pid ${stranger.pid} `);
    expect(dropped()!.msg).toMatch(/it is not a process of its run \(pid \d+\)/);
    expect(events).not.toContain("process:notify db");
    writeFileSync(file("go"), "");
    await started;
    expect(events).toContain("process:ready db");
    // Its second datagram was dropped too, without a second word.
    expect(output.messages.filter((m) => /was dropped/.test(m.msg))).toHaveLength(1);
    await supervisor.stop();
  });

  it("a daemon that exits before READY=1 aborts startup at once", async () => {
    const { supervisor } = supervise([
      {
        name: "db",
        run: py(`send("STATUS=giving up")
sys.exit(3)`),
        ready: { check: { kind: "notify" }, timeoutMs: 30_000 },
      },
    ]);
    const began = Date.now();
    const error = await supervisor.start().catch((e: unknown) => e);
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).message).toContain(
      '`run` command of process "db" exited (exit code 3) before it was ready (notify READY=1)',
    );
  });

  it("a daemon that never sends READY=1 fails at the timeout, saying its last STATUS=", async () => {
    const { supervisor } = supervise([
      {
        name: "db",
        run: py(`send("STATUS=still recovering")
time.sleep(600)`),
        ready: { check: { kind: "notify" }, timeoutMs: 500 },
      },
    ]);
    const error = (await supervisor.start().catch((e: unknown) => e)) as StartupError;
    expect(error.message).toMatch(
      /process "db" was not ready within 500ms \(notify READY=1; no READY=1 received(; last STATUS=still recovering)?\)/,
    );
    expect((await supervisor.wait()).exitCode).toBe(1);
  });

  it("logs STOPPING=1, ERRNO= and MAINPID=, which changes nothing", async () => {
    const { supervisor, output } = supervise([
      {
        name: "db",
        run: py(`send("READY=1\\nMAINPID=%d" % os.getpid())
wait_for("${file("go")}")
send("STOPPING=1\\nERRNO=2")
time.sleep(600)`),
        ready: { check: { kind: "notify" } },
      },
    ]);
    await supervisor.start();
    writeFileSync(file("go"), "");
    await until(
      () => output.messages.some((m) => m.msg.includes("reports an error")),
      "the ERRNO line",
    );
    const pid = supervisor.status().processes[0]!.pid;
    const msgs = output.messages.map((m) => m.msg);
    expect(msgs).toContain(
      `process "db" says its main pid is ${pid}; Ground Control keeps watching pid ${pid}, the run it started`,
    );
    expect(msgs).toContain('process "db" says it is stopping');
    expect(msgs).toContain('process "db" reports an error: ENOENT (no such file or directory)');
    expect(supervisor.state).toBe("running");
    await supervisor.stop();
  });
});

describe("watchdog", () => {
  it("gives run WATCHDOG_USEC and WATCHDOG_PID (its own pid)", async () => {
    const { supervisor } = supervise([
      {
        name: "beat",
        run: {
          ...py(`${note("env", '"%d %s %s" % (os.getpid(), os.environ["WATCHDOG_PID"], os.environ["WATCHDOG_USEC"])')}
send("READY=1")
while True:
    send("WATCHDOG=1")
    time.sleep(0.2)`),
          onlyEnv: [],
        },
        ready: { check: { kind: "notify" } },
        watchdogMs: 2_000,
      },
    ]);
    await supervisor.start();
    await until(() => existsSync(file("env")), "the daemon's environment");
    const [pid, watchdogPid, usec] = read("env").split(" ");
    expect(watchdogPid).toBe(pid);
    expect(Number(pid)).toBe(supervisor.status().processes[0]!.pid);
    expect(usec).toBe("2000000");
    await supervisor.stop();
  });

  it("a daemon that stops pinging is unhealthy within one period, and shuts everything down", async () => {
    const { supervisor, events } = supervise([
      {
        name: "beat",
        run: py(`send("READY=1")
for _ in range(3):
    send("WATCHDOG=1")
    last = time.time()
    time.sleep(0.1)
${note("last", '"%f" % last')}
time.sleep(600)`),
        ready: { check: { kind: "notify" } },
        watchdogMs: 600,
      },
    ]);
    const unhealthy = nextEvent(supervisor, "process:unhealthy", "beat");
    await supervisor.start();
    const event = await unhealthy;
    // One period after the last WATCHDOG=1 (it was sent just before `last`), and not much more.
    const late = Date.now() - Number(read("last")) * 1000;
    expect(late).toBeGreaterThanOrEqual(590);
    expect(late).toBeLessThan(600 + 1_000);
    expect(event).toEqual({
      process: "beat",
      source: "watchdog",
      probe: "watchdog 600ms",
      reason: "no WATCHDOG=1 for 600ms",
      failures: 1,
    });
    const result = await supervisor.wait();
    expect(result.exitCode).toBe(1);
    expect(result.reason).toEqual({ kind: "unhealthy", process: "beat", probe: "watchdog 600ms" });
    expect(events).toContain("process:unhealthy beat");
  });

  it("WATCHDOG=trigger fails at once; with a restart budget the run is started again", async () => {
    const { supervisor, events } = supervise([
      {
        name: "beat",
        run: py(`n = len(open("${file("starts")}").read()) if os.path.exists("${file("starts")}") else 0
open("${file("starts")}", "a").write("x")
send("READY=1")
if n == 0:
    send("WATCHDOG=trigger")
while True:
    send("WATCHDOG=1")
    time.sleep(0.1)`),
        ready: { check: { kind: "notify" } },
        watchdogMs: 60_000,
        restart: { on: "failure", max: 1, backoffMs: 10 },
      },
    ]);
    const restarting = nextEvent(supervisor, "process:restarting", "beat");
    await supervisor.start();
    expect((await restarting).unhealthy).toBe("watchdog 1m");
    await nextEvent(supervisor, "process:ready", "beat");
    expect(read("starts")).toBe("xx");
    expect(events.filter((e) => e === "process:unhealthy beat")).toHaveLength(1);
    await supervisor.stop();
  });

  it("works without a notify gate: the period starts at the spawn", async () => {
    const { supervisor } = supervise([
      { name: "beat", run: sh("exec sleep 600"), watchdogMs: 300 },
    ]);
    await supervisor.start();
    const result = await supervisor.wait();
    expect(result.reason).toEqual({ kind: "unhealthy", process: "beat", probe: "watchdog 300ms" });
  });
});

describe("notify messages while our output is full", () => {
  it("keep the latest of each kind, not every one, and still open the gate; logged once it drains", async () => {
    // Our stdout and stderr take nothing until released: a log shipper that stopped reading.
    const stdout = new Gate(16 * 1024);
    const output = new OutputRelay({
      timestamps: false,
      names: ["flood", "after"],
      stdout,
      stderr: stdout,
    });
    const supervisor = new Supervisor(
      {
        processes: [
          {
            name: "flood",
            run: py(`for i in range(20000):
    send("STATUS=step %d %s" % (i, "y" * 200))
send("READY=1")
time.sleep(600)`),
            ready: { check: { kind: "notify" }, timeoutMs: 60_000 },
          },
          { name: "after", run: sh("exec sleep 600") },
        ],
      },
      { output, killOnHostExit: false },
    );
    supervisors.add(supervisor);
    const statuses: string[] = [];
    supervisor.on("process:status", ({ status }) => statuses.push(status));
    // READY=1 is read and the gate opens though nothing we log can be written.
    await supervisor.start();
    expect(statuses).toHaveLength(20_000);
    // 20,000 lines of ~230 bytes would be 4.6 MB held; what waits is about one buffer's worth.
    expect(output.stats().pendingBytes).toBeLessThan(64 * 1024);
    stdout.release();
    await supervisor.stop();
    const text = stdout.text();
    expect(text).toMatch(
      /process "flood": \d+ notify messages were not logged while the output was full; the latest of each kind follows/,
    );
    expect(text).toContain('process "flood" status: step 19999 ');
  }, 60_000);
});

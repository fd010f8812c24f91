// Readiness by notification (sd_notify's READY=1) and the watchdog, as a user sees them, with
// real senders: python3, whose socket module speaks the protocol in three lines, as any
// daemon's sd_notify library would. Every scenario runs with its own TMPDIR, which must be
// empty again once Ground Control has exited: no socket, no directory left behind.
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Scenario, until, withScenario } from "./helpers/harness.js";
import { canSwitchUsers, createTestUsers, linesOf, type TestUsers } from "./helpers/users.js";

/** A python3 daemon as a TOML argv: `body` after helpers to send, note and wait for a file. */
const py = (body: string) => `["python3", "-c", '''
import os, socket, sys, time
def send(msg):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(msg.encode(), os.environ["NOTIFY_SOCKET"])
    s.close()
def note(line):
    open("{results}", "a").write(line + "\\n")
def keep(name, text):
    open("{dir}/" + name + ".tmp", "w").write(text)
    os.rename("{dir}/" + name + ".tmp", "{dir}/" + name)
def wait_for(name):
    while not os.path.exists("{dir}/" + name):
        time.sleep(0.01)
${body}''']`;

const note = (line: string) => `["/bin/sh", "-c", "echo ${line} >> {results}"]`;

/** The next process, which must not start before the gate opens. */
const app = `
[[processes]]
name = "app"
pre = ${note("app-pre")}
run = ["/bin/sh", "-c", "echo app-run >> {results}; exec sleep 600"]
`;

let tmp = "";
const strangers = new Set<ChildProcess>();
afterEach(() => {
  for (const stranger of strangers) stranger.kill("SIGKILL");
  strangers.clear();
});

/**
 * Runs a scenario whose temp directory (where the notify sockets go) is a fresh, empty one, and
 * checks that it is empty again once Ground Control has exited.
 */
async function withNotify(toml: string, body: (s: Scenario) => Promise<void>): Promise<void> {
  tmp = join(tmpdir(), `gc-notify-tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    await withScenario(
      toml,
      async (s) => {
        await body(s);
        await s.finished;
        expect(readdirSync(tmp)).toEqual([]);
      },
      {
        env: {
          ...process.env,
          NO_COLOR: "1",
          TMPDIR: tmp,
          // Node 22+ keeps its compile cache under TMPDIR too: where it goes without this test.
          NODE_COMPILE_CACHE: join(tmpdir(), "node-compile-cache"),
        },
      },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Waits for `what`, but fails at once (with its stderr) if groundcontrol exits first. */
async function unlessExited<T>(s: Scenario, what: Promise<T>): Promise<T> {
  const exited = s.finished.then((done) => {
    throw new Error(`groundcontrol exited early (code ${done.code}):\n${done.stderr}`);
  });
  exited.catch(() => {});
  return Promise.race([what, exited]);
}

describe("ready = { notify = true }", () => {
  it.each([
    ["inheriting the environment", (argv: string) => `run = ${argv}`],
    ["under only-env = []", (argv: string) => `run = { command = ${argv}, only-env = [] }`],
  ])("%s: the next process starts only after READY=1; STATUS= is logged", async (_how, run) => {
    await withNotify(
      `
suppress_timestamps = true

[[processes]]
name = "db"
${run(
  py(`note("db:started")
send("STATUS=recovering")
wait_for("go")
note("db:ready")
send("STATUS=accepting connections\\nREADY=1")
time.sleep(600)`),
)}
ready = { notify = true, timeout = "20s" }
post = ${note("db-post")}
${app}`,
      async (s) => {
        await unlessExited(s, s.waitForOutput(/process "db" status: recovering/));
        expect(s.transcriptLines()).toEqual(["db:started"]);
        writeFileSync(join(s.dir, "go"), "");
        await unlessExited(s, s.waitForTranscript("app-run"));
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcriptLines()).toEqual([
          "db:started",
          "db:ready",
          "app-pre",
          "app-run",
          "db-post",
        ]);
        expect(linesOf(done.stderr, "groundcontrol")).toEqual(
          expect.arrayContaining([
            'process "db" status: recovering',
            'process "db" status: accepting connections',
            'process "db" is ready (notify READY=1)',
          ]),
        );
      },
    );
  });

  it("a daemon that exits before READY=1 aborts startup at once", async () => {
    await withNotify(
      `
[[processes]]
name = "db"
run = ${py(`send("STATUS=giving up")
sys.exit(3)`)}
ready = { notify = true, timeout = "25s" }
${app}`,
      async (s) => {
        const began = Date.now();
        const done = await s.finished;
        expect(Date.now() - began).toBeLessThan(15_000);
        expect(done.code).toBe(3);
        expect(done.stderr).toContain(
          'startup aborted: `run` command of process "db" exited (exit code 3) before it was ready (notify READY=1)',
        );
        expect(s.transcriptLines()).toEqual([]);
      },
    );
  });

  it("a daemon that never sends READY=1 aborts startup at the timeout", async () => {
    await withNotify(
      `
[[processes]]
name = "db"
run = ${py(`send("STATUS=still recovering")
note("db:status")
time.sleep(600)`)}
ready = { notify = true, timeout = "800ms" }
${app}`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(1);
        expect(done.stderr).toContain(
          'startup aborted: process "db" was not ready within 800ms (notify READY=1; no READY=1 received; last STATUS=still recovering)',
        );
        expect(s.transcriptLines()).toEqual(["db:status"]);
      },
    );
  });

  it("ignores READY=1 sent to the same socket by a process outside the command's tree", async () => {
    await withNotify(
      `
[[processes]]
name = "db"
run = ${py(`keep("socket", os.environ["NOTIFY_SOCKET"])
wait_for("go")
send("READY=1")
time.sleep(600)`)}
ready = { notify = true, timeout = "20s" }
${app}`,
      async (s) => {
        await unlessExited(
          s,
          until(() => existsSync(join(s.dir, "socket")), "the daemon's NOTIFY_SOCKET"),
        );
        // The attacker: root (it can reach any socket), started by the test, not by the daemon.
        const stranger = spawn("python3", [
          "-c",
          `import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", sys.argv[1])
s.sendto(b"READY=1\\nSTATUS=forged", sys.argv[1])
time.sleep(600)`,
          readFileSync(join(s.dir, "socket"), "utf8"),
        ]);
        strangers.add(stranger);
        // Whichever comes first: the message dropped, or (were the check missing) app started.
        await unlessExited(
          s,
          until(
            () => /was dropped/.test(s.stderr) || s.transcriptLines().includes("app-pre"),
            "the forged READY=1 to be dropped",
          ),
        );
        expect(s.transcriptLines()).toEqual([]);
        expect(s.stderr).toMatch(
          new RegExp(
            `process "db": a notify message from pid ${stranger.pid} \\(uid 0\\) was dropped: it is not a process of its run \\(pid \\d+\\)`,
          ),
        );
        expect(s.stderr).not.toMatch(/status: forged/);
        writeFileSync(join(s.dir, "go"), "");
        await unlessExited(s, s.waitForTranscript("app-run"));
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
        // Logged once, however many came.
        expect(s.stderr.match(/was dropped/g)).toHaveLength(1);
      },
    );
  });

  it("accepts READY=1 from a child of the daemon, and leaves nothing behind after SIGTERM", async () => {
    // The shell forks python (no exec): the sender is a descendant, not the run itself.
    await withNotify(
      `
[[processes]]
name = "db"
run = { command = ["/bin/sh", "-c", "python3 -c \\"$CODE\\"; exec sleep 600"], env = { CODE = '''
import os, socket, time
open("{dir}/socket", "w").write(os.environ["NOTIFY_SOCKET"])
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
# Alive until the gate has opened: a sender that is gone cannot be placed in any tree.
while "app-run" not in open("{results}").read() if os.path.exists("{results}") else True:
    time.sleep(0.01)
''' } }
ready = { notify = true, timeout = "20s" }
${app}`,
      async (s) => {
        await unlessExited(s, s.waitForTranscript("app-run"));
        const socket = readFileSync(join(s.dir, "socket"), "utf8");
        expect(socket.startsWith(`${tmp}/groundcontrol-notify-`)).toBe(true);
        expect(statSync(dirname(socket)).mode & 0o777).toBe(0o700);
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
        expect(existsSync(dirname(socket))).toBe(false);
      },
    );
  });
});

describe("watchdog", () => {
  /** Pings three times, notes when it sent the last one, then hangs (the first start only). */
  const beat = (onLaterStarts: string) =>
    py(`first = not os.path.exists("{dir}/started")
keep("started", "")
note("beat:start")
send("READY=1")
if first:
    for _ in range(3):
        send("WATCHDOG=1")
        last = time.time()
        time.sleep(0.1)
    keep("last", "%f" % last)
    time.sleep(600)
${onLaterStarts}`);

  it("a daemon that stops pinging is unhealthy within one period, and is restarted", async () => {
    await withNotify(
      `
suppress_timestamps = true

[[processes]]
name = "beat"
run = ${beat(`while True:
    send("WATCHDOG=1")
    time.sleep(0.1)`)}
ready = { notify = true }
watchdog = "1s"
restart = { on = "failure", max = 1, backoff = "10ms" }
post = ${note("beat-post")}
`,
      async (s) => {
        await unlessExited(
          s,
          s.waitForOutput(
            /process "beat" is unhealthy: no WATCHDOG=1 for 1s \(watchdog 1s\); stopping it/,
          ),
        );
        const late = Date.now() - Number(readFileSync(join(s.dir, "last"), "utf8")) * 1000;
        // One period after the last WATCHDOG=1, give or take how fast this test notices.
        expect(late).toBeGreaterThanOrEqual(990);
        expect(late).toBeLessThan(1_000 + 1_000);
        await unlessExited(
          s,
          until(
            () => s.transcriptLines().filter((line) => line === "beat:start").length === 2,
            "the restart",
          ),
        );
        expect(s.stderr).toMatch(/process "beat" was unhealthy \(watchdog 1s\); restart 1 in 10ms/);
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcriptLines()).toEqual(["beat:start", "beat:start", "beat-post"]);
      },
    );
  });

  it("without a restart, a silent watchdog shuts everything down with exit 1", async () => {
    await withNotify(
      `
[[processes]]
name = "beat"
run = ${beat("")}
ready = { notify = true }
watchdog = "500ms"
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(1);
        expect(done.stderr).toMatch(
          /shutting down: process "beat" is unhealthy \(watchdog 500ms\)/,
        );
      },
    );
  });

  it("gives the run WATCHDOG_USEC and WATCHDOG_PID, its own pid", async () => {
    await withNotify(
      `
[[processes]]
name = "beat"
run = { command = ${py(`keep("env", "%d %s %s" % (os.getpid(), os.environ["WATCHDOG_PID"], os.environ["WATCHDOG_USEC"]))
send("READY=1")
time.sleep(600)`)}, only-env = [] }
ready = { notify = true }
watchdog = "2m"
`,
      async (s) => {
        await unlessExited(
          s,
          until(() => existsSync(join(s.dir, "env")), "the environment"),
        );
        const [pid, watchdogPid, usec] = readFileSync(join(s.dir, "env"), "utf8").split(" ");
        expect(watchdogPid).toBe(pid);
        expect(usec).toBe("120000000");
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
      },
    );
  });
});

describe.runIf(canSwitchUsers)("notify as another user", () => {
  let users: TestUsers;
  beforeAll(() => {
    users = createTestUsers();
  });
  afterAll(() => users.remove());

  it.each([
    ["with its primary group only", "loner"],
    ["with supplementary groups (the exec-as helper)", "member"],
  ] as const)("%s, the user can send to its socket", async (_how, who) => {
    const user = users[who];
    // The user cannot write the scenario's files: it says what it sees on stdout.
    await withNotify(
      `
suppress_timestamps = true

[[processes]]
name = "db"
run = { user = "${user}", command = ["python3", "-c", '''
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(os.getuid(), os.getpid(), os.environ["WATCHDOG_PID"], os.environ["NOTIFY_SOCKET"], flush=True)
s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
while True:
    s.sendto(b"WATCHDOG=1", os.environ["NOTIFY_SOCKET"])
    time.sleep(0.2)
'''] }
ready = { notify = true, timeout = "20s" }
watchdog = "30s"
${app}`,
      async (s) => {
        await unlessExited(s, s.waitForTranscript("app-run"));
        const [uid, pid, watchdogPid, socket] = linesOf(s.stdout, "db")[0]!.split(" ");
        expect(Number(uid)).toBe(users.uid(user));
        expect(watchdogPid).toBe(pid);
        expect(statSync(dirname(socket!)).uid).toBe(users.uid(user));
        expect(statSync(socket!).uid).toBe(users.uid(user));
        s.signal("SIGTERM");
        expect((await s.finished).code).toBe(0);
      },
    );
  });
});

// The notify socket on its own: the private directory, who may send, what a datagram says, and
// that nothing is left behind. Senders are python3 one-liners, as in any sd_notify library.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Libc, loadLibc } from "../src/native.js";
import { NotifyChannel, type NotifyMessage, parseNotify } from "../src/notify.js";
import { NotifySocket } from "../src/notify-socket.js";
import { membershipOf } from "../src/proc.js";

const linux = process.platform === "linux";

let libc: Libc;
beforeAll(async () => {
  const loaded = await loadLibc();
  if (!loaded.ok) throw new Error(loaded.reason);
  libc = loaded.libc;
});

const children = new Set<ChildProcess>();
const channels = new Set<NotifyChannel>();
afterEach(() => {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  for (const channel of channels) channel.close();
  channels.clear();
});

/** A python3 process that sends `messages` to `path`, then (with `stay`) waits to be killed. */
function sender(path: string, messages: string[], stay = true): ChildProcess {
  const child = spawn("python3", [
    "-c",
    `import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for m in sys.argv[2:]:
    s.sendto(m.encode(), sys.argv[1])
print("sent", flush=True)
${stay ? "time.sleep(600)" : ""}`,
    path,
    ...messages,
  ]);
  children.add(child);
  return child;
}

function open(warnings: string[] = [], owner?: { uid: number; gid: number }): NotifyChannel {
  const channel = new NotifyChannel(libc, {
    process: "db",
    ...(owner ? { owner } : {}),
    warn: (message) => warnings.push(message),
  });
  channels.add(channel);
  return channel;
}

const next = (channel: NotifyChannel) =>
  new Promise<NotifyMessage>((resolve) => {
    const stop = channel.subscribe((message) => {
      stop();
      resolve(message);
    });
  });

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("parseNotify", () => {
  it("reads newline-separated assignments, skips lines without =, keeps the last of a key", () => {
    expect(parseNotify("READY=1\nSTATUS=a=b\n\nnonsense\nSTATUS=c\n")).toEqual({
      READY: "1",
      STATUS: "c",
    });
  });

  it("keeps a __proto__ key a plain key", () => {
    const fields = parseNotify("__proto__=x\nREADY=1");
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(["__proto__", "READY"]);
  });
});

describe.runIf(linux)("membershipOf", () => {
  it("knows the leader, its descendants, and strangers", async () => {
    const leader = spawn("/bin/sh", ["-c", "sleep 30 & echo $!; wait"], { detached: true });
    children.add(leader);
    const child = await new Promise<number>((resolve) =>
      leader.stdout!.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
    expect(membershipOf(leader.pid!, leader.pid!)).toBe("member");
    expect(membershipOf(child, leader.pid!)).toBe("member");
    expect(membershipOf(process.pid, leader.pid!)).toBe("outsider");
    expect(membershipOf(0, leader.pid!)).toBe("outsider");
    process.kill(-leader.pid!, "SIGKILL");
  });
});

describe.runIf(linux)("NotifyChannel", () => {
  it("lives in a private directory, and close() removes both", () => {
    const channel = open();
    const dir = dirname(channel.path);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(channel.path).isSocket()).toBe(true);
    expect(statSync(channel.path).mode & 0o777).toBe(0o600);
    channel.close();
    channel.close();
    expect(existsSync(dir)).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)("belongs to the user who must send", () => {
    const channel = open([], { uid: 65534, gid: 65534 });
    for (const path of [channel.path, dirname(channel.path)]) {
      expect(statSync(path).uid).toBe(65534);
      expect(statSync(path).gid).toBe(65534);
    }
  });

  it("delivers what the followed process sends, several assignments in one datagram", async () => {
    const channel = open();
    const received = next(channel);
    const daemon = spawn(
      "python3",
      [
        "-c",
        `import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\\nSTATUS=up\\nX=unknown", os.environ["NOTIFY_SOCKET"])`,
      ],
      { env: { ...process.env, NOTIFY_SOCKET: channel.path } },
    );
    children.add(daemon);
    channel.follow(daemon.pid);
    const message = await received;
    expect(message).toEqual({
      pid: daemon.pid,
      fields: { READY: "1", STATUS: "up", X: "unknown" },
    });
  });

  it("drops what a stranger sends, and says so once", async () => {
    const warnings: string[] = [];
    const channel = open(warnings);
    const messages: NotifyMessage[] = [];
    channel.subscribe((message) => messages.push(message));
    // The followed process sends MARK=1 when told (a line on its stdin): the socket is a queue,
    // so once the mark is in, everything the stranger sent before it has been read.
    const daemon = spawn("python3", [
      "-c",
      `import socket, sys
sys.stdin.readline()
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"MARK=1", sys.argv[1])`,
      channel.path,
    ]);
    children.add(daemon);
    channel.follow(daemon.pid);
    const stranger = sender(channel.path, ["READY=1", "READY=1\nSTATUS=forged"]);
    await new Promise((resolve) => stranger.stdout!.once("data", resolve));
    const marked = next(channel);
    daemon.stdin!.write("go\n");
    await marked;
    expect(messages).toEqual([{ pid: daemon.pid, fields: { MARK: "1" } }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^process "db": a notify message from pid ${stranger.pid} \\(uid \\d+\\) was dropped: it is not a process of its run \\(pid ${daemon.pid}\\) \\(further dropped notify messages are not logged\\)$`,
      ),
    );
  });

  it("counts nobody while no run is followed", async () => {
    const warnings: string[] = [];
    const channel = open(warnings);
    sender(channel.path, ["READY=1"]);
    await until(() => warnings.length > 0, "the warning");
    expect(warnings[0]).toContain("was dropped: its run is not running");
  });

  it("falls back to /dev/shm when the temp directory cannot be written (a read-only root)", () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = "/nonexistent/tmp";
    try {
      const socket = new NotifySocket(libc, { onDatagram: () => {}, onProblem: () => {} });
      expect(socket.path).toMatch(/^\/dev\/shm\/groundcontrol-notify-[^/]+\/notify\.sock$/);
      socket.close();
      expect(existsSync(socket.dir)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it("refuses a path too long for a Unix socket, and leaves nothing behind", () => {
    const parent = mkdtempSync(join(tmpdir(), `gc-${"x".repeat(90)}-`));
    try {
      expect(
        () => new NotifySocket(libc, { parent, onDatagram: () => {}, onProblem: () => {} }),
      ).toThrow(
        /its path would be \d+ bytes long \(at most 107\): set TMPDIR to a shorter directory/,
      );
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

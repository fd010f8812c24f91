// The control socket's protocol and its file: answers, refusals, and what it never removes.

import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ControlSocketError,
  listenControl,
  queryStatus,
  type StatusReport,
  Supervisor,
  serveStatus,
  statusReport,
} from "../src/index.js";
import { MemoryOutput } from "../src/testing.js";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gc-control-"));
  path = join(dir, "gc.sock");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REPORT: StatusReport = {
  v: 1,
  phase: "running",
  pid: 42,
  startedAt: 0,
  uptimeMs: 1_000,
  ready: true,
  processes: [],
};

/** Sends raw bytes and collects the answer lines until the server closes or `lines` came. */
function exchange(raw: string, lines = 1): Promise<string[]> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      if (text.split("\n").length > lines) socket.end();
    });
    // A dropped client sees a reset: what it got until then is the answer.
    socket.on("error", () => {});
    socket.on("close", () => resolve(text.split("\n").filter(Boolean)));
    socket.write(raw);
  });
}

describe("the control protocol", () => {
  it("answers a status request with the report, once per line", async () => {
    const server = await listenControl(path, () => REPORT);
    try {
      expect(await queryStatus(path)).toEqual(REPORT);
      const answers = await exchange('{"v":1,"op":"status"}\n{"v":1,"op":"status"}\n', 2);
      expect(answers.map((a) => JSON.parse(a).ok)).toEqual([true, true]);
    } finally {
      await server.close();
    }
  });

  it("refuses what it does not speak, once, and lets that client go", async () => {
    const server = await listenControl(path, () => REPORT);
    try {
      for (const [request, error] of [
        ["not json", "not a JSON request"],
        ["null", "a request is a JSON object"],
        ['["status"]', "a request is a JSON object"],
        ['{"v":2,"op":"status"}', "version 2 is not spoken here"],
        ['{"v":1,"op":"restart","process":"db"}', 'unknown op "restart"'],
      ] as const) {
        // A second request on the same connection is never answered: it was closed.
        const answers = await exchange(`${request}\n{"v":1,"op":"status"}\n`, 2);
        expect(answers.map((a) => JSON.parse(a))).toEqual([{ v: 1, ok: false, error }]);
      }
      // Empty lines are no requests; the one after them is answered.
      const answers = await exchange('\n\n  \n{"v":1,"op":"status"}\n', 1);
      expect(JSON.parse(answers[0]!).ok).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("answers at most 16 requests on one connection", async () => {
    const server = await listenControl(path, () => REPORT);
    try {
      const answers = await exchange('{"v":1,"op":"status"}\n'.repeat(40), 40);
      expect(answers).toHaveLength(16);
    } finally {
      await server.close();
    }
  });

  it("closes a client's connection when it closes, idle or not", async () => {
    const server = await listenControl(path, () => REPORT);
    const client = connect(path);
    await new Promise((resolve) => client.once("connect", resolve));
    const closed = new Promise((resolve) => client.once("close", resolve));
    await server.close(); // would wait for the client without it
    await closed;
  });

  it("drops a client that sends an endless line", async () => {
    const server = await listenControl(path, () => REPORT);
    try {
      expect(await exchange("x".repeat(100_000))).toEqual([]);
      // And still serves the next one.
      expect((await queryStatus(path)).phase).toBe("running");
    } finally {
      await server.close();
    }
  });

  it("makes the socket 0600, and removes it on close, leaving nothing in its directory", async () => {
    const server = await listenControl(path, () => REPORT);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["gc.sock"]);
    await server.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("leaves the process umask as it was", async () => {
    const before = process.umask();
    const server = await listenControl(path, () => REPORT);
    expect(process.umask()).toBe(before);
    await server.close();
  });
});

describe("the socket file", () => {
  it("replaces a socket nothing answers on", async () => {
    // A bound socket whose server is gone: what a SIGKILLed Ground Control leaves.
    const script = `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`;
    spawnSync(process.execPath, ["-e", script]);
    expect(statSync(path).isSocket()).toBe(true);
    const server = await listenControl(path, () => REPORT);
    expect((await queryStatus(path)).pid).toBe(42);
    await server.close();
  });

  it("never takes a socket a live server answers on", async () => {
    const live = createServer(() => {});
    await new Promise<void>((resolve) => live.listen(path, resolve));
    try {
      const error = await listenControl(path, () => REPORT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ControlSocketError);
      expect(error).toMatchObject({
        busy: true,
        message: `control socket ${path}: another Ground Control answers there`,
      });
      expect(existsSync(path)).toBe(true);
    } finally {
      live.close();
    }
  });

  it("never removes a file that is not a socket, nor follows a symlink", async () => {
    writeFileSync(path, "precious");
    await expect(listenControl(path, () => REPORT)).rejects.toThrow(
      `control socket ${path}: exists and is not a socket`,
    );
    expect(readFileSync(path, "utf8")).toBe("precious");

    const target = join(dir, "target");
    writeFileSync(target, "also precious");
    const link = join(dir, "link.sock");
    symlinkSync(target, link);
    await expect(listenControl(link, () => REPORT)).rejects.toThrow("exists and is not a socket");
    expect(readFileSync(target, "utf8")).toBe("also precious");
  });

  it("on close, leaves alone a socket another instance put at the path since", async () => {
    const server = await listenControl(path, () => REPORT);
    rmSync(path);
    const other = await listenControl(path, () => ({ ...REPORT, pid: 7 }));
    await server.close();
    expect((await queryStatus(path)).pid).toBe(7);
    await other.close();
  });
});

describe("serveStatus", () => {
  it("serves a supervisor's own status", async () => {
    const supervisor = new Supervisor(
      { processes: [{ name: "a", run: { program: "/bin/sleep", args: ["60"] } }] },
      { output: new MemoryOutput(), killOnHostExit: false },
    );
    const servers = await serveStatus(supervisor, { socket: path });
    try {
      expect(await queryStatus(path)).toMatchObject({
        phase: "starting",
        ready: false,
        processes: [{ name: "a", state: "waiting", pid: null }],
      });
      await supervisor.start();
      const report = await queryStatus(path);
      expect(report).toMatchObject({ phase: "running", ready: true });
      expect(report.processes[0]!.pid).toBeGreaterThan(0);
      expect(statusReport(supervisor.status()).processes).toEqual(report.processes);
      await supervisor.stop();
      expect((await queryStatus(path)).phase).toBe("stopped");
    } finally {
      await servers.close();
    }
  });

  it("closes the socket again when the HTTP address cannot be used", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(
        serveStatus(() => REPORT, { socket: path, listen: { host: "127.0.0.1", port } }),
      ).rejects.toThrow(`cannot serve status on 127.0.0.1:${port}: listen EADDRINUSE`);
      expect(existsSync(path)).toBe(false);
    } finally {
      taken.close();
    }
  });
});

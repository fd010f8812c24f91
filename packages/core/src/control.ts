// The control socket: a Unix socket where a running supervisor answers questions about itself,
// read-only. One JSON request per line, one JSON answer per line:
//
//   → {"v":1,"op":"status"}
//   ← {"v":1,"ok":true,"status":{…StatusReport…}}
//   ← {"v":1,"ok":false,"error":"unknown op \"restart\""}
//
// The socket is made with mode 0600 (only Ground Control's own user may ask), a stale one left
// by a crash is replaced, a live one is never taken over, and it is removed on close.
import { existsSync, lstatSync, renameSync, type Stats, unlinkSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { messageOf } from "./errors.js";
import { type HostPort, listenStatusHttp, type StatusHttpServer } from "./status-http.js";
import { readReport, STATUS_VERSION, type StatusReport, statusReport } from "./status-report.js";
import type { Supervisor } from "./supervisor.js";
import { timers } from "./timers.js";

/** A request line longer than this is not a request: the connection is closed. */
const MAX_REQUEST_BYTES = 4_096;
/** A client that says nothing for this long is let go. */
const IDLE_MS = 5_000;
/** The most bytes a Unix socket path holds (sun_path is 108, with its NUL). */
const MAX_SOCKET_PATH_BYTES = 107;
/** Where a Ground Control answers, and `groundcontrol status` asks, unless told otherwise. */
export const DEFAULT_CONTROL_SOCKET = "/run/groundcontrol.sock";

/** More clients than this at once wait in the kernel's backlog. */
const MAX_CLIENTS = 64;
/** Requests answered on one connection before it is closed: a probe asks once. */
const MAX_REQUESTS = 16;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Why a control socket could not be made; `busy` when a live Ground Control answers there. */
export class ControlSocketError extends Error {
  override name = "ControlSocketError";
  constructor(
    readonly path: string,
    message: string,
    readonly busy = false,
  ) {
    super(`control socket ${path}: ${message}`);
  }
}

export interface ServeStatusOptions {
  /** A Unix socket path for the control protocol (what `groundcontrol status` asks). */
  socket?: string;
  /** An address for GET /status and GET /healthz. */
  listen?: HostPort;
}

export interface StatusServers {
  readonly control: ControlServer | undefined;
  readonly http: StatusHttpServer | undefined;
  close(): Promise<void>;
}

/**
 * Serves a supervisor's status (or any report) on a control socket, over HTTP, or both. Rejects
 * with a ControlSocketError or a StatusListenError, having closed what it had opened.
 */
export async function serveStatus(
  source: Supervisor | (() => StatusReport),
  options: ServeStatusOptions,
): Promise<StatusServers> {
  const report = typeof source === "function" ? source : () => statusReport(source.status());
  const control =
    options.socket === undefined ? undefined : await listenControl(options.socket, report);
  let http: StatusHttpServer | undefined;
  try {
    http =
      options.listen === undefined ? undefined : await listenStatusHttp(options.listen, report);
  } catch (error) {
    await control?.close();
    throw error;
  }
  return {
    control,
    http,
    close: async () => {
      await Promise.all([control?.close(), http?.close()]);
    },
  };
}

/** Serves `report()` on a Unix socket at `path`. */
export async function listenControl(
  path: string,
  report: () => StatusReport,
): Promise<ControlServer> {
  await clearStale(path);
  const clients = new Set<Socket>();
  const server = createServer((socket) => {
    clients.add(socket);
    socket.once("close", () => clients.delete(socket));
    serveClient(socket, report);
  });
  server.maxConnections = MAX_CLIENTS;
  // Bound under a name of its own, then renamed into place: libuv unlinks the bound name when
  // the server closes, and that must never be `path`, which another instance may hold by then.
  const bound = temporaryName(path);
  // Left only by a crash between bind and rename, by a process of this same pid (PID 1 again).
  if (bound !== path && isSocket(bound)) unlinkQuietly(bound);
  // The socket file takes its mode from the umask at bind time: 0600 from the first moment,
  // not after a chmod that a fast client could race. listen() binds a path synchronously, so the
  // umask is back before anything else runs (a command spawned meanwhile would inherit it).
  const umask = process.umask(0o177);
  let listening: Promise<void>;
  try {
    listening = new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(bound, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  let ours: Stats;
  try {
    await listening;
    // Nothing here follows a link: in a directory another user can write, the bound name may
    // have been swapped for one (a chmod through it would change whatever it points at). The
    // socket is checked to be the one just made, then moved, then checked again.
    ours = lstatSync(bound);
    if (!ours.isSocket() || ours.uid !== process.getuid?.() || (ours.mode & 0o077) !== 0) {
      throw new Error(`${bound} is not the socket just made (was it swapped?)`);
    }
    if (bound !== path) renameSync(bound, path);
    if (!sameFile(path, ours)) throw new Error(`${path} is not the socket just made`);
  } catch (error) {
    server.close();
    throw new ControlSocketError(path, whyNotListening(path, error));
  }
  server.unref();
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        // Only our own socket file goes: another instance may have replaced it since.
        if (sameFile(path, ours)) unlinkQuietly(path);
        // A client that holds its connection (idle, or asking again and again) must not keep
        // the server, and so the shutdown, waiting.
        for (const client of clients) client.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A short name beside `path` to bind first; `path` itself when that would be too long. */
function temporaryName(path: string): string {
  const name = join(dirname(path), `.gc-${process.pid}.sock`);
  return Buffer.byteLength(name) <= MAX_SOCKET_PATH_BYTES ? name : path;
}

/** Asks the supervisor at `path` for its status. Rejects when nothing answers in time. */
export function queryStatus(path: string, timeoutMs = 2_000): Promise<StatusReport> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let answer = "";
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on("error", (error) => fail(error));
    socket.on("connect", () =>
      socket.write(`${JSON.stringify({ v: STATUS_VERSION, op: "status" })}\n`),
    );
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      answer += chunk;
      const end = answer.indexOf("\n");
      if (end < 0) return;
      socket.end();
      try {
        const reply = JSON.parse(answer.slice(0, end)) as {
          ok?: boolean;
          status?: unknown;
          error?: string;
        };
        if (reply.ok !== true) throw new Error(reply.error ?? "the supervisor refused");
        resolve(readReport(reply.status));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on("end", () => {
      if (!answer.includes("\n")) fail(new Error("the supervisor closed the connection"));
    });
  });
}

/**
 * One client: its requests answered one at a time and in order. Reading pauses while an answer
 * waits to be taken (a client that never reads cannot make Ground Control hold its answers),
 * empty lines are skipped, and a client that asks for what this does not speak, or too often,
 * is answered once more and let go.
 */
function serveClient(socket: Socket, report: () => StatusReport): void {
  let pending = "";
  let answered = 0;
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  socket.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
      const line = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      if (line === "") continue;
      const reply = answer(line, report);
      answered++;
      const last = reply.ok !== true || answered >= MAX_REQUESTS;
      const taken = socket.write(`${JSON.stringify(reply)}\n`);
      if (last) {
        socket.end();
        return;
      }
      if (!taken) {
        // The rest waits until the client has read what it was sent.
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    }
    if (pending.length > MAX_REQUEST_BYTES) socket.destroy();
  });
}

function answer(line: string, report: () => StatusReport): Record<string, unknown> {
  const refuse = (error: string) => ({ v: STATUS_VERSION, ok: false, error });
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return refuse("not a JSON request");
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return refuse("a request is a JSON object");
  }
  const { v, op } = request as { v?: unknown; op?: unknown };
  if (v !== STATUS_VERSION) return refuse(`version ${JSON.stringify(v)} is not spoken here`);
  if (op !== "status") return refuse(`unknown op ${JSON.stringify(op)}`);
  return { v: STATUS_VERSION, ok: true, status: report() };
}

/**
 * A socket file at `path` that nothing answers on is left from a crash: it goes. A live one, or
 * anything that is not a socket, stays, and that is an error.
 */
async function clearStale(path: string): Promise<void> {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return; // nothing there (or nothing we could see: listen() will say)
  }
  if (!stats.isSocket()) throw new ControlSocketError(path, "exists and is not a socket");
  if (await answers(path)) {
    throw new ControlSocketError(path, "another Ground Control answers there", true);
  }
  unlinkQuietly(path);
}

/** True when something accepts a connection on the socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const timer = timers.setTimeout(() => done(true), 1_000); // accepted but slow: alive
    const done = (alive: boolean) => {
      timers.clearTimeout(timer);
      socket.destroy();
      resolve(alive);
    };
    socket.on("connect", () => done(true));
    // Only a refusal means nobody is there. EAGAIN is a live one with a full backlog (a stalled
    // or paused Ground Control): never taken over.
    socket.on("error", (error: NodeJS.ErrnoException) =>
      done(error.code !== "ECONNREFUSED" && error.code !== "ENOENT"),
    );
  });
}

/** Why a socket could not be made at `path`, in words (libuv says EACCES for a missing directory). */
function whyNotListening(path: string, error: unknown): string {
  const parent = dirname(path);
  if (!existsSync(parent)) return `its directory ${parent} does not exist`;
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: "permission denied",
    EROFS: "read-only file system",
    EADDRINUSE: "the path is in use",
    ENOTDIR: `${parent} is not a directory`,
  };
  return code !== undefined && words[code] ? `${words[code]} (${code})` : messageOf(error);
}

function isSocket(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

function sameFile(path: string, stats: Stats): boolean {
  try {
    const now = lstatSync(path);
    return now.ino === stats.ino && now.dev === stats.dev;
  } catch {
    return false;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}

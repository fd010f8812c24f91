// The status over HTTP, for probes that speak nothing else (Fly.io http_checks, Kubernetes
// httpGet): GET /status is the report as JSON, GET /healthz is 200 when the whole is ready and
// 503 otherwise. Read-only, and nothing else is served.
import type { IncomingMessage, ServerResponse } from "node:http";
import { formatHostPort } from "./describe.js";
import { messageOf } from "./errors.js";
import type { StatusReport } from "./status-report.js";

/** Connections served at once; a probe needs one. */
const MAX_CONNECTIONS = 32;

export interface HostPort {
  host: string;
  port: number;
}

export interface StatusHttpServer {
  /** Where it listens (the port the kernel chose, when 0 was asked for). */
  readonly address: HostPort;
  close(): Promise<void>;
}

/** Why the status address could not be listened on; names it. */
export class StatusListenError extends Error {
  override name = "StatusListenError";
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(`cannot serve status on ${address}: ${messageOf(cause)}`, { cause });
  }
}

/** Serves `report()` over HTTP at `address`. */
export async function listenStatusHttp(
  address: HostPort,
  report: () => StatusReport,
): Promise<StatusHttpServer> {
  // A probe asks and goes: no slow client holds a socket for long (the timeouts are checked every
  // second, not every 30, Node's default), and no crowd of them takes the descriptors the
  // commands need (the rest wait in the kernel's backlog).
  // node:http is loaded here, by the one that asked for it: it costs every start a few ms.
  const { createServer } = await import("node:http");
  const server = createServer(
    {
      requestTimeout: 5_000,
      headersTimeout: 5_000,
      keepAliveTimeout: 1_000,
      connectionsCheckingInterval: 1_000,
    },
    (request, response) => respond(request, response, report),
  );
  server.maxConnections = MAX_CONNECTIONS;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(address.port, address.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw new StatusListenError(formatHostPort(address.host, address.port), error);
  }
  server.unref();
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : address.port;
  return {
    address: { host: address.host, port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function respond(
  request: IncomingMessage,
  response: ServerResponse,
  report: () => StatusReport,
): void {
  const path = (request.url ?? "").split("?")[0];
  if (path !== "/status" && path !== "/healthz") {
    send(response, 404, "not found\n");
  } else if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    send(response, 405, "method not allowed\n");
  } else if (path === "/healthz") {
    const now = report();
    send(response, now.ready ? 200 : 503, now.ready ? "ready\n" : `not ready: ${now.phase}\n`);
  } else {
    send(response, 200, `${JSON.stringify(report())}\n`, "application/json");
  }
}

function send(response: ServerResponse, code: number, body: string, type = "text/plain"): void {
  response.writeHead(code, {
    "content-type": `${type}; charset=utf-8`,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

// One try of a polled check — tcp, http, command, file — shared by readiness gates (tried until
// one holds) and health checks (tried again and again once the process is ready).
import { stat } from "node:fs";
import type { get as httpGet } from "node:http";
import { connect } from "node:net";
import { MAX_TIMER_MS } from "./deadline.js";
import { formatDuration } from "./describe.js";
import { messageOf } from "./errors.js";
import type { CommandSpec, ReadyCheck } from "./spec.js";
import { describeStatus, type ExitStatus, isSuccess } from "./status.js";
import { timers } from "./timers.js";

/**
 * One try: resolves with null when the check holds, else with why it does not (yet). Throws
 * ProbeUnusable when trying again cannot help. Gives up (with a reason) when `signal` fires.
 */
export type Probe = (signal: AbortSignal) => Promise<string | null>;

/** The check cannot work at all (an invalid URL, a check command that cannot start…). */
export class ProbeUnusable extends Error {
  override name = "ProbeUnusable";
}

/** Runs a check's command once and resolves with how it ended; `signal` kills it. */
export type RunCheckCommand = (command: CommandSpec, signal: AbortSignal) => Promise<ExitStatus>;

/** The probe for a polled check; throws ProbeUnusable for one that can never hold. */
export function probeFor(
  check: Extract<ReadyCheck, { kind: "tcp" | "http" | "command" | "file" }>,
  runCommand: RunCheckCommand,
): Probe {
  switch (check.kind) {
    case "tcp":
      return tcpProbe(check.host, check.port);
    case "http":
      return httpProbe(check.url);
    case "command":
      return commandProbe(check.command, runCommand);
    case "file":
      return fileProbe(check.path);
  }
}

/** Tries `probe` once, abandoned (and failed) after `timeoutMs`. */
export async function tryOnce(
  probe: Probe,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | null> {
  const abort = new AbortController();
  let timedOut = false;
  const timer = timers.setTimeout(
    () => {
      timedOut = true;
      abort.abort();
    },
    Math.min(timeoutMs, MAX_TIMER_MS),
  );
  const forward = (): void => abort.abort();
  signal?.addEventListener("abort", forward, { once: true });
  try {
    const failure = await probe(abort.signal);
    return timedOut ? `no answer within ${formatDuration(timeoutMs)}` : failure;
  } finally {
    timers.clearTimeout(timer);
    signal?.removeEventListener("abort", forward);
  }
}

function tcpProbe(host: string, port: number): Probe {
  return (signal) =>
    new Promise((resolve) => {
      const socket = connect({ host, port });
      const settle = (failure: string | null): void => {
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        resolve(failure);
      };
      const onAbort = (): void => settle("abandoned");
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", () => settle(null));
      // `on`, not `once`: an error after we are done must not go unhandled.
      socket.on("error", (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    });
}

function httpProbe(url: string): Probe {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ProbeUnusable("has an invalid URL", { cause: error });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ProbeUnusable(`needs an http: or https: URL, not ${parsed.protocol}`);
  }
  const loaded = loadGet(parsed.protocol);
  return async (signal) => {
    const get = await loaded;
    return new Promise((resolve) => {
      // No shared agent: a kept-alive socket would outlive the check (and keep the CLI running).
      const request = get(
        parsed,
        { agent: false, headers: { connection: "close" } },
        (response) => {
          const code = response.statusCode ?? 0;
          response.resume();
          settle(code >= 200 && code < 300 ? null : `HTTP ${code}`);
        },
      );
      function settle(failure: string | null): void {
        signal.removeEventListener("abort", onAbort);
        request.destroy();
        resolve(failure);
      }
      const onAbort = (): void => settle("abandoned");
      signal.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    });
  };
}

/**
 * node:http and node:https are loaded on first use: with tls and crypto, which https pulls in,
 * they would load with every start-up, needed only by a config with an http check.
 */
function loadGet(protocol: string): Promise<typeof httpGet> {
  return protocol === "https:"
    ? import("node:https").then((https) => https.get)
    : import("node:http").then((http) => http.get);
}

function commandProbe(command: CommandSpec, runCommand: RunCheckCommand): Probe {
  return async (signal) => {
    let status: ExitStatus;
    try {
      status = await runCommand(command, signal);
    } catch (error) {
      // It could not even be prepared (unknown variable or user): trying again will not help.
      throw new ProbeUnusable(`cannot run: ${messageOf(error)}`, { cause: error });
    }
    if (isSuccess(status)) return null;
    if (status.kind === "failed") throw new ProbeUnusable(describeStatus(status));
    return describeStatus(status);
  };
}

function fileProbe(path: string): Probe {
  // The callback form: node:fs/promises is a module of its own to load at every start.
  return () =>
    new Promise((resolve) =>
      stat(path, (error) =>
        resolve(
          error === null
            ? null
            : error.code === "ENOENT"
              ? "does not exist"
              : (error.code ?? error.message),
        ),
      ),
    );
}

/** Resolves after `ms`, or as soon as `signal` fires; leaves no timer behind either way. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      timers.clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = timers.setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal.addEventListener("abort", done, { once: true });
  });
}

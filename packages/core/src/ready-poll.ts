// Polling readiness checks (tcp, http, command, file): try, and try again every `interval`.
import { stat } from "node:fs/promises";
import type { get as httpGet } from "node:http";
import { connect } from "node:net";
import { MAX_TIMER_MS } from "./deadline.js";
import { formatDuration } from "./describe.js";
import { messageOf } from "./errors.js";
import type { CheckContext } from "./ready-context.js";
import { ReadyCheckError } from "./ready-errors.js";
import type { CommandSpec } from "./spec.js";
import { describeStatus, isSuccess } from "./status.js";

/** One try: resolves with null when the check holds, else with why it does not (yet). */
type Attempt = (signal: AbortSignal) => Promise<string | null>;

/**
 * How long one try may take. A port that drops packets (no RST) would otherwise hold a single
 * connect for the whole gate; with a bound, the gate keeps trying and can say why it failed.
 */
export function attemptTimeoutMs(intervalMs: number): number {
  return Math.max(intervalMs, 5_000);
}

export function tcpCheck(host: string, port: number, ctx: CheckContext): Promise<void> {
  return poll(
    (signal) =>
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
      }),
    ctx,
  );
}

export function httpCheck(url: string, ctx: CheckContext): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    return Promise.reject(
      new ReadyCheckError(ctx.target.process, ctx.check, "has an invalid URL", { cause: error }),
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return Promise.reject(
      new ReadyCheckError(
        ctx.target.process,
        ctx.check,
        `needs an http: or https: URL, not ${parsed.protocol}`,
      ),
    );
  }
  const loaded = loadGet(parsed.protocol);
  return poll(async (signal) => {
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
  }, ctx);
}

/**
 * node:http and node:https are loaded on first use: with tls and crypto, which https pulls in,
 * they would load with every start-up, needed only by a config with an http readiness gate.
 */
function loadGet(protocol: string): Promise<typeof httpGet> {
  return protocol === "https:"
    ? import("node:https").then((https) => https.get)
    : import("node:http").then((http) => http.get);
}

export function commandCheck(command: CommandSpec, ctx: CheckContext): Promise<void> {
  return poll(async (signal) => {
    let status: Awaited<ReturnType<typeof ctx.target.spawnCheck>>;
    try {
      status = await ctx.target.spawnCheck(command, signal);
    } catch (error) {
      // It could not even be prepared (unknown variable or user): trying again will not help.
      throw new ReadyCheckError(ctx.target.process, ctx.check, `cannot run: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (isSuccess(status)) return null;
    if (status.kind === "failed") {
      throw new ReadyCheckError(ctx.target.process, ctx.check, describeStatus(status));
    }
    return describeStatus(status);
  }, ctx);
}

export function fileCheck(path: string, ctx: CheckContext): Promise<void> {
  return poll(
    () =>
      stat(path).then(
        () => null,
        (error: NodeJS.ErrnoException) =>
          error.code === "ENOENT" ? "does not exist" : (error.code ?? error.message),
      ),
    ctx,
  );
}

/**
 * Tries at once, then `interval` after each try ends (tries never overlap), until one succeeds
 * or `ctx.signal` fires. Each try is abandoned after attemptTimeoutMs.
 */
async function poll(attempt: Attempt, ctx: CheckContext): Promise<void> {
  const limit = attemptTimeoutMs(ctx.intervalMs);
  while (!ctx.signal.aborted) {
    const tryAbort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        tryAbort.abort();
      },
      Math.min(limit, MAX_TIMER_MS),
    );
    const forward = (): void => tryAbort.abort();
    ctx.signal.addEventListener("abort", forward, { once: true });
    let failure: string | null;
    try {
      failure = await attempt(tryAbort.signal);
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", forward);
    }
    if (ctx.signal.aborted) return;
    if (timedOut) failure = `no answer within ${formatDuration(limit)}`;
    if (failure === null) return;
    ctx.notYet(`last attempt: ${failure}`);
    await sleep(ctx.intervalMs, ctx.signal);
  }
}

/** Resolves after `ms`, or as soon as `signal` fires; leaves no timer behind either way. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal.addEventListener("abort", done, { once: true });
  });
}

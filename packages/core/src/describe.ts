// How commands, readiness checks, addresses and durations read in messages and in the plan that
// `--check` prints: one way each, wherever they are shown.
import type { ShutdownReason } from "./events.js";
import type { ReadyCheck } from "./spec.js";
import { describeStatus } from "./status.js";

/** One line naming a check, e.g. `tcp 127.0.0.1:5432` or `log /listening on/`. */
export function describeCheck(check: ReadyCheck): string {
  switch (check.kind) {
    case "tcp":
      return `tcp ${formatHostPort(check.host, check.port)}`;
    case "http":
      return `http ${redactUrl(check.url)}`;
    case "command":
      return `command ${joinCommand([check.command.program, ...check.command.args], { oneLine: true })}`;
    case "file":
      return `file ${check.path}`;
    case "log":
      return `log /${check.pattern}/`;
    case "fd":
      return `fd ${check.fd}`;
    case "notify":
      return "notify READY=1";
  }
}

/**
 * A URL as messages, the plan and the status show it: credentials (`user:pass@`) and query
 * values (`?token=…`) are masked, since a probe's URL is where a token ends up.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    parsed.username = "***";
    parsed.password = "";
  }
  for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, "***");
  parsed.hash = "";
  // URLSearchParams writes the mask percent-encoded.
  return parsed.toString().replaceAll("%2A%2A%2A", "***");
}

/** `host:port`, an IPv6 host in brackets (or its last group would read as the port). */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Milliseconds in the units a config file would use: `250ms`, `30s`, `1.5s`, `2m`, `1h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "forever";
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(3))}s`;
  return `${ms}ms`;
}

/**
 * argv as one line that a POSIX shell reads back as the same words: safe words as they are,
 * others in single quotes (an embedded `'` as `'\''`), so `$`, `\`, `"` and `{{…}}` stay
 * literal; Ground Control's own command grammar reads them the same. With `oneLine`, a word
 * holding a newline or another control character is written `$'…'` with escapes instead
 * (POSIX.1-2024, bash, zsh, busybox sh), so that one command stays on one line.
 */
export function joinCommand(argv: readonly string[], options: { oneLine?: boolean } = {}): string {
  return argv.map((word) => quoteWord(word, options.oneLine === true)).join(" ");
}

function quoteWord(word: string, oneLine: boolean): string {
  // No braces: bash would expand {a,b}; a {{NAME}} template is shown quoted.
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  if (oneLine && /[\x00-\x1f\x7f]/.test(word)) return `$'${escapeControl(word)}'`;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

const ESCAPES: Record<string, string> = {
  "\n": "\\n",
  "\t": "\\t",
  "\r": "\\r",
  "\\": "\\\\",
  "'": "\\'",
};

function escapeControl(word: string): string {
  return word.replace(
    /[\x00-\x1f\x7f\\']/g,
    (ch) => ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** Why a supervisor shuts down, in words: `received SIGTERM`, `process "app" exited (exit code 1)`. */
export function describeReason(reason: ShutdownReason): string {
  switch (reason.kind) {
    case "stop":
      return reason.signal ? `received ${reason.signal}` : "stop requested";
    case "exit":
      return `process "${reason.process}" exited (${describeStatus(reason.status)})`;
    case "unhealthy":
      return `process "${reason.process}" is unhealthy (${reason.probe})`;
    case "restarts-exhausted": {
      const last =
        "status" in reason.last
          ? describeStatus(reason.last.status)
          : `unhealthy: ${reason.last.unhealthy}`;
      const budget = `${reason.restarts} within ${formatDuration(reason.withinMs)}`;
      return `process "${reason.process}" used up its restart budget (${budget}; last: ${last})`;
    }
    case "startup-failed":
      return "startup failed";
  }
}

// How readiness checks and durations read in messages and in the start/stop plan.
import type { ReadyCheck } from "./spec.js";

/** One line naming a check, e.g. `tcp 127.0.0.1:5432` or `log /listening on/`. */
export function describeCheck(check: ReadyCheck): string {
  switch (check.kind) {
    case "tcp":
      // An IPv6 address needs brackets, or its last group reads as the port.
      return `tcp ${check.host.includes(":") ? `[${check.host}]` : check.host}:${check.port}`;
    case "http":
      return `http ${check.url}`;
    case "command":
      return `command ${[check.command.program, ...check.command.args].map(quoteWord).join(" ")}`;
    case "file":
      return `file ${check.path}`;
    case "log":
      return `log /${check.pattern}/`;
    case "fd":
      return `fd ${check.fd}`;
  }
}

/** Milliseconds in the units a config file would use: `250ms`, `30s`, `1.5s`, `2m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "forever";
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(3))}s`;
  return `${ms}ms`;
}

function quoteWord(word: string): string {
  return word === "" || /[\s"'\\]/.test(word) ? JSON.stringify(word) : word;
}

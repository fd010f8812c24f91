// `groundcontrol status [--json] [--ready]`: asks the running Ground Control about itself over
// its control socket and prints the answer. Exit 0 when it answered (with --ready: 0 only when
// it is ready, else 1), 3 when nothing answers. It reads; it never changes anything.
import {
  DEFAULT_CONTROL_SOCKET,
  describeStatus,
  type ProcessStatus,
  queryStatus,
  type StatusReport,
  shouldColor,
} from "@groundcontrol/core";
import { printable } from "./printable.js";

/** Exit status when nothing answers on the socket. */
export const NO_ANSWER = 3;

export interface StatusOptions {
  json: boolean;
  ready: boolean;
  socket: string | undefined;
}

export async function status(
  options: StatusOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const path = options.socket ?? (env.GROUNDCONTROL_SOCKET || DEFAULT_CONTROL_SOCKET);
  let report: StatusReport;
  try {
    report = await queryStatus(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      stdout: "",
      stderr: `groundcontrol status: nothing answers on ${path} (${explain(why)})\n`,
      exitCode: NO_ANSWER,
    };
  }
  const stdout = options.json
    ? `${JSON.stringify(report, null, 2)}\n`
    : renderReport(report, { color: shouldColor(process.stdout, env), now: Date.now() });
  return { stdout, stderr: "", exitCode: options.ready && !report.ready ? 1 : 0 };
}

function explain(code: string): string {
  switch (code) {
    case "ENOENT":
      return "no such socket: is Ground Control running here, with this control-socket?";
    case "ECONNREFUSED":
      return "a socket file from a Ground Control that is gone";
    case "EACCES":
      return "permission denied: the socket is for Ground Control's own user";
    default:
      return code;
  }
}

const GREEN = 32;
const YELLOW = 33;
const RED = 31;
const DIM = 2;

/** What each state looks like: fine, on its way, or wrong. */
const STATE_COLOR: Record<ProcessStatus["state"], number> = {
  ready: GREEN,
  running: GREEN,
  "one-shot done": GREEN,
  waiting: DIM,
  starting: YELLOW,
  restarting: YELLOW,
  stopping: YELLOW,
  stopped: DIM,
  unhealthy: RED,
  exited: RED,
};

/** The report as a header and an aligned table, for a person at a terminal. */
export function renderReport(
  report: StatusReport,
  options: { color: boolean; now: number },
): string {
  const paint = (code: number, text: string) =>
    options.color ? `\x1b[${code}m${text}\x1b[${code === DIM ? 22 : 39}m` : text;
  const phaseColor =
    report.phase === "running"
      ? report.ready
        ? GREEN
        : YELLOW
      : report.phase === "break glass"
        ? RED
        : YELLOW;
  // The answer comes from whatever listens on the socket: nothing in it reaches the terminal
  // as a control sequence.
  const lines = [
    `groundcontrol ${paint(phaseColor, printable(report.phase))}, ${report.ready ? "ready" : "not ready"}, ` +
      `up ${age(report.uptimeMs)} (pid ${printable(String(report.pid))})`,
  ];
  if (report.note) lines.push(printable(report.note));
  if (report.processes.length === 0) return `${lines.join("\n")}\n`;

  const header = ["NAME", "STATE", "PID", "SINCE", "RESTARTS", "LAST EXIT", "HEALTH"];
  const rows = report.processes.map((p) =>
    [
      p.name,
      p.state,
      p.pid === null ? "-" : String(p.pid),
      `${age(options.now - p.since)} ago`,
      String(p.restarts),
      p.lastExit === null ? "-" : describeStatus(p.lastExit),
      p.health === null
        ? "-"
        : `${p.health.probe}: ${p.health.last ?? "not yet"}${p.health.failures > 0 ? ` (${p.health.failures} failed)` : ""}`,
    ].map((cell) => printable(cell)),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[], state?: ProcessStatus["state"]) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]!);
        return column === 1 && state ? paint(STATE_COLOR[state], padded) : padded;
      })
      .join("  ")
      .trimEnd();
  lines.push("", line(header));
  report.processes.forEach((p, index) => {
    lines.push(line(rows[index]!, p.state));
  });
  return `${lines.join("\n")}\n`;
}

/** A time span as people read one on a status page: whole seconds, then minutes, hours, days. */
export function age(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const units: [number, string][] = [
    [86_400, "d"],
    [3_600, "h"],
    [60, "m"],
    [1, "s"],
  ];
  const index = units.findIndex(([size]) => seconds >= size);
  if (index < 0) return "0s";
  const [size, unit] = units[index]!;
  const whole = Math.floor(seconds / size);
  const next = units[index + 1];
  const rest = next ? Math.floor((seconds % size) / next[0]) : 0;
  return rest > 0 && next ? `${whole}${unit}${rest}${next[1]}` : `${whole}${unit}`;
}

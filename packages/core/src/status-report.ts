// What `groundcontrol status`, the control socket and GET /status answer: a supervisor's state
// as plain JSON, versioned, that never holds an environment value.
import type { ProcessStatus } from "./process.js";
import type { SupervisorStatus } from "./supervisor.js";
import { timers } from "./timers.js";

/** The version of the report and of the control protocol; a reader checks it. */
export const STATUS_VERSION = 1;

/** Ground Control's own phase, as an operator reads it. */
export type StatusPhase = "starting" | "running" | "shutting down" | "stopped" | "break glass";

export interface StatusReport {
  v: typeof STATUS_VERSION;
  phase: StatusPhase;
  /** The supervising process. */
  pid: number;
  /** When startup began (epoch ms), or null before. */
  startedAt: number | null;
  uptimeMs: number;
  /** Startup completed and no process is unhealthy, restarting or starting again. */
  ready: boolean;
  /** Why the phase is what it is, when that needs saying (break glass: why, and how to leave). */
  note?: string;
  processes: ProcessStatus[];
}

const PHASES: Record<SupervisorStatus["state"], StatusPhase> = {
  idle: "starting",
  starting: "starting",
  running: "running",
  stopping: "shutting down",
  stopped: "stopped",
};

/** The report of a supervisor's status, now. */
export function statusReport(status: SupervisorStatus, now = timers.now()): StatusReport {
  return {
    v: STATUS_VERSION,
    phase: PHASES[status.state],
    pid: process.pid,
    startedAt: status.startedAt,
    uptimeMs: status.startedAt === null ? 0 : Math.max(0, now - status.startedAt),
    ready: status.ready,
    processes: status.processes,
  };
}

/** Checks that `value` is a report this version can read; says what is wrong otherwise. */
export function readReport(value: unknown): StatusReport {
  const report = value as Partial<StatusReport> | null;
  if (typeof report !== "object" || report === null) throw new Error("the answer is not a report");
  if (report.v !== STATUS_VERSION) {
    throw new Error(`the answer is a version ${String(report.v)} report; this reads version 1`);
  }
  if (!Array.isArray(report.processes) || typeof report.phase !== "string") {
    throw new Error("the answer is not a complete report");
  }
  return report as StatusReport;
}

// Records a Supervisor's events as "event process phase" lines, for tests that assert the order.
import type { Supervisor, SupervisorEvents } from "../src/index.js";

export const PROCESS_EVENTS = [
  "process:starting",
  "process:ready",
  "process:started",
  "process:stopping",
  "process:stopped",
  "process:restarting",
  "process:unhealthy",
  "process:healthy",
  "command:started",
  "command:exited",
] as const satisfies readonly (keyof SupervisorEvents)[];

export const ALL_EVENTS = [
  ...PROCESS_EVENTS,
  "supervisor:running",
  "supervisor:stopping",
  "supervisor:stopped",
] as const satisfies readonly (keyof SupervisorEvents)[];

export function recordEvents(
  supervisor: Supervisor,
  kinds: readonly (keyof SupervisorEvents)[] = ALL_EVENTS,
): string[] {
  const log: string[] = [];
  for (const kind of kinds) {
    supervisor.on(kind, (...args: unknown[]) => {
      const e = args[0] as { process?: string; phase?: string } | undefined;
      log.push([kind, e?.process, e?.phase].filter(Boolean).join(" "));
    });
  }
  return log;
}

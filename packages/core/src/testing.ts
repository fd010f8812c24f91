// Helpers for tests of a spec's startup and shutdown order (@groundcontrol/core/testing): the
// event transcript in the form docs/library.md shows, and the next event of a kind, awaited.
import type { SupervisorEvents } from "./events.js";
import type { Supervisor } from "./supervisor.js";

import { setTimerSource, type TimerSource } from "./timers.js";

export { MemoryOutput, type OutputLine, type OutputMessage } from "./memory-output.js";
export type { TimerSource };

/**
 * Hands core a test's fake timers (`useCoreTimers(globalThis)` right after
 * `vi.useFakeTimers()`), so that advancing them drives backoffs, gate timeouts and intervals,
 * health intervals and stop timeouts; `useCoreTimers()` gives core the real ones back. The
 * commands stay real processes on real time. Set it before building the Supervisor.
 */
export function useCoreTimers(source?: TimerSource): void {
  setTimerSource(source);
}

type EventName = keyof SupervisorEvents;

/** Every event, in the order SupervisorEvents declares them. */
export const EVENT_NAMES = [
  "process:starting",
  "process:ready",
  "process:started",
  "process:stopping",
  "process:stopped",
  "process:restarting",
  "process:unhealthy",
  "process:healthy",
  "process:notify",
  "process:status",
  "command:started",
  "command:exited",
  "supervisor:running",
  "supervisor:stopping",
  "supervisor:stopped",
] as const satisfies readonly EventName[];

/** One event as a transcript line: `process:starting db`, `command:exited db pre`… */
export function describeEvent<K extends EventName>(name: K, ...args: SupervisorEvents[K]): string {
  const [payload] = args as unknown as [Record<string, unknown> | undefined];
  if (name === "supervisor:stopping") {
    return `${name} ${(payload!.reason as { kind: string }).kind}`;
  }
  if (name === "supervisor:stopped") {
    return `${name} ${(payload!.result as { exitCode: number }).exitCode}`;
  }
  return [name, payload?.process, payload?.phase].filter((part) => part !== undefined).join(" ");
}

/**
 * Records every event (or those of `names`) as transcript lines, from now on: the array it
 * returns fills as the supervisor goes. Compare it whole, as docs/library.md's transcript is.
 */
export function recordEvents(
  supervisor: Supervisor,
  names: readonly EventName[] = EVENT_NAMES,
): string[] {
  const transcript: string[] = [];
  for (const name of names) {
    supervisor.on(name, (...args) => transcript.push(describeEvent(name, ...args)));
  }
  return transcript;
}

/**
 * Resolves with the payload of the next event `name` (of `process`, when given), or rejects once
 * the supervisor has stopped without it.
 */
export function nextEvent<K extends EventName>(
  supervisor: Supervisor,
  name: K,
  process?: string,
): Promise<SupervisorEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: SupervisorEvents[K]) => {
      const payload = args[0] as { process?: string } | undefined;
      if (process !== undefined && payload?.process !== process) return;
      done();
      resolve(args[0]);
    };
    const stopped = () => {
      done();
      reject(new Error(`the supervisor stopped before ${name}${process ? ` of ${process}` : ""}`));
    };
    const done = () => {
      supervisor.off(name, listener);
      supervisor.off("supervisor:stopped", stopped);
    };
    supervisor.on(name, listener);
    if (name !== "supervisor:stopped") supervisor.on("supervisor:stopped", stopped);
  });
}

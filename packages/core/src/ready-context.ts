// What one readiness check runs with, shared by the polling and the event-driven kinds.
import type { ReadyTarget } from "./ready.js";
import type { ReadyCheck } from "./spec.js";

export interface CheckContext {
  target: ReadyTarget;
  check: ReadyCheck;
  intervalMs: number;
  /** Fires once the gate is settled, whichever way: the check stops and releases everything. */
  signal: AbortSignal;
  /** Records why the check does not hold yet; a timeout reports the last one. */
  notYet(reason: string): void;
}

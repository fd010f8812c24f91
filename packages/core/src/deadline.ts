// Time budgets for a shutdown: each process's stop-timeout, all cut by the one shutdown-timeout
// deadline (when set) and, for stop waits, by force (a second termination signal). And what they
// add up to at worst, which must fit inside the platform's kill timeout.
import { DEFAULTS, type Spec } from "./spec.js";
import { timers } from "./timers.js";

/** setTimeout fires at once past this many milliseconds; a longer wait means "no limit". */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The longest a shutdown of a spec can take, from the termination signal to the last post. */
export interface WorstCaseShutdown {
  /** Milliseconds; null when nothing bounds it (a `post` runs as long as it likes). */
  ms: number | null;
  /**
   * What sets it: the stop-timeouts added up, the shutdown-timeout (which cuts them), or
   * nothing: a `post` command without a shutdown-timeout has no time limit.
   */
  bound: "stop-timeouts" | "shutdown-timeout" | "unbounded";
}

/**
 * Every stop waits its whole stop-timeout, one after the other (the processes with a `run`;
 * or, for a signal during startup, a `pre` cut short plus those started before it). A
 * shutdown-timeout caps the sum; a `post` anywhere takes all the time it is given: up to the
 * shutdown-timeout, or without one, for ever.
 */
export function worstCaseShutdown(spec: Spec): WorstCaseShutdown {
  const deadline = spec.shutdownTimeoutMs;
  if (spec.processes.some((process) => process.post !== undefined)) {
    return deadline === undefined
      ? { ms: null, bound: "unbounded" }
      : { ms: deadline, bound: "shutdown-timeout" };
  }
  let stops = 0;
  let worst = 0;
  for (const process of spec.processes) {
    const timeout = process.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs;
    // A signal while its pre runs: the pre gets its stop-timeout, then the earlier ones stop.
    if (process.pre) worst = Math.max(worst, stops + timeout);
    if (process.run) stops += timeout;
  }
  worst = Math.max(worst, stops);
  return deadline !== undefined && deadline < worst
    ? { ms: deadline, bound: "shutdown-timeout" }
    : { ms: worst, bound: "stop-timeouts" };
}

export type Outcome<T> = { done: true; value: T } | { done: false };

/** One stop of one process: every wait in it ends at the same moment (SPEC §3.4). */
export interface StopWindow {
  within<T>(promise: Promise<T>): Promise<Outcome<T>>;
}

export class ShutdownClock {
  readonly #deadline: number;
  #forced = false;
  readonly #forceListeners = new Set<() => void>();

  constructor(shutdownTimeoutMs: number | undefined, now = timers.now()) {
    this.#deadline =
      shutdownTimeoutMs === undefined ? Number.POSITIVE_INFINITY : now + shutdownTimeoutMs;
  }

  get forced(): boolean {
    return this.#forced;
  }

  /** When the whole shutdown must be over (epoch ms); Infinity without shutdown-timeout. */
  get deadline(): number {
    return this.#deadline;
  }

  /** True once the shutdown deadline has passed (never without shutdown-timeout). */
  get expired(): boolean {
    return timers.now() >= this.#deadline;
  }

  /** Cuts every current and future stop wait short (post commands still run). */
  force(): void {
    if (this.#forced) return;
    this.#forced = true;
    for (const listener of this.#forceListeners) listener();
  }

  /** Milliseconds a stop wait that may last `timeoutMs` actually gets from now. */
  budget(timeoutMs: number, now = timers.now()): number {
    if (this.#forced) return 0;
    return Math.max(0, Math.min(timeoutMs, this.#deadline - now));
  }

  /**
   * A stop that may last `timeoutMs` from now: its stop command and the wait for the daemon
   * share it, ending at the earliest of that, the shutdown deadline and force().
   */
  stopWindow(timeoutMs: number): StopWindow {
    const end = timers.now() + this.budget(timeoutMs);
    return { within: (promise) => this.#wait(promise, end, true) };
  }

  /** Waits for `promise` until the shutdown deadline; force() does not cut this wait short. */
  untilDeadline<T>(promise: Promise<T>, options: { orForce?: boolean } = {}): Promise<Outcome<T>> {
    return this.#wait(promise, this.#deadline, options.orForce === true);
  }

  async #wait<T>(promise: Promise<T>, end: number, cutByForce: boolean): Promise<Outcome<T>> {
    if (cutByForce && this.#forced) return settledNow(promise);
    const ms = Math.max(0, end - timers.now());
    let timer: NodeJS.Timeout | undefined;
    let onForce: (() => void) | undefined;
    const expired = new Promise<Outcome<T>>((resolve) => {
      if (ms < MAX_TIMER_MS) timer = timers.setTimeout(() => resolve({ done: false }), ms);
      if (cutByForce) {
        onForce = () => resolve({ done: false });
        this.#forceListeners.add(onForce);
      }
    });
    try {
      return await Promise.race([
        promise.then((value) => ({ done: true as const, value })),
        expired,
      ]);
    } finally {
      timers.clearTimeout(timer);
      if (onForce) this.#forceListeners.delete(onForce);
    }
  }
}

/** What a promise holds right now, without waiting for it. */
async function settledNow<T>(promise: Promise<T>): Promise<Outcome<T>> {
  const pending = Symbol();
  const value = await Promise.race([promise, Promise.resolve(pending)]);
  return value === pending ? { done: false } : { done: true, value: value as T };
}

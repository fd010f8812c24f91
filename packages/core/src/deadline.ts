// Time budgets for stopping: per-process stop-timeout, cut by the shutdown deadline or by force.

const MAX_TIMER_MS = 2 ** 31 - 1;

export type Outcome<T> = { done: true; value: T } | { done: false };

/**
 * One shutdown's clock. Each stop wait ends at the earliest of its own stop-timeout, the
 * shutdown-timeout (if any) and the moment `force()` is called (a second termination signal).
 */
export class ShutdownClock {
  readonly #deadline: number;
  #forced = false;
  readonly #forceListeners = new Set<() => void>();

  constructor(shutdownTimeoutMs: number | undefined, now = Date.now()) {
    this.#deadline =
      shutdownTimeoutMs === undefined ? Number.POSITIVE_INFINITY : now + shutdownTimeoutMs;
  }

  get forced(): boolean {
    return this.#forced;
  }

  /** Cuts every current and future wait short. */
  force(): void {
    if (this.#forced) return;
    this.#forced = true;
    for (const listener of this.#forceListeners) listener();
  }

  /** Milliseconds a wait that may last `timeoutMs` actually gets from now. */
  budget(timeoutMs: number, now = Date.now()): number {
    if (this.#forced) return 0;
    return Math.max(0, Math.min(timeoutMs, this.#deadline - now));
  }

  /** Waits for `promise` at most `budget(timeoutMs)`; `done: false` when the time ran out. */
  async within<T>(promise: Promise<T>, timeoutMs: number): Promise<Outcome<T>> {
    const ms = this.budget(timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    let onForce: (() => void) | undefined;
    const expired = new Promise<Outcome<T>>((resolve) => {
      // setTimeout fires at once past 2^31-1 ms; a budget that long means "no limit".
      if (ms < MAX_TIMER_MS) timer = setTimeout(() => resolve({ done: false }), ms);
      onForce = () => resolve({ done: false });
      this.#forceListeners.add(onForce);
    });
    try {
      return await Promise.race([
        promise.then((value) => ({ done: true as const, value })),
        expired,
      ]);
    } finally {
      clearTimeout(timer);
      if (onForce) this.#forceListeners.delete(onForce);
    }
  }
}

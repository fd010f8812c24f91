// The restart budget: whether a `run` that ended is started again, after how long, and when
// the budget is spent (SPEC §8). A clock is injectable, for tests.
import { DEFAULTS, type RestartSpec } from "./spec.js";
import { timers } from "./timers.js";

export type RestartDecision =
  /** Not restarted: `on` does not cover this ending. */
  | { kind: "never" }
  /** Once more would exceed `max` within `withinMs`. */
  | { kind: "exhausted"; max: number; withinMs: number }
  /** Started again after `delayMs`; `attempt` counts the restarts in the window, this one too. */
  | { kind: "restart"; attempt: number; delayMs: number };

export class RestartBudget {
  readonly #on: RestartSpec["on"];
  readonly #max: number;
  readonly #withinMs: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  /** When each restart in the sliding window was decided. */
  #recent: number[] = [];
  /** Restarts since the process first started. */
  total = 0;

  constructor(
    spec: RestartSpec | undefined,
    private readonly now: () => number = timers.now,
  ) {
    const d = DEFAULTS.restart;
    this.#on = spec?.on ?? d.on;
    this.#max = spec?.max ?? d.max;
    this.#withinMs = spec?.withinMs ?? d.withinMs;
    this.#backoffMs = spec?.backoffMs ?? d.backoffMs;
    this.#maxBackoffMs = spec?.maxBackoffMs ?? d.maxBackoffMs;
  }

  /** What to do about a `run` that ended; `failed`: non-zero, a signal, or unhealthy. */
  next(failed: boolean): RestartDecision {
    if (this.#on === "never" || (this.#on === "failure" && !failed)) return { kind: "never" };
    const now = this.now();
    this.#recent = this.#recent.filter((at) => now - at < this.#withinMs);
    if (this.#recent.length >= this.#max) {
      return { kind: "exhausted", max: this.#max, withinMs: this.#withinMs };
    }
    this.#recent.push(now);
    this.total++;
    const attempt = this.#recent.length;
    const delayMs = Math.min(this.#backoffMs * 2 ** (attempt - 1), this.#maxBackoffMs);
    return { kind: "restart", attempt, delayMs };
  }
}

// The six signals Ground Control acts on, handled from its first moment in every mode. Node's
// defaults would not do: SIGHUP and SIGUSR2 would kill it, SIGUSR1 would open Node's inspector
// (a debugger anyone on the machine could attach to, as root), and as PID 1 the kernel drops a
// signal whose disposition is the default, so an unhandled SIGTERM would do nothing at all.

import { constants } from "node:os";

export const TERMINATION_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT"] as const;
export const FORWARDED_SIGNALS = ["SIGHUP", "SIGUSR1", "SIGUSR2"] as const;

export type TerminationSignal = (typeof TERMINATION_SIGNALS)[number];
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

export interface SignalHandler {
  /** A termination signal; `count` is how many have arrived so far (a second one forces). */
  terminate(signal: TerminationSignal, count: number): void;
  forward(signal: ForwardedSignal): void;
}

/**
 * Catches all six signals as soon as it is made, and hands them to whichever mode takes them.
 * Before that, a termination signal ends the process as the default would (128 + n) and the
 * others are ignored; a mode that is still getting ready can hold them, to be replayed when it
 * takes them.
 */
export class SignalDesk {
  #handler: SignalHandler | undefined;
  #held: NodeJS.Signals[] | undefined;
  #terminations = 0;

  constructor() {
    for (const signal of [...TERMINATION_SIGNALS, ...FORWARDED_SIGNALS]) {
      process.on(signal, () => this.#receive(signal));
    }
  }

  /** Queues signals from now on, until `take`. */
  hold(): void {
    this.#held ??= [];
  }

  /** Hands every signal to `handler` from now on, those held back first. */
  take(handler: SignalHandler): void {
    this.#handler = handler;
    this.#terminations = 0;
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const signal of held) this.#deliver(signal);
  }

  #receive(signal: NodeJS.Signals): void {
    if (this.#handler) this.#deliver(signal);
    else if (this.#held) this.#held.push(signal);
    else if (isTermination(signal)) process.exit(128 + (constants.signals[signal] ?? 0));
  }

  #deliver(signal: NodeJS.Signals): void {
    if (isTermination(signal)) this.#handler!.terminate(signal, ++this.#terminations);
    else this.#handler!.forward(signal as ForwardedSignal);
  }
}

function isTermination(signal: NodeJS.Signals): signal is TerminationSignal {
  return (TERMINATION_SIGNALS as readonly string[]).includes(signal);
}

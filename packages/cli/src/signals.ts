// Termination signals stop the supervisor (a second one forces it); a few are forwarded to the commands.
import type { Supervisor } from "@groundcontrol/core";

export const TERMINATION_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT"] as const;
export const FORWARDED_SIGNALS = ["SIGHUP", "SIGUSR1", "SIGUSR2"] as const;

/**
 * Installs a handler for every signal Ground Control acts on. As PID 1 this is not optional:
 * the kernel drops a signal whose disposition is the default, so an unhandled SIGTERM would do
 * nothing at all. Returns a function that removes the handlers.
 */
export function handleSignals(supervisor: Supervisor): () => void {
  let received = 0;
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of TERMINATION_SIGNALS) {
    handlers.set(signal, () => {
      received += 1;
      // The first asks for a graceful stop; any later one cuts the remaining stop waits short.
      void supervisor.stop({ signal, force: received > 1 });
    });
  }
  for (const signal of FORWARDED_SIGNALS) {
    handlers.set(signal, () => supervisor.signal(signal));
  }
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

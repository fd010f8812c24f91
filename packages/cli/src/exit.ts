// How the executable ends: once what it wrote to stdout and stderr has been handed over (pipes
// may lag), but never later than a deadline, nor than a termination signal, because a reader
// that stopped reading must not keep a container's PID 1 alive.
import type { SignalDesk } from "./signals.js";

/** Exits with `code` once stdout and stderr have taken everything written to them. */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

/** Arranges to exit with `code` at once on a termination signal, and at `deadline` (epoch ms). */
export function exitNoLaterThan(signals: SignalDesk, code: number, deadline?: number): void {
  const now = () => process.exit(code);
  signals.take({ terminate: now, forward: () => {} });
  if (deadline !== undefined) setTimeout(now, Math.max(0, deadline - Date.now())).unref();
}

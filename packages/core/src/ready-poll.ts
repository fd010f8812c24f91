// Polling readiness checks (tcp, http, command, file): try, and try again every `interval`.
import { type Probe, ProbeUnusable, probeFor, sleep, tryOnce } from "./probes.js";
import type { CheckContext } from "./ready-context.js";
import { ReadyCheckError } from "./ready-errors.js";
import type { ReadyCheck } from "./spec.js";

/**
 * How long one try may take. A port that drops packets (no RST) would otherwise hold a single
 * connect for the whole gate; with a bound, the gate keeps trying and can say why it failed.
 */
export function attemptTimeoutMs(intervalMs: number): number {
  return Math.max(intervalMs, 5_000);
}

/** Tries at once, then `interval` after each try ends (tries never overlap), until one holds. */
export async function pollCheck(
  check: Extract<ReadyCheck, { kind: "tcp" | "http" | "command" | "file" }>,
  ctx: CheckContext,
): Promise<void> {
  let probe: Probe;
  try {
    probe = probeFor(check, (command, signal) => ctx.target.spawnCheck(command, signal));
    const limit = attemptTimeoutMs(ctx.intervalMs);
    while (!ctx.signal.aborted) {
      const failure = await tryOnce(probe, limit, ctx.signal);
      if (ctx.signal.aborted || failure === null) return;
      ctx.notYet(`last attempt: ${failure}`);
      await sleep(ctx.intervalMs, ctx.signal);
    }
  } catch (error) {
    if (!(error instanceof ProbeUnusable)) throw error;
    throw new ReadyCheckError(ctx.target.process, ctx.check, error.message, { cause: error.cause });
  }
}

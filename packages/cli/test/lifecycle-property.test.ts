// The whole lifecycle, property-based: random specs of 1 to 6 processes (pre / run / stop / post
// / ready, each present or not, each in one of the behaviours of fixtures/lifecycle-actor.sh)
// under random termination signals (during a pre, a ready wait, a stop, a post; once or twice),
// run through the real executable. Every run is checked against the invariants of SPEC §3, §4 and
// §5 (helpers/lifecycle-invariants.ts).
//
// `pnpm test` plays 40 cases from a fixed seed, four at a time. `pnpm test:fuzz` plays
// FUZZ_RUNS of them (default 2000). FUZZ_SEED=<n> sets the seed; a failure prints fast-check's
// shrunk counterexample with the seed and path that replay it:
//   FUZZ_SEED=<seed> FUZZ_PATH=<path> FUZZ_PARALLEL=1 pnpm --filter @groundcontrol/cli test:fuzz
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALONE, SHARED, violations } from "./helpers/lifecycle-invariants.js";
import { type Observation, play } from "./helpers/lifecycle-run.js";
import { type Case, caseArb, describeFaults } from "./helpers/lifecycle-scenario.js";

const FUZZ = process.env.FUZZ_RUNS !== undefined;
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);
const PATH = process.env.FUZZ_PATH;
/** Cases played at once: each is mostly waiting (on timeouts, on shells), so 4 fit on 2 cores. */
const PARALLEL = Number(process.env.FUZZ_PARALLEL ?? (PATH ? 1 : 4));
/** Shrinking replays cases one by one; past this, the smallest failing case so far is reported. */
const SHRINK_MS = Number(process.env.FUZZ_SHRINK_MS ?? (FUZZ ? 600_000 : 90_000));
/** `pnpm test` shares the machine with the other test files; `pnpm test:fuzz` has it alone. */
const TIMING = FUZZ ? ALONE : SHARED;
/** The cases played: every one the generator makes. */
const cases = caseArb;

interface Tally {
  cases: number;
  totalMs: number;
  slowestMs: number;
  reasons: Map<string, number>;
  /** The latest Ground Control exited after its shutdown deadline, over cases that had one. */
  worstPastDeadlineMs: number;
  /** The latest a timer of this test fired, over all cases: how loaded the machine was. */
  worstLagMs: number;
  failed: boolean;
}

describe("the lifecycle, property-based", () => {
  it(
    `keeps SPEC §3–§5 over ${RUNS} random specs and signal schedules (seed ${SEED})`,
    async () => {
      const tally: Tally = {
        cases: 0,
        totalMs: 0,
        slowestMs: 0,
        reasons: new Map(),
        worstPastDeadlineMs: Number.NEGATIVE_INFINITY,
        worstLagMs: 0,
        failed: false,
      };
      const began = performance.now();
      const workers = Array.from({ length: PARALLEL }, (_, w) =>
        worker(SEED + w, Math.floor(RUNS / PARALLEL) + (w < RUNS % PARALLEL ? 1 : 0), tally),
      );
      const failures = (await Promise.allSettled(workers))
        .filter((r): r is PromiseRejectedResult => r.status === "rejected")
        .map((r) => (r.reason instanceof Error ? r.reason.message : String(r.reason)));
      const reasons = [...tally.reasons].map(([k, n]) => `${k} ${n}`).join(", ");
      process.stdout.write(
        `lifecycle property: ${tally.cases} cases in ${Math.round((performance.now() - began) / 1000)} s ` +
          `(${PARALLEL} at a time; mean ${Math.round(tally.totalMs / Math.max(1, tally.cases))} ms, ` +
          `slowest ${tally.slowestMs} ms; latest exit past a shutdown deadline ` +
          `${Number.isFinite(tally.worstPastDeadlineMs) ? `${tally.worstPastDeadlineMs} ms` : "-"}; ` +
          `timers up to ${tally.worstLagMs} ms late); ` +
          `reasons: ${reasons}\n`,
      );
      expect(failures.join("\n\n")).toBe("");
    },
    Math.ceil(RUNS / PARALLEL) * 10_000 + SHRINK_MS + 60_000,
  );
});

async function worker(seed: number, numRuns: number, tally: Tally): Promise<void> {
  if (numRuns === 0) return;
  let firstFailure: number | undefined;
  const property = fc.asyncProperty(cases, async (c: Case) => {
    // Another worker failed: finish quickly, its report is the one that counts.
    if (tally.failed && firstFailure === undefined) return;
    // Shrinking for too long: every further candidate passes, so the smallest so far is reported.
    if (firstFailure !== undefined && Date.now() - firstFailure > SHRINK_MS) return;
    const o = await play(c);
    count(tally, o);
    const found = violations(o, TIMING);
    if (found.length > 0) {
      firstFailure ??= Date.now();
      tally.failed = true;
      throw new Error(report(o, found));
    }
  });
  try {
    await fc.assert(property, {
      seed,
      numRuns,
      ...(PATH ? { path: PATH } : {}),
      includeErrorInReport: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const path = /path: "([^"]*)"/.exec(message)?.[1];
    throw new Error(
      `replay with: FUZZ_SEED=${seed} FUZZ_PATH=${path ?? "?"} FUZZ_PARALLEL=1 ` +
        `pnpm --filter @groundcontrol/cli test:fuzz\n${message}`,
    );
  }
}

function count(tally: Tally, o: Observation): void {
  const ms = o.exit.at - o.startedAt;
  tally.cases++;
  tally.totalMs += ms;
  tally.slowestMs = Math.max(tally.slowestMs, ms);
  tally.worstLagMs = Math.max(tally.worstLagMs, o.lagMs);
  const request = o.trace.find((e) => e.kind === "requested");
  const reason =
    request?.kind !== "requested"
      ? "none"
      : request.reason.startsWith("received")
        ? "signal"
        : request.reason.startsWith("process")
          ? "exit"
          : "startup-failure";
  tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
  // To show what the margin is up against.
  if (request && o.case.shutdownTimeoutMs !== undefined) {
    const past = o.exit.at - (request.time + o.case.shutdownTimeoutMs);
    tally.worstPastDeadlineMs = Math.max(tally.worstPastDeadlineMs, past);
  }
}

function report(o: Observation, found: string[]): string {
  const signals = o.signals.map((s) => `${s.signal} at +${s.at - o.startedAt}ms (${s.why})`);
  return [
    `${found.length} invariant(s) broken:`,
    ...found.map((f) => `  - ${f}`),
    `exit: ${o.exit.code ?? o.exit.signal} at +${o.exit.at - o.startedAt}ms; timers up to ${o.lagMs} ms late`,
    `schedule: ${describeFaults(o.case)}`,
    `signals sent: ${signals.join("; ") || "none"}`,
    "--- groundcontrol.toml",
    o.toml.replaceAll(o.dir, "$DIR"),
    "--- transcript",
    o.transcript.map((t) => `${t.name}:${t.role}-${t.event}${t.arg ? ` ${t.arg}` : ""}`).join("\n"),
    "--- stderr (trace and own messages)",
    tail(
      o.stderr
        .split("\n")
        .filter((l) => !l.includes("| L:") && !l.includes('"line":"L:'))
        .join("\n"),
      6000,
    ),
  ].join("\n");
}

function tail(text: string, chars: number): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

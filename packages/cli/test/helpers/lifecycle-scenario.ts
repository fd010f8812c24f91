// The cases of the lifecycle property test: a spec of 1 to 6 processes whose commands are
// fixtures/lifecycle-actor.sh in one of its behaviours, and a schedule of termination signals.
// Timeouts are small (stop-timeout ≤ 500 ms, ready ≤ 1 s, shutdown-timeout ≤ 2 s) so that a
// case runs in a second or two.
import fc from "fast-check";

/** Signals a `stop` may name; the fake daemon traps each of them. */
export const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];
/** Signals a command kills itself with: none is trapped, none dumps core. */
export const SELF_SIGNALS = ["KILL", "ALRM", "USR2"] as const;
export type SelfSignal = (typeof SELF_SIGNALS)[number];
export const TERMINATION_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT"] as const;
export type TerminationSignal = (typeof TERMINATION_SIGNALS)[number];

export type PreLife =
  | { kind: "ok" }
  | { kind: "slow"; ms: number }
  | { kind: "fail"; code: number }
  | { kind: "kill"; signal: SelfSignal }
  /** Until SIGTERM (which Ground Control sends only when a shutdown interrupts it). */
  | { kind: "hang" }
  /** For ever: SIGTERM is ignored, only SIGKILL ends it. */
  | { kind: "stubborn" }
  /** Its program does not exist: it cannot be started at all (exit status 127). */
  | { kind: "missing" };

export interface Pre {
  life: PreLife;
  /** Its exit code after SIGTERM. */
  termExit: 0 | 143;
  /** Numbered lines written to stdout and to stderr. */
  out: number;
  /** Leaves a setsid child behind (ends on SIGTERM). */
  orphan: boolean;
}

export type RunLife =
  | { kind: "hang" }
  | { kind: "exit"; code: number; ms: number }
  | { kind: "kill"; signal: SelfSignal; ms: number };

/** What the daemon does when asked to stop. */
export type OnStop =
  | { kind: "graceful" }
  | { kind: "slow"; ms: number }
  | { kind: "ignore" }
  | { kind: "fail"; code: number };

export interface Run {
  life: RunLife;
  onStop: OnStop;
  out: number;
  /** A numbered line on each stream every this many ms (0: none). */
  stream: 0 | 50 | 100;
  /** A background grandchild in its process group that ignores every stop signal. */
  grandchild: "none" | "quiet" | "chatty";
  /** A child in a session of its own: ends on SIGTERM, ignores it, or writes lines. */
  setsid: "none" | "term" | "stubborn" | "chatty";
  /** Its last stdout line has no newline. */
  partial: boolean;
}

export type StopHow =
  | { kind: "kill" }
  | { kind: "slowkill"; ms: number }
  | { kind: "fail"; code: number }
  | { kind: "noop" }
  | { kind: "hang" };

export type Stop =
  | { kind: "signal"; signal: StopSignal }
  | { kind: "command"; how: StopHow; out: number };

export interface Ready {
  /** A file it creates, or a line it writes to stdout (log) or stderr (logerr). */
  kind: "file" | "log" | "logerr";
  /** When the daemon makes it true, in ms after it started; null: never. */
  at: number | null;
  timeoutMs: number;
}

export type PostHow =
  | { kind: "ok" }
  | { kind: "fail"; code: number }
  | { kind: "slow"; ms: number }
  | { kind: "hang" };

export interface Post {
  how: PostHow;
  out: number;
  orphan: boolean;
}

export interface Proc {
  name: string;
  pre?: Pre | undefined;
  run?: Run | undefined;
  stop?: Stop | undefined;
  stopTimeoutMs?: number | undefined;
  ready?: Ready | undefined;
  post?: Post | undefined;
}

/** When a termination signal is sent to Ground Control. */
export type Moment =
  /** Once this process's pre has started (its index is taken modulo the process count). */
  | { kind: "pre"; process: number }
  /** Once this process's run has started: during its ready wait, if it has one. */
  | { kind: "ready"; process: number }
  /** Once this process's stop has begun (its stop command started, or its run got its signal). */
  | { kind: "stop"; process: number }
  /** Once this process's post has started. */
  | { kind: "post"; process: number }
  /** Once startup has completed. */
  | { kind: "running" }
  /** Once another signal of this schedule has been sent. */
  | { kind: "after-first" };

export interface Fault {
  at: Moment;
  delayMs: number;
  signal: TerminationSignal;
}

export interface Case {
  processes: Proc[];
  shutdownTimeoutMs?: number | undefined;
  logFormat: "text" | "json";
  suppressTimestamps: boolean;
  /** At most two signals, each at its moment (a moment that never comes sends nothing). */
  faults: Fault[];
  /**
   * When nothing else ended it: SIGTERM this long after startup completed (or after a pre that
   * hangs began), unless a shutdown began meanwhile.
   */
  backstopMs: number;
}

const ms = (min: number, max: number) => fc.integer({ min, max });
const code = fc.integer({ min: 1, max: 125 });
const lines = fc.integer({ min: 0, max: 3 });

const preArb: fc.Arbitrary<Pre> = fc.record({
  life: fc.oneof(
    { weight: 6, arbitrary: fc.constant<PreLife>({ kind: "ok" }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("slow" as const), ms: ms(20, 250) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("fail" as const), code }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("kill" as const),
        signal: fc.constantFrom(...SELF_SIGNALS),
      }),
    },
    { weight: 1, arbitrary: fc.constant<PreLife>({ kind: "hang" }) },
    { weight: 1, arbitrary: fc.constant<PreLife>({ kind: "stubborn" }) },
    { weight: 1, arbitrary: fc.constant<PreLife>({ kind: "missing" }) },
  ),
  termExit: fc.constantFrom(0 as const, 143 as const),
  out: lines,
  orphan: fc.boolean(),
});

const runArb: fc.Arbitrary<Run> = fc
  .record({
    life: fc.oneof(
      { weight: 5, arbitrary: fc.constant<RunLife>({ kind: "hang" }) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant("exit" as const),
          code: fc.oneof(fc.constant(0), code),
          ms: ms(0, 900),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("kill" as const),
          signal: fc.constantFrom(...SELF_SIGNALS),
          ms: ms(0, 900),
        }),
      },
    ),
    onStop: fc.oneof(
      { weight: 5, arbitrary: fc.constant<OnStop>({ kind: "graceful" }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("slow" as const), ms: ms(20, 600) }) },
      { weight: 2, arbitrary: fc.constant<OnStop>({ kind: "ignore" }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("fail" as const), code }) },
    ),
    out: lines,
    stream: fc.constantFrom(0 as const, 0 as const, 50 as const, 100 as const),
    grandchild: fc.constantFrom(
      "none" as const,
      "none" as const,
      "quiet" as const,
      "chatty" as const,
    ),
    setsid: fc.constantFrom(
      "none" as const,
      "none" as const,
      "none" as const,
      "term" as const,
      "stubborn" as const,
      "chatty" as const,
    ),
    partial: fc.boolean(),
  })
  // A line without a newline is ended by the pipe's end; a descendant still writing to the same
  // pipe would glue its next line onto it. That is how pipes work, not a relay's loss.
  .map((run) =>
    run.grandchild === "chatty" || run.setsid === "chatty" ? { ...run, partial: false } : run,
  );

const stopArb: fc.Arbitrary<Stop> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("signal" as const),
      signal: fc.constantFrom(...STOP_SIGNALS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("command" as const),
      how: fc.oneof(
        { weight: 3, arbitrary: fc.constant<StopHow>({ kind: "kill" }) },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant("slowkill" as const), ms: ms(20, 600) }),
        },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("fail" as const), code }) },
        { weight: 1, arbitrary: fc.constant<StopHow>({ kind: "noop" }) },
        { weight: 1, arbitrary: fc.constant<StopHow>({ kind: "hang" }) },
      ),
      out: fc.integer({ min: 0, max: 2 }),
    }),
  },
);

const readyArb: fc.Arbitrary<Ready> = fc.record({
  kind: fc.constantFrom("file" as const, "log" as const, "logerr" as const),
  at: fc.oneof({ weight: 4, arbitrary: ms(0, 400) }, { weight: 1, arbitrary: fc.constant(null) }),
  timeoutMs: ms(300, 1000),
});

const postArb: fc.Arbitrary<Post> = fc.record({
  how: fc.oneof(
    { weight: 4, arbitrary: fc.constant<PostHow>({ kind: "ok" }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("fail" as const), code }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("slow" as const), ms: ms(20, 300) }) },
    { weight: 1, arbitrary: fc.constant<PostHow>({ kind: "hang" }) },
  ),
  out: fc.integer({ min: 0, max: 2 }),
  orphan: fc.boolean(),
});

const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });

const procArb = fc
  .record({
    pre: maybe(preArb),
    run: fc.option(runArb, { nil: undefined, freq: 4 }),
    stop: maybe(stopArb),
    stopTimeoutMs: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 8, arbitrary: ms(200, 500) },
    ),
    ready: maybe(readyArb),
    post: maybe(postArb),
  })
  // `ready` needs a `run`; `stop` means nothing without one.
  .map(({ pre, run, stop, stopTimeoutMs, ready, post }) => ({
    pre,
    run,
    stop: run && stop,
    stopTimeoutMs,
    ready: run && ready,
    post,
  }));

const momentArb: fc.Arbitrary<Moment> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("pre" as const), process: ms(0, 5) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("ready" as const), process: ms(0, 5) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("stop" as const), process: ms(0, 5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("post" as const), process: ms(0, 5) }) },
  { weight: 2, arbitrary: fc.constant<Moment>({ kind: "running" }) },
  { weight: 2, arbitrary: fc.constant<Moment>({ kind: "after-first" }) },
);

const faultArb: fc.Arbitrary<Fault> = fc.record({
  at: momentArb,
  delayMs: fc.oneof(fc.constant(0), ms(0, 150)),
  signal: fc.constantFrom(...TERMINATION_SIGNALS),
});

export const caseArb: fc.Arbitrary<Case> = fc
  .record({
    processes: fc.array(procArb, { minLength: 1, maxLength: 6 }),
    shutdownTimeoutMs: fc.option(ms(300, 2000), { nil: undefined, freq: 3 }),
    logFormat: fc.constantFrom("text" as const, "json" as const),
    suppressTimestamps: fc.boolean(),
    faults: fc.array(faultArb, { maxLength: 2 }),
    backstopMs: ms(0, 600),
  })
  .map((c) => ({
    ...c,
    processes: c.processes.map((p, i) => ({
      name: `p${i}`,
      ...p,
      // A post that hangs ends only at the shutdown deadline: without one, it would hang for good.
      post:
        p.post?.how.kind === "hang" && c.shutdownTimeoutMs === undefined
          ? { ...p.post, how: { kind: "slow" as const, ms: 100 } }
          : p.post,
    })),
  }));

// ---------------------------------------------------------------------------------------------
// The groundcontrol.toml of a case ({fixtures} and {dir} are filled in by the harness).

const ACTOR = "{fixtures}/lifecycle-actor.sh";
/** A program that does not exist. */
export const MISSING = "/nonexistent/lifecycle-actor";

function command(role: string, name: string, args: string[]): string {
  return JSON.stringify(["/bin/sh", ACTOR, role, name, "{dir}", ...args]);
}

function preArgs(pre: Pre): string[] {
  const life = pre.life;
  const lifeArg =
    life.kind === "slow"
      ? `slow:${life.ms}`
      : life.kind === "fail"
        ? `fail:${life.code}`
        : life.kind === "kill"
          ? `kill:${life.signal}`
          : life.kind;
  const args = [`life=${lifeArg}`, `termexit=${pre.termExit}`, `out=${pre.out}`];
  if (pre.orphan) args.push("orphan=1");
  return args;
}

function runArgs(run: Run, ready: Ready | undefined): string[] {
  const life = run.life;
  const lifeArg =
    life.kind === "exit"
      ? `exit:${life.code}:${life.ms}`
      : life.kind === "kill"
        ? `kill:${life.signal}:${life.ms}`
        : "hang";
  const stop = run.onStop;
  const onStop =
    stop.kind === "slow"
      ? `slow:${stop.ms}`
      : stop.kind === "fail"
        ? `fail:${stop.code}`
        : stop.kind;
  const args = [`life=${lifeArg}`, `onstop=${onStop}`, `out=${run.out}`, `stream=${run.stream}`];
  if (ready?.at !== null && ready !== undefined) args.push(`ready=${ready.kind}:${ready.at}`);
  if (run.grandchild !== "none") args.push(`gc=${run.grandchild}`);
  if (run.setsid !== "none") args.push(`setsid=${run.setsid}`);
  if (run.partial) args.push("partial=1");
  return args;
}

function stopArgs(how: StopHow, out: number): string[] {
  const h =
    how.kind === "slowkill"
      ? `slowkill:${how.ms}`
      : how.kind === "fail"
        ? `fail:${how.code}`
        : how.kind;
  return [`how=${h}`, `out=${out}`];
}

function postArgs(post: Post): string[] {
  const how = post.how;
  const h =
    how.kind === "fail" ? `fail:${how.code}` : how.kind === "slow" ? `slow:${how.ms}` : how.kind;
  const args = [`how=${h}`, `out=${post.out}`];
  if (post.orphan) args.push("orphan=1");
  return args;
}

function readyToml(name: string, ready: Ready): string {
  const timing = `timeout = "${ready.timeoutMs}ms", interval = "50ms"`;
  return ready.kind === "file"
    ? `{ file = "{dir}/${name}.ready", ${timing} }`
    : `{ log = '^READY ${name}$', ${timing} }`;
}

export function toml(c: Case): string {
  const out: string[] = [
    `log-format = "${c.logFormat}"`,
    `suppress-timestamps = ${c.suppressTimestamps}`,
  ];
  if (c.shutdownTimeoutMs !== undefined) out.push(`shutdown-timeout = "${c.shutdownTimeoutMs}ms"`);
  for (const p of c.processes) {
    out.push("", "[[processes]]", `name = "${p.name}"`);
    if (p.pre) {
      out.push(
        p.pre.life.kind === "missing"
          ? `pre = ${JSON.stringify([MISSING, p.name])}`
          : `pre = ${command("pre", p.name, preArgs(p.pre))}`,
      );
    }
    if (p.run) out.push(`run = ${command("run", p.name, runArgs(p.run, p.ready))}`);
    if (p.stop) {
      out.push(
        p.stop.kind === "signal"
          ? `stop = "${p.stop.signal}"`
          : `stop = ${command("stop", p.name, stopArgs(p.stop.how, p.stop.out))}`,
      );
    }
    // Written for one-shots too: it also bounds a pre that a shutdown interrupts.
    if (p.stopTimeoutMs !== undefined) out.push(`stop-timeout = "${p.stopTimeoutMs}ms"`);
    if (p.ready) out.push(`ready = ${readyToml(p.name, p.ready)}`);
    if (p.post) out.push(`post = ${command("post", p.name, postArgs(p.post))}`);
  }
  return `${out.join("\n")}\n`;
}

/** The schedule in words, for a failure report. */
export function describeFaults(c: Case): string {
  const n = c.processes.length;
  const moment = (m: Moment) =>
    "process" in m ? `${m.kind} of p${m.process % n}` : m.kind === "running" ? "running" : m.kind;
  const faults = c.faults.map((f) => `${f.signal} at ${moment(f.at)} +${f.delayMs}ms`);
  return [...faults, `backstop SIGTERM ${c.backstopMs}ms after startup`].join("; ");
}

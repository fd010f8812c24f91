// The invariants of SPEC §3 (lifecycle), §4 (exit status, signals) and §5 (output), checked on
// what one case did. Three witnesses, each for what it can tell:
// - the DEBUG=groundcontrol:* trace (docs/cli.md): Ground Control's own order of events, exact,
//   since every trace line is written synchronously: which command it started, when each one
//   ended, and the moment (and reason) the shutdown began;
// - the transcript the fixtures wrote: what each command saw, in real order (signals received,
//   stop commands, posts);
// - the relayed output, against the line numbers the fixtures recorded as written.
// Where a race is inherent (a daemon exiting as a signal arrives), the reason Ground Control
// gives is accepted only if it really happened, and everything after is checked against it.
import { constants } from "node:os";
import type { Narration, Observation, TraceEvent } from "./lifecycle-run.js";
import { type Case, MISSING, type Proc } from "./lifecycle-scenario.js";

/** Slack for comparing Ground Control's millisecond timestamps with each other. */
const CLOCK_SLACK_MS = 2;

/** Allowances for the scheduler: how loaded the machine may be while a case plays. */
export interface Timing {
  /**
   * How long after its shutdown deadline Ground Control may take to be seen gone. At the
   * deadline it SIGKILLs what is left and exits (SPEC §3.4); what remains is its own teardown (a
   * sweep of orphans already SIGKILLed, in 10 ms rounds), process exit, and the test's event
   * loop noticing.
   */
  deadlineMarginMs: number;
}

/**
 * pnpm test:fuzz: four cases at a time on two cores. Alone, a spec that meets its deadline ends
 * within ~50 ms of it; four cases at once were seen up to ~310 ms past it, and ~500 ms while
 * another suite (with the pid1 test's storm of 10,000 orphans) shared the machine, at a load
 * average of 9.5. 1 s stays clear of that and still catches the overruns this check is for: a
 * post not killed at the deadline (it hangs for ever), stop waits not cut by it (stop-timeouts
 * of 200–500 ms that add up), an orphan grace taken in full.
 */
export const ALONE: Timing = { deadlineMarginMs: 1_000 };

/** pnpm test: the same beside the other test files of the package, the pid1 storm among them. */
export const SHARED: Timing = { deadlineMarginMs: 1_500 };

/**
 * And on top, for a machine starved of CPU, so many times the longest a timer of this test was
 * late during the case: Ground Control goes through a few timers and exits between its deadline
 * and its end (the deadline itself, a kill and its exit, 10 ms sweep rounds), each as late.
 * While another suite's fork storm ran, cases overran by up to 1.9 s.
 */
const LAG_FACTOR = 5;

/**
 * Once a command has exited, the end of its output pipe follows within a few ms: past this, a
 * wait that still goes on is a wait for something else.
 */
const EXIT_SEEN_MS = 50;

type Reason =
  | { kind: "signal"; signal: string }
  | { kind: "exit"; process: string; status: string }
  | {
      kind: "startup";
      process: string;
      phase: "pre" | "run" | "ready";
      status: string | undefined;
    };

type Started = "yes" | "no" | "unknown";

export function violations(o: Observation, timing: Timing): string[] {
  const v: string[] = [];
  const c: Case = o.case;
  const procs = c.processes;
  const trace = o.trace;
  const own = o.own.map((m) => m.msg);

  // --- It ended by itself, with nothing unexpected on its streams.
  if (o.exit.signal !== null) v.push(`Ground Control was killed by ${o.exit.signal}`);
  for (const line of o.unparsed.slice(0, 5)) v.push(`unexpected output line: ${line}`);
  if (/^\s+at .+:\d+:\d+\)?$/m.test(o.stderr)) v.push("a stack trace on stderr");

  // --- One shutdown, one reason.
  const requests = trace.filter((e) => e.kind === "requested");
  const reason = requests.length === 1 ? parseReason(requests[0]!.reason, own, v) : undefined;
  if (requests.length !== 1) {
    v.push(`expected one "shutdown requested" trace line, got ${requests.length}`);
  }
  if (!reason) {
    // Without a shutdown to measure against, what is left to check is what it left behind.
    checkSurvivors(o, v);
    checkOutput(o, v);
    return v;
  }
  const request = requests[0] as Extract<TraceEvent, { kind: "requested" }>;

  const spawns = trace.filter((e) => e.kind === "spawn");
  const spawnsOf = (name: string, phase: string) =>
    spawns.filter((e) => e.process === name && e.phase === phase);
  const endedOf = (name: string, phase: string) =>
    trace.find((e) => e.kind === "ended" && e.process === name && e.phase === phase) as
      | Extract<TraceEvent, { kind: "ended" }>
      | undefined;
  const narrations = (name: string, role: string, event?: string) =>
    o.transcript.filter(
      (t) => t.name === name && t.role === role && (event === undefined || t.event === event),
    );
  const isReady = (name: string) => own.some((m) => m.startsWith(`process "${name}" is ready`));
  const completed = own.some((m) => /^started: (1 process|all \d+ processes) ready/.test(m));

  // --- Each command at most once; the pid Ground Control started is the one that narrated.
  for (const p of procs) {
    for (const phase of ["pre", "run", "stop", "post"]) {
      const started = spawnsOf(p.name, phase);
      if (started.length > 1) v.push(`${p.name}'s ${phase} was started ${started.length} times`);
      const pid = o.pids.get(`${p.name}.${phase}`);
      if (pid !== undefined && started[0] && started[0].pid !== pid) {
        v.push(`${p.name}'s ${phase} ran as pid ${pid}, the trace says ${started[0].pid}`);
      }
      if (started.length > 0 && !commandOf(p, phase)) {
        v.push(`${p.name} has no ${phase} command, yet one was started`);
      }
    }
  }

  // --- Startup (§3.1): file order, each pre before its run (and only after it exited 0), and
  // nothing started once the shutdown began (§3.3).
  let furthest = -1;
  for (const e of spawns) {
    if (e.phase !== "pre" && e.phase !== "run") {
      if (e.index < request.index) v.push(`${e.process}'s ${e.phase} ran before any shutdown`);
      continue;
    }
    const i = indexOf(procs, e.process);
    if (e.index > request.index)
      v.push(`${e.process}'s ${e.phase} started after the shutdown began`);
    if (i < furthest) v.push(`startup out of order: ${e.process}'s ${e.phase} after p${furthest}`);
    furthest = Math.max(furthest, i);
  }
  for (const p of procs) {
    const run = spawnsOf(p.name, "run")[0];
    if (!run || !p.pre) continue;
    const pre = endedOf(p.name, "pre");
    if (!pre || pre.index > run.index || pre.status !== "exit code 0") {
      v.push(
        `${p.name}'s run started though its pre had not exited 0 (${pre?.status ?? "running"})`,
      );
    }
    if (narrations(p.name, "pre", "got").length > 0) {
      v.push(`${p.name}'s run started though its pre was interrupted by the shutdown`);
    }
  }
  if (completed) {
    if (reason.kind === "startup") v.push("startup both completed and failed");
    for (const p of procs) {
      if (p.pre && endedOf(p.name, "pre")?.status !== "exit code 0") {
        v.push(`startup completed without ${p.name}'s pre succeeding`);
      }
      if (p.run && spawnsOf(p.name, "run").length === 0) {
        v.push(`startup completed without starting ${p.name}'s run`);
      }
    }
  }

  // --- The reason really happened, and the exit status follows from it (§4).
  const failed = reason.kind === "startup" ? reason.process : undefined;
  checkReason(reason, o, request, v, { narrations, endedOf, spawnsOf, isReady });
  const expected = expectedExitCode(reason);
  if (o.exit.code !== expected) {
    v.push(`exit status ${o.exit.code}, expected ${expected} for ${describe(reason)}`);
  }

  // --- Which processes started (§3.2): their run was spawned, or, for a one-shot, its pre
  // succeeded before the shutdown began. Where a shutdown raced with a one-shot's pre, either
  // answer is right; everything else is decided.
  const reached = procs.map(
    (p) => spawnsOf(p.name, "pre").length > 0 || spawnsOf(p.name, "run").length > 0,
  );
  const last = reached.lastIndexOf(true);
  const startedMemo = new Map<number, Started>();
  const started = (i: number): Started => {
    const known = startedMemo.get(i);
    if (known) return known;
    const answer = startedAt(i);
    startedMemo.set(i, answer);
    return answer;
  };
  const startedAt = (i: number): Started => {
    const p = procs[i]!;
    if (completed || i < last) return "yes";
    if (i === last) {
      if (spawnsOf(p.name, "run").length > 0) return "yes";
      if (p.run) return "no";
      const pre = endedOf(p.name, "pre");
      if (pre?.status !== "exit code 0" || pre.index > request.index) return "no";
      return "unknown";
    }
    // Not reached for sure if something on the way would have shown in the trace.
    if (p.pre || p.run) return "no";
    for (let k = last + 1; k < i; k++) if (procs[k]!.pre || procs[k]!.run) return "no";
    if (last >= 0 && (started(last) === "no" || procs[last]!.name === failed)) return "no";
    return "unknown";
  };

  // --- post runs iff the process started and is not the one that failed; with a
  // shutdown-timeout, a post the deadline leaves no time for is skipped and named (§3.2, §3.4).
  const deadline =
    c.shutdownTimeoutMs === undefined ? undefined : request.time + c.shutdownTimeoutMs;
  procs.forEach((p, i) => {
    const posts = spawnsOf(p.name, "post");
    const skips = o.own.filter((m) =>
      m.msg.startsWith(`skipping the post command of process "${p.name}"`),
    );
    const count = posts.length + skips.length;
    const st = started(i);
    if (st === "no" || p.name === failed) {
      if (count > 0) {
        v.push(
          `${p.name}'s post ${posts.length ? "ran" : "was skipped"} though ${
            p.name === failed ? "its startup failed" : "it never started"
          }`,
        );
      }
    } else if (st === "yes" && p.post && count !== 1) {
      v.push(`${p.name} started, yet its post neither ran nor was skipped at the deadline`);
    } else if (count > 1) {
      v.push(`${p.name}'s post ran or was skipped ${count} times`);
    }
    for (const skip of skips) {
      if (deadline === undefined) v.push(`${p.name}'s post was skipped without a shutdown-timeout`);
      else if (skip.time !== undefined && skip.time < deadline - CLOCK_SLACK_MS) {
        v.push(`${p.name}'s post was skipped ${deadline - skip.time} ms before the deadline`);
      }
    }
    // Ground Control decides to start a post after everything the trace shows before it, and
    // writes its trace line once spawn() returns (which, on a loaded machine, can take 100s of
    // ms). So a post whose previous trace line is already past the deadline was started after it.
    for (const post of posts) {
      const before = trace[post.index - 1];
      if (deadline !== undefined && before && before.time > deadline + CLOCK_SLACK_MS) {
        v.push(`${p.name}'s post started after the deadline (${before.time - deadline} ms past)`);
      }
    }
  });

  // --- Stops (§3.4): only for a run that was started and is still running, at most once, with
  // the configured signal (or SIGTERM when a stop command failed).
  for (const p of procs) {
    const stops = spawnsOf(p.name, "stop");
    const run = spawnsOf(p.name, "run")[0];
    const runEnded = endedOf(p.name, "run");
    if (stops[0] && !run) v.push(`${p.name}'s stop command ran, but its run never started`);
    if (stops[0] && runEnded && runEnded.index < stops[0].index) {
      v.push(`${p.name}'s stop command ran though its run had already exited`);
    }
    const got = narrations(p.name, "run", "got");
    if (got.length > 1) {
      v.push(`${p.name}'s run was asked to stop ${got.length} times (${got.map((g) => g.arg)})`);
    }
    const allowed = p.stop?.kind === "signal" ? p.stop.signal.slice(3) : "TERM";
    for (const g of got) {
      if (g.arg !== allowed) v.push(`${p.name}'s run got SIG${g.arg}, its stop is SIG${allowed}`);
    }
    if (reason.kind === "exit" && reason.process === p.name && (stops.length || got.length)) {
      v.push(`${p.name}'s run exited by itself, yet was stopped`);
    }
    // A run still running when its turn came (it ended after the shutdown began, and not by
    // itself) was asked with its stop command; one that died of SIGKILL was told so.
    const selfEnded = narrations(p.name, "run").some(
      (t) => t.event === "selfexit" || t.event === "selfkill",
    );
    if (run && runEnded && runEnded.index > request.index && !selfEnded) {
      if (p.stop?.kind === "command" && stops.length === 0) {
        v.push(`${p.name}'s run was still running at its turn, yet its stop command never ran`);
      }
      const announced = o.own.some(
        (m) =>
          m.msg.startsWith(`process "${p.name}" did not stop in time`) ||
          m.msg.startsWith(`process "${p.name}" stop cut short`),
      );
      if (runEnded.status === "killed by SIGKILL" && !announced) {
        v.push(`${p.name}'s run died of SIGKILL without a word of why`);
      }
    }
    // SIGKILL after stop-timeout is for a run still running then, not for one that had exited
    // well before (by then Ground Control had seen it go: the trace says so). A grandchild left in
    // the run's group that ignores the stop and writes on (grandchild "chatty") means the group
    // did not stop: Ground Control may take it so, and SIGKILL the group then.
    const late = o.own.find((m) => m.msg.startsWith(`process "${p.name}" did not stop in time`));
    if (
      late?.time !== undefined &&
      runEnded &&
      runEnded.index < late.afterTrace &&
      runEnded.time + EXIT_SEEN_MS < late.time &&
      p.run?.grandchild !== "chatty"
    ) {
      v.push(
        `${p.name}'s run "did not stop in time" and got SIGKILL ${late.time - runEnded.time} ms after it had exited`,
      );
    }
  }

  // --- Shutdown in reverse order (§3.4), in Ground Control's own order of events: everything of
  // a later process (its stop, its run's end, its post) comes before anything of an earlier one.
  const shutdownEvents = (p: Proc): { first: number; last: number } | undefined => {
    const own = trace.filter(
      (e) =>
        (e.kind === "spawn" &&
          (e.phase === "stop" || e.phase === "post") &&
          e.process === p.name) ||
        (e.kind === "ended" && e.phase === "post" && e.process === p.name),
    );
    const runEnd = endedOf(p.name, "run");
    const endings = runEnd && runEnd.index > request.index ? [runEnd.index] : [];
    const starts = own.filter((e) => e.kind === "spawn").map((e) => e.index);
    const all = [...own.map((e) => e.index), ...endings];
    if (all.length === 0) return undefined;
    return {
      first: starts.length ? Math.min(...starts) : Number.POSITIVE_INFINITY,
      last: Math.max(...all),
    };
  };
  const spans = procs.map(shutdownEvents);
  for (let i = 0; i < procs.length; i++) {
    for (let j = i + 1; j < procs.length; j++) {
      const early = spans[i];
      const late = spans[j];
      if (early && late && late.last > early.first) {
        v.push(
          `shutdown out of order: ${procs[j]!.name} was still being shut down after ${procs[i]!.name}'s began`,
        );
      }
    }
  }
  // The same, in what the commands saw: the transcript. A pre's narration (startup) always comes
  // before any of them, since a shutdown waits for an interrupted pre to end.
  const shutdownNarration = (t: Narration) =>
    (t.role === "run" && (t.event === "got" || t.event === "stopexit")) ||
    t.role === "stop" ||
    t.role === "post";
  const order = o.transcript.map((t) => (shutdownNarration(t) ? indexOf(procs, t.name) : -1));
  let lowest = Number.POSITIVE_INFINITY;
  o.transcript.forEach((t, k) => {
    const i = order[k]!;
    if (t.role === "pre" && lowest !== Number.POSITIVE_INFINITY) {
      v.push(`transcript: ${t.name}:pre-${t.event} after the shutdown had begun`);
    }
    if (i < 0) return;
    if (i > lowest)
      v.push(`transcript: ${t.name}:${t.role}-${t.event} after p${lowest}'s shutdown had begun`);
    lowest = Math.min(lowest, i);
  });

  // --- The shutdown deadline bounds Ground Control's own exit (§3.4).
  if (
    deadline !== undefined &&
    o.exit.at > deadline + timing.deadlineMarginMs + LAG_FACTOR * o.lagMs
  ) {
    v.push(
      `exited ${o.exit.at - request.time} ms after the shutdown began; shutdown-timeout is ${c.shutdownTimeoutMs} ms (timers up to ${o.lagMs} ms late meanwhile)`,
    );
  }

  checkSurvivors(o, v);
  checkOutput(o, v);
  return v;
}

/** Nothing survives (§3.5): no process of the case, recorded in a pid file or not. */
function checkSurvivors(o: Observation, v: string[]): void {
  const names = new Map([...o.pids].map(([what, pid]) => [pid, what]));
  for (const s of o.survivors) {
    v.push(
      `still alive after Ground Control exited: ${names.get(s.pid) ?? "unrecorded"} ${s.what}`,
    );
  }
}

function commandOf(p: Proc, phase: string): boolean {
  switch (phase) {
    case "pre":
      return p.pre !== undefined;
    case "run":
      return p.run !== undefined;
    case "stop":
      return p.run !== undefined && p.stop?.kind === "command";
    case "post":
      return p.post !== undefined;
  }
  return false;
}

function indexOf(procs: Proc[], name: string): number {
  return procs.findIndex((p) => p.name === name);
}

const STATUS = String.raw`exit code \d+|killed by SIG\w+|could not start: [^)]*`;

function parseReason(text: string, own: string[], v: string[]): Reason | undefined {
  const signal = /^received (SIG\w+)$/.exec(text);
  if (signal) return { kind: "signal", signal: signal[1]! };
  const exit = new RegExp(`^process "(\\w+)" exited \\((${STATUS})\\)$`).exec(text);
  if (exit) return { kind: "exit", process: exit[1]!, status: exit[2]! };
  if (text !== "startup failed") {
    v.push(`unexpected shutdown reason: ${text}`);
    return undefined;
  }
  const aborted = own.filter((m) => m.startsWith("startup aborted: "));
  if (aborted.length !== 1) {
    v.push(`startup failed, with ${aborted.length} "startup aborted" messages`);
    return undefined;
  }
  const msg = aborted[0]!;
  const pre = new RegExp(`\`pre\` command failed for process "(\\w+)" \\((${STATUS})\\)`).exec(msg);
  if (pre) return { kind: "startup", process: pre[1]!, phase: "pre", status: pre[2]! };
  // "… before it was ready (…)" when the gate saw it go; without, when the gate opened as it went.
  const run = new RegExp(`\`run\` command of process "(\\w+)" exited \\((${STATUS})\\)`).exec(msg);
  if (run) return { kind: "startup", process: run[1]!, phase: "run", status: run[2]! };
  const ready = /process "(\w+)" was not ready within/.exec(msg);
  if (ready) return { kind: "startup", process: ready[1]!, phase: "ready", status: undefined };
  v.push(`unexpected startup failure: ${msg}`);
  return undefined;
}

function describe(reason: Reason): string {
  switch (reason.kind) {
    case "signal":
      return `a graceful shutdown on ${reason.signal}`;
    case "exit":
      return `${reason.process}'s run exiting (${reason.status})`;
    case "startup":
      return `${reason.process}'s failed ${reason.phase}${reason.status ? ` (${reason.status})` : ""}`;
  }
}

function codeOf(status: string): number {
  const exit = /^exit code (\d+)$/.exec(status);
  if (exit) return Number(exit[1]);
  const signal = /^killed by (SIG\w+)$/.exec(status);
  if (signal) return 128 + (constants.signals[signal[1] as NodeJS.Signals] ?? 0);
  // Could not start: 127 when the program is not found, 126 when it cannot be executed.
  return /not found/.test(status) ? 127 : 126;
}

/** SPEC §4: 0 after a graceful shutdown or a run that exited 0; the failing command's status; else 1. */
function expectedExitCode(reason: Reason): number {
  switch (reason.kind) {
    case "signal":
      return 0;
    case "exit":
      return codeOf(reason.status);
    case "startup":
      if (reason.phase === "ready" || reason.status === undefined) return 1;
      // A daemon that exited 0 before it was ready still failed startup.
      return codeOf(reason.status) || 1;
  }
}

/** How a fixture narrated the status it ended with, as Ground Control describes statuses. */
function narratedStatus(n: Narration): string | undefined {
  if (n.event === "selfexit" || n.event === "exit") return `exit code ${n.arg}`;
  if (n.event === "selfkill") return `killed by SIG${n.arg}`;
  return undefined;
}

function checkReason(
  reason: Reason,
  o: Observation,
  request: Extract<TraceEvent, { kind: "requested" }>,
  v: string[],
  w: {
    narrations: (name: string, role: string, event?: string) => Narration[];
    endedOf: (name: string, phase: string) => Extract<TraceEvent, { kind: "ended" }> | undefined;
    spawnsOf: (name: string, phase: string) => TraceEvent[];
    isReady: (name: string) => boolean;
  },
): void {
  const p =
    reason.kind === "signal" ? undefined : o.case.processes.find((q) => q.name === reason.process);
  switch (reason.kind) {
    case "signal":
      if (
        !o.signals.some((s) => s.signal === reason.signal && s.at <= request.time + CLOCK_SLACK_MS)
      ) {
        v.push(`shut down for ${reason.signal}, which had not been sent`);
      }
      return;
    case "exit": {
      if (!p?.run) {
        v.push(`shut down because ${reason.process}'s run exited, but it has no run`);
        return;
      }
      const own = w.narrations(p.name, "run").map(narratedStatus).filter(Boolean);
      if (!own.includes(reason.status)) {
        v.push(`shut down because ${p.name}'s run exited (${reason.status}); it did not (${own})`);
      }
      const ended = w.endedOf(p.name, "run");
      if (!ended || ended.index > request.index || ended.status !== reason.status) {
        v.push(`shut down because ${p.name}'s run exited, before the trace shows it ending`);
      }
      if (p.ready && !w.isReady(p.name)) {
        v.push(`${p.name}'s run exited before it was ready, yet that was not a startup failure`);
      }
      return;
    }
    case "startup": {
      if (!p) {
        v.push(`startup failed in unknown process ${reason.process}`);
        return;
      }
      if (reason.phase === "pre") {
        const own = w.narrations(p.name, "pre").map(narratedStatus).filter(Boolean);
        if (p.pre?.life.kind === "missing") own.push(`could not start: ${MISSING}: not found`);
        if (!own.includes(reason.status)) {
          v.push(
            `startup failed on ${p.name}'s pre (${reason.status}); it did not fail so (${own})`,
          );
        }
        if (w.narrations(p.name, "pre", "got").length > 0) {
          v.push(`${p.name}'s pre was interrupted by a shutdown, yet counted as failing`);
        }
        return;
      }
      if (!p.ready) v.push(`${p.name} has no ready check, yet failed it`);
      if (w.isReady(p.name)) v.push(`${p.name} was ready, yet failed its readiness`);
      if (reason.phase === "run") {
        const own = w.narrations(p.name, "run").map(narratedStatus).filter(Boolean);
        if (!own.includes(reason.status)) {
          v.push(
            `startup failed on ${p.name}'s run exiting (${reason.status}); it did not (${own})`,
          );
        }
        return;
      }
      // The readiness timeout: not before it had passed.
      const run = w.spawnsOf(p.name, "run")[0];
      if (run && p.ready && request.time - run.time < p.ready.timeoutMs - CLOCK_SLACK_MS) {
        v.push(
          `${p.name} was declared not ready ${request.time - run.time} ms after its run started; its timeout is ${p.ready.timeoutMs} ms`,
        );
      }
      return;
    }
  }
}

const TAG = /^L:(\w+):(\w+):(out|err):(\d+)$/;
/**
 * What the fixtures' shell (dash) says on its stderr when a background job of its own dies of a
 * signal, e.g. a job caught by the group-wide stop signal before it could set its traps.
 */
const SHELL_NOTICE =
  /^(Terminated|Killed|Hangup|Quit|Interrupt|Alarm clock|User defined signal [12])( \(core dumped\))?$/;

/**
 * Output (§5): each numbered line once, in order, on the right stream, with its origin; every
 * line a fixture recorded as written is there.
 */
function checkOutput(o: Observation, v: string[]): void {
  const seen = new Map<string, number[]>();
  for (const r of o.relayed) {
    const m = TAG.exec(r.line);
    if (!m) {
      if (!/^READY \w+$/.test(r.line) && !SHELL_NOTICE.test(r.line)) {
        v.push(`a line no command wrote: ${JSON.stringify(r.line)}`);
      }
      continue;
    }
    const [, name, role, stream, number] = m;
    const phase = role === "gc" || role === "ss" ? "run" : role;
    const dest = stream === "out" ? "stdout" : "stderr";
    if (r.process !== name || r.phase !== phase) {
      v.push(`${r.line} relayed as ${r.process}[${r.phase}]`);
    }
    if (r.dest !== dest || (r.stream !== undefined && r.stream !== dest)) {
      v.push(`${r.line} relayed to ${r.dest} (stream ${r.stream ?? "-"})`);
    }
    const key = `${name}.${role}.${stream}`;
    const list = seen.get(key) ?? [];
    list.push(Number(number));
    seen.set(key, list);
  }
  for (const key of new Set([...seen.keys(), ...o.written.keys()])) {
    const got = seen.get(key) ?? [];
    const written = o.written.get(key) ?? 0;
    const inOrder = got.every((n, k) => n === k + 1);
    if (!inOrder) {
      v.push(`lines of ${key} relayed as ${summarize(got)}: lost, repeated or reordered`);
    } else if (got.length < written) {
      v.push(`lines of ${key}: ${written} written, ${got.length} relayed`);
    } else if (got.length > written + 1) {
      // One more than recorded is a line written just before a SIGKILL: it could not say so.
      v.push(`lines of ${key}: ${written} written, ${got.length} relayed`);
    }
  }
}

function summarize(numbers: number[]): string {
  return numbers.length > 30
    ? `[${numbers.slice(0, 15)} … ${numbers.slice(-10)}]`
    : `[${numbers.join(",")}]`;
}

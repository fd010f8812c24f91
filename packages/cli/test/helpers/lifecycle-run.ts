// Plays one case of the lifecycle property test through the real executable, then reads what
// happened: the transcript the fixtures wrote, Ground Control's output (its relayed lines, its
// own messages and its DEBUG trace), the signals sent, the exit, and any process left alive.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Scenario } from "./harness.js";
import { type Case, toml } from "./lifecycle-scenario.js";

/** A termination signal the test sent to Ground Control. */
export interface Sent {
  signal: NodeJS.Signals;
  /** Date.now() when sent. */
  at: number;
  why: string;
}

/**
 * One line of the DEBUG=groundcontrol:* trace; `index` is its position among them. `pid` is
 * undefined for a program that could not be started.
 */
export type TraceEvent =
  | {
      index: number;
      time: number;
      kind: "spawn";
      process: string;
      phase: string;
      pid: number | undefined;
    }
  | {
      index: number;
      time: number;
      kind: "ended";
      process: string;
      phase: string;
      pid: number | undefined;
      status: string;
    }
  | { index: number; time: number; kind: "requested"; reason: string }
  | { index: number; time: number; kind: "ignored"; reason: string };

/** One of Ground Control's own messages; `time` is absent when timestamps are suppressed. */
export interface OwnLog {
  time: number | undefined;
  msg: string;
  /** How many trace lines came before it on stderr. */
  afterTrace: number;
}

/** A line relayed from a command: where it went, and the origin its label or record names. */
export interface Relayed {
  dest: "stdout" | "stderr";
  process: string;
  phase: string;
  /** JSON records name the stream; text lines do not. */
  stream: string | undefined;
  line: string;
}

/** NAME:ROLE-EVENT [ARG] from the transcript. */
export interface Narration {
  name: string;
  role: string;
  event: string;
  arg: string | undefined;
}

export interface Observation {
  case: Case;
  toml: string;
  dir: string;
  startedAt: number;
  exit: { code: number | null; signal: NodeJS.Signals | null; at: number };
  signals: Sent[];
  transcript: Narration[];
  trace: TraceEvent[];
  own: OwnLog[];
  relayed: Relayed[];
  /** Lines of Ground Control's output that are none of the above. */
  unparsed: string[];
  /** NAME.ROLE.STREAM → the highest line number the fixture recorded as written. */
  written: Map<string, number>;
  /** NAME.WHAT → pid, from the pid files. */
  pids: Map<string, number>;
  /**
   * The longest this test's own 10 ms timer was late while the case played: how starved of CPU
   * the machine was (another suite's fork storm, say). Ground Control's timers were late too.
   */
  lagMs: number;
  /** Processes of this case still alive after Ground Control exited (and a grace). */
  survivors: { pid: number; what: string }[];
  stdout: string;
  stderr: string;
}

/** Beyond this, Ground Control is taken to hang: every case is built to end in a few seconds. */
const HANG_MS = 30_000;
/**
 * How long a process of the case may take to disappear once Ground Control has exited. Ground
 * Control sends SIGKILL before it exits; the kernel needs a moment to finish the job (the
 * process must be scheduled to die), and on a loaded two-core machine that moment can be long.
 */
const DYING_MS = 1_000;
const POLL_MS = 10;
const PROBE_MS = 10;

let serial = 0;

export async function play(c: Case): Promise<Observation> {
  const marker = `${process.pid}-${++serial}-${Math.random().toString(36).slice(2)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: "1",
    DEBUG: "groundcontrol:*",
    GC_LIFECYCLE_CASE: marker,
  };
  delete env.FORCE_COLOR;
  const text = toml(c);
  const startedAt = Date.now();
  const s = new Scenario(text, { env });
  let exitAt = 0;
  s.child.once("exit", () => {
    exitAt = Date.now();
  });
  const signals: Sent[] = [];
  let lagMs = 0;
  let tick = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    lagMs = Math.max(lagMs, now - tick - PROBE_MS);
    tick = now;
  }, PROBE_MS);
  try {
    const exited = () => s.running.exited;
    const requested = () => s.stderr.includes("groundcontrol:lifecycle shutdown requested:");
    const startupDone = () => /started: (1 process|all \d+ processes) ready/.test(s.stderr);
    const narrated = (test: (line: string) => boolean) => () => s.transcriptLines().some(test);
    const send = (signal: NodeJS.Signals, why: string) => {
      if (exited()) return;
      signals.push({ signal, at: Date.now(), why });
      s.child.kill(signal);
    };
    /** Resolves true once `condition` holds, false if Ground Control exits first. */
    const when = async (condition: () => boolean): Promise<boolean> => {
      for (;;) {
        if (exited()) return false;
        if (condition()) return true;
        await sleep(POLL_MS);
      }
    };

    const n = c.processes.length;
    const faults = c.faults.map(async (fault) => {
      const at = fault.at;
      const name = "process" in at ? `p${at.process % n}` : "";
      const condition =
        at.kind === "pre"
          ? narrated((l) => l === `${name}:pre-started`)
          : at.kind === "ready"
            ? narrated((l) => l === `${name}:run-started`)
            : at.kind === "stop"
              ? narrated((l) => l === `${name}:stop-started` || l.startsWith(`${name}:run-got `))
              : at.kind === "post"
                ? narrated((l) => l === `${name}:post-started`)
                : at.kind === "running"
                  ? startupDone
                  : () => signals.length > 0;
      if (!(await when(condition))) return;
      if (fault.delayMs > 0) await sleep(fault.delayMs);
      send(fault.signal, `${at.kind}${name ? ` of ${name}` : ""} +${fault.delayMs}ms`);
    });
    // Nothing else may end it: daemons that run for ever, a pre that hangs until signalled.
    const hangingPres = c.processes
      .filter((p) => p.pre?.life.kind === "hang" || p.pre?.life.kind === "stubborn")
      .map((p) => `${p.name}:pre-started`);
    const backstop = (async () => {
      const hanging = narrated((l) => hangingPres.includes(l));
      if (!(await when(() => requested() || startupDone() || hanging()))) return;
      if (requested()) return;
      await sleep(c.backstopMs);
      if (!requested()) send("SIGTERM", `backstop ${c.backstopMs}ms`);
    })();

    const finished = await Promise.race([s.finished, sleep(HANG_MS).then(() => undefined)]);
    await Promise.all([...faults, backstop]);
    if (finished === undefined) {
      s.running.kill("SIGKILL");
      await s.finished;
      const survivors = await leftAlive(marker);
      throw new Error(
        `Ground Control did not exit within ${HANG_MS} ms\n--- groundcontrol.toml\n${text}\n` +
          `--- transcript\n${s.transcript()}\n--- stderr\n${s.stderr.slice(-8000)}\n` +
          `--- killed afterwards: ${survivors.map((p) => p.what).join("; ")}`,
      );
    }
    const survivors = await leftAlive(marker);
    return {
      case: c,
      toml: text,
      dir: s.dir,
      startedAt,
      exit: { code: finished.code, signal: finished.signal, at: exitAt },
      signals,
      transcript: s.transcriptLines().map(parseNarration),
      ...parseOutput(finished.stdout, finished.stderr),
      written: readWritten(s.dir),
      lagMs: Math.round(lagMs),
      pids: readPids(s.dir),
      survivors,
      stdout: finished.stdout,
      stderr: finished.stderr,
    };
  } finally {
    clearInterval(probe);
    s.cleanup();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Every live process whose environment carries this case's marker: whatever a command started,
 * pid file or not. Waits up to DYING_MS for them to go; the ones still there are described,
 * then killed so that one failing case does not leak into the next.
 */
async function leftAlive(marker: string): Promise<{ pid: number; what: string }[]> {
  const needle = Buffer.from(`\0GC_LIFECYCLE_CASE=${marker}\0`);
  const deadline = Date.now() + DYING_MS;
  for (;;) {
    const found = marked(needle);
    if (found.length === 0) return [];
    if (Date.now() > deadline) {
      const described = found.map((pid) => ({ pid, what: describeProcess(pid) }));
      for (const pid of found) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      return described;
    }
    await sleep(POLL_MS);
  }
}

function marked(needle: Buffer): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      // The environ file has no leading NUL: prepend one so the first variable matches too.
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      if (!environ.includes(needle)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") continue;
      found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function describeProcess(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return `pid ${pid} (ppid ${fields[1]}, pgid ${fields[2]}, sid ${fields[3]}): ${cmdline}`;
  } catch {
    return `pid ${pid}`;
  }
}

function parseNarration(line: string): Narration {
  const m = /^(\w+):(\w+)-(\S+)(?: (.*))?$/.exec(line);
  if (!m) return { name: "", role: "", event: line, arg: undefined };
  return { name: m[1]!, role: m[2]!, event: m[3]!, arg: m[4] };
}

const TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
const TRACE = new RegExp(`^(${TIME}) groundcontrol:(command|lifecycle) (.*)$`);
const TEXT = new RegExp(`^(?:(${TIME}) )?(\\S+) +\\| (.*)$`);

function parseOutput(
  stdout: string,
  stderr: string,
): Pick<Observation, "trace" | "own" | "relayed" | "unparsed"> {
  const trace: TraceEvent[] = [];
  const own: OwnLog[] = [];
  const relayed: Relayed[] = [];
  const unparsed: string[] = [];
  for (const [dest, text] of [
    ["stdout", stdout],
    ["stderr", stderr],
  ] as const) {
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    else unparsed.push(`${dest} does not end with a newline: ${JSON.stringify(lines.at(-1))}`);
    for (const line of lines) {
      const t = TRACE.exec(line);
      if (t) {
        const event = parseTrace(trace.length, Date.parse(t[1]!), t[2]!, t[3]!);
        if (event) trace.push(event);
        else unparsed.push(line);
        continue;
      }
      if (line.startsWith("{")) {
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line);
        } catch {
          unparsed.push(line);
          continue;
        }
        const time = typeof record.time === "string" ? Date.parse(record.time) : undefined;
        if (typeof record.line === "string") {
          relayed.push({
            dest,
            process: String(record.process),
            phase: String(record.phase),
            stream: String(record.stream),
            line: record.line,
          });
        } else if (typeof record.msg === "string" && dest === "stderr") {
          own.push({ time, msg: record.msg, afterTrace: trace.length });
        } else {
          unparsed.push(line);
        }
        continue;
      }
      const m = TEXT.exec(line);
      if (!m) {
        unparsed.push(line);
        continue;
      }
      const time = m[1] === undefined ? undefined : Date.parse(m[1]);
      const label = m[2]!;
      if (label === "groundcontrol") {
        if (dest === "stderr") own.push({ time, msg: m[3]!, afterTrace: trace.length });
        else unparsed.push(line);
        continue;
      }
      const l = /^(\w+)(?:\[(\w+)\])?$/.exec(label);
      if (!l) {
        unparsed.push(line);
        continue;
      }
      relayed.push({ dest, process: l[1]!, phase: l[2] ?? "run", stream: undefined, line: m[3]! });
    }
  }
  return { trace, own, relayed, unparsed };
}

function parseTrace(
  index: number,
  time: number,
  namespace: string,
  text: string,
): TraceEvent | undefined {
  if (namespace === "lifecycle") {
    const requested = /^shutdown requested: (.*)$/.exec(text);
    if (requested) return { index, time, kind: "requested", reason: requested[1]! };
    const ignored = /^shutdown already under way; ignoring (.*)$/.exec(text);
    if (ignored) return { index, time, kind: "ignored", reason: ignored[1]! };
    return undefined;
  }
  const ended = /^(\w+)\[(\w+)\] pid (\d+|undefined) ended: (.*)$/.exec(text);
  if (ended) {
    const [, process, phase, pid, status] = ended;
    return {
      index,
      time,
      kind: "ended",
      process: process!,
      phase: phase!,
      pid: pidOf(pid!),
      status: status!,
    };
  }
  const spawned = /^(\w+)\[(\w+)\] .*: pid (\d+|\(not started\))$/.exec(text);
  if (spawned) {
    const [, process, phase, pid] = spawned;
    return { index, time, kind: "spawn", process: process!, phase: phase!, pid: pidOf(pid!) };
  }
  return undefined;
}

function pidOf(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function readWritten(dir: string): Map<string, number> {
  const written = new Map<string, number>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".n")) continue;
    const numbers = readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean);
    written.set(file.slice(0, -2), Number(numbers.at(-1) ?? 0));
  }
  return written;
}

function readPids(dir: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".pid")) continue;
    const text = readFileSync(join(dir, file), "utf8");
    if (/^\d+\n$/.test(text)) pids.set(file.slice(0, -4), Number(text));
  }
  return pids;
}

// Reaps zombies of orphans re-parented to this process (as PID 1 or child subreaper) without
// stealing the exit status of children spawned through child_process: libuv waits for those.
import { ChildProcess } from "node:child_process";
import {
  ECHILD,
  EINTR,
  type Libc,
  loadLibc,
  P_ALL,
  PR_SET_CHILD_SUBREAPER,
  readSiginfoPid,
  SIGINFO_SIZE,
  WEXITED,
  WNOHANG,
  WNOWAIT,
} from "./native.js";
import { childrenOf, isAlive, readProcessTable } from "./proc.js";
import { timers } from "./timers.js";

/** One reaped orphan: its exit code, or the number of the signal that killed it. */
export interface ReapEvent {
  pid: number;
  code: number | null;
  signal: number | null;
}

export interface ReaperOptions {
  /** Called for every orphan reaped (not for children spawned through child_process). */
  onReap?: (event: ReapEvent) => void;
}

export interface ReaperStats {
  /** Orphans reaped so far. */
  reaped: number;
  /** Reaping rounds run (one per SIGCHLD, plus retries). */
  rounds: number;
  /** Rounds cut short because one of our own children was first in the kernel's queue. */
  deferrals: number;
}

export interface Reaper {
  /** False when reaping is not possible here; `reason` says why. */
  readonly active: boolean;
  readonly reason?: string;
  /** True when the platform has no such facility (no warning needed), as opposed to a failure. */
  readonly unsupported?: boolean;
  readonly stats: Readonly<ReaperStats>;
  /** Runs one reaping round now; returns how many orphans it reaped. */
  reap(): number;
  /** Stops listening for SIGCHLD. Spawned children stay tracked, so a reaper started later
   * still knows which children are its own. */
  stop(): void;
}

/** The outcome of one pass over the zombies waiting for us. */
export interface RoundResult {
  reaped: number;
  /** An own child is first in line: libuv has yet to wait for it; try again after it has. */
  blocked: boolean;
}

// Reused by every round: rounds run one at a time on the main thread.
const info = Buffer.alloc(SIGINFO_SIZE);
const status = new Int32Array(1);

// Children spawned through child_process and not yet waited for by libuv, by pid.
const own = new Map<number, ChildProcess>();
// The method every async spawn, exec and fork goes through. It is not in Node's documentation
// nor its type definitions, so trackChildProcesses() checks it is still there, and a test
// fails the day Node renames it. Patching it finds the children of a host program that embeds
// us too, which tracking our own spawns alone would miss (and their statuses would be stolen).
type SpawnMethod = (this: ChildProcess, ...args: unknown[]) => unknown;
const prototype = ChildProcess.prototype as unknown as { spawn?: SpawnMethod };
let tracking = false;
let current: ActiveReaper | undefined;

/**
 * Starts reaping orphans on SIGCHLD (Linux only). Start it before spawning anything: only
 * children spawned after it are known to be ours. Calling it again returns the running reaper.
 */
export async function startReaper(options: ReaperOptions = {}): Promise<Reaper> {
  if (current) return current;
  if (process.platform !== "linux") {
    return inactive("zombie reaping needs Linux", true);
  }
  trackChildProcesses();
  const loaded = await loadLibc();
  if (!loaded.ok) return inactive(loaded.reason, loaded.unsupported);
  current ??= new ActiveReaper(loaded.libc, options);
  return current;
}

/** Makes this process a child subreaper (Linux): orphaned descendants are re-parented to it. */
export async function becomeSubreaper(): Promise<boolean> {
  if (process.platform !== "linux") return false;
  const loaded = await loadLibc();
  return loaded.ok && loaded.libc.prctl(PR_SET_CHILD_SUBREAPER, 1) === 0;
}

/**
 * Records every child spawned through child_process until libuv reports its exit. Idempotent.
 * Throws if Node no longer has the method it hooks (see SpawnMethod).
 */
export function trackChildProcesses(): void {
  if (tracking) return;
  const spawn = prototype.spawn;
  if (typeof spawn !== "function") {
    throw new Error("ChildProcess.prototype.spawn is gone: this Node cannot be reaped safely");
  }
  tracking = true;
  prototype.spawn = function trackedSpawn(this: ChildProcess, ...args: unknown[]) {
    const result = spawn.apply(this, args);
    const pid = this.pid;
    if (pid !== undefined) {
      own.set(pid, this);
      this.once("exit", () => {
        if (own.get(pid) === this) own.delete(pid);
      });
    }
    return result;
  };
}

/** Pids of children spawned through child_process that libuv has not yet waited for. */
export function ownChildPids(): number[] {
  return [...own.keys()];
}

/**
 * Live children of this process that it did not spawn: orphans re-parented to it. At shutdown
 * they must be signalled too, or they would outlive Ground Control. Linux only ([] elsewhere).
 */
/**
 * Every process below this one that came to it as an orphan: its children that are not its own
 * (spawned by it), and all their descendants, which would come to it next. From the whole
 * process table, so that a child being re-parented while it is read is not missed.
 */
export function adoptedTree(): number[] {
  if (process.platform !== "linux") return [];
  const below = new Map<number, number[]>();
  for (const [pid, ppid] of readProcessTable().parent) {
    const siblings = below.get(ppid);
    if (siblings) siblings.push(pid);
    else below.set(ppid, [pid]);
  }
  const tree: number[] = [];
  const queue = (below.get(process.pid) ?? []).filter((pid) => !isOwn(pid));
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    tree.push(pid);
    queue.push(...(below.get(pid) ?? []));
  }
  return tree;
}

export function adoptedChildren(): number[] {
  if (process.platform !== "linux") return [];
  return childrenOf(process.pid).filter((pid) => !isOwn(pid) && isAlive(pid));
}

/**
 * One pass: peek at the first zombie child without reaping it (WNOWAIT); reap it if it is an
 * orphan, stop if it is one of ours (libuv will wait for it; the kernel would keep handing it
 * back first, hiding every zombie behind it).
 */
export function reapRound(
  libc: Pick<Libc, "waitid" | "waitpid" | "errno">,
  isOwnChild: (pid: number) => boolean,
  onReap?: (event: ReapEvent) => void,
): RoundResult {
  let reaped = 0;
  for (;;) {
    info.fill(0);
    if (libc.waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT) < 0) {
      if (libc.errno() === EINTR) continue;
      return { reaped, blocked: false }; // ECHILD: no children at all
    }
    const pid = readSiginfoPid(info);
    if (pid === 0) return { reaped, blocked: false };
    if (isOwnChild(pid)) return { reaped, blocked: true };
    const result = libc.waitpid(pid, status, WNOHANG);
    if (result === pid) {
      reaped++;
      onReap?.(decodeStatus(pid, status[0] ?? 0));
    } else if (result === 0 || (result < 0 && libc.errno() !== ECHILD && libc.errno() !== EINTR)) {
      // The kernel just said it was waitable; do not spin on a contradiction.
      return { reaped, blocked: false };
    }
  }
}

/** Splits a wait status into exit code or terminating signal. */
export function decodeStatus(pid: number, status: number): ReapEvent {
  const signal = status & 0x7f;
  return signal === 0
    ? { pid, code: (status >> 8) & 0xff, signal: null }
    : { pid, code: null, signal };
}

// How many retries in a row a blocked round may schedule after one SIGCHLD. libuv waits for its
// children in the same signal dispatch, before setImmediate callbacks run, so one retry is
// normally enough; an own child that died later raises SIGCHLD again, which resets the count.
const MAX_RETRIES = 8;

class ActiveReaper implements Reaper {
  readonly active = true;
  readonly stats: ReaperStats = { reaped: 0, rounds: 0, deferrals: 0 };
  private retries = 0;
  private retry: NodeJS.Immediate | undefined;
  private readonly onSignal = () => {
    this.retries = 0;
    this.reap();
  };

  constructor(
    private readonly libc: Libc,
    private readonly options: ReaperOptions,
  ) {
    trackChildProcesses();
    process.on("SIGCHLD", this.onSignal);
    // Zombies may already be waiting (orphans re-parented before we started).
    this.reap();
  }

  reap(): number {
    this.stats.rounds++;
    const { reaped, blocked } = reapRound(this.libc, (pid) => isOwn(pid), this.options.onReap);
    this.stats.reaped += reaped;
    if (blocked) {
      this.stats.deferrals++;
      if (this.retry === undefined && this.retries < MAX_RETRIES) {
        this.retries++;
        this.retry = timers.setImmediate(() => {
          this.retry = undefined;
          this.reap();
        });
      }
    }
    return reaped;
  }

  stop(): void {
    process.off("SIGCHLD", this.onSignal);
    if (this.retry !== undefined) timers.clearImmediate(this.retry);
    this.retry = undefined;
    if (current === this) current = undefined;
  }
}

function inactive(reason: string, unsupported: boolean): Reaper {
  return {
    active: false,
    reason,
    unsupported,
    stats: { reaped: 0, rounds: 0, deferrals: 0 },
    reap: () => 0,
    stop: () => {},
  };
}

// An own pid whose exit libuv already reported cannot be a zombie of ours any more: the pid was
// reused by an orphan (possible if someone removed our 'exit' listener). Forget it.
function isOwn(pid: number): boolean {
  const child = own.get(pid);
  if (child === undefined) return false;
  if (child.exitCode !== null || child.signalCode !== null) {
    own.delete(pid);
    return false;
  }
  return true;
}

// Runs one OS program in its own process group and hands back a handle: pid, exit, signals.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { Env } from "./env.js";
import type { ExecAsRequest } from "./exec-as.js";
import type { Libc } from "./native.js";
import { findProgram } from "./program.js";
import type { Phase } from "./spec.js";
import { describeStatus, type ExitStatus, spawnFailure } from "./status.js";
import { childStdio, type ParentEnds } from "./stdio.js";
import { timers } from "./timers.js";
import { traceCommand } from "./trace.js";
import type { SwitchMode } from "./user-switch.js";
import type { ResolvedUser } from "./users.js";

/** Everything needed to start one program, already expanded and resolved. */
export interface LaunchPlan {
  file: string;
  args: string[];
  /** The command's whole environment (HOME, USER, LOGNAME already the user's). */
  env: Env;
  cwd?: string;
  /** Set when the command runs as another user than Ground Control, and how to switch. */
  user?: { resolved: ResolvedUser; mode: SwitchMode };
  /**
   * The program as the config wrote it, before {{VAR}} expansion: what messages show, since
   * Ground Control's own messages never carry environment values.
   */
  label?: string;
  /** The cwd as the config wrote it, before {{VAR}} expansion, for the same reason. */
  cwdLabel?: string;
  /** Hand the program the write end of a pipe at this descriptor (readiness `fd`). */
  notifyFd?: number;
  /**
   * Give the program WATCHDOG_PID, its own pid: known only once it runs, so it starts through
   * the exec-as helper, which execs in place and so has the pid the program will have.
   */
  watchdogPid?: boolean;
}

export interface Origin {
  process: string;
  phase: Phase;
  stream: "stdout" | "stderr";
}

/** Where a command's output goes: the relay, in practice. */
export interface OutputSink {
  attach(source: Readable, origin: Origin): Promise<void>;
}

/** What spawning needs from the process that spawns. */
export interface SpawnContext {
  /** The native bridge, for real pipes and the exec-as helper (Node's pipes without it). */
  libc: Libc | undefined;
  /** argv prefix that starts the exec-as helper. */
  helper(): string[];
}

/**
 * How long to keep waiting for a command's output once the command itself has exited. A
 * background grandchild can hold the pipe open for ever; its output still gets relayed, but the
 * lifecycle does not wait for it.
 */
const OUTPUT_GRACE_MS = 250;

export class Command {
  readonly pid: number | undefined;
  /** Resolves once the program has exited (or failed to start). */
  readonly exited: Promise<ExitStatus>;
  /** Resolves once it has exited and its output has been relayed (or the grace ran out). */
  readonly finished: Promise<ExitStatus>;
  /**
   * Resolves once its stdout and stderr reached their end: every writer, its descendants
   * included, has closed them. Never, while a descendant that holds them lives on.
   */
  readonly drained: Promise<void>;
  #hurry: () => void = () => {};
  /** The read end of the readiness pipe, when the plan asked for one. */
  readonly notify: Readable | undefined;
  #status: ExitStatus | undefined;
  /** Signals held back while the exec-as helper (Node, running as root) has not exec'd yet. */
  #held: NodeJS.Signals[] | undefined;

  constructor(
    plan: LaunchPlan,
    processName: string,
    phase: Phase,
    sink: OutputSink,
    spawning: SpawnContext,
  ) {
    const label = plan.label ?? plan.file;
    const who = plan.user && { uid: plan.user.resolved.uid, groups: plan.user.resolved.groups };
    const lookup = findProgram(plan.file, plan.env.PATH, plan.cwd ?? process.cwd(), label, who);
    let child: ChildProcess | undefined;
    let ends: ParentEnds | undefined;
    let failure: ExitStatus | undefined;
    if ("code" in lookup) {
      failure = { kind: "failed", ...lookup };
    } else {
      try {
        const viaHelper = plan.user?.mode === "helper" || plan.watchdogPid === true;
        const stdio = childStdio(spawning.libc, {
          notifyFd: plan.notifyFd,
          control: viaHelper,
          owner: plan.user?.resolved,
        });
        try {
          child = viaHelper
            ? spawnHelper(spawning.helper(), stdio.spawnStdio)
            : spawnDirect(lookup.found, plan, stdio.spawnStdio);
        } finally {
          ends = stdio.afterSpawn(child?.pid === undefined ? undefined : child);
        }
        if (viaHelper && ends.control) {
          this.#held = [];
          sendRequest(ends.control, helperRequest(lookup.found, plan), () => this.#released());
        }
      } catch (error) {
        failure = spawnFailure(error as NodeJS.ErrnoException, label);
      }
    }
    this.pid = child?.pid;
    traceCommand("%s[%s] %s: pid %s", processName, phase, label, this.pid ?? "(not started)");
    this.notify = ends?.notify;

    this.exited = failure
      ? Promise.resolve(failure)
      : new Promise<ExitStatus>((resolve) => {
          child!.once("error", (error: NodeJS.ErrnoException) => {
            // 'error' also fires for a failed kill(); only a failed spawn leaves pid unset.
            if (child!.pid === undefined) resolve(spawnFailure(error, label));
          });
          child!.once("exit", (code, signal) => {
            resolve(signal ? { kind: "signaled", signal } : { kind: "exited", code: code ?? 0 });
          });
        });
    void this.exited.then((status) => {
      this.#status = status;
      this.#held = undefined;
      traceCommand("%s[%s] pid %s ended: %s", processName, phase, this.pid, describeStatus(status));
    });

    this.drained = Promise.all([
      ends?.stdout && sink.attach(ends.stdout, { process: processName, phase, stream: "stdout" }),
      ends?.stderr && sink.attach(ends.stderr, { process: processName, phase, stream: "stderr" }),
    ]).then(() => {});
    const hurried = new Promise<void>((resolve) => {
      this.#hurry = resolve;
    });
    this.finished = this.exited.then(async (status) => {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => {
        timer = timers.setTimeout(resolve, OUTPUT_GRACE_MS);
      });
      await Promise.race([this.drained, grace, hurried]);
      timers.clearTimeout(timer);
      return status;
    });
  }

  /**
   * Ends the wait for output after the exit now (a shutdown deadline has passed): what is
   * still to come is relayed all the same, only nobody waits for it.
   */
  hurry(): void {
    this.#hurry();
  }

  /** True until the program has exited. */
  get running(): boolean {
    return this.pid !== undefined && this.#status === undefined;
  }

  get status(): ExitStatus | undefined {
    return this.#status;
  }

  /** Sends a signal to the whole process group; false when nothing was there to receive it. */
  signalGroup(signal: NodeJS.Signals): boolean {
    if (this.pid === undefined) return false;
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Passes a signal on to the program's process group, as signalGroup does, but holds it back
   * while the exec-as helper has not exec'd yet: the helper is a Node process running as root,
   * and SIGUSR1 would open Node's inspector in it. The held signals follow right after the exec.
   */
  forward(signal: NodeJS.Signals): boolean {
    if (this.#held === undefined) return this.signalGroup(signal);
    if (this.running) this.#held.push(signal);
    return this.running;
  }

  #released(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const signal of held) this.signalGroup(signal);
  }
}

// Its own process group (detached), so a stop reaches every descendant that did not leave it.
const COMMON: SpawnOptions = { detached: true, windowsHide: true };

function spawnDirect(found: string, plan: LaunchPlan, stdio: SpawnOptions["stdio"]): ChildProcess {
  const ids = plan.user?.mode === "spawn" ? plan.user.resolved : undefined;
  return spawn(found, plan.args, {
    ...COMMON,
    argv0: plan.file,
    env: plan.env,
    cwd: plan.cwd,
    uid: ids?.uid,
    gid: ids?.gid,
    stdio,
  });
}

/**
 * The helper starts as root with an empty environment, in Ground Control's own directory (where
 * a command without `cwd` runs): the command's environment, and its `cwd` if it has one, only
 * come into play after it has become the user.
 */
function spawnHelper(helper: string[], stdio: SpawnOptions["stdio"]): ChildProcess {
  const [file, ...args] = helper;
  if (file === undefined) throw new Error("the exec-as helper's argv is empty");
  return spawn(file, args, { ...COMMON, env: {}, stdio });
}

function helperRequest(found: string, plan: LaunchPlan): ExecAsRequest {
  const request: ExecAsRequest = {
    path: found,
    argv: [plan.file, ...plan.args],
    env: Object.entries(plan.env).map(([key, value]) => `${key}=${value}`),
    // What its messages may name: the program and cwd as written, never with values filled in.
    label: plan.label ?? plan.file,
  };
  if (plan.user) {
    // Node's spawn switch ("spawn" mode) would give exactly these groups: the primary alone.
    const { uid, gid, groups } = plan.user.resolved;
    Object.assign(request, { uid, gid, groups });
  }
  if (plan.cwd !== undefined) {
    request.cwd = plan.cwd;
    request.cwdLabel = plan.cwdLabel ?? plan.cwd;
  }
  if (plan.notifyFd !== undefined) request.keepFd = plan.notifyFd;
  if (plan.watchdogPid) request.watchdogPid = true;
  return request;
}

/** Writes the request and half-closes; `execd` runs once the helper's end is closed. */
function sendRequest(
  control: NonNullable<ParentEnds["control"]>,
  request: ExecAsRequest,
  execd: () => void,
): void {
  control.on("error", () => {}); // a helper that died early: its exit says why
  control.once("close", execd);
  control.resume(); // read (and drop) until its end closes
  control.end(JSON.stringify(request));
}

// The orchestrator: starts processes in order, waits for a reason to stop, stops them in reverse.
import { EventEmitter } from "node:events";
import { onExit } from "signal-exit";
import { shouldColor } from "./colors.js";
import type { OutputSink, SpawnContext } from "./command.js";
import { ShutdownClock } from "./deadline.js";
import { describeReason } from "./describe.js";
import { closeInheritedDescriptors } from "./descriptors.js";
import { baseEnvironment, type Env } from "./env.js";
import { HookError, messageOf, StartupError, StartupInterrupted } from "./errors.js";
import type {
  HookName,
  Hooks,
  ShutdownReason,
  SupervisorEvents,
  SupervisorResult,
} from "./events.js";
import { defaultExecAsHelper } from "./exec-as.js";
import { LeftoverRecord } from "./leftovers.js";
import type { Logger } from "./log.js";
import { loadLibc } from "./native.js";
import type { Pausable } from "./outlet.js";
import { OutputRelay } from "./output.js";
import { ManagedProcess, type ProcessContext, type ProcessStatus } from "./process.js";
import { DEFAULTS, type Spec } from "./spec.js";
import { exitCodeOf } from "./status.js";
import { sweepGroups } from "./sweep.js";
import { timers } from "./timers.js";
import { traceLifecycle } from "./trace.js";
import { resolveUser, type UserFiles } from "./users.js";

/** Where the supervisor sends its processes' output and its own messages. */
export interface Output extends OutputSink {
  log: Logger;
  onLine(process: string, listener: (line: string) => void): () => void;
  /** Resolves once everything written so far has been taken by its destinations. */
  flush(): Promise<void>;
  /** Bytes written but not yet taken, when it can tell (the final flush watches them). */
  stats?(): { pendingBytes: number };
  /**
   * Pauses `source` while a destination is full and resumes it after, as command output is:
   * for sources of our own messages (a notify socket's STATUS=). Returns the release.
   */
  hold?(source: Pausable): () => void;
}

/** How often a supervisor with a state directory rewrites its record, as a sign of life. */
const LEFTOVER_HEARTBEAT_MS = 2_000;

/** How long the final flush waits on destinations that take nothing at all. */
const FLUSH_STALL_MS = 5_000;
/**
 * How long the final drain waits on pipes that bring nothing while the relay holds nothing: a
 * killed writer's last bytes are already there to read, so only a live holder keeps it waiting.
 */
const QUIET_MS = 100;

export interface SupervisorOptions {
  /** Awaited at the lifecycle steps of the same name. */
  hooks?: Hooks;
  /** Output relay; by default one that writes to process.stdout and process.stderr. */
  output?: Output;
  /** The environment commands inherit (default: process.env when the supervisor is built). */
  env?: NodeJS.ProcessEnv;
  /** Where `user` names are looked up (default: /etc/passwd and /etc/group). */
  userFiles?: UserFiles;
  /**
   * The argv that starts the exec-as helper, which runs a command as a user with supplementary
   * groups (default: this Node running core's dist/exec-as-main.js).
   */
  execAsHelper?: string[];
  /** Kill every process group if the host process exits without stopping us (default true). */
  killOnHostExit?: boolean;
  /**
   * A directory where the supervisor keeps a record of the process groups it started, so that
   * the next one started with the same directory kills what a predecessor killed outright
   * (SIGKILL, the OOM killer) left behind, before it starts anything. Off by default.
   */
  stateDir?: string;
}

export interface StartOptions {
  /**
   * Start the processes up to and including this one, and no other (the rest stay `waiting`);
   * the supervisor runs and stops as usual with those. Break glass's `start-through`.
   */
  through?: string;
}

export type State = "idle" | "starting" | "running" | "stopping" | "stopped";

/** The whole supervisor at one moment (see `status()`). */
export interface SupervisorStatus {
  state: State;
  /** When start() was first called (epoch ms), or null before. */
  startedAt: number | null;
  /** Startup completed, and no process is unhealthy, restarting or starting again. */
  ready: boolean;
  processes: ProcessStatus[];
}

/** A listener of event `K`. */
type Listener<K extends keyof SupervisorEvents> = (...args: SupervisorEvents[K]) => void;

export class Supervisor extends EventEmitter {
  readonly #spec: Spec;
  readonly #hooks: Hooks;
  readonly #output: Output;
  readonly #processes: ManagedProcess[];
  readonly #spawning: SpawnContext;
  readonly #abortStartup = new AbortController();
  #state: State = "idle";
  #startedAt: number | null = null;
  #reason: ShutdownReason | undefined;
  #reasonArrived: () => void = () => {};
  readonly #reasonPromise: Promise<void>;
  #clock: ShutdownClock | undefined;
  #lifecycle: Promise<SupervisorResult> | undefined;
  #startupOutcome: Promise<void> | undefined;
  readonly #killOnHostExit: boolean;
  readonly #stateDir: string | undefined;
  /** The last process to start (start({ through })), or undefined for all of them. */
  #through: string | undefined;

  constructor(spec: Spec, options: SupervisorOptions = {}) {
    super();
    checkNames(spec);
    this.#spec = spec;
    this.#killOnHostExit = options.killOnHostExit ?? true;
    this.#stateDir = options.stateDir;
    this.#hooks = options.hooks ?? {};
    this.#output = options.output ?? defaultOutput(spec, options.env ?? process.env);
    this.#reasonPromise = new Promise((resolve) => {
      this.#reasonArrived = resolve;
    });
    const helper = options.execAsHelper;
    this.#spawning = { libc: undefined, helper: () => helper ?? defaultExecAsHelper() };
    const context: ProcessContext = {
      base: baseEnvironment(options.env ?? process.env, spec.env),
      output: this.#output,
      spawning: this.#spawning,
      resolveUser: (user) => resolveUser(user, options.userFiles),
      emit: (event, ...args) => this.#notify(event, ...args),
      step: (name, event) => this.#step(name, event),
      beforeRestart: this.#hooks.beforeRestart,
    };
    this.#processes = spec.processes.map((p) => new ManagedProcess(p, context));
    // A process that ends for good (its run exited, or it was unhealthy, and no restart is
    // left) is a reason to shut down.
    for (const proc of this.#processes) {
      void proc.ended.then((end) => this.#requestShutdown(end));
    }
  }

  // Typed here rather than through EventEmitter's type parameter, whose checking depends on the
  // version of @types/node: a misspelled event name must not compile, with any of them.
  override on<K extends keyof SupervisorEvents>(event: K, listener: Listener<K>): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override once<K extends keyof SupervisorEvents>(event: K, listener: Listener<K>): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  override off<K extends keyof SupervisorEvents>(event: K, listener: Listener<K>): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  override emit<K extends keyof SupervisorEvents>(event: K, ...args: SupervisorEvents[K]): boolean {
    return super.emit(event, ...args);
  }

  get state(): State {
    return this.#state;
  }

  /**
   * What every process looks like right now, and whether the whole is ready: startup complete,
   * nothing unhealthy or restarting (what `groundcontrol status --ready` answers).
   */
  status(): SupervisorStatus {
    const processes = this.#processes.map((proc) => proc.status());
    const troubled = processes.some((p) =>
      ["restarting", "unhealthy", "starting"].includes(p.state),
    );
    return {
      state: this.#state,
      startedAt: this.#startedAt,
      ready: this.#state === "running" && !troubled,
      processes,
    };
  }

  /**
   * Reads what is left in every command's stdout and stderr and writes it out: what a command
   * (or a descendant of one) wrote before it was killed must not be lost. Waits until each pipe
   * has reached its end, but never past the shutdown deadline or a forced stop, nor longer
   * than it takes to see that nothing more is coming: nothing held back and nothing new for
   * a moment (a live descendant holds a pipe open and says nothing), or a destination that
   * took nothing for five seconds (a reader that stopped reading). The supervisor does this
   * after its final sweep; a host that ends more descendants afterwards (the CLI's orphans)
   * calls it again.
   */
  async drainOutput(): Promise<void> {
    const commands = this.#processes.flatMap((proc) => [...proc.commands]);
    const drained = Promise.all(commands.map((command) => command.drained)).then(() => {});
    await this.#shutdownClock().untilDeadline(outputDone(this.#output, drained), {
      orForce: true,
    });
  }

  /**
   * When the shutdown under way must be over (epoch ms, from `shutdownTimeoutMs`); undefined
   * before a shutdown began or when there is no shutdown-timeout.
   */
  get shutdownDeadline(): number | undefined {
    const deadline = this.#clock?.deadline;
    return deadline === undefined || deadline === Number.POSITIVE_INFINITY ? undefined : deadline;
  }

  /**
   * Resolves when every process (or every one through `options.through`) has started; rejects
   * with a StartupError after cleaning up. Called again, returns the first call's promise.
   */
  start(options: StartOptions = {}): Promise<void> {
    if (!this.#lifecycle) {
      const through = options.through;
      if (through !== undefined && !this.#processes.some((proc) => proc.name === through)) {
        throw new TypeError(`start({ through }): no process is named "${through}"`);
      }
      this.#through = through;
      this.#startedAt = timers.now();
      let startupDone: () => void = () => {};
      let startupFailed: (error: StartupError) => void = () => {};
      this.#startupOutcome = new Promise<void>((resolve, reject) => {
        startupDone = resolve;
        startupFailed = reject;
      });
      this.#lifecycle = this.#run(startupDone, startupFailed);
    }
    return this.#startupOutcome!;
  }

  /** Resolves after shutdown, with why it happened and the exit code to report. */
  wait(): Promise<SupervisorResult> {
    if (!this.#lifecycle) {
      this.start().catch(() => {});
    }
    return this.#lifecycle!;
  }

  /**
   * Graceful shutdown. With `force` (a second termination signal), every stop wait still to
   * come is cut short: process groups are SIGKILLed, `post` commands still run.
   */
  stop(options: { signal?: NodeJS.Signals; force?: boolean } = {}): Promise<SupervisorResult> {
    this.#requestShutdown(
      options.signal ? { kind: "stop", signal: options.signal } : { kind: "stop" },
    );
    if (options.force) this.#shutdownClock().force();
    return this.wait();
  }

  /**
   * Passes a signal on to the process group of every running `run` command whose
   * `forwardSignals` lists it. Returns the names of the processes it went to.
   */
  signal(signal: NodeJS.Signals): string[] {
    return this.#processes.filter((proc) => proc.forward(signal)).map((proc) => proc.name);
  }

  async #run(
    startupDone: () => void,
    startupFailed: (e: StartupError) => void,
  ): Promise<SupervisorResult> {
    // Embedded in someone's Node service: if that process dies (an unhandled signal, an uncaught
    // exception, process.exit) before we stopped, take our process groups down with it; with
    // nothing left, the record of them goes too.
    let record: { stop(): void } | undefined;
    const removeExitHook = this.#killOnHostExit
      ? onExit(() => {
          this.#sweep();
          for (const proc of this.#processes) proc.closeNotify();
          record?.stop();
        })
      : () => {};

    // 0. The native bridge, before the first spawn: real pipes for stdout and stderr, the
    // exec-as helper, descriptors kept from the commands. Without it commands still run, with
    // Node's own pipes.
    this.#state = "starting";
    const native = await loadLibc();
    if (native.ok) {
      this.#spawning.libc = native.libc;
      // No command may inherit a descriptor this process was given (SPEC §2).
      closeInheritedDescriptors(native.libc);
    } else if (!native.unsupported) {
      this.#output.log(
        "warn",
        `no native bridge (${native.reason}): commands cannot open /dev/stdout or /dev/stderr, ` +
          "and cannot run as a user with supplementary groups",
      );
    }

    record = this.#stateDir === undefined ? undefined : this.#takeOver(this.#stateDir);

    // 1. Start in order, until one fails or a reason to shut down arrives.
    const started: ManagedProcess[] = [];
    let failed: ManagedProcess | undefined;
    let current: ManagedProcess | undefined;
    for (const proc of this.#startable()) {
      if (this.#reason) break;
      current = proc;
      try {
        await proc.start({
          signal: this.#abortStartup.signal,
          clock: () => this.#shutdownClock(),
        });
        started.push(proc);
      } catch (error) {
        if (proc.spawned) started.push(proc);
        if (!(error instanceof StartupInterrupted)) {
          failed = proc;
          // Errors of commands, gates and hooks carry their phase.
          const phase = (error as { phase?: StartupError["phase"] }).phase ?? "run";
          const startupError = new StartupError(proc.name, phase, asError(error));
          this.#output.log("error", startupError.message, { process: proc.name });
          this.#requestShutdown({ kind: "startup-failed", error: startupError });
        }
        break;
      }
    }
    let completed = !this.#reason;
    if (completed) {
      this.#state = "running";
      const count = started.length === 1 ? "1 process" : `all ${started.length} processes`;
      this.#output.log("info", `started: ${count} ready`);
      // start() resolves once the supervisor:running listeners and hook are through: one that
      // throws is a failed startup like any other, with nothing to name but the hook.
      try {
        this.#emitStep("supervisor:running", undefined);
        await this.#hooks["supervisor:running"]?.();
      } catch (error) {
        completed = false;
        const cause =
          error instanceof HookError
            ? error
            : new HookError("supervisor:running", undefined, { cause: error });
        const startupError = new StartupError("", "hook", cause);
        this.#output.log("error", startupError.message);
        this.#requestShutdown({ kind: "startup-failed", error: startupError });
      }
      if (completed) startupDone();
    }

    // 2. Wait for the first reason to shut down.
    await this.#reasonPromise;
    const reason = this.#reason!;

    // 3. Stop everything that started, in reverse order.
    this.#state = "stopping";
    this.#notify("supervisor:stopping", { reason });
    this.#output.log("info", `shutting down: ${describeReason(reason)}`);
    const clock = this.#shutdownClock();
    for (const proc of started.reverse()) {
      // The process that failed startup does not run its own `post`.
      await proc.shutdown(clock, { post: proc !== failed });
    }

    // 4. Nothing survives: kill whatever is left in the process groups we created, and remove
    // every notify socket (those of processes whose startup failed before they could stop).
    this.#sweep();
    for (const proc of this.#processes) proc.closeNotify();
    removeExitHook();
    record?.stop();
    const result: SupervisorResult = { reason, exitCode: exitCodeFor(reason) };
    this.#output.log("info", `all processes stopped; exit code ${result.exitCode}`);
    // What the commands wrote before the sweep ended them is still in their pipes: read it
    // and write it out, bounded like everything else in the shutdown.
    await this.drainOutput();
    this.#state = "stopped";
    this.#notify("supervisor:stopped", { result });
    if (!completed) {
      startupFailed(
        reason.kind === "startup-failed"
          ? reason.error
          : new StartupError(current?.name ?? "", "run", interruptedBy(reason)),
      );
    }
    return result;
  }

  /**
   * Kills what a dead predecessor left in `dir`, then keeps this supervisor's own record there:
   * each group as it is made, and a sign of life every few seconds.
   */
  #takeOver(dir: string): { stop(): void } | undefined {
    let record: LeftoverRecord;
    try {
      record = new LeftoverRecord(dir);
      const { killed, busy } = record.sweep();
      if (busy) {
        this.#output.log(
          "warn",
          `${dir} is the state directory of a supervisor still running; not using it`,
        );
        return undefined;
      }
      for (const { pid, process } of killed) {
        this.#output.log(
          "warn",
          `killed pid ${pid}, left behind by the last supervisor's process "${process}"`,
          { process },
        );
      }
      record.touch();
    } catch (error) {
      this.#output.log("warn", `cannot keep a record in ${dir}: ${messageOf(error)}`);
      return undefined;
    }
    const onStarted = ({ process, pid }: { process: string; pid: number }) =>
      record.add(pid, process);
    this.on("command:started", onStarted);
    const heartbeat = timers.setInterval(() => record.touch(), LEFTOVER_HEARTBEAT_MS);
    heartbeat.unref();
    return {
      stop: () => {
        this.off("command:started", onStarted);
        timers.clearInterval(heartbeat);
        record.remove();
      },
    };
  }

  /**
   * A startup step's event: a listener that throws fails the startup, as a hook that throws
   * does, named as such.
   */
  #emitStep(name: HookName | "supervisor:running", event: { process: string } | undefined): void {
    try {
      if (event === undefined) this.emit("supervisor:running");
      else this.emit(name as "process:starting", event);
    } catch (error) {
      throw new HookError(name, event?.process, { cause: error, listener: true });
    }
  }

  /**
   * Any other event: a listener that throws is logged and the supervisor goes on. It often runs
   * in a child's exit callback, where a throw would end the host with an uncaught exception and
   * leave the shutdown half done.
   */
  #notify<K extends keyof SupervisorEvents>(event: K, ...args: SupervisorEvents[K]): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      const process = (args[0] as { process?: string } | undefined)?.process;
      this.#output.log(
        "error",
        `a ${event} listener threw: ${messageOf(error)}`,
        process === undefined ? undefined : { process },
      );
    }
  }

  /** The processes this start starts: all, or those up to and including `through`. */
  #startable(): ManagedProcess[] {
    const last = this.#processes.findIndex((proc) => proc.name === this.#through);
    return last < 0 ? this.#processes : this.#processes.slice(0, last + 1);
  }

  #requestShutdown(reason: ShutdownReason): void {
    if (this.#reason) {
      traceLifecycle("shutdown already under way; ignoring %s", reason.kind);
      return;
    }
    traceLifecycle("shutdown requested: %s", describeReason(reason));
    this.#reason = reason;
    // The deadline runs from the request, so a `pre` interrupted by it is bounded by it too.
    this.#shutdownClock();
    this.#abortStartup.abort();
    this.#reasonArrived();
  }

  #shutdownClock(): ShutdownClock {
    this.#clock ??= new ShutdownClock(this.#spec.shutdownTimeoutMs);
    return this.#clock;
  }

  /**
   * Emits the event, then awaits the hook of the same name. A failing startup hook fails
   * startup; a failing shutdown hook is logged, since the shutdown must go on regardless.
   */
  async #step(name: HookName, event: { process: string }): Promise<void> {
    const hook = this.#hooks[name] as
      | ((e: { process: string }) => void | Promise<void>)
      | undefined;
    if (name !== "process:stopping" && name !== "process:stopped") {
      this.#emitStep(name, event);
      try {
        return await hook?.(event);
      } catch (error) {
        throw new HookError(name, event.process, { cause: error });
      }
    }
    this.#notify(name, event);
    try {
      await hook?.(event);
    } catch (error) {
      this.#output.log("error", `${name} hook failed: ${messageOf(error)}`, {
        process: event.process,
      });
    }
  }

  #sweep(): void {
    sweepGroups(
      this.#processes
        .flatMap((proc) => [...proc.commands])
        .filter((command) => command.pid !== undefined)
        .map((command) => ({ pgid: command.pid!, leaderRunning: command.running })),
    );
  }
}

function defaultOutput(spec: Spec, env: NodeJS.ProcessEnv): Output {
  return new OutputRelay({
    format: spec.logFormat ?? DEFAULTS.logFormat,
    timestamps: !(spec.suppressTimestamps ?? DEFAULTS.suppressTimestamps),
    color: shouldColor(process.stdout, env),
    names: spec.processes.map((p) => p.name),
    stdout: process.stdout,
    stderr: process.stderr,
  });
}

/** Process names are how everything refers to a process: each one given, and once. */
function checkNames(spec: Spec): void {
  const seen = new Map<string, number>();
  spec.processes.forEach((proc, index) => {
    if (typeof proc.name !== "string" || proc.name === "") {
      throw new TypeError(`processes[${index}] has no name: every process needs one`);
    }
    const first = seen.get(proc.name);
    if (first !== undefined) {
      throw new TypeError(
        `duplicate process name "${proc.name}" (processes[${first}] and processes[${index}])`,
      );
    }
    seen.set(proc.name, index);
  });
}

/**
 * Resolves once `drained` has and `output` is flushed, or once nothing more is to be expected:
 * nothing held by the relay for QUIET_MS, or destinations that took nothing for FLUSH_STALL_MS.
 */
async function outputDone(output: Output, drained: Promise<void>): Promise<void> {
  const done = drained.then(() => output.flush());
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<void>((resolve) => {
    const pending = () => output.stats?.().pendingBytes ?? 0;
    let last = pending();
    let takenAt = timers.now();
    let quietSince = last === 0 ? timers.now() : undefined;
    timer = timers.setInterval(() => {
      const now = pending();
      if (now < last) takenAt = timers.now();
      if (now !== 0) quietSince = undefined;
      else quietSince ??= timers.now();
      last = now;
      const quiet = quietSince !== undefined && timers.now() - quietSince >= QUIET_MS;
      if (quiet || timers.now() - takenAt >= FLUSH_STALL_MS) resolve();
    }, 25);
  });
  try {
    await Promise.race([done, givenUp]);
  } finally {
    timers.clearInterval(timer);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** SPEC §4: the failing command's own status; 1 for a failed health check or setup. */
function exitCodeFor(reason: ShutdownReason): number {
  switch (reason.kind) {
    case "stop":
      return 0;
    case "exit":
      return exitCodeOf(reason.status);
    case "unhealthy":
      return 1;
    case "restarts-exhausted":
      return "status" in reason.last ? exitCodeOf(reason.last.status) : 1;
    case "startup-failed":
      return reason.error instanceof StartupError ? reason.error.exitCode : 1;
  }
}

function interruptedBy(reason: ShutdownReason): Error {
  return new Error(`startup interrupted: ${describeReason(reason)}`);
}

export type { Env };

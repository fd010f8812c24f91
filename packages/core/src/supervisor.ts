// The orchestrator: starts processes in order, waits for a reason to stop, stops them in reverse.
import { EventEmitter } from "node:events";
import { onExit } from "signal-exit";
import { shouldColor } from "./colors.js";
import type { Command, OutputSink } from "./command.js";
import { ShutdownClock } from "./deadline.js";
import { baseEnvironment, type Env } from "./env.js";
import { messageOf, StartupError } from "./errors.js";
import type {
  HookName,
  Hooks,
  ShutdownReason,
  SupervisorEvents,
  SupervisorResult,
} from "./events.js";
import { OutputRelay } from "./output.js";
import type { UserLauncher } from "./prepare.js";
import { type Logger, ManagedProcess, type ProcessContext, StartupInterrupted } from "./process.js";
import { DEFAULTS, type Spec } from "./spec.js";
import { describeStatus, exitCodeOf } from "./status.js";
import { sweepGroups } from "./sweep.js";
import { traceLifecycle } from "./trace.js";
import { createUserLauncher } from "./user-switch.js";

/** Where the supervisor sends its processes' output and its own messages. */
export interface Output extends OutputSink {
  log: Logger;
  onLine(process: string, listener: (line: string) => void): () => void;
  flush(): Promise<void>;
}

export interface SupervisorOptions {
  /** Awaited at the lifecycle steps of the same name. */
  hooks?: Hooks;
  /** Output relay; by default one that writes to process.stdout and process.stderr. */
  output?: Output;
  /** The environment commands inherit (default: process.env when the supervisor is built). */
  env?: NodeJS.ProcessEnv;
  /** How a command is made to run as another user. */
  launchAs?: UserLauncher;
  /** Kill every process group if the host process exits without stopping us (default true). */
  killOnHostExit?: boolean;
}

type State = "idle" | "starting" | "running" | "stopping" | "stopped";

export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #spec: Spec;
  readonly #hooks: Hooks;
  readonly #output: Output;
  readonly #processes: ManagedProcess[];
  readonly #commands = new Set<Command>();
  readonly #abortStartup = new AbortController();
  #state: State = "idle";
  #reason: ShutdownReason | undefined;
  #reasonArrived: () => void = () => {};
  readonly #reasonPromise: Promise<void>;
  #clock: ShutdownClock | undefined;
  #lifecycle: Promise<SupervisorResult> | undefined;
  #startupOutcome: Promise<void> | undefined;
  readonly #killOnHostExit: boolean;

  constructor(spec: Spec, options: SupervisorOptions = {}) {
    super();
    this.#spec = spec;
    this.#killOnHostExit = options.killOnHostExit ?? true;
    this.#hooks = options.hooks ?? {};
    this.#output = options.output ?? defaultOutput(spec, options.env ?? process.env);
    this.#reasonPromise = new Promise((resolve) => {
      this.#reasonArrived = resolve;
    });
    const context: ProcessContext = {
      base: baseEnvironment(options.env ?? process.env, spec.env),
      sink: this.#output,
      launchAs: options.launchAs ?? createUserLauncher(),
      log: (level, msg, fields) => this.#output.log(level, msg, fields),
      emit: (event, ...args) =>
        (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      step: (name, event) => this.#step(name, event),
      track: (command) => this.#commands.add(command),
      shutdownClock: () => this.#shutdownClock(),
      runExited: (proc, status) =>
        this.#requestShutdown({ kind: "exit", process: proc.name, status }),
      onLine: (name, listener) => this.#output.onLine(name, listener),
    };
    this.#processes = spec.processes.map((p) => new ManagedProcess(p, context));
  }

  get state(): State {
    return this.#state;
  }

  /** Resolves when every process has started; rejects with a StartupError after cleaning up. */
  start(): Promise<void> {
    if (!this.#lifecycle) {
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

  /** Forwards a signal to the process group of every running `run` command. */
  signal(signal: NodeJS.Signals): void {
    for (const proc of this.#processes) proc.signal(signal);
  }

  async #run(
    startupDone: () => void,
    startupFailed: (e: StartupError) => void,
  ): Promise<SupervisorResult> {
    // Embedded in someone's Node service: if that process dies (an unhandled signal, an uncaught
    // exception, process.exit) before we stopped, take our process groups down with it.
    const removeExitHook = this.#killOnHostExit ? onExit(() => this.#sweep()) : () => {};

    // 1. Start in order, until one fails or a reason to shut down arrives.
    this.#state = "starting";
    const started: ManagedProcess[] = [];
    let failed: ManagedProcess | undefined;
    let current: ManagedProcess | undefined;
    for (const proc of this.#processes) {
      if (this.#reason) break;
      current = proc;
      try {
        await proc.start(this.#abortStartup.signal);
        started.push(proc);
      } catch (error) {
        if (proc.spawned) started.push(proc);
        if (!(error instanceof StartupInterrupted)) {
          failed = proc;
          // Errors of commands and gates carry their phase; a failing hook does not.
          const phase = (error as { phase?: StartupError["phase"] }).phase ?? "run";
          const startupError = new StartupError(proc.name, phase, error);
          this.#output.log("error", startupError.message, { process: proc.name });
          this.#requestShutdown({ kind: "startup-failed", error: startupError });
        }
        break;
      }
    }
    const completed = !this.#reason;
    if (completed) {
      this.#state = "running";
      startupDone();
      this.emit("supervisor:running");
      try {
        await this.#hooks["supervisor:running"]?.();
      } catch (error) {
        this.#output.log("error", `supervisor:running hook failed: ${messageOf(error)}`);
        this.#requestShutdown({ kind: "startup-failed", error: asError(error) });
      }
    }

    // 2. Wait for the first reason to shut down.
    await this.#reasonPromise;
    const reason = this.#reason!;

    // 3. Stop everything that started, in reverse order.
    this.#state = "stopping";
    this.emit("supervisor:stopping", { reason });
    this.#output.log("info", `shutting down: ${describeReason(reason)}`);
    const clock = this.#shutdownClock();
    for (const proc of started.reverse()) {
      // The process that failed startup does not run its own `post`.
      await proc.shutdown(clock, { post: proc !== failed });
    }

    // 4. Nothing survives: kill whatever is left in the process groups we created.
    this.#sweep();
    removeExitHook();
    const result: SupervisorResult = { reason, exitCode: exitCodeFor(reason) };
    this.#output.log("info", `all processes stopped; exit code ${result.exitCode}`);
    await this.#output.flush();
    this.#state = "stopped";
    this.emit("supervisor:stopped", { result });
    if (!completed) {
      startupFailed(
        reason.kind === "startup-failed"
          ? (reason.error as StartupError)
          : new StartupError(current?.name ?? "", "run", interruptedBy(reason)),
      );
    }
    return result;
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
    this.emit(name as "process:starting", event);
    const hook = this.#hooks[name] as
      | ((e: { process: string }) => void | Promise<void>)
      | undefined;
    if (!hook) return;
    if (name !== "process:stopping" && name !== "process:stopped") return hook(event);
    try {
      await hook(event);
    } catch (error) {
      this.#output.log("error", `${name} hook failed: ${messageOf(error)}`, {
        process: event.process,
      });
    }
  }

  #sweep(): void {
    sweepGroups(
      [...this.#commands]
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function exitCodeFor(reason: ShutdownReason): number {
  switch (reason.kind) {
    case "stop":
      return 0;
    case "exit":
      return exitCodeOf(reason.status);
    case "startup-failed":
      return reason.error instanceof StartupError ? reason.error.exitCode : 1;
  }
}

function describeReason(reason: ShutdownReason): string {
  switch (reason.kind) {
    case "stop":
      return reason.signal ? `received ${reason.signal}` : "stop requested";
    case "exit":
      return `process "${reason.process}" exited (${describeStatus(reason.status)})`;
    case "startup-failed":
      return "startup failed";
  }
}

function interruptedBy(reason: ShutdownReason): Error {
  return new Error(`startup interrupted: ${describeReason(reason)}`);
}

export type { Env };

// One configured process: its pre, run, stop and post commands, started and stopped in order.
import { Command, type OutputSink, type SpawnContext } from "./command.js";
import type { ShutdownClock, StopWindow } from "./deadline.js";
import { describeCheck } from "./describe.js";
import type { Env } from "./env.js";
import { CommandFailedError, messageOf, RunExitedError, StartupInterrupted } from "./errors.js";
import type { HookName, ProcessEvent, SupervisorEvents } from "./events.js";
import type { Logger } from "./log.js";
import { prepareCommand } from "./prepare.js";
import { waitReady } from "./ready.js";
import type { ReadyTarget } from "./ready-context.js";
import { type CommandSpec, DEFAULTS, type Phase, type ProcessSpec } from "./spec.js";
import { describeStatus, type ExitStatus, isSuccess } from "./status.js";
import type { ResolvedUser } from "./users.js";

/** Emits one of the Supervisor's events. */
export type Emit = <K extends keyof SupervisorEvents>(
  event: K,
  ...args: SupervisorEvents[K]
) => void;

/** What a process needs from the supervisor that owns it. */
export interface ProcessContext {
  base: Env;
  output: OutputSink & {
    log: Logger;
    onLine(process: string, listener: (line: string) => void): () => void;
  };
  spawning: SpawnContext;
  resolveUser(spec: string): ResolvedUser;
  emit: Emit;
  /** Emits the event, then awaits the hook of the same name. */
  step(name: HookName, event: ProcessEvent): Promise<void>;
}

/** How a startup is told that a shutdown began, and the clock of that shutdown. */
export interface StartControl {
  signal: AbortSignal;
  clock(): ShutdownClock;
}

export class ManagedProcess {
  /** Every command started, so that what is left of their process groups can be swept. */
  readonly commands = new Set<Command>();
  /**
   * Resolves with the status of `run` when it exits once its readiness gate is open: from then
   * on an exit is a reason to shut down. (Before that, the exit fails startup instead.)
   */
  readonly exit: Promise<ExitStatus>;
  #exitSeen: (status: ExitStatus) => void = () => {};
  #run: Command | undefined;
  #runExit: Promise<ExitStatus> | undefined;
  #gateOpen = false;

  constructor(
    readonly spec: ProcessSpec,
    private readonly ctx: ProcessContext,
  ) {
    this.exit = new Promise((resolve) => {
      this.#exitSeen = resolve;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get stopTimeoutMs(): number {
    return this.spec.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs;
  }

  /** True once its `run` was spawned: from then on it needs stopping. */
  get spawned(): boolean {
    return this.#run !== undefined;
  }

  get runPid(): number | undefined {
    return this.#run?.running ? this.#run.pid : undefined;
  }

  /**
   * pre, then run, then the readiness gate. Throws what made startup fail; throws
   * StartupInterrupted when `control.signal` fired (a shutdown began elsewhere).
   */
  async start(control: StartControl): Promise<void> {
    const event = { process: this.name };
    await this.ctx.step("process:starting", event);
    if (this.spec.pre) {
      const status = await this.#oneShot("pre", this.spec.pre, control);
      if (!isSuccess(status)) throw new CommandFailedError(this.name, "pre", status);
    }
    if (control.signal.aborted) throw new StartupInterrupted();
    if (this.spec.run) {
      const check = this.spec.ready?.check;
      const run = this.#spawn("run", this.spec.run, check?.kind === "fd" ? check.fd : undefined);
      this.#run = run;
      this.#gateOpen = !this.spec.ready;
      this.#runExit = run.finished.then((status) => {
        this.#exited("run", run, status);
        if (this.#gateOpen) this.#exitSeen(status);
        return status;
      });
      if (this.spec.ready) {
        await waitReady(this.spec.ready, this.#readyTarget(run), control.signal);
        if (run.status) throw new RunExitedError(this.name, run.status);
        this.#gateOpen = true;
        this.ctx.output.log(
          "info",
          `process "${this.name}" is ready (${describeCheck(this.spec.ready.check)})`,
          { process: this.name },
        );
        await this.ctx.step("process:ready", event);
      }
    }
    await this.ctx.step("process:started", event);
  }

  /**
   * Stops `run` if it is still alive (stop, wait, SIGKILL, all within one stop-timeout), then
   * runs `post` unless the shutdown deadline has passed.
   */
  async shutdown(clock: ShutdownClock, options: { post: boolean }): Promise<void> {
    const event = { process: this.name };
    await this.ctx.step("process:stopping", event);
    const run = this.#run;
    if (run?.running) {
      const window = clock.stopWindow(this.stopTimeoutMs);
      await this.#requestStop(run, window);
      const outcome = await window.within(this.#runExit!);
      if (!outcome.done) {
        const why = clock.forced ? "stop cut short" : "did not stop in time";
        this.#log("warn", `process "${this.name}" ${why}; sending SIGKILL`);
        run.signalGroup("SIGKILL");
      }
    }
    // Wait for the exit (and its output) even when it exited long ago, so events stay in order.
    if (this.#runExit) await this.#runExit;
    if (options.post && this.spec.post) await this.#post(this.spec.post, clock);
    await this.ctx.step("process:stopped", event);
  }

  /** Passes a signal on to the process group of `run`, if it is alive and listed. */
  forward(signal: NodeJS.Signals): boolean {
    const listed = this.spec.forwardSignals ?? DEFAULTS.forwardSignals;
    if (!listed.includes(signal) || !this.#run?.running) return false;
    return this.#run.forward(signal);
  }

  async #post(spec: CommandSpec, clock: ShutdownClock): Promise<void> {
    if (clock.expired) {
      this.#log(
        "warn",
        `skipping the post command of process "${this.name}": the shutdown deadline has passed`,
      );
      return;
    }
    let post: Command;
    try {
      post = this.#spawn("post", spec);
    } catch (error) {
      this.ctx.output.log("error", messageOf(error), { process: this.name, phase: "post" });
      return;
    }
    const outcome = await clock.untilDeadline(post.finished);
    if (!outcome.done) {
      this.#log(
        "warn",
        `post command of process "${this.name}" still running at the shutdown deadline; sending SIGKILL`,
      );
      post.signalGroup("SIGKILL");
      this.#exited("post", post, await post.exited);
      return;
    }
    this.#exited("post", post, outcome.value);
    if (!isSuccess(outcome.value)) {
      this.#log("warn", new CommandFailedError(this.name, "post", outcome.value).message);
    }
  }

  /**
   * The stop signal, or the stop command run within the same window as the wait for the daemon.
   * A stop command that fails must not leave the daemon running: SIGTERM then. One still
   * running when the window closes is killed with the daemon's group (no second wait).
   */
  async #requestStop(run: Command, window: StopWindow): Promise<void> {
    const stop = this.spec.stop ?? DEFAULTS.stop;
    if (stop.kind === "signal") {
      run.signalGroup(stop.signal);
      return;
    }
    let failure: string;
    try {
      const command = this.#spawn("stop", stop.command);
      const outcome = await window.within(command.finished);
      if (!outcome.done) {
        command.signalGroup("SIGKILL");
        return;
      }
      this.#exited("stop", command, outcome.value);
      if (isSuccess(outcome.value)) return;
      failure = describeStatus(outcome.value);
    } catch (error) {
      failure = messageOf(error);
    }
    this.#log(
      "warn",
      `stop command of process "${this.name}" failed (${failure}); sending SIGTERM`,
    );
    run.signalGroup("SIGTERM");
  }

  /**
   * Runs a startup command to completion. When a shutdown begins meanwhile it is asked to stop,
   * then killed when its stop-timeout, or what is left of the shutdown deadline, runs out.
   */
  async #oneShot(phase: Phase, spec: CommandSpec, control: StartControl): Promise<ExitStatus> {
    const command = this.#spawn(phase, spec);
    const onAbort = () => {
      command.signalGroup("SIGTERM");
      void control
        .clock()
        .stopWindow(this.stopTimeoutMs)
        .within(command.finished)
        .then((outcome) => {
          if (!outcome.done) command.signalGroup("SIGKILL");
        });
    };
    control.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const status = await command.finished;
      this.#exited(phase, command, status);
      if (control.signal.aborted) throw new StartupInterrupted();
      return status;
    } finally {
      control.signal.removeEventListener("abort", onAbort);
    }
  }

  #spawn(phase: Phase | "ready", spec: CommandSpec, notifyFd?: number): Command {
    const asPhase = phase === "ready" ? "run" : phase;
    const plan = prepareCommand(spec, {
      process: this.name,
      phase: asPhase,
      base: this.ctx.base,
      resolveUser: this.ctx.resolveUser,
    });
    if (notifyFd !== undefined) plan.notifyFd = notifyFd;
    const command = new Command(plan, this.name, asPhase, this.ctx.output, this.ctx.spawning);
    this.commands.add(command);
    if (command.pid !== undefined) {
      this.ctx.emit("command:started", {
        process: this.name,
        phase,
        pid: command.pid,
        argv: [plan.file, ...plan.args],
      });
    }
    return command;
  }

  #exited(phase: Phase | "ready", command: Command, status: ExitStatus): void {
    this.ctx.emit("command:exited", { process: this.name, phase, pid: command.pid, status });
  }

  #log(level: "warn" | "error", msg: string): void {
    this.ctx.output.log(level, msg, { process: this.name });
  }

  #readyTarget(run: Command): ReadyTarget {
    return {
      process: this.name,
      run,
      runExit: this.#runExit!,
      onLine: (listener) => this.ctx.output.onLine(this.name, listener),
      spawnCheck: (spec, signal) => {
        const command = this.#spawn("ready", spec);
        // An abandoned check (timed out, or the gate settled) must not linger.
        const kill = () => command.signalGroup("SIGKILL");
        signal?.addEventListener("abort", kill, { once: true });
        return command.finished.then((status) => {
          signal?.removeEventListener("abort", kill);
          this.#exited("ready", command, status);
          return status;
        });
      },
    };
  }
}

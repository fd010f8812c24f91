// One configured process: its pre, run, stop and post commands, started and stopped in order.
import { Command, type OutputSink } from "./command.js";
import type { ShutdownClock } from "./deadline.js";
import type { Env } from "./env.js";
import { CommandFailedError, messageOf, RunExitedError } from "./errors.js";
import type { HookName, ProcessEvent, SupervisorEvents } from "./events.js";
import { prepareCommand, type UserLauncher } from "./prepare.js";
import { type ReadyTarget, waitReady } from "./ready.js";
import { describeCheck } from "./ready-describe.js";
import { type CommandSpec, DEFAULTS, type Phase, type ProcessSpec } from "./spec.js";
import { describeStatus, type ExitStatus, isSuccess } from "./status.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (
  level: LogLevel,
  msg: string,
  fields?: Record<string, string | number | boolean | null>,
) => void;

/** What a process needs from the supervisor that owns it. */
export interface ProcessContext {
  base: Env;
  sink: OutputSink;
  launchAs: UserLauncher;
  log: Logger;
  emit<K extends keyof SupervisorEvents>(event: K, ...args: SupervisorEvents[K]): void;
  /** Emits the event, then awaits the hook of the same name. */
  step(name: HookName, event: ProcessEvent): Promise<void>;
  /** Every command started is remembered, so its process group can be swept at the end. */
  track(command: Command): void;
  /** The clock of the shutdown under way (there is one once startup has been aborted). */
  shutdownClock(): ShutdownClock;
  /** Called once when this process's `run` exits, whatever the reason. */
  runExited(process: ManagedProcess, status: ExitStatus): void;
  onLine(process: string, listener: (line: string) => void): () => void;
}

/** Startup of this process was interrupted by a shutdown; not a failure of its own. */
export class StartupInterrupted extends Error {
  override name = "StartupInterrupted";
}

export class ManagedProcess {
  #run: Command | undefined;
  #runExit: Promise<ExitStatus> | undefined;
  /**
   * Closed while a readiness gate is pending: a daemon that exits before it is ready fails
   * startup (through waitReady) instead of reading as an ordinary exit.
   */
  #gateOpen = false;

  constructor(
    readonly spec: ProcessSpec,
    private readonly ctx: ProcessContext,
  ) {}

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
   * StartupInterrupted when `abort` fired (a shutdown began elsewhere).
   */
  async start(abort: AbortSignal): Promise<void> {
    const event = { process: this.name };
    await this.ctx.step("process:starting", event);
    if (this.spec.pre) {
      const status = await this.#oneShot("pre", this.spec.pre, abort);
      if (!isSuccess(status)) throw new CommandFailedError(this.name, "pre", status);
    }
    if (abort.aborted) throw new StartupInterrupted();
    if (this.spec.run) {
      const check = this.spec.ready?.check;
      const run = this.#spawn("run", this.spec.run, check?.kind === "fd" ? check.fd : undefined);
      this.#run = run;
      this.#gateOpen = !this.spec.ready;
      this.#runExit = run.finished.then((status) => {
        this.#exited("run", run, status);
        if (this.#gateOpen) this.ctx.runExited(this, status);
        return status;
      });
      if (this.spec.ready) {
        await waitReady(this.spec.ready, this.#readyTarget(run), abort);
        if (run.status) throw new RunExitedError(this.name, run.status);
        this.#gateOpen = true;
        this.ctx.log(
          "info",
          `process "${this.name}" is ready (${describeCheck(this.spec.ready.check)})`,
          {
            process: this.name,
          },
        );
        await this.ctx.step("process:ready", event);
      }
    }
    await this.ctx.step("process:started", event);
  }

  /** Stops `run` if it is still alive (stop, wait, SIGKILL), then runs `post`. */
  async shutdown(clock: ShutdownClock, options: { post: boolean }): Promise<void> {
    const event = { process: this.name };
    await this.ctx.step("process:stopping", event);
    const run = this.#run;
    if (run?.running) {
      await this.#requestStop(run, clock);
      const outcome = await clock.within(this.#runExit!, this.stopTimeoutMs);
      if (!outcome.done) {
        this.ctx.log("warn", `process "${this.name}" did not stop in time; sending SIGKILL`, {
          process: this.name,
        });
        run.signalGroup("SIGKILL");
      }
    }
    // Wait for the exit (and its output) even when it exited long ago, so events stay in order.
    if (this.#runExit) await this.#runExit;
    if (options.post && this.spec.post) {
      try {
        const status = await this.#oneShot("post", this.spec.post);
        if (!isSuccess(status)) {
          this.ctx.log("warn", new CommandFailedError(this.name, "post", status).message, {
            process: this.name,
          });
        }
      } catch (error) {
        this.ctx.log("error", messageOf(error), { process: this.name, phase: "post" });
      }
    }
    await this.ctx.step("process:stopped", event);
  }

  /** Forwards a signal to the process group of `run`, if it is alive. */
  signal(signal: NodeJS.Signals): boolean {
    return this.#run?.running ? this.#run.signalGroup(signal) : false;
  }

  async #requestStop(run: Command, clock: ShutdownClock): Promise<void> {
    const stop = this.spec.stop ?? DEFAULTS.stop;
    if (stop.kind === "signal") {
      run.signalGroup(stop.signal);
      return;
    }
    // A stop command that fails must not leave the daemon running: fall back to SIGTERM.
    let failure: string;
    try {
      const command = this.#spawn("stop", stop.command);
      const outcome = await clock.within(command.finished, this.stopTimeoutMs);
      if (!outcome.done) {
        command.signalGroup("SIGKILL");
        return; // the caller's wait has run out as well and kills `run`
      }
      this.#exited("stop", command, outcome.value);
      if (isSuccess(outcome.value)) return;
      failure = describeStatus(outcome.value);
    } catch (error) {
      failure = messageOf(error);
    }
    this.ctx.log(
      "warn",
      `stop command of process "${this.name}" failed (${failure}); sending SIGTERM`,
      {
        process: this.name,
      },
    );
    run.signalGroup("SIGTERM");
  }

  /**
   * Runs a command to completion. On abort (a shutdown began) it is asked to stop, then killed
   * when its stop-timeout, or what is left of the shutdown deadline, runs out.
   */
  async #oneShot(phase: Phase, spec: CommandSpec, abort?: AbortSignal): Promise<ExitStatus> {
    const command = this.#spawn(phase, spec);
    const onAbort = () => {
      command.signalGroup("SIGTERM");
      void this.ctx
        .shutdownClock()
        .within(command.finished, this.stopTimeoutMs)
        .then((outcome) => {
          if (!outcome.done) command.signalGroup("SIGKILL");
        });
    };
    abort?.addEventListener("abort", onAbort, { once: true });
    try {
      const status = await command.finished;
      this.#exited(phase, command, status);
      if (abort?.aborted) throw new StartupInterrupted();
      return status;
    } finally {
      abort?.removeEventListener("abort", onAbort);
    }
  }

  #spawn(phase: Phase | "ready", spec: CommandSpec, notifyFd?: number): Command {
    const plan = prepareCommand(spec, {
      process: this.name,
      phase: phase === "ready" ? "run" : phase,
      base: this.ctx.base,
      launchAs: this.ctx.launchAs,
    });
    if (notifyFd !== undefined) plan.notifyFd = notifyFd;
    const command = new Command(plan, this.name, phase === "ready" ? "run" : phase, this.ctx.sink);
    this.ctx.track(command);
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

  #readyTarget(run: Command): ReadyTarget {
    return {
      process: this.name,
      run,
      runExit: this.#runExit!,
      onLine: (listener) => this.ctx.onLine(this.name, listener),
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

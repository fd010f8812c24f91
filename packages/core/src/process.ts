// One configured process: its pre, run, stop and post commands, started and stopped in order;
// once it is ready, its run watched (health, watchdog) and started again within its restart
// budget; its notify socket, when it has one, open from before its first run to its stop.
import { Command, type OutputSink, type SpawnContext } from "./command.js";
import { ShutdownClock, type StopWindow } from "./deadline.js";
import { describeCheck, formatDuration } from "./describe.js";
import type { Env } from "./env.js";
import {
  CommandFailedError,
  CommandSetupError,
  messageOf,
  RunExitedError,
  StartupInterrupted,
} from "./errors.js";
import type { HookName, Hooks, ProcessEnd, ProcessEvent, SupervisorEvents } from "./events.js";
import { type Unhealthy, watchHealth } from "./health.js";
import type { Logger } from "./log.js";
import { describeErrno, loadLibc } from "./native.js";
import { NotifyChannel, NotifyLog, type NotifyMessage } from "./notify.js";
import type { Pausable } from "./outlet.js";
import { prepareCommand } from "./prepare.js";
import { sleep } from "./probes.js";
import { waitReady } from "./ready.js";
import type { ReadyTarget } from "./ready-context.js";
import { RestartBudget } from "./restart.js";
import {
  type CommandSpec,
  DEFAULTS,
  type HealthSpec,
  type Phase,
  type ProcessSpec,
} from "./spec.js";
import { describeStatus, type ExitStatus, isSuccess } from "./status.js";
import { groupHasMembers } from "./sweep.js";
import { timers } from "./timers.js";
import type { ResolvedUser } from "./users.js";
import { watchWatchdog } from "./watchdog.js";

type CheckPhase = "ready" | "health";

/** What a `run` gets beyond its own command: descriptors and variables of Ground Control's. */
interface RunExtras {
  notifyFd?: number;
  env?: Env;
  /** Variables taken out of its environment. */
  unset?: string[];
  watchdogPid?: boolean;
}

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
    hold?(source: Pausable): () => void;
  };
  spawning: SpawnContext;
  resolveUser(spec: string): ResolvedUser;
  emit: Emit;
  /** Emits the event, then awaits the hook of the same name. */
  step(name: HookName, event: ProcessEvent): Promise<void>;
  beforeRestart?: Hooks["beforeRestart"];
}

/** How a startup is told that a shutdown began, and the clock of that shutdown. */
export interface StartControl {
  signal: AbortSignal;
  clock(): ShutdownClock;
}

/** Where a process is in its life, as `groundcontrol status` shows it. */
export type ProcessState =
  | "waiting"
  | "starting"
  | "ready"
  | "running"
  | "restarting"
  | "unhealthy"
  | "stopping"
  | "stopped"
  | "exited"
  | "one-shot done";

/** What a process looks like right now (SPEC §8 "Status"). */
export interface ProcessStatus {
  name: string;
  state: ProcessState;
  /** The pid of its running `run`, or null. */
  pid: number | null;
  /** When it entered this state (epoch ms). */
  since: number;
  /** Times its `run` was started again. */
  restarts: number;
  /** How its last `run` ended, or null if none has. */
  lastExit: ExitStatus | null;
  /** Its health check, if it has one: the check and how the last try went. */
  health: { probe: string; last: "passing" | "failing" | null; failures: number } | null;
}

/** One start of `run`: the command, and its exit once its output is relayed. */
interface Incarnation {
  command: Command;
  exit: Promise<ExitStatus>;
  /** Its stop was asked for already (a second asker only waits). */
  stopRequested: boolean;
  /**
   * It sent WATCHDOG=trigger: kept here, since one may arrive with READY=1, before the watchdog
   * of this incarnation is watching.
   */
  watchdogTriggered?: boolean;
}

export class ManagedProcess {
  /**
   * The commands whose process group or output may still need the final sweep and drain: each
   * started one, until it has exited, its pipes have ended and its group is empty (a health
   * check every few seconds must not grow this for ever).
   */
  readonly commands = new Set<Command>();
  /**
   * Resolves once the process ends for good while Ground Control runs: its `run` exited (or
   * failed its health check) and `restart` does not start it again. A reason to shut down.
   */
  readonly ended: Promise<ProcessEnd>;
  #end: (end: ProcessEnd) => void = () => {};
  #run: Incarnation | undefined;
  /** Aborted when the shutdown begins: no restart, no more health checks. */
  readonly #watching = new AbortController();
  #supervising: Promise<void> = Promise.resolve();
  readonly #budget: RestartBudget;
  #state: ProcessState = "waiting";
  #since = timers.now();
  #lastExit: ExitStatus | null = null;
  #health: ProcessStatus["health"];
  /** Warnings already given (each is given once). */
  readonly #warned = new Set<string>();
  /** The notify socket (sd_notify), from before the first `run` until the process stops. */
  #notify: NotifyChannel | undefined;
  /** What its notify messages log, and the end of the output's hold on it. */
  #notifyLog: NotifyLog | undefined;
  #releaseNotify: () => void = () => {};

  constructor(
    readonly spec: ProcessSpec,
    private readonly ctx: ProcessContext,
  ) {
    this.ended = new Promise((resolve) => {
      this.#end = resolve;
    });
    this.#budget = new RestartBudget(spec.restart);
    this.#health = spec.health
      ? { probe: describeCheck(spec.health.check), last: null, failures: 0 }
      : null;
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
    return this.#run?.command.running ? this.#run.command.pid : undefined;
  }

  status(): ProcessStatus {
    return {
      name: this.name,
      state: this.#state,
      pid: this.runPid ?? null,
      since: this.#since,
      restarts: this.#budget.total,
      lastExit: this.#lastExit,
      health: this.#health && { ...this.#health },
    };
  }

  /**
   * pre, then run, then the readiness gate. Throws what made startup fail; throws
   * StartupInterrupted when `control.signal` fired (a shutdown began elsewhere).
   */
  async start(control: StartControl): Promise<void> {
    const event = { process: this.name };
    this.#enter("starting");
    await this.ctx.step("process:starting", event);
    if (this.spec.pre) {
      const status = await this.#oneShot("pre", this.spec.pre, control);
      if (!isSuccess(status)) throw new CommandFailedError(this.name, "pre", status);
    }
    if (control.signal.aborted) throw new StartupInterrupted();
    if (!this.spec.run) {
      this.#enter("one-shot done");
      await this.ctx.step("process:started", event);
      return;
    }
    if (this.#wantsNotify) await this.#openNotify();
    const run = this.#startRun();
    if (run.command.pid === undefined) {
      // It could not be started at all (not found, not executable): startup fails, as a pre would.
      throw new CommandFailedError(this.name, "run", await run.exit);
    }
    if (this.spec.ready) {
      await waitReady(this.spec.ready, this.#readyTarget(run), control.signal);
      if (run.command.status) throw new RunExitedError(this.name, run.command.status);
    }
    // From here on an exit is the process's own business: a restart, or a reason to shut down.
    this.#supervising = this.#supervise(run);
    if (this.spec.ready) {
      this.#logReady();
      await this.ctx.step("process:ready", event);
    }
    await this.ctx.step("process:started", event);
  }

  /**
   * Stops `run` if it is still alive (stop, wait, SIGKILL, all within one stop-timeout), then
   * runs `post` unless the shutdown deadline has passed. A restart waiting for its backoff is
   * cancelled: the process counts as stopped.
   */
  async shutdown(clock: ShutdownClock, options: { post: boolean }): Promise<void> {
    const event = { process: this.name };
    this.#watching.abort();
    await this.ctx.step("process:stopping", event);
    const run = this.#run;
    if (run?.command.running) {
      this.#enter("stopping");
      await this.#stop(run, clock);
    }
    // Wait for the exit (and its output) even when it exited long ago, so events stay in order;
    // the wait for output that a descendant holds open ends at the deadline, though.
    if (run && !(await clock.untilDeadline(run.exit)).done) {
      run.command.hurry();
      await run.exit;
    }
    await this.#supervising;
    this.closeNotify();
    if (options.post && this.spec.post) await this.#post(this.spec.post, clock);
    this.#enter("stopped");
    await this.ctx.step("process:stopped", event);
  }

  /**
   * Closes the notify socket and removes it with its directory (the process has stopped, or
   * the supervisor is done, or its host exits). Safe to call again.
   */
  closeNotify(): void {
    this.#releaseNotify();
    this.#releaseNotify = () => {};
    this.#notify?.close();
    this.#notify = undefined;
  }

  /** Passes a signal on to the process group of `run`, if it is alive and listed. */
  forward(signal: NodeJS.Signals): boolean {
    const listed = this.spec.forwardSignals ?? DEFAULTS.forwardSignals;
    if (!listed.includes(signal) || !this.#run?.command.running) return false;
    return this.#run.command.forward(signal);
  }

  /**
   * Watches the running `run`: its exit, its health. A failure (or any exit, with
   * `on = "always"`) starts it again after its backoff while the budget allows; otherwise the
   * process ends, which shuts everything down. Returns when the shutdown begins.
   */
  async #supervise(first: Incarnation): Promise<void> {
    const shuttingDown = this.#watching.signal;
    // A restart that could not even be prepared (its secret file gone) fails as a spawn would.
    let run: Incarnation | { failed: ExitStatus } = first;
    for (;;) {
      let ended: { status: ExitStatus; unhealthy?: string };
      if ("failed" in run) ended = { status: run.failed };
      else {
        this.#enter(this.spec.ready ? "ready" : "running");
        ended = await this.#watch(run);
      }
      if (shuttingDown.aborted) return;
      this.#lastExit = ended.status;
      const failed = ended.unhealthy !== undefined || !isSuccess(ended.status);
      const last = ended.unhealthy ? { unhealthy: ended.unhealthy } : { status: ended.status };
      const next = this.#budget.next(failed);
      if (next.kind === "never") {
        this.#enter("exited");
        this.#end(
          ended.unhealthy
            ? { kind: "unhealthy", process: this.name, probe: ended.unhealthy }
            : { kind: "exit", process: this.name, status: ended.status },
        );
        return;
      }
      if (next.kind === "exhausted") {
        this.#enter("exited");
        const { max: restarts, withinMs } = next;
        this.#end({ kind: "restarts-exhausted", process: this.name, restarts, withinMs, last });
        return;
      }
      this.#enter("restarting");
      const why = ended.unhealthy ? `unhealthy (${ended.unhealthy})` : describeStatus(ended.status);
      this.#log(
        "warn",
        `process "${this.name}" ${ended.unhealthy ? "was" : "exited:"} ${why}; restart ${next.attempt} in ${formatDuration(next.delayMs)}`,
      );
      this.ctx.emit("process:restarting", {
        process: this.name,
        attempt: next.attempt,
        delayMs: next.delayMs,
        status: ended.status,
        ...(ended.unhealthy ? { unhealthy: ended.unhealthy } : {}),
      });
      await sleep(next.delayMs, shuttingDown);
      if (shuttingDown.aborted) return;
      await this.ctx.beforeRestart?.({ process: this.name, attempt: next.attempt });
      if (shuttingDown.aborted) return;
      try {
        run = this.#startRun();
      } catch (error) {
        run = { failed: notStarted(error) };
        continue;
      }
      if (!(await this.#readyAgain(run))) return;
    }
  }

  /**
   * Waits until `run` exits, or its health check fails `failures` times in a row (then stops it,
   * as a shutdown would). Returns early, with whatever it has, when the shutdown begins.
   */
  async #watch(run: Incarnation): Promise<{ status: ExitStatus; unhealthy?: string }> {
    const { health } = this.spec;
    const watchdogMs = this.#notify ? this.spec.watchdogMs : undefined;
    if (!health && watchdogMs === undefined) return { status: await run.exit };
    const checks = new AbortController();
    const stop = () => checks.abort();
    this.#watching.signal.addEventListener("abort", stop, { once: true });
    const monitors: Promise<Unhealthy | undefined>[] = [];
    // The watchdog's period starts now: the process has just become ready.
    if (watchdogMs !== undefined) {
      const { watchdogTriggered } = run;
      monitors.push(watchWatchdog(watchdogMs, this.#notify!, checks.signal, watchdogTriggered));
    }
    if (health) monitors.push(this.#watchHealth(health, checks.signal));
    const first = await Promise.race([
      run.exit.then((status) => ({ status }) as const),
      ...monitors.map((monitor) => monitor.then((failure) => ({ failure }) as const)),
    ]);
    checks.abort();
    this.#watching.signal.removeEventListener("abort", stop);
    if ("status" in first || first.failure === undefined) return { status: await run.exit };
    return {
      status: await this.#stopUnhealthy(run, first.failure),
      unhealthy: first.failure.probe,
    };
  }

  #watchHealth(health: HealthSpec, signal: AbortSignal): Promise<Unhealthy | undefined> {
    return watchHealth(
      health,
      (command, signal) => this.#runCheck(command, "health", signal),
      {
        failed: (reason, consecutive) => {
          this.#health = { ...this.#health!, last: "failing", failures: consecutive };
          this.#log(
            "warn",
            `health check of process "${this.name}" failed (${consecutive} in a row): ${reason}`,
          );
        },
        recovered: () => {
          this.#health = { ...this.#health!, last: "passing", failures: 0 };
          this.#log("info", `health check of process "${this.name}" passes again`);
          this.ctx.emit("process:healthy", { process: this.name, probe: this.#health.probe });
        },
      },
      signal,
    );
  }

  async #stopUnhealthy(run: Incarnation, failure: Unhealthy): Promise<ExitStatus> {
    this.#enter("unhealthy");
    const what =
      failure.source === "watchdog"
        ? `${failure.reason} (${failure.probe})`
        : `${failure.failures} health checks failed in a row (${failure.probe}: ${failure.reason})`;
    this.#log("error", `process "${this.name}" is unhealthy: ${what}; stopping it`);
    this.ctx.emit("process:unhealthy", { process: this.name, ...failure });
    // Stopped as a shutdown stops it, with its own stop-timeout and no shutdown deadline.
    await this.#stop(run, new ShutdownClock(undefined));
    return run.exit;
  }

  /** A restarted `run` through its readiness gate again; false when the shutdown began. */
  async #readyAgain(run: Incarnation): Promise<boolean> {
    if (!this.spec.ready) return true;
    this.#enter("starting");
    try {
      await waitReady(this.spec.ready, this.#readyTarget(run), this.#watching.signal);
    } catch (error) {
      if (error instanceof StartupInterrupted) return false;
      // Not ready this time: a failed run like any other; stop it if it still runs.
      this.#log("warn", messageOf(error));
      if (run.command.running) await this.#stop(run, new ShutdownClock(undefined));
      return true;
    }
    if (run.command.status) return true;
    this.#logReady();
    this.ctx.emit("process:ready", { process: this.name });
    return true;
  }

  #startRun(): Incarnation {
    const check = this.spec.ready?.check;
    const extras: RunExtras = {};
    if (check?.kind === "fd") extras.notifyFd = check.fd;
    if (this.#notify) {
      // In its environment even under only-env: it is how the daemon reaches us. Only `run`
      // gets it: a pre, stop or post that spoke sd_notify would be taken for the daemon.
      const { watchdogMs } = this.spec;
      if (watchdogMs === undefined) {
        extras.env = { NOTIFY_SOCKET: this.#notify.path };
        // A watchdog inherited from whoever started Ground Control is not ours to ask for.
        extras.unset = ["WATCHDOG_USEC", "WATCHDOG_PID"];
      } else {
        extras.env = { NOTIFY_SOCKET: this.#notify.path, WATCHDOG_USEC: String(watchdogMs * 1000) };
        extras.watchdogPid = true;
      }
    }
    const command = this.#spawn("run", this.spec.run!, extras);
    // From now on only this run's tree may speak on the socket; once it exited, nobody.
    this.#notify?.follow(command.pid);
    const run: Incarnation = {
      command,
      stopRequested: false,
      exit: command.finished.then((status) => {
        if (this.#run === run) this.#notify?.follow(undefined);
        this.#exited("run", command, status);
        return status;
      }),
    };
    this.#run = run;
    return run;
  }

  /** True when `run` gets a notify socket: `ready = { notify }`, or a watchdog. */
  get #wantsNotify(): boolean {
    return this.spec.ready?.check.kind === "notify" || this.spec.watchdogMs !== undefined;
  }

  /**
   * Makes the notify socket, owned by the user `run` runs as (so it can send), before the first
   * `run` starts. Without the native bridge there is none: startup fails, naming the process.
   */
  async #openNotify(): Promise<void> {
    if (this.#notify) return;
    const native = await loadLibc();
    try {
      if (!native.ok) throw new Error(`the native bridge is not available (${native.reason})`);
      this.#notify = new NotifyChannel(native.libc, {
        process: this.name,
        ...this.#runOwner(),
        warn: (message) => this.#log("warn", message),
      });
    } catch (error) {
      throw new CommandSetupError(
        this.name,
        "run",
        `cannot make its notify socket (NOTIFY_SOCKET): ${messageOf(error)}`,
        { cause: error },
      );
    }
    this.#notify.subscribe((message) => this.#notified(message));
    // Its messages become our log lines: held back while our stdout is full.
    this.#notifyLog ??= new NotifyLog(this.name, (level, msg) => this.#log(level, msg));
    this.#releaseNotify = this.ctx.output.hold?.(this.#notifyLog) ?? (() => {});
  }

  /** The user `run` runs as, when it names one; a name that does not resolve fails later. */
  #runOwner(): { owner?: { uid: number; gid: number } } {
    const user = this.spec.run?.user;
    if (user === undefined) return {};
    try {
      const { uid, gid } = this.ctx.resolveUser(user);
      return { owner: { uid, gid } };
    } catch {
      return {};
    }
  }

  /**
   * A message from the daemon's tree: an event, and a log line for what a person wants to
   * see. MAINPID= changes nothing: Ground Control can only wait for, stop and restart the
   * `run` it started (and its process group), so that stays what it watches.
   */
  #notified({ pid, fields }: NotifyMessage): void {
    this.ctx.emit("process:notify", { process: this.name, pid, fields });
    // Only the current run's tree gets here (the channel follows it).
    if (fields.WATCHDOG === "trigger" && this.#run) this.#run.watchdogTriggered = true;
    const { STATUS: status, STOPPING: stopping, ERRNO: errno, MAINPID: mainPid } = fields;
    const log = this.#notifyLog!;
    if (status !== undefined) {
      log.write("STATUS", "info", `process "${this.name}" status: ${status}`);
      this.ctx.emit("process:status", { process: this.name, pid, status });
    }
    if (stopping === "1")
      log.write("STOPPING", "info", `process "${this.name}" says it is stopping`);
    if (errno !== undefined) {
      const n = Number(errno);
      const what = Number.isInteger(n) && n > 0 ? describeErrno(n) : `ERRNO=${errno}`;
      log.write("ERRNO", "warn", `process "${this.name}" reports an error: ${what}`);
    }
    if (mainPid !== undefined) {
      log.write(
        "MAINPID",
        "info",
        `process "${this.name}" says its main pid is ${mainPid}; Ground Control keeps watching pid ${this.runPid ?? "(none)"}, the run it started`,
      );
    }
  }

  /** Stops a running `run` within one stop window: stop, wait, SIGKILL. */
  async #stop(run: Incarnation, clock: ShutdownClock): Promise<void> {
    const window = clock.stopWindow(this.stopTimeoutMs);
    if (!run.stopRequested) {
      run.stopRequested = true;
      await this.#requestStop(run.command, window);
    }
    // The run itself, not its output: a descendant outside its group may hold that open.
    const outcome = await window.within(run.command.exited);
    if (!outcome.done) {
      const why = clock.forced ? "stop cut short" : "did not stop in time";
      this.#log("warn", `process "${this.name}" ${why}; sending SIGKILL`);
      run.command.signalGroup("SIGKILL");
    }
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

  #spawn(phase: Phase | CheckPhase, spec: CommandSpec, extras: RunExtras = {}): Command {
    // A check's command speaks as the process (its output is labelled as `run`'s).
    const asPhase = phase === "ready" || phase === "health" ? "run" : phase;
    const plan = prepareCommand(spec, {
      process: this.name,
      phase: asPhase,
      base: this.ctx.base,
      resolveUser: this.ctx.resolveUser,
      warn: (message) => {
        // Once per process: a health check's command starts again every interval.
        if (this.#warned.has(message)) return;
        this.#warned.add(message);
        this.ctx.output.log("warn", message, { process: this.name, phase: asPhase });
      },
    });
    if (extras.notifyFd !== undefined) plan.notifyFd = extras.notifyFd;
    // Set last, so that neither the command's own env nor a user switch can change them.
    if (extras.env) Object.assign(plan.env, extras.env);
    for (const name of extras.unset ?? []) delete plan.env[name];
    if (extras.watchdogPid) plan.watchdogPid = true;
    const command = new Command(plan, this.name, asPhase, this.ctx.output, this.ctx.spawning);
    this.commands.add(command);
    const pgid = command.pid;
    void Promise.all([command.exited, command.drained]).then(() => {
      if (pgid === undefined || !groupHasMembers(pgid)) this.commands.delete(command);
    });
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

  #exited(phase: Phase | CheckPhase, command: Command, status: ExitStatus): void {
    this.ctx.emit("command:exited", { process: this.name, phase, pid: command.pid, status });
  }

  #enter(state: ProcessState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#since = timers.now();
  }

  #log(level: "info" | "warn" | "error", msg: string): void {
    this.ctx.output.log(level, msg, { process: this.name });
  }

  #logReady(): void {
    const check = describeCheck(this.spec.ready!.check);
    this.ctx.output.log("info", `process "${this.name}" is ready (${check})`, {
      process: this.name,
    });
  }

  /** Runs a check's command (readiness or health) once; `signal` kills it. */
  #runCheck(
    spec: CommandSpec,
    phase: "ready" | "health",
    signal?: AbortSignal,
  ): Promise<ExitStatus> {
    const command = this.#spawn(phase, spec);
    // An abandoned check (timed out, or the gate settled) must not linger.
    const kill = () => command.signalGroup("SIGKILL");
    signal?.addEventListener("abort", kill, { once: true });
    return command.finished.then((status) => {
      signal?.removeEventListener("abort", kill);
      this.#exited(phase, command, status);
      return status;
    });
  }

  #readyTarget(run: Incarnation): ReadyTarget {
    return {
      process: this.name,
      run: run.command,
      runExit: run.exit,
      notify: this.#notify,
      onLine: (listener) => this.ctx.output.onLine(this.name, listener),
      spawnCheck: (spec, signal) => this.#runCheck(spec, "ready", signal),
    };
  }
}

/** The status of a `run` that could not be prepared, so never started (exit code 1). */
function notStarted(error: unknown): ExitStatus {
  return { kind: "failed", code: 1, error: new Error(messageOf(error)) };
}

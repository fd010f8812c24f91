// The shape of what a Supervisor runs: plain data, built by @groundcontrol/config from a
// groundcontrol.toml or by hand in code. Optional fields take the values in DEFAULTS.

/** A program to run, without a shell: `program` is looked up in PATH, `args` passed verbatim. */
export interface CommandSpec {
  program: string;
  args: string[];
  /** Docker `USER` forms: `name`, `uid`, `name:group`, `uid:gid`. */
  user?: string;
  /** Give the command PATH plus exactly these variables (plus `env`), instead of everything. */
  onlyEnv?: string[];
  /** Extra variables for this command only. */
  env?: Record<string, string>;
  /** Working directory; `{{VAR}}` is expanded in it. */
  cwd?: string;
  /**
   * Variables read from files (name → path) each time the command starts, one trailing newline
   * removed: set in this command's environment alone, whatever `onlyEnv` says, and never seen
   * by `{{VAR}}`. A relative path is taken from Ground Control's working directory.
   */
  secrets?: Record<string, string>;
}

/** How a running `run` command is asked to stop. */
export type StopSpec =
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "command"; command: CommandSpec };

/** A condition that must hold before the next process starts. */
export type ReadyCheck =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "http"; url: string }
  | { kind: "command"; command: CommandSpec }
  | { kind: "file"; path: string }
  | { kind: "log"; pattern: string }
  | { kind: "fd"; fd: number }
  /** sd_notify(3): the daemon sends `READY=1` to the socket named by its NOTIFY_SOCKET. */
  | { kind: "notify" };

export interface ReadySpec {
  check: ReadyCheck;
  /** Give up (and abort startup) after this long. */
  timeoutMs?: number;
  /** How often polling checks (tcp, http, command, file) try again. */
  intervalMs?: number;
}

/** When a `run` that exited is started again, and how often at most (SPEC §8). */
export interface RestartSpec {
  /** "never" (the default), "failure" (non-zero, a signal, or unhealthy), or "always". */
  on: "never" | "failure" | "always";
  /** Restarts allowed within `withinMs`; one more ends in the ordinary shutdown. */
  max?: number;
  /** The sliding window restarts are counted in. */
  withinMs?: number;
  /** The first restart waits this long; each next one in the window twice as long… */
  backoffMs?: number;
  /** …but never longer than this. */
  maxBackoffMs?: number;
}

/** A liveness check, made again and again once the process is ready. */
export type HealthCheck = Extract<ReadyCheck, { kind: "tcp" | "http" | "command" }>;

export interface HealthSpec {
  check: HealthCheck;
  /** Between the end of one check and the start of the next. */
  intervalMs?: number;
  /** One check that takes longer has failed. */
  timeoutMs?: number;
  /** Consecutive failed checks that make the process unhealthy. */
  failures?: number;
  /** From readiness to the first check (default: one interval). */
  graceMs?: number;
}

export interface ProcessSpec {
  /** Unique; shown in every log line. */
  name: string;
  /** One-shot command that must exit 0 before `run` starts. */
  pre?: CommandSpec;
  /** The long-running command. Without it the process is one-shot. */
  run?: CommandSpec;
  stop?: StopSpec;
  /** After `stop`, how long `run` gets to exit before its process group is killed. */
  stopTimeoutMs?: number;
  /** Runs during shutdown, after `run` has exited. */
  post?: CommandSpec;
  ready?: ReadySpec;
  /**
   * Which of SIGHUP, SIGUSR1 and SIGUSR2 Ground Control passes on to this process's `run`
   * when it receives them. Default: all three; [] for none.
   */
  forwardSignals?: NodeJS.Signals[];
  /** Start `run` again when it exits, within a budget (default: never; a `run` that exits ends the run). */
  restart?: RestartSpec;
  /** Checks that turn a hung process into a failed one. */
  health?: HealthSpec;
  /**
   * sd_notify's watchdog: once ready, `run` must send `WATCHDOG=1` at least this often, or it
   * is unhealthy (as a failed health check makes it). Gives `run` a notify socket, whatever
   * its `ready`.
   */
  watchdogMs?: number;
}

export type LogFormat = "text" | "json";

export interface Spec {
  processes: ProcessSpec[];
  /** Added to the environment every command starts from (and that `{{VAR}}` sees). */
  env?: Record<string, string>;
  /** One deadline for the whole shutdown; each stop wait gets only what is left of it. */
  shutdownTimeoutMs?: number;
  suppressTimestamps?: boolean;
  logFormat?: LogFormat;
}

/** The phases of one process, in the order they run. */
export type Phase = "pre" | "run" | "stop" | "post";

/** Every default lives here, so the config package, the CLI's plan and core agree. */
export const DEFAULTS = {
  stop: { kind: "signal", signal: "SIGTERM" } as StopSpec,
  stopTimeoutMs: 10_000,
  readyTimeoutMs: 60_000,
  readyIntervalMs: 100,
  forwardSignals: ["SIGHUP", "SIGUSR1", "SIGUSR2"] as readonly NodeJS.Signals[],
  restart: { on: "never", max: 3, withinMs: 60_000, backoffMs: 1_000, maxBackoffMs: 30_000 },
  health: { intervalMs: 10_000, timeoutMs: 5_000, failures: 3 },
  logFormat: "text" as LogFormat,
  suppressTimestamps: false,
} as const;

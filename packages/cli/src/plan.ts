// The start/stop plan of a Spec as data: what `--check` prints and `--check --json` emits.
// It names environment variables but never carries their values.

import type { Config } from "@groundcontrol/config";
import {
  type CommandSpec,
  DEFAULT_CONTROL_SOCKET,
  DEFAULTS,
  type EnvKeys,
  envKeysFor,
  formatDuration,
  formatHostPort,
  type ProcessSpec,
  type ReadyCheck,
  redactUrl,
  type Spec,
  type WorstCaseShutdown,
  worstCaseShutdown,
} from "@groundcontrol/core";
import { DEFAULT_HEALTHY_AFTER_MS } from "./boots.js";
import { type KillTimeout, PLATFORMS, type Platform } from "./platforms.js";

/** The variables a command gets, by name. */
export type PlanEnv = EnvKeys;

export interface PlanCommand {
  /** Program first; `{{NAME}}` is shown as written (it is expanded when the command starts). */
  argv: string[];
  /** null: Ground Control's own user. */
  user: string | null;
  /** null: Ground Control's working directory. */
  cwd: string | null;
  env: PlanEnv;
}

export interface PlanReady {
  check: ReadyCheck["kind"];
  /** What is checked, in words: "127.0.0.1:5432", a URL, a path, a pattern, "fd 3", or argv. */
  target: string;
  /** Set for `command` checks only. */
  command: PlanCommand | null;
  timeoutMs: number;
  intervalMs: number;
}

export type StartupPhase =
  | ({ phase: "pre" } & PlanCommand)
  | ({
      phase: "run";
      ready: PlanReady | null;
      /** SIGHUP, SIGUSR1, SIGUSR2: which of them Ground Control passes on to it. */
      forwardSignals: NodeJS.Signals[];
      /** null: never started again (a `run` that exits ends the run). */
      restart: PlanRestart | null;
      health: PlanHealth | null;
      /** The notify socket (sd_notify) it gets, for `ready` notify or a watchdog; null: none. */
      notify: PlanNotify | null;
    } & PlanCommand);

export interface PlanNotify {
  /** The variables Ground Control sets for it, whatever `only-env` says. */
  env: string[];
  /** null: no watchdog. */
  watchdogMs: number | null;
}

export interface PlanRestart {
  on: "failure" | "always";
  max: number;
  withinMs: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface PlanHealth {
  check: "tcp" | "http" | "command";
  target: string;
  command: PlanCommand | null;
  intervalMs: number;
  timeoutMs: number;
  failures: number;
  graceMs: number;
}

export type ShutdownPhase =
  | { phase: "stop"; signal: NodeJS.Signals; stopTimeoutMs: number }
  | ({ phase: "stop"; signal: null; stopTimeoutMs: number } & PlanCommand)
  | ({ phase: "post" } & PlanCommand);

/** How long the shutdown may take at worst, and whether that fits the platform's kill timeout. */
export interface ShutdownBudget {
  /** null: unbounded (a `post` command without shutdown-timeout). */
  worstCaseMs: number | null;
  /** What sets it: the stop-timeouts added up, the shutdown-timeout, or nothing. */
  bound: WorstCaseShutdown["bound"];
  /** With --platform or --kill-timeout: */
  platform?: Platform;
  killTimeoutMs?: number;
  /** The worst case plus MARGIN_MS is within the kill timeout. */
  fits?: boolean;
  /** When it does not fit: what to set, and why. */
  advice?: string;
}

/**
 * Room left between Ground Control's deadline and the platform's SIGKILL: its last output,
 * the orphans it ends, the platform's own delivery of the signal.
 */
export const MARGIN_MS = 1_000;

export interface Plan {
  valid: true;
  config: string;
  settings: {
    logFormat: string;
    suppressTimestamps: boolean;
    /** null: no deadline for the whole shutdown. */
    shutdownTimeoutMs: number | null;
    /** Names defined in `[env]`. */
    env: string[];
  };
  /** In start order. */
  startup: { process: string; oneShot: boolean; phases: StartupPhase[] }[];
  /** In stop order: the reverse of startup. */
  shutdown: { process: string; oneShot: boolean; phases: ShutdownPhase[] }[];
  shutdownBudget: ShutdownBudget;
  /** Where `groundcontrol status` and the HTTP probes ask (GROUNDCONTROL_SOCKET may move it). */
  status: {
    /** null: none (control-socket = false). */
    controlSocket: string | null;
    /** True for the default place, which is given up with a warning when it cannot be had. */
    bestEffort: boolean;
    /** "host:port" of status-listen, or null. */
    listen: string | null;
  };
  breakGlass: PlanBreakGlass;
}

export interface PlanBreakGlass {
  /** The processes any break glass starts (start-through): none without it. */
  starts: string[];
  /** null: break glass only when BREAK_GLASS is set. */
  afterFailedBoots: number | null;
  stateFile: string | null;
  healthyAfterMs: number | null;
}

export function buildPlan(spec: Config, config: string, killTimeout?: KillTimeout): Plan {
  const envTable = Object.keys(spec.env ?? {});
  const describe = (command: CommandSpec) => describeCommand(command, envTable);
  return {
    valid: true,
    config,
    settings: {
      logFormat: spec.logFormat ?? DEFAULTS.logFormat,
      suppressTimestamps: spec.suppressTimestamps ?? DEFAULTS.suppressTimestamps,
      shutdownTimeoutMs: spec.shutdownTimeoutMs ?? null,
      env: envTable,
    },
    startup: spec.processes.map((process) => ({
      process: process.name,
      oneShot: !process.run,
      phases: startupPhases(process, describe),
    })),
    shutdown: spec.processes
      .map((process) => ({
        process: process.name,
        oneShot: !process.run,
        phases: shutdownPhases(process, describe),
      }))
      .reverse(),
    shutdownBudget: shutdownBudget(spec, killTimeout),
    status: {
      controlSocket:
        spec.controlSocket === false ? null : (spec.controlSocket ?? DEFAULT_CONTROL_SOCKET),
      bestEffort: spec.controlSocket === undefined,
      listen: spec.statusListen
        ? formatHostPort(spec.statusListen.host, spec.statusListen.port)
        : null,
    },
    breakGlass: planBreakGlass(spec),
  };
}

function planBreakGlass(spec: Config): PlanBreakGlass {
  const settings = spec.breakGlass ?? {};
  const names = spec.processes.map((process) => process.name);
  const through = settings.startThrough === undefined ? -1 : names.indexOf(settings.startThrough);
  const counting = settings.afterFailedBoots !== undefined;
  return {
    starts: names.slice(0, through + 1),
    afterFailedBoots: settings.afterFailedBoots ?? null,
    stateFile: settings.stateFile ?? null,
    healthyAfterMs: counting ? (settings.healthyAfterMs ?? DEFAULT_HEALTHY_AFTER_MS) : null,
  };
}

/** The worst-case shutdown of `spec`, held against a kill timeout when one is given. */
export function shutdownBudget(spec: Spec, killTimeout?: KillTimeout): ShutdownBudget {
  const worst = worstCaseShutdown(spec);
  const budget: ShutdownBudget = { worstCaseMs: worst.ms, bound: worst.bound };
  if (!killTimeout) return budget;
  const platform = "platform" in killTimeout ? PLATFORMS[killTimeout.platform] : undefined;
  const killMs = platform?.killTimeoutMs ?? ("ms" in killTimeout ? killTimeout.ms : 0);
  if ("platform" in killTimeout) budget.platform = killTimeout.platform;
  budget.killTimeoutMs = killMs;
  budget.fits = worst.ms !== null && worst.ms + MARGIN_MS <= killMs;
  if (!budget.fits) budget.advice = advice(worst, killMs, platform?.setting);
  return budget;
}

/** What to set so that the shutdown fits in `killMs`, and why. */
function advice(worst: WorstCaseShutdown, killMs: number, setting?: string): string {
  const raise = setting ? `raise ${setting}` : "raise the kill timeout";
  const target = killMs - MARGIN_MS;
  if (target <= 0) {
    return `${raise}: ${formatDuration(killMs)} leaves no time for a graceful shutdown (Ground Control needs about ${formatDuration(MARGIN_MS)} of its own)`;
  }
  const set = `shutdown-timeout = "${formatDuration(target)}"`;
  const why = `${formatDuration(MARGIN_MS)} under the kill timeout, for Ground Control's last output and orphans`;
  switch (worst.bound) {
    case "unbounded":
      return `set ${set} (${why}): without it a post command has no time limit; or ${raise}`;
    case "shutdown-timeout":
      return `lower shutdown-timeout to "${formatDuration(target)}" (${why}); or ${raise}`;
    case "stop-timeouts":
      return `set ${set} (${why}), or shorten the stop-timeouts, which add up to ${formatDuration(worst.ms ?? 0)}; or ${raise}`;
  }
}

type Describe = (command: CommandSpec) => PlanCommand;

function startupPhases(process: ProcessSpec, describe: Describe): StartupPhase[] {
  const phases: StartupPhase[] = [];
  if (process.pre) phases.push({ phase: "pre", ...describe(process.pre) });
  if (process.run) {
    const ready = process.ready ? describeReady(process.ready.check, describe) : null;
    phases.push({
      phase: "run",
      ...describe(process.run),
      ready: ready && {
        ...ready,
        timeoutMs: process.ready?.timeoutMs ?? DEFAULTS.readyTimeoutMs,
        intervalMs: process.ready?.intervalMs ?? DEFAULTS.readyIntervalMs,
      },
      forwardSignals: [...(process.forwardSignals ?? DEFAULTS.forwardSignals)],
      restart: planRestart(process),
      health: planHealth(process, describe),
      notify: planNotify(process),
    });
  }
  return phases;
}

function planRestart(process: ProcessSpec): PlanRestart | null {
  const restart = process.restart;
  if (!restart || restart.on === "never") return null;
  const d = DEFAULTS.restart;
  return {
    on: restart.on,
    max: restart.max ?? d.max,
    withinMs: restart.withinMs ?? d.withinMs,
    backoffMs: restart.backoffMs ?? d.backoffMs,
    maxBackoffMs: restart.maxBackoffMs ?? d.maxBackoffMs,
  };
}

function planNotify(process: ProcessSpec): PlanNotify | null {
  const watchdogMs = process.watchdogMs ?? null;
  if (process.ready?.check.kind !== "notify" && watchdogMs === null) return null;
  const env = ["NOTIFY_SOCKET"];
  if (watchdogMs !== null) env.push("WATCHDOG_USEC", "WATCHDOG_PID");
  return { env, watchdogMs };
}

function planHealth(process: ProcessSpec, describe: Describe): PlanHealth | null {
  const health = process.health;
  if (!health) return null;
  const intervalMs = health.intervalMs ?? DEFAULTS.health.intervalMs;
  const check = describeReady(health.check, describe) as Omit<
    PlanHealth,
    "intervalMs" | "timeoutMs" | "failures" | "graceMs"
  >;
  return {
    ...check,
    intervalMs,
    timeoutMs: health.timeoutMs ?? DEFAULTS.health.timeoutMs,
    failures: health.failures ?? DEFAULTS.health.failures,
    graceMs: health.graceMs ?? intervalMs,
  };
}

function shutdownPhases(process: ProcessSpec, describe: Describe): ShutdownPhase[] {
  const phases: ShutdownPhase[] = [];
  if (process.run) {
    const stop = process.stop ?? DEFAULTS.stop;
    const stopTimeoutMs = process.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs;
    phases.push(
      stop.kind === "signal"
        ? { phase: "stop", signal: stop.signal, stopTimeoutMs }
        : { phase: "stop", signal: null, stopTimeoutMs, ...describe(stop.command) },
    );
  }
  if (process.post) phases.push({ phase: "post", ...describe(process.post) });
  return phases;
}

function describeCommand(command: CommandSpec, envTable: string[]): PlanCommand {
  return {
    argv: [command.program, ...command.args],
    user: command.user ?? null,
    cwd: command.cwd ?? null,
    env: envKeysFor(command, envTable),
  };
}

function describeReady(
  check: ReadyCheck,
  describe: Describe,
): Omit<PlanReady, "timeoutMs" | "intervalMs"> {
  switch (check.kind) {
    case "tcp":
      return { check: "tcp", target: formatHostPort(check.host, check.port), command: null };
    case "http":
      return { check: "http", target: redactUrl(check.url), command: null };
    case "file":
      return { check: "file", target: check.path, command: null };
    case "log":
      return { check: "log", target: check.pattern, command: null };
    case "fd":
      return { check: "fd", target: String(check.fd), command: null };
    case "notify":
      return { check: "notify", target: "READY=1", command: null };
    case "command": {
      const command = describe(check.command);
      return { check: "command", target: command.argv.join(" "), command };
    }
  }
}

// Builds each command's environment explicitly, and expands {{VAR}} in argv and cwd.
import type { CommandSpec } from "./spec.js";

export type Env = Record<string, string>;

/** Used when Ground Control itself was started without PATH (a bare PID 1). */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A variable that a command needs does not exist. */
export class MissingVariableError extends Error {
  override name = "MissingVariableError";
  constructor(
    readonly variable: string,
    readonly usage: "{{}}" | "only-env",
  ) {
    super(
      usage === "only-env"
        ? `only-env lists "${variable}", which is not set`
        : `unknown variable "${variable}" in {{${variable}}}`,
    );
  }
}

/**
 * The environment every command starts from: Ground Control's own, with `[env]` on top.
 * Ground Control's own diagnostics switch (DEBUG=groundcontrol:*) is taken out, so turning on
 * its tracing does not turn on tracing in every Node program it starts.
 */
export function baseEnvironment(inherited: NodeJS.ProcessEnv, specEnv: Env = {}): Env {
  const env: Env = {};
  for (const [key, value] of Object.entries(inherited)) {
    if (value !== undefined) env[key] = value;
  }
  const debug = env.DEBUG;
  if (debug !== undefined) {
    const kept = debug.split(/[\s,]+/).filter((p) => p !== "" && !/^-?groundcontrol(:|$)/.test(p));
    if (kept.length > 0) env.DEBUG = kept.join(",");
    else delete env.DEBUG;
  }
  return Object.assign(env, specEnv);
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Replaces every {{ NAME }} with its value, verbatim: no word splitting, no re-expansion. */
export function expand(template: string, vars: Env): string {
  if (!template.includes("{{")) return template;
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new MissingVariableError(name, "{{}}");
    return value;
  });
}

/** What only-env always lets through, whatever it lists. */
const ALWAYS = ["PATH"];

/** The names of the variables a command gets, never their values (for the plan --check prints). */
export interface EnvKeys {
  /** True without `only-env`: the command inherits Ground Control's whole environment. */
  inheritsAll: boolean;
  /** With `only-env`: PATH plus the listed names (null when the command inherits all). */
  onlyEnv: string[] | null;
  /** Names from `[env]` (`specEnv`) the command receives: all, or those only-env lets through. */
  envTable: string[];
  /** Names from the command's own `env` table. */
  commandEnv: string[];
  /** Variables read from files when the command starts: names and paths, never values. */
  secrets: { name: string; path: string }[];
}

export function envKeysFor(command: CommandSpec, specEnv: readonly string[]): EnvKeys {
  const onlyEnv = command.onlyEnv ? [...new Set([...ALWAYS, ...command.onlyEnv])] : null;
  return {
    inheritsAll: onlyEnv === null,
    onlyEnv,
    envTable: onlyEnv ? specEnv.filter((name) => onlyEnv.includes(name)) : [...specEnv],
    commandEnv: Object.keys(command.env ?? {}),
    secrets: Object.entries(command.secrets ?? {}).map(([name, path]) => ({ name, path })),
  };
}

/**
 * The environment one command gets (before a user switch adjusts HOME, USER and LOGNAME, and
 * before its secrets are read). An only-env name that is one of its secrets need not be set.
 */
export function commandEnvironment(command: CommandSpec, base: Env): Env {
  let env: Env;
  if (command.onlyEnv) {
    env = { PATH: base.PATH ?? DEFAULT_PATH };
    for (const name of command.onlyEnv) {
      const value = base[name];
      if (value !== undefined) env[name] = value;
      else if (!Object.hasOwn(command.secrets ?? {}, name)) {
        throw new MissingVariableError(name, "only-env");
      }
    }
  } else {
    env = { ...base };
    env.PATH ??= DEFAULT_PATH;
  }
  return command.env ? Object.assign(env, command.env) : env;
}

/** argv and cwd with {{VAR}} expanded against the base environment (which sees everything). */
export function expandCommand(command: CommandSpec, base: Env): { argv: string[]; cwd?: string } {
  const argv = [command.program, ...command.args].map((part) => expand(part, base));
  return command.cwd === undefined ? { argv } : { argv, cwd: expand(command.cwd, base) };
}

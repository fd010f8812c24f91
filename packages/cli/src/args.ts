// Turns the command line into one action. Pure: argv and the environment in, a value out.
import { DURATION_HINT, parseDuration } from "@groundcontrol/config/duration";
import { isPlatform, type KillTimeout, PLATFORMS } from "./platforms.js";

export type Action =
  | { kind: "run"; config: string }
  | {
      kind: "check";
      config: string;
      json: boolean;
      strict: boolean;
      /** The shutdown must fit inside this (from --platform or --kill-timeout). */
      killTimeout?: KillTimeout;
    }
  | { kind: "status"; json: boolean; ready: boolean; socket: string | undefined }
  | { kind: "print-schema" }
  | { kind: "version" }
  | { kind: "help" }
  | { kind: "usage-error"; message: string };

/** Where the config is looked for when neither an argument nor $GROUNDCONTROL_CONFIG names it. */
export const DEFAULT_CONFIG = "./groundcontrol.toml";

const MODES = {
  "--check": "check",
  "--print-schema": "print-schema",
  "--version": "version",
  "-V": "version",
  "--help": "help",
  "-h": "help",
} as const;

type Mode = (typeof MODES)[keyof typeof MODES];

/** Options that take a value: `--name VALUE` or `--name=VALUE`. */
const VALUED = ["--platform", "--kill-timeout"] as const;

type Valued = (typeof VALUED)[number];

const PLATFORM_NAMES = Object.keys(PLATFORMS).join(", ");

/**
 * `groundcontrol [--check [--json] [--strict] [--platform P | --kill-timeout D]] [CONFIG]`,
 * `--print-schema`, `--version`, `--help`. One mode at most; `--` ends the options; the config
 * path defaults to $GROUNDCONTROL_CONFIG, then ./groundcontrol.toml.
 */
export function parseArgs(
  argv: readonly string[],
  env: { readonly GROUNDCONTROL_CONFIG?: string | undefined },
): Action {
  // A config file called "status" is ./status.
  if (argv[0] === "status") return parseStatusArgs(argv.slice(1));
  const modes: string[] = [];
  let mode: Mode | undefined;
  let json = false;
  let strict = false;
  const values = new Map<Valued, string>();
  const positional: string[] = [];
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = splitOption(arg);
    if (optionsEnded || arg === "-" || !arg.startsWith("-")) positional.push(arg);
    else if (arg === "--") optionsEnded = true;
    else if (arg === "--json") json = true;
    else if (arg === "--strict") strict = true;
    else if (isValued(name)) {
      const value = inline ?? argv[i + 1];
      if (value === undefined || value === "" || (inline === undefined && value.startsWith("-"))) {
        return usageError(`${name} needs a value`);
      }
      if (inline === undefined) i++;
      if (values.has(name)) return usageError(`${name} is given twice`);
      values.set(name, value);
    } else if (Object.hasOwn(MODES, arg)) {
      modes.push(arg);
      mode = MODES[arg as keyof typeof MODES];
    } else return usageError(`unknown option ${JSON.stringify(arg)}`);
  }

  if (modes.length > 1) return usageError(`${modes.join(" and ")} cannot be used together`);
  if (json && mode !== "check") return usageError("--json goes with --check");
  if (strict && mode !== "check") return usageError("--strict goes with --check");
  for (const name of values.keys()) {
    if (mode !== "check") return usageError(`${name} goes with --check`);
  }
  if (values.size > 1) return usageError(`${VALUED.join(" and ")} cannot be used together`);
  const killTimeout = killTimeoutOf(values);
  if (typeof killTimeout === "string") return usageError(killTimeout);
  if (positional.length > 1) {
    return usageError(
      `expected one config file, got ${positional.length}: ${positional.join(" ")}`,
    );
  }
  if (mode === "help" || mode === "version" || mode === "print-schema") {
    if (positional.length > 0) return usageError(`${modes[0]} takes no config file`);
    return { kind: mode };
  }

  const config = positional[0] ?? (env.GROUNDCONTROL_CONFIG || DEFAULT_CONFIG);
  if (config === "") return usageError("the config file path is empty");
  if (mode !== "check") return { kind: "run", config };
  return killTimeout
    ? { kind: "check", config, json, strict, killTimeout }
    : { kind: "check", config, json, strict };
}

/** `--name=value` as its name and value; any other argument as itself. */
function splitOption(arg: string): [string, string | undefined] {
  const equals = arg.indexOf("=");
  return arg.startsWith("--") && equals > 0
    ? [arg.slice(0, equals), arg.slice(equals + 1)]
    : [arg, undefined];
}

function isValued(name: string): name is Valued {
  return (VALUED as readonly string[]).includes(name);
}

/** The kill timeout that --platform or --kill-timeout gives, or what is wrong with it. */
function killTimeoutOf(values: Map<Valued, string>): KillTimeout | string | undefined {
  const platform = values.get("--platform");
  if (platform !== undefined) {
    if (isPlatform(platform)) return { platform };
    return `unknown platform ${JSON.stringify(platform)}: expected one of ${PLATFORM_NAMES}`;
  }
  const given = values.get("--kill-timeout");
  if (given === undefined) return undefined;
  const duration = parseDuration(given);
  if (!duration.ok) return `--kill-timeout: ${duration.error}`;
  if (duration.ms === 0) return `--kill-timeout: expected ${DURATION_HINT}, longer than 0`;
  return { ms: duration.ms };
}

/** `groundcontrol status [--json] [--ready] [--socket PATH]`. */
function parseStatusArgs(argv: readonly string[]): Action {
  let json = false;
  let ready = false;
  let socket: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--json") json = true;
    else if (arg === "--ready") ready = true;
    else if (arg === "--socket" || arg.startsWith("--socket=")) {
      socket = arg === "--socket" ? argv[++i] : arg.slice("--socket=".length);
      if (socket === undefined || socket === "") return usageError("--socket takes a path");
    } else if (arg.startsWith("-"))
      return usageError(`unknown option ${JSON.stringify(arg)} for status`);
    else
      return usageError(
        `status takes no config file (got ${JSON.stringify(arg)}): it asks the running Ground Control`,
      );
  }
  return { kind: "status", json, ready, socket };
}

function usageError(message: string): Action {
  return { kind: "usage-error", message };
}

// Turns the command line into one action. Pure: argv and the environment in, a value out.

export type Action =
  | { kind: "run"; config: string }
  | { kind: "check"; config: string; json: boolean; strict: boolean }
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

/**
 * `groundcontrol [--check [--json] [--strict]] [CONFIG]`, `--print-schema`, `--version`, `--help`.
 * One mode at most; `--` ends the options; the config path defaults to
 * $GROUNDCONTROL_CONFIG, then ./groundcontrol.toml.
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
  const positional: string[] = [];
  let optionsEnded = false;
  for (const arg of argv) {
    if (optionsEnded || arg === "-" || !arg.startsWith("-")) positional.push(arg);
    else if (arg === "--") optionsEnded = true;
    else if (arg === "--json") json = true;
    else if (arg === "--strict") strict = true;
    else if (Object.hasOwn(MODES, arg)) {
      modes.push(arg);
      mode = MODES[arg as keyof typeof MODES];
    } else return usageError(`unknown option ${JSON.stringify(arg)}`);
  }

  if (modes.length > 1) return usageError(`${modes.join(" and ")} cannot be used together`);
  if (json && mode !== "check") return usageError("--json goes with --check");
  if (strict && mode !== "check") return usageError("--strict goes with --check");
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
  return mode === "check" ? { kind: "check", config, json, strict } : { kind: "run", config };
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

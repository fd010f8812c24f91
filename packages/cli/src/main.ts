// The groundcontrol executable: maps argv to an action and an exit status.
// Each action's module is imported only when it is chosen, so `--help` or `--version` never
// load the config parser and a run never loads the JSON Schema generator.
import { type Action, parseArgs } from "./args.js";
import { exitWhenFlushed } from "./exit.js";
import { HELP } from "./help.js";
import { EXEC_AS } from "./self.js";
import { SignalDesk } from "./signals.js";

// First of all, in every mode: no signal may find Node's defaults in place (see signals.ts).
const signals = new SignalDesk();

// Replaced with the package version when the CLI is bundled (build.mjs).
declare const __GROUNDCONTROL_VERSION__: string | undefined;
const VERSION = typeof __GROUNDCONTROL_VERSION__ === "string" ? __GROUNDCONTROL_VERSION__ : "dev";

async function perform(action: Action): Promise<number> {
  switch (action.kind) {
    case "usage-error":
      process.stderr.write(`groundcontrol: ${action.message}\nTry 'groundcontrol --help'.\n`);
      return 2;
    case "help":
      process.stdout.write(HELP);
      return 0;
    case "version":
      process.stdout.write(`groundcontrol ${VERSION} (Node ${process.version})\n`);
      return 0;
    case "print-schema": {
      const { jsonSchemaText } = await import("@groundcontrol/config");
      process.stdout.write(jsonSchemaText());
      return 0;
    }
    case "check": {
      const { check } = await import("./check.js");
      const result = await check(action.config, action);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.exitCode;
    }
    case "status": {
      const { status } = await import("./status.js");
      const result = await status(action);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.exitCode;
    }
    case "run": {
      const { runConfig } = await import("./run.js");
      return runConfig(action.config, signals);
    }
  }
}

function fail(error: unknown): void {
  // Never a stack trace: say what went wrong in one line.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`groundcontrol: ${message}\n`);
  exitWhenFlushed(1);
}

if (process.argv[2] === EXEC_AS) {
  // Not a user-facing mode: the helper that drops to a user with its groups, then execs.
  void import("@groundcontrol/core").then(({ execAsMain }) => execAsMain());
} else {
  perform(parseArgs(process.argv.slice(2), process.env)).then(exitWhenFlushed, fail);
}

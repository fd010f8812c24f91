// Commands in their three forms (string, array, table), all normalised to one CommandSpec.
import type { CommandSpec } from "@groundcontrol/core";
import * as v from "valibot";
import { splitCommand } from "../split.js";
import { byType, definitions } from "./by-type.js";
import { expected, keyMessages } from "./messages.js";
import { envTable, noNul, nonEmptyString, onlyEnv, secretsTable, user } from "./values.js";

type Argv = Pick<CommandSpec, "program" | "args">;

const EMPTY_PROGRAM = "the program name is empty";

const commandString = v.pipe(
  v.string(),
  noNul,
  v.title("Command line"),
  v.description(
    'Split into words at whitespace; single and double quotes group words; backslash escapes the next character. No shell: use ["/bin/sh", "-c", "..."] for pipes or $VARS. {{NAME}} is replaced by the variable\'s value.',
  ),
  v.examples(["nginx -g 'daemon off;'"]),
  v.rawTransform<string, Argv>(({ dataset, addIssue, NEVER }) => {
    const result = splitCommand(dataset.value);
    if (!result.ok) {
      addIssue({ message: result.error });
      return NEVER;
    }
    const [program, ...args] = result.argv;
    if (!program) {
      addIssue({ message: EMPTY_PROGRAM });
      return NEVER;
    }
    return { program, args };
  }),
);

const commandArray = v.pipe(
  v.array(v.pipe(v.string(expected("a string")), noNul)),
  v.minLength(1, "empty command: the array needs at least the program"),
  v.title("Command argv"),
  v.description("The program and its arguments, one string each, passed as they are."),
  v.examples([["/usr/sbin/nginx", "-g", "daemon off;"]]),
  v.rawTransform<string[], Argv>(({ dataset, addIssue, NEVER }) => {
    const [program, ...args] = dataset.value;
    if (!program) {
      addIssue({ message: EMPTY_PROGRAM });
      return NEVER;
    }
    return { program, args };
  }),
);

/** The `command` of a table: a string or an array. */
const argv = byType(
  { string: commandString, array: commandArray },
  "a command line string or an array of strings",
  "argv",
);

const commandEntries = {
  command: argv,
  user: v.optional(user),
  "only-env": v.optional(onlyEnv),
  env: v.optional(envTable),
  cwd: v.optional(
    v.pipe(
      nonEmptyString("a directory path"),
      v.title("Working directory"),
      v.description(
        "Directory the command starts in; {{NAME}} is replaced by the variable's value.",
      ),
    ),
  ),
  secrets: v.optional(secretsTable),
};

const commandTable = v.pipe(
  v.strictObject(commandEntries, keyMessages(Object.keys(commandEntries))),
  v.title("Command with options"),
  v.description(
    "A command with the user to run it as, the environment and secrets it gets and where it starts.",
  ),
  v.transform((table): CommandSpec => {
    const spec: CommandSpec = { ...table.command };
    if (table.user !== undefined) spec.user = table.user;
    if (table["only-env"] !== undefined) spec.onlyEnv = table["only-env"];
    if (table.env !== undefined) spec.env = table.env;
    if (table.cwd !== undefined) spec.cwd = table.cwd;
    if (table.secrets !== undefined) spec.secrets = table.secrets;
    return spec;
  }),
);

const COMMAND_FORMS = "a command: a string, an array of strings, or a table with `command`";

definitions.commandLine = commandString;
definitions.commandArgv = commandArray;
definitions.commandTable = commandTable;

/** `pre`, `run`, `post`, `ready.command`. */
export const command = byType(
  { string: commandString, array: commandArray, table: commandTable },
  COMMAND_FORMS,
  "command",
);

export { COMMAND_FORMS, commandArray, commandString, commandTable };

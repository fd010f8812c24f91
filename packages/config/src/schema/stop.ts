// `stop`: a signal name or a command. See ../signals.ts for which strings are signal names.
import type { CommandSpec, StopSpec } from "@groundcontrol/core";
import * as v from "valibot";
import { classifyStop } from "../signals.js";
import { byType } from "./by-type.js";
import { commandArray, commandString, commandTable } from "./command.js";

const asCommand = v.transform((command: CommandSpec): StopSpec => ({ kind: "command", command }));

const stopString = v.pipe(
  v.string(),
  v.title("Stop signal or command line"),
  v.description(
    'A signal name such as "SIGTERM" or "SIGINT" (any string starting with SIG and without spaces is taken as a signal name and must be a standard one), or a command line to run instead.',
  ),
  v.examples(["SIGINT", "nginx -s quit"]),
  v.rawTransform<string, StopSpec>((context) => {
    const stop = classifyStop(context.dataset.value);
    if (stop.kind === "signal") return { kind: "signal", signal: stop.signal };
    if (stop.kind === "invalid") {
      context.addIssue({ message: stop.error });
      return context.NEVER;
    }
    // Not a signal name: the same rules as any command string.
    const dataset = v.safeParse(commandString, context.dataset.value);
    if (dataset.success) return { kind: "command", command: dataset.output };
    context.addIssue({ message: dataset.issues[0].message });
    return context.NEVER;
  }),
);

export const stop = byType(
  {
    string: stopString,
    array: v.pipe(commandArray, asCommand),
    table: v.pipe(commandTable, asCommand),
  },
  "a signal name, or a command: a string, an array of strings, or a table with `command`",
  "stop",
);

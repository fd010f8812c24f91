// The whole groundcontrol.toml: top-level settings, [env] and the [[processes]] list.
import type { LogFormat } from "@groundcontrol/core";
import * as v from "valibot";
import type { Config } from "../config-types.js";
import { byType } from "./by-type.js";
import { expected, keyMessages } from "./messages.js";
import { processTable } from "./process.js";
import { breakGlass, controlSocket, statusListen } from "./settings.js";
import { duration, envTable } from "./values.js";

const suppressTimestamps = v.pipe(
  v.boolean(expected("true or false")),
  v.title("Suppress timestamps"),
  v.description(
    "Leave the timestamp out of log lines (for platforms that add their own). Default false.",
  ),
);

const configEntries = {
  suppress_timestamps: v.optional(suppressTimestamps),
  "suppress-timestamps": v.optional(suppressTimestamps),
  "log-format": v.optional(
    v.pipe(
      v.picklist(["text", "json"], expected('"text" or "json"')),
      v.title("Log format"),
      v.description('"text" (default): one readable line per record; "json": one object per line.'),
    ),
  ),
  "shutdown-timeout": v.optional(
    v.pipe(
      duration,
      v.description(
        "One deadline for the whole shutdown; each stop wait gets only what is left of it. Size it under the platform's kill timeout.",
      ),
    ),
  ),
  "control-socket": v.optional(controlSocket),
  "status-listen": v.optional(statusListen),
  "break-glass": v.optional(breakGlass),
  env: v.optional(
    v.pipe(
      envTable,
      v.description(
        "Added to the environment every command starts from (and that {{NAME}} sees), overriding inherited values.",
      ),
    ),
  ),
  processes: v.pipe(
    byType(
      { array: v.array(processTable) },
      "an array of process tables: write each process as [[processes]]",
      "processes",
    ),
    v.description("The processes, started in file order and stopped in reverse order."),
  ),
};

export const configSchema = v.pipe(
  v.strictObject(
    configEntries,
    keyMessages(Object.keys(configEntries), {
      processes: "add at least one [[processes]] table",
    }),
  ),
  v.title("groundcontrol.toml"),
  v.description(
    "Ground Control: starts processes in order, watches them, and stops them in reverse order.",
  ),
  v.transform((table): Config => {
    const spec: Config = { processes: table.processes };
    if (table.env !== undefined) spec.env = table.env;
    if (table["shutdown-timeout"] !== undefined) spec.shutdownTimeoutMs = table["shutdown-timeout"];
    const suppress = table.suppress_timestamps ?? table["suppress-timestamps"];
    if (suppress !== undefined) spec.suppressTimestamps = suppress;
    if (table["log-format"] !== undefined) spec.logFormat = table["log-format"] as LogFormat;
    if (table["control-socket"] !== undefined) spec.controlSocket = table["control-socket"];
    if (table["status-listen"] !== undefined) spec.statusListen = table["status-listen"];
    if (table["break-glass"] !== undefined) spec.breakGlass = table["break-glass"];
    return spec;
  }),
);

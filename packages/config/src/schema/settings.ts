// Top-level settings of the `groundcontrol` executable rather than of the processes: where it
// answers `groundcontrol status` (SPEC §8 "Status") and `[break-glass]` (SPEC §8 "Crash-loop
// break glass"). Core never sees them; the CLI does.
import * as v from "valibot";
import { type BreakGlassSettings, MAX_SOCKET_PATH_BYTES } from "../config-types.js";
import { byType } from "./by-type.js";
import { keyMessages } from "./messages.js";
import { hostPort } from "./ready.js";
import { count, nonEmptyString, positiveDuration } from "./values.js";

const socketPath = v.pipe(
  nonEmptyString("a socket path, or false"),
  v.check(
    (path) => Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES,
    `the path is longer than ${MAX_SOCKET_PATH_BYTES} bytes, the most a Unix socket path can hold`,
  ),
);

export const controlSocket = v.pipe(
  byType(
    {
      string: socketPath,
      boolean: v.pipe(
        v.literal(false, "expected a socket path, or false (true is the default: leave it out)"),
      ),
    },
    "a socket path, or false",
    "control-socket",
  ),
  v.title("Control socket"),
  v.description(
    'Where `groundcontrol status` finds this Ground Control: a Unix socket, mode 0600. Default "/run/groundcontrol.sock" (best effort); false for none. GROUNDCONTROL_SOCKET overrides it.',
  ),
);

export const statusListen = v.pipe(
  hostPort(
    "Also serve GET /status (JSON) and GET /healthz (200 when ready, else 503) over HTTP on this address. Off by default.",
    ["127.0.0.1:9090", "0.0.0.0:9090", "[::]:9090"],
  ),
  v.title("Status over HTTP"),
);

const breakGlassEntries = {
  "after-failed-boots": v.optional(
    v.pipe(
      count(1),
      v.description(
        "Enter break glass by itself when a boot would be one more than this many failed boots in a row. Needs state-file.",
      ),
    ),
  ),
  "state-file": v.optional(
    v.pipe(
      nonEmptyString("a file path"),
      v.description(
        "Where failed boots are counted: a file on a volume that outlives the container.",
      ),
    ),
  ),
  "healthy-after": v.optional(
    v.pipe(
      positiveDuration,
      v.description(
        'A boot that stays up this long after startup completed is a good one, and clears the count. Default "60s".',
      ),
    ),
  ),
  "start-through": v.optional(
    v.pipe(
      nonEmptyString("a process name"),
      v.description(
        "In break glass (BREAK_GLASS set, or after failed boots), start the processes up to and including this one, and no other.",
      ),
    ),
  ),
};

type BreakGlassTable = v.InferOutput<v.StrictObjectSchema<typeof breakGlassEntries, undefined>>;

export const breakGlass = byType(
  {
    table: v.pipe(
      v.strictObject(breakGlassEntries, keyMessages(Object.keys(breakGlassEntries), {})),
      v.title("Break glass"),
      v.description(
        "Break glass by itself after repeated failed boots, and what to start in any break glass.",
      ),
      v.rawTransform<BreakGlassTable, BreakGlassSettings>(({ dataset, addIssue, NEVER }) => {
        const table = dataset.value;
        const counting = table["after-failed-boots"] !== undefined;
        if (counting && table["state-file"] === undefined) {
          addIssue({
            message: "after-failed-boots needs state-file: where the failed boots are counted",
          });
          return NEVER;
        }
        for (const key of ["state-file", "healthy-after"] as const) {
          if (!counting && table[key] !== undefined) {
            addIssue({ message: `${key} is only used with after-failed-boots` });
            return NEVER;
          }
        }
        const settings: BreakGlassSettings = {};
        if (counting) settings.afterFailedBoots = table["after-failed-boots"];
        if (table["state-file"] !== undefined) settings.stateFile = table["state-file"];
        if (table["healthy-after"] !== undefined) settings.healthyAfterMs = table["healthy-after"];
        if (table["start-through"] !== undefined) settings.startThrough = table["start-through"];
        return settings;
      }),
    ),
  },
  "a table: [break-glass] with after-failed-boots, state-file, healthy-after or start-through",
  "break-glass",
);

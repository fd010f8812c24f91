// `ready`: the check that must hold before the next process starts, with its timing.
import type { ReadyCheck, ReadySpec } from "@groundcontrol/core";
import * as v from "valibot";
import { parseHostPort } from "../host-port.js";
import { byType } from "./by-type.js";
import { command } from "./command.js";
import { expected, keyMessages } from "./messages.js";
import { nonEmptyString, positiveDuration } from "./values.js";

/** A "host:port" string, as `{ host, port }`. */
export function hostPort(description: string, examples: string[]) {
  return v.pipe(
    v.string(expected('"host:port"')),
    v.description(description),
    v.examples(examples),
    v.rawTransform<string, { host: string; port: number }>(({ dataset, addIssue, NEVER }) => {
      const result = parseHostPort(dataset.value);
      if (typeof result !== "string") return result;
      addIssue({ message: result });
      return NEVER;
    }),
  );
}

export const tcp = hostPort(
  'Ready once a TCP connection to "host:port" succeeds; IPv6 hosts in brackets.',
  ["127.0.0.1:5432", "[::1]:6379"],
);

export const http = v.pipe(
  v.string(expected("an http:// or https:// URL")),
  v.description("Ready once a GET of this URL answers with a 2xx status."),
  v.examples(["http://127.0.0.1:8080/healthz"]),
  v.check((text) => {
    if (!URL.canParse(text)) return false;
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  }, expected("an http:// or https:// URL")),
);

const log = v.pipe(
  v.string(expected("a regular expression")),
  v.description(
    "Ready once a line the process writes (stdout or stderr) matches this JavaScript regular expression (no flags).",
  ),
  v.examples(["listening on port \\d+"]),
  v.rawCheck<string>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    try {
      new RegExp(dataset.value);
    } catch (error) {
      // V8's message repeats the pattern ("Invalid regular expression: /…/: why"): keep the why.
      const why = (error as Error).message.replace(/^.*\/: /, "");
      addIssue({ message: `invalid regular expression: ${why}` });
    }
  }),
);

const FD = "a file descriptor number from 3 to 1023 (0-2 are stdin, stdout and stderr)";

const fd = v.pipe(
  v.number(expected(FD)),
  v.integer(expected(FD)),
  v.minValue(3, expected(FD)),
  v.maxValue(1023, expected(FD)),
  v.description(
    "Ready once the process writes a newline to this inherited file descriptor (s6's notification-fd).",
  ),
);

const notify = v.pipe(
  v.literal(true, expected("true (leave the key out for no notification)")),
  v.description(
    "Ready once the daemon sends READY=1 to the socket its NOTIFY_SOCKET names (systemd's sd_notify): a private socket only Ground Control reads, which counts only messages from the daemon's own processes.",
  ),
);

const CHECKS = ["tcp", "http", "command", "file", "log", "fd", "notify"] as const;

const readyEntries = {
  tcp: v.optional(tcp),
  http: v.optional(http),
  command: v.optional(
    v.pipe(command, v.description("Ready once this command exits 0 (run again every `interval`).")),
  ),
  file: v.optional(
    v.pipe(nonEmptyString("a file path"), v.description("Ready once this path exists.")),
  ),
  log: v.optional(log),
  fd: v.optional(fd),
  notify: v.optional(notify),
  timeout: v.optional(
    v.pipe(
      positiveDuration,
      v.description('Give up (and abort startup) after this long. Default "60s".'),
    ),
  ),
  interval: v.optional(
    v.pipe(positiveDuration, v.description('How often polling checks try again. Default "100ms".')),
  ),
};

type ReadyTable = v.InferOutput<v.StrictObjectSchema<typeof readyEntries, undefined>>;

function toCheck(table: ReadyTable): ReadyCheck | undefined {
  if (table.tcp) return { kind: "tcp", ...table.tcp };
  if (table.http !== undefined) return { kind: "http", url: table.http };
  if (table.command) return { kind: "command", command: table.command };
  if (table.file !== undefined) return { kind: "file", path: table.file };
  if (table.log !== undefined) return { kind: "log", pattern: table.log };
  if (table.fd !== undefined) return { kind: "fd", fd: table.fd };
  if (table.notify) return { kind: "notify" };
  return undefined;
}

export const ready = byType(
  {
    table: v.pipe(
      v.strictObject(readyEntries, keyMessages(Object.keys(readyEntries))),
      v.title("Readiness check"),
      // Lets an editor flag a table with no check or with two.
      v.metadata({ oneOf: CHECKS.map((key) => ({ required: [key] })) }),
      v.description(
        "The next process starts only once this holds. Exactly one of tcp, http, command, file, log, fd or notify; optionally timeout and interval.",
      ),
      v.rawTransform<ReadyTable, ReadySpec>(({ dataset, addIssue, NEVER }) => {
        const given = CHECKS.filter((key) => dataset.value[key] !== undefined);
        if (given.length !== 1) {
          addIssue({
            message:
              given.length === 0
                ? `give one check: ${CHECKS.join(", ")}`
                : `give only one check, found ${given.join(" and ")}`,
          });
          return NEVER;
        }
        const spec: ReadySpec = { check: toCheck(dataset.value)! };
        if (dataset.value.timeout !== undefined) spec.timeoutMs = dataset.value.timeout;
        if (dataset.value.interval !== undefined) spec.intervalMs = dataset.value.interval;
        return spec;
      }),
    ),
  },
  'a table such as { tcp = "127.0.0.1:5432" }',
  "ready",
);

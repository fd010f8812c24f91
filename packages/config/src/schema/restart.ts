// `restart` and `health`: what happens when a process fails after it started (SPEC §8).
import type { HealthCheck, HealthSpec, RestartSpec } from "@groundcontrol/core";
import * as v from "valibot";
import { byType } from "./by-type.js";
import { command } from "./command.js";
import { expected, keyMessages } from "./messages.js";
import { http, tcp } from "./ready.js";
import { count, duration, positiveDuration } from "./values.js";

const restartEntries = {
  on: v.pipe(
    v.picklist(["never", "failure", "always"], expected('"never", "failure" or "always"')),
    v.description(
      '"failure": a non-zero exit, a signal, or a failed health check; "always": any exit, 0 included; "never" (the default).',
    ),
  ),
  max: v.optional(
    v.pipe(
      count(1),
      v.description(
        "Restarts allowed within `within`; one more ends in the ordinary shutdown. Default 3.",
      ),
    ),
  ),
  within: v.optional(
    v.pipe(
      positiveDuration,
      v.description('The sliding window the restarts are counted in. Default "60s".'),
    ),
  ),
  backoff: v.optional(
    v.pipe(
      duration,
      v.description(
        'The wait before the first restart in the window; it doubles for each next one. Default "1s".',
      ),
    ),
  ),
  "max-backoff": v.optional(
    v.pipe(duration, v.description('The longest wait before a restart. Default "30s".')),
  ),
};

type RestartTable = v.InferOutput<v.StrictObjectSchema<typeof restartEntries, undefined>>;

export const restart = byType(
  {
    table: v.pipe(
      v.strictObject(
        restartEntries,
        keyMessages(Object.keys(restartEntries), { on: 'say when: "failure" or "always"' }),
      ),
      v.title("Restart budget"),
      v.description(
        "Start `run` again when it fails (or always), within a budget: when it is spent, the ordinary shutdown, with that run's status.",
      ),
      v.rawTransform<RestartTable, RestartSpec>(({ dataset, addIssue, NEVER }) => {
        const table = dataset.value;
        if (
          table.backoff !== undefined &&
          table["max-backoff"] !== undefined &&
          table["max-backoff"] < table.backoff
        ) {
          addIssue({ message: "max-backoff is shorter than backoff" });
          return NEVER;
        }
        const spec: RestartSpec = { on: table.on };
        if (table.max !== undefined) spec.max = table.max;
        if (table.within !== undefined) spec.withinMs = table.within;
        if (table.backoff !== undefined) spec.backoffMs = table.backoff;
        if (table["max-backoff"] !== undefined) spec.maxBackoffMs = table["max-backoff"];
        return spec;
      }),
    ),
  },
  'a table such as { on = "failure", max = 3 }',
  "restart",
);

const HEALTH_CHECKS = ["tcp", "http", "command"] as const;

const healthEntries = {
  tcp: v.optional(tcp),
  http: v.optional(http),
  command: v.optional(
    v.pipe(
      command,
      v.description("Healthy while this command exits 0 (run again every `interval`)."),
    ),
  ),
  interval: v.optional(
    v.pipe(
      positiveDuration,
      v.description('Between the end of one check and the start of the next. Default "10s".'),
    ),
  ),
  timeout: v.optional(
    v.pipe(
      positiveDuration,
      v.description('One check that takes longer has failed. Default "5s".'),
    ),
  ),
  failures: v.optional(
    v.pipe(
      count(1),
      v.description("Failed checks in a row that make the process unhealthy. Default 3."),
    ),
  ),
  grace: v.optional(
    v.pipe(duration, v.description("From readiness to the first check. Default: one interval.")),
  ),
};

type HealthTable = v.InferOutput<v.StrictObjectSchema<typeof healthEntries, undefined>>;

function toHealthCheck(table: HealthTable): HealthCheck | undefined {
  if (table.tcp) return { kind: "tcp", ...table.tcp };
  if (table.http !== undefined) return { kind: "http", url: table.http };
  if (table.command) return { kind: "command", command: table.command };
  return undefined;
}

export const health = byType(
  {
    table: v.pipe(
      v.strictObject(healthEntries, keyMessages(Object.keys(healthEntries))),
      v.title("Health check"),
      v.metadata({ oneOf: HEALTH_CHECKS.map((key) => ({ required: [key] })) }),
      v.description(
        "Checked again and again once the process is ready: `failures` failed checks in a row make it unhealthy, and it is stopped as a failed run (restarted if `restart` allows). Exactly one of tcp, http or command.",
      ),
      v.rawTransform<HealthTable, HealthSpec>(({ dataset, addIssue, NEVER }) => {
        const given = HEALTH_CHECKS.filter((key) => dataset.value[key] !== undefined);
        if (given.length !== 1) {
          addIssue({
            message:
              given.length === 0
                ? `give one check: ${HEALTH_CHECKS.join(", ")}`
                : `give only one check, found ${given.join(" and ")}`,
          });
          return NEVER;
        }
        const spec: HealthSpec = { check: toHealthCheck(dataset.value)! };
        const { interval, timeout, failures, grace } = dataset.value;
        if (interval !== undefined) spec.intervalMs = interval;
        if (timeout !== undefined) spec.timeoutMs = timeout;
        if (failures !== undefined) spec.failures = failures;
        if (grace !== undefined) spec.graceMs = grace;
        return spec;
      }),
    ),
  },
  'a table such as { http = "http://127.0.0.1:8080/healthz" }',
  "health",
);

// One [[processes]] table: its name, its commands and how it is stopped and awaited.
import type { ProcessSpec } from "@groundcontrol/core";
import * as v from "valibot";
import { byType } from "./by-type.js";
import { command } from "./command.js";
import { expected, keyMessages } from "./messages.js";
import { ready } from "./ready.js";
import { health, restart } from "./restart.js";
import { stop } from "./stop.js";
import { duration, positiveDuration } from "./values.js";

const NAME = "a process name (not empty, no control characters)";

/** The signals Ground Control passes on when it receives them (the others stop it). */
const FORWARDABLE = ["SIGHUP", "SIGUSR1", "SIGUSR2"] as const;

const forwardSignals = byType(
  {
    array: v.pipe(
      v.array(v.picklist(FORWARDABLE, expected('"SIGHUP", "SIGUSR1" or "SIGUSR2"'))),
      v.title("Signals passed on"),
      v.description(
        "Which of SIGHUP, SIGUSR1 and SIGUSR2 Ground Control passes on to this process's `run` when it receives them. Default: all three; [] for none (a program that would die of SIGHUP).",
      ),
      v.examples([["SIGHUP"], []]),
      v.transform((names): NodeJS.Signals[] => [...new Set(names)]),
    ),
  },
  'an array of signal names, such as ["SIGHUP"]',
  "forwardSignals",
);

const processEntries = {
  name: v.pipe(
    v.string(expected(NAME)),
    v.minLength(1, expected(NAME)),
    v.regex(/^[^\x00-\x1f\x7f]+$/, expected(NAME)),
    v.title("Name"),
    v.description("Unique; shown in every log line."),
  ),
  pre: v.optional(
    v.pipe(command, v.description("One-shot command that must exit 0 before `run` starts.")),
  ),
  run: v.optional(
    v.pipe(command, v.description("The long-running command. Without it the process is one-shot.")),
  ),
  stop: v.optional(
    v.pipe(
      stop,
      v.description('How `run` is asked to stop: a signal name or a command. Default "SIGTERM".'),
    ),
  ),
  "stop-timeout": v.optional(
    v.pipe(
      duration,
      v.description(
        'After stop, how long `run` gets to exit before its process group is killed. Default "10s".',
      ),
    ),
  ),
  post: v.optional(v.pipe(command, v.description("Runs during shutdown, after `run` has exited."))),
  ready: v.optional(
    v.pipe(ready, v.description("A check that must hold before the next process starts.")),
  ),
  restart: v.optional(
    v.pipe(
      restart,
      v.description(
        'Start `run` again when it fails (on = "failure") or whenever it exits (on = "always"), within a budget. Default: never.',
      ),
    ),
  ),
  health: v.optional(
    v.pipe(
      health,
      v.description(
        "A liveness check once the process is ready; enough failures in a row stop it as a failed run.",
      ),
    ),
  ),
  watchdog: v.optional(
    v.pipe(
      positiveDuration,
      v.description(
        "sd_notify's watchdog: once ready, `run` must send WATCHDOG=1 to its NOTIFY_SOCKET at least this often (it gets WATCHDOG_USEC and WATCHDOG_PID), or it is unhealthy, as a failed health check makes it.",
      ),
    ),
  ),
  "forward-signals": v.optional(
    v.pipe(
      forwardSignals,
      v.description(
        "Which of SIGHUP, SIGUSR1 and SIGUSR2 are passed on to `run`. Default: all three; [] for none.",
      ),
    ),
  ),
};

export const processTable = byType(
  {
    table: v.pipe(
      v.strictObject(
        processEntries,
        keyMessages(Object.keys(processEntries), { name: "every process needs a name" }),
      ),
      v.title("Process"),
      v.description(
        "Started in file order (pre, then run, then its ready check); stopped in reverse order (stop, then post).",
      ),
      v.transform((table): ProcessSpec => {
        const spec: ProcessSpec = { name: table.name };
        if (table.pre !== undefined) spec.pre = table.pre;
        if (table.run !== undefined) spec.run = table.run;
        if (table.stop !== undefined) spec.stop = table.stop;
        if (table["stop-timeout"] !== undefined) spec.stopTimeoutMs = table["stop-timeout"];
        if (table.post !== undefined) spec.post = table.post;
        if (table.ready !== undefined) spec.ready = table.ready;
        if (table.restart !== undefined) spec.restart = table.restart;
        if (table.health !== undefined) spec.health = table.health;
        if (table.watchdog !== undefined) spec.watchdogMs = table.watchdog;
        if (table["forward-signals"] !== undefined) {
          spec.forwardSignals = table["forward-signals"];
        }
        return spec;
      }),
    ),
  },
  "a process table: write each process as [[processes]]",
  "process",
);

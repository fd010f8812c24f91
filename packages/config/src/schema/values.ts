// Small value schemas shared by the config's tables: durations, users, variable names.
import * as v from "valibot";
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from "../duration.js";
import { byType } from "./by-type.js";
import { expected } from "./messages.js";

/** A variable name: anything a process environment can hold as a name. */
export const ENV_NAME_PATTERN = /^[^=\x00]+$/;

/** Docker's USER forms: `name`, `uid`, `name:group`, `uid:gid` (either half may be numeric). */
export const USER_PATTERN = /^[^\s:]+(?::[^\s:]+)?$/;

/**
 * No NUL byte: the operating system cannot pass one in an argument, a variable or a path, and
 * the error it would give later prints the value.
 */
export const noNul = v.check(
  (text: string) => !text.includes("\0"),
  "a NUL byte (\\u0000) cannot be passed to a program",
);

export const envName = v.pipe(
  v.string(expected("a variable name")),
  v.regex(ENV_NAME_PATTERN, expected("a variable name (not empty, no '=')")),
);

export const envTable = byType(
  {
    table: v.pipe(
      v.record(envName, v.pipe(v.string(expected("a string (quote the value)")), noNul)),
      v.title("Environment variables"),
      v.description("Variable names and their string values."),
    ),
  },
  'a table of variables, such as { NAME = "value" }',
  "env",
);

export const secretsTable = byType(
  {
    table: v.pipe(
      v.record(envName, nonEmptyString("a file path")),
      v.title("Secrets from files"),
      v.description(
        "Variables whose values are read from files (Docker and Kubernetes secrets) each time the command starts, one trailing newline removed. Set in this command's environment alone, even with only-env; never available to {{NAME}}. A relative path is taken from Ground Control's working directory.",
      ),
      v.examples([{ API_KEY: "/run/secrets/api-key" }]),
    ),
  },
  'a table of variables and the files to read them from, such as { API_KEY = "/run/secrets/api-key" }',
  "secrets",
);

export const onlyEnv = byType(
  {
    array: v.pipe(
      v.array(envName),
      v.title("Only these variables"),
      v.description(
        "Give the command PATH plus exactly these variables from Ground Control's environment (and its own `env`). [] means PATH alone.",
      ),
      v.transform((names) => [...new Set(names)]),
    ),
  },
  "an array of variable names",
  "onlyEnv",
);

export const user = v.pipe(
  v.string(expected('a user: "name", "uid", "name:group" or "uid:gid"')),
  v.regex(USER_PATTERN, expected('a user: "name", "uid", "name:group" or "uid:gid"')),
  v.title("User"),
  v.description(
    'Run as this user, in Docker USER form: "name", "uid", "name:group" or "uid:gid". Names resolve through /etc/passwd and /etc/group.',
  ),
);

/** A string that is not empty and holds no NUL byte (a path, a file name…). */
export function nonEmptyString(what: string) {
  return v.pipe(v.string(expected(what)), v.minLength(1, expected(what)), noNul);
}

function toMilliseconds<T extends string | number>() {
  return v.rawTransform<T, number>(({ dataset, addIssue, NEVER }) => {
    const result = parseDuration(dataset.value);
    if (result.ok) return result.ms;
    addIssue({ message: result.error });
    return NEVER;
  });
}

/** A duration in milliseconds; from "250ms", "10s", "2m", "1h" or a number of seconds. */
export const duration = byType(
  {
    string: v.pipe(
      v.string(),
      v.regex(DURATION_PATTERN, expected(DURATION_HINT)),
      v.title("Duration"),
      v.description('A number with a unit: "250ms", "10s", "2m" or "1h"; no unit means seconds.'),
      v.examples(["250ms", "10s", "2m"]),
      toMilliseconds<string>(),
    ),
    number: v.pipe(
      v.number(expected(DURATION_HINT)),
      v.finite(expected(DURATION_HINT)),
      v.minValue(0, expected(DURATION_HINT)),
      v.title("Duration in seconds"),
      toMilliseconds<number>(),
    ),
  },
  DURATION_HINT,
  "duration",
);

/** A duration that must be more than zero (a zero timeout or poll interval makes no sense). */
export const positiveDuration = v.pipe(
  duration,
  v.check((ms) => ms > 0, "expected a duration longer than 0"),
);

const COUNT = (least: number) => `a whole number of at least ${least}`;

/**
 * A whole number of at least `least`. A number out of range is named in the message: a count is
 * never a secret, and "got 0" says more than "got an integer".
 */
export const count = (least: number) => {
  const got = (issue: v.BaseIssue<unknown>) =>
    `expected ${COUNT(least)}, got ${String(issue.input)}`;
  return v.pipe(v.number(expected(COUNT(least))), v.integer(got), v.minValue(least, got));
};

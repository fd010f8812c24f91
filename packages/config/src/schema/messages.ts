// Issue messages that say what was expected and what the file holds instead.
import type * as v from "valibot";

/**
 * How a TOML value reads in a message: its type alone (`a string`, `a number`, `an array`…).
 * Never the value: a config file's values include secrets, and messages reach logs.
 */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return value === "" ? "an empty string" : "a string";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "boolean") return "a boolean";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  return "a table";
}

/** A message function for valibot: "expected WHAT, got VALUE". */
export function expected(what: string): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => `expected ${what}, got ${describe(issue.input)}`;
}

/** Messages for a table's key problems: unknown keys (with a suggestion) and missing ones. */
export function keyMessages(
  allowed: readonly string[],
  hints: { readonly [key: string]: string } = {},
): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => {
    if (issue.expected === "never") {
      const key = String(issue.input);
      const guess = closest(key, allowed);
      const suggestion = guess ? ` (did you mean "${guess}"?)` : "";
      return `unknown key "${key}"${suggestion}; expected one of: ${allowed.join(", ")}`;
    }
    if (issue.expected?.startsWith('"')) {
      const key = JSON.parse(issue.expected) as string;
      return `missing required key "${key}"${hints[key] ? `: ${hints[key]}` : ""}`;
    }
    return `expected a table, got ${describe(issue.input)}`;
  };
}

/** The allowed key a typo most likely meant: same letters ignoring case, `-` and `_`, or 2 edits. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  const exact = allowed.find((candidate) => norm(candidate) === norm(key));
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const distance = editDistance(norm(key), norm(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

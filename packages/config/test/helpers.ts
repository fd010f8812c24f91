// Shared helpers for the config tests: parse a snippet, or collect the issues it raises.
import { ConfigError, type ConfigIssue, parseConfig } from "../src/index.js";

/** Parses `text` (a whole file) and returns the issues; fails the test when it is valid. */
export function issuesOf(text: string | Uint8Array, file = "gc.toml"): ConfigIssue[] {
  try {
    parseConfig(text, { file });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

/** The one issue `text` raises, as `line:column path: message`, for compact assertions. */
export function oneIssue(text: string): string {
  const issues = issuesOf(text);
  if (issues.length !== 1) {
    throw new Error(`expected one issue, got:\n${issues.map(brief).join("\n")}`);
  }
  return brief(issues[0]!);
}

export function brief(issue: ConfigIssue): string {
  return `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`;
}

/** A file with one process whose extra lines are `body`. */
export function processWith(body: string): string {
  return `[[processes]]\nname = "app"\n${body}\n`;
}

/** The first process of a valid file. */
export function firstProcess(text: string) {
  const spec = parseConfig(text);
  return spec.processes[0]!;
}

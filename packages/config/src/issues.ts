// What a config problem looks like, and the error that carries every problem found in a file.
import { formatKeyPath, type KeySegment } from "./key-path.js";
import { PositionIndex } from "./positions.js";

/** One problem in a config file, placed so a person (or an editor) can jump to it. */
export interface ConfigIssue {
  /** The file as it was named to the parser (often relative, as the user typed it). */
  file: string;
  /** 1-based line of the offending key or value; 0 when the problem is the file as a whole. */
  line: number;
  /** 1-based column; 0 when the problem is the file as a whole. */
  column: number;
  /** Key path such as `processes[2].run.only-env`; empty for problems not tied to a key. */
  path: string;
  /** What is wrong and what was expected, in one line. */
  message: string;
  /** Extra lines to show under the message, such as a TOML parser's code frame. */
  frame?: string;
}

/** Thrown by `parseConfig` and `loadConfig`; `message` is the whole human-readable report. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    super(formatReport(file, issues));
    this.file = file;
    this.issues = issues;
  }
}

/**
 * An issue about the key at `path` of a file whose text is `text` (for checks made after
 * parsing, such as whether a user exists in this image): placed at that key's line.
 */
export function issueAt(
  file: string,
  text: string,
  path: readonly KeySegment[],
  message: string,
): ConfigIssue {
  const { line, column } = new PositionIndex(text).lookup(path);
  return { file, line, column, path: formatKeyPath(path), message };
}

/** `file:line:column: path: message`, the form compilers use and terminals make clickable. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const what = issue.path ? `${issue.path}: ${issue.message}` : issue.message;
  const frame = issue.frame ? `\n${indent(issue.frame.replace(/\n+$/, ""))}` : "";
  return `${where}: ${what}${frame}`;
}

function formatReport(file: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return [`${file}: invalid config (${count})`, ...issues.map(formatIssue)].join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

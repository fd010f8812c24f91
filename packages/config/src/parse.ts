// Reads groundcontrol.toml into a Spec, or throws a ConfigError listing every problem found.
import { readFileSync } from "node:fs";
import { parse as parseToml, TomlError } from "smol-toml";
import * as v from "valibot";
import type { Config } from "./config-types.js";
import { crossCheck } from "./cross-checks.js";
import { codeFrame } from "./frame.js";
import { ConfigError, type ConfigIssue } from "./issues.js";
import { formatKeyPath, type KeySegment } from "./key-path.js";
import { PositionIndex } from "./positions.js";
import { configSchema } from "./schema/config.js";
import { decodeUtf8 } from "./utf8.js";

export interface ParseOptions {
  /** The name issues give for the file; default "groundcontrol.toml". */
  file?: string;
}

/** Validates a config's text (or raw bytes, decoded as strict UTF-8) into a Spec. */
export function parseConfig(source: string | Uint8Array, options: ParseOptions = {}): Config {
  const file = options.file ?? "groundcontrol.toml";
  const text = toText(source, file);
  let document: unknown;
  try {
    document = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) throw new ConfigError(file, [syntaxIssue(file, text, error)]);
    throw error;
  }
  const result = v.safeParse(configSchema, document, { abortEarly: false });
  const found = [
    ...(result.issues ?? []).map((issue) => ({ path: pathOf(issue), message: issue.message })),
    ...crossCheck(document),
  ];
  if (result.success && found.length === 0) return result.output;
  const positions = new PositionIndex(text);
  const issues = found.map(({ path, message }): ConfigIssue => {
    const { line, column } = positions.lookup(path);
    return { file, line, column, path: formatKeyPath(path), message };
  });
  throw new ConfigError(file, sortIssues(issues));
}

/** Reads and validates the config file at `path`; unreadable files are a ConfigError too. */
export async function loadConfig(path: string): Promise<Config> {
  // Loaded here, not with the module: the CLI reads with loadConfigSync, and node:fs/promises
  // (streams, readline) would cost every start of it a few ms.
  const { readFile } = await import("node:fs/promises");
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  return parseConfig(bytes, { file: path });
}

/**
 * `loadConfig` with a blocking read, for a program's start-up where nothing else is running yet:
 * an asynchronous read would first start Node's thread pool for one small file.
 */
export function loadConfigSync(path: string): Config {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  return parseConfig(bytes, { file: path });
}

function unreadable(path: string, error: unknown): ConfigError {
  const message = `cannot read the config file: ${describeReadError(error)}`;
  return new ConfigError(path, [{ file: path, line: 0, column: 0, path: "", message }]);
}

function toText(source: string | Uint8Array, file: string): string {
  if (typeof source === "string") return source.replace(/^\uFEFF/, "");
  const decoded = decodeUtf8(source);
  if (decoded.ok) return decoded.text;
  const { offset, line, column } = decoded;
  const message = `invalid UTF-8 at byte offset ${offset}: the file must be UTF-8 text`;
  throw new ConfigError(file, [{ file, line, column, path: "", message }]);
}

function syntaxIssue(file: string, text: string, error: TomlError): ConfigIssue {
  // The parser's own code frame would print the file's strings as they are: ours masks them.
  const reason = (error.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
  return {
    file,
    line: error.line,
    column: error.column,
    path: "",
    message: `TOML syntax error: ${reason}`,
    frame: codeFrame(text, error.line, error.column),
  };
}

function pathOf(issue: v.BaseIssue<unknown>): KeySegment[] {
  return (issue.path ?? []).map((item) => item.key as KeySegment);
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((issue) => {
      const key = `${issue.path}\0${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return (error as Error).message;
}

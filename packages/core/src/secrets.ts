// Secrets from files (Docker and Kubernetes secrets): each variable's value is read from its file
// when the command starts, for that command's environment alone. Ground Control reads them as
// itself (root, in a container), so a command run as another user needs no access to the file.
// Messages name the variable and the path, never the value.
import { isUtf8 } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type { Env } from "./env.js";

/**
 * The largest secret file read: Linux takes at most 128 KiB for one environment string
 * (MAX_ARG_STRLEN), and a file larger than that is not a secret but a mistake.
 */
export const MAX_SECRET_BYTES = 128 * 1024;

/** A secret that cannot be read or used; the message names variable and path, not the value. */
export class SecretError extends Error {
  override name = "SecretError";
  constructor(
    readonly variable: string,
    readonly path: string,
    problem: string,
  ) {
    super(`secret "${variable}": ${problem}`);
  }
}

export interface SecretFile {
  /** The file's text, less one trailing newline ("\n" or "\r\n"). */
  value: string;
  /** The file's permission bits (for the warning about a file every user can read). */
  mode: number;
}

/** Why a file could not be opened or read, in words. */
function readProblem(file: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return `cannot read ${file}: no such file`;
    case "EACCES":
    case "EPERM":
      return `cannot read ${file}: permission denied`;
    case "ENOTDIR":
      return `cannot read ${file}: a part of the path is not a directory`;
    case "ELOOP":
      return `cannot read ${file}: too many symbolic links`;
    default:
      return `cannot read ${file} (${error.code ?? "unknown error"})`;
  }
}

/**
 * Reads one secret. Opened without blocking (a FIFO in its place must not hang PID 1), only a
 * regular file of at most MAX_SECRET_BYTES is read; its bytes must be UTF-8 without a NUL.
 */
export function readSecret(variable: string, path: string): SecretFile {
  const file = JSON.stringify(path);
  const fail = (problem: string): never => {
    throw new SecretError(variable, path, problem);
  };
  const tooLarge = `${file} is larger than ${MAX_SECRET_BYTES / 1024} KiB, more than an environment variable holds`;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return fail(readProblem(file, error as NodeJS.ErrnoException));
  }
  let bytes: Buffer;
  let mode: number;
  try {
    const stats = fstatSync(fd);
    mode = stats.mode & 0o7777;
    if (!stats.isFile()) fail(`${file} is not a regular file`);
    if (stats.size > MAX_SECRET_BYTES) fail(tooLarge);
    bytes = readAtMost(fd, MAX_SECRET_BYTES + 1);
    if (bytes.length > MAX_SECRET_BYTES) fail(tooLarge);
  } catch (error) {
    if (error instanceof SecretError) throw error;
    return fail(readProblem(file, error as NodeJS.ErrnoException));
  } finally {
    closeSync(fd);
  }
  if (bytes.includes(0)) fail(`${file} holds a NUL byte, which no environment variable can`);
  if (!isUtf8(bytes)) fail(`${file} is not valid UTF-8`);
  return { value: withoutTrailingNewline(bytes.toString("utf8")), mode };
}

/** One trailing "\n" or "\r\n" removed (files written by editors and `echo` end with one). */
export function withoutTrailingNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n")) return text.slice(0, -1);
  return text;
}

function readAtMost(fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  while (length < limit) {
    const read = readSync(fd, buffer, length, limit - length, null);
    if (read === 0) break;
    length += read;
  }
  return buffer.subarray(0, length);
}

/**
 * Reads every secret of one command into variables. `warn` hears of each file that every user
 * may read (mode o+r): the secret works, but anyone in the container can read it too.
 */
export function readSecrets(secrets: Record<string, string>, warn: (message: string) => void): Env {
  const env: Env = {};
  for (const [variable, path] of Object.entries(secrets)) {
    const { value, mode } = readSecret(variable, path);
    if ((mode & 0o004) !== 0) {
      const octal = mode.toString(8).padStart(4, "0");
      warn(
        `secret "${variable}": ${JSON.stringify(path)} is readable by every user (mode ${octal}); make it 0400 or 0440`,
      );
    }
    env[variable] = value;
  }
  return env;
}

// Rules that span several keys, checked on the parsed TOML itself so they are reported even
// when other keys of the same table are wrong: unique names, one spelling of a setting,
// `ready` only with `run`, variable names a JS object cannot hold, and a variable given both by a
// command's env and by its secrets.
import type { KeySegment } from "./key-path.js";
import { kindOf } from "./schema/by-type.js";

export interface RawIssue {
  path: KeySegment[];
  message: string;
}

type Table = { [key: string]: unknown };

const isTable = (value: unknown): value is Table => kindOf(value) === "table";

/** Keys that valibot's record() silently skips; a variable with such a name would vanish. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const COMMAND_KEYS = ["pre", "run", "post", "stop"] as const;

export function crossCheck(document: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  if (!isTable(document)) return issues;
  if ("suppress_timestamps" in document && "suppress-timestamps" in document) {
    issues.push({
      path: ["suppress-timestamps"],
      message: "suppress_timestamps is also set: give only one of the two spellings",
    });
  }
  checkEnvNames(document.env, ["env"], issues);
  const processes = Array.isArray(document.processes) ? document.processes : [];
  const firstByName = new Map<string, number>();
  processes.forEach((process: unknown, index) => {
    if (!isTable(process)) return;
    const here: KeySegment[] = ["processes", index];
    if (typeof process.name === "string") {
      const first = firstByName.get(process.name);
      if (first === undefined) firstByName.set(process.name, index);
      else {
        issues.push({
          path: [...here, "name"],
          message: `duplicate process name "${process.name}" (first used by processes[${first}])`,
        });
      }
    }
    for (const [key, why] of [
      ["ready", "only a running process can become ready"],
      ["restart", "only a running process can be started again"],
      ["health", "only a running process can be healthy"],
      ["watchdog", "only a running process can ping it"],
    ] as const) {
      if (key in process && !("run" in process)) {
        issues.push({
          path: [...here, key],
          message: `\`${key}\` needs a \`run\` command: ${why}`,
        });
      }
    }
    for (const key of COMMAND_KEYS) {
      const command = process[key];
      if (isTable(command)) checkCommandTable(command, [...here, key], issues);
    }
    for (const key of ["ready", "health"]) {
      const check = process[key];
      if (isTable(check) && isTable(check.command)) {
        checkCommandTable(check.command, [...here, key, "command"], issues);
      }
    }
  });
  checkStartThrough(document["break-glass"], firstByName, issues);
  return issues;
}

/** `start-through` names a process of this file. */
function checkStartThrough(table: unknown, names: Map<string, number>, issues: RawIssue[]): void {
  if (!isTable(table) || typeof table["start-through"] !== "string") return;
  const name = table["start-through"];
  if (name === "" || names.has(name)) return;
  const known = [...names.keys()].map((known) => `"${known}"`).join(", ");
  issues.push({
    path: ["break-glass", "start-through"],
    message: `no process is named "${name}"${known === "" ? "" : `; the processes are ${known}`}`,
  });
}

/** A command table's variable names: safe ones, each given one value (by env or by secrets). */
function checkCommandTable(command: Table, path: KeySegment[], issues: RawIssue[]): void {
  checkEnvNames(command.env, [...path, "env"], issues);
  checkEnvNames(command.secrets, [...path, "secrets"], issues);
  if (!isTable(command.env) || !isTable(command.secrets)) return;
  for (const name of Object.keys(command.secrets)) {
    if (Object.hasOwn(command.env, name)) {
      issues.push({
        path: [...path, "secrets", name],
        message: `"${name}" is also in this command's env: give it one value, from env or from a secret file`,
      });
    }
  }
}

function checkEnvNames(env: unknown, path: KeySegment[], issues: RawIssue[]): void {
  if (!isTable(env)) return;
  for (const name of Object.keys(env)) {
    if (UNSAFE_KEYS.has(name)) {
      issues.push({ path: [...path, name], message: `unsupported variable name "${name}"` });
    }
  }
}

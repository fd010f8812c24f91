// Runs one command the way a process does (prepare, then Command), collecting what it writes.
import type { Readable } from "node:stream";
import { Command, type OutputSink } from "../src/command.js";
import { closeInheritedDescriptors } from "../src/descriptors.js";
import type { Env } from "../src/env.js";
import { loadLibc } from "../src/native.js";
import { prepareCommand } from "../src/prepare.js";
import type { CommandSpec } from "../src/spec.js";
import type { ExitStatus } from "../src/status.js";
import { resolveUser, type UserFiles } from "../src/users.js";

export interface CommandResult {
  status: ExitStatus;
  stdout: string;
  stderr: string;
  command: Command;
}

export interface RunOptions {
  env?: Env;
  /** argv that starts the exec-as helper (default: core's own). */
  helper?: string[];
  userFiles?: UserFiles;
  notifyFd?: number;
  /** Called once the command is spawned, before it is awaited. */
  onSpawn?: (command: Command) => void;
}

export const BASE_ENV: Env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/root",
  USER: "root",
  LOGNAME: "root",
};

export interface StartedCommand {
  command: Command;
  /** What it has written so far. */
  output: { stdout: string; stderr: string };
  result: Promise<CommandResult>;
}

export async function runCommand(
  spec: CommandSpec,
  options: RunOptions = {},
): Promise<CommandResult> {
  return (await startCommand(spec, options)).result;
}

export async function startCommand(
  spec: CommandSpec,
  options: RunOptions = {},
): Promise<StartedCommand> {
  const loaded = await loadLibc();
  if (loaded.ok) closeInheritedDescriptors(loaded.libc);
  const plan = prepareCommand(spec, {
    process: "test",
    phase: "run",
    base: options.env ?? BASE_ENV,
    resolveUser: (user) => resolveUser(user, options.userFiles),
  });
  if (options.notifyFd !== undefined) plan.notifyFd = options.notifyFd;
  const text = { stdout: "", stderr: "" };
  const sink: OutputSink = {
    attach(source: Readable, origin) {
      source.setEncoding("utf8");
      source.on("data", (chunk: string) => {
        text[origin.stream] += chunk;
      });
      return new Promise((resolve) => source.once("close", () => resolve()));
    },
  };
  const helper = options.helper;
  const command = new Command(plan, "test", "run", sink, {
    libc: loaded.ok ? loaded.libc : undefined,
    helper: () =>
      helper ?? [process.execPath, new URL("../dist/exec-as-main.js", import.meta.url).pathname],
  });
  options.onSpawn?.(command);
  const result = command.finished.then((status) => ({ status, ...text, command }));
  return { command, output: text, result };
}

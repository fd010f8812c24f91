// Runs the built groundcontrol executable to completion and collects what it printed.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Running } from "./helpers/running.js";

export const CLI_PATH = fileURLToPath(new URL("../dist/groundcontrol.cjs", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`pnpm -r build\` first`);
  const running = new Running([process.execPath, CLI_PATH, ...args], {
    cwd: options.cwd,
    env: options.env ?? { ...process.env, GROUNDCONTROL_CONFIG: "" },
  });
  const { code, stdout, stderr } = await running.finished;
  return { code, stdout, stderr };
}

/** A Node stack frame line ("    at fn (file:1:2)"): must never reach a user. */
export const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

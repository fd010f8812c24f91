// Turns a CommandSpec into a LaunchPlan: {{VAR}} expansion, environment, user, cwd checks.
import { statSync } from "node:fs";
import type { LaunchPlan } from "./command.js";
import { commandEnvironment, type Env, expandCommand } from "./env.js";
import { CommandSetupError, messageOf } from "./errors.js";
import type { CommandSpec, Phase } from "./spec.js";

/** Rewrites a launch so it runs as `user` (uid, gid, supplementary groups, HOME/USER/LOGNAME). */
export type UserLauncher = (user: string, plan: LaunchPlan) => LaunchPlan;

export interface PrepareContext {
  process: string;
  phase: Phase;
  /** Ground Control's environment with `[env]` on top. */
  base: Env;
  launchAs: UserLauncher;
}

/** Throws CommandSetupError naming the process and phase when the command cannot be run. */
export function prepareCommand(command: CommandSpec, ctx: PrepareContext): LaunchPlan {
  try {
    const { argv, cwd } = expandCommand(command, ctx.base);
    const env = commandEnvironment(command, ctx.base);
    if (cwd !== undefined) checkDirectory(cwd, command.cwd!);
    const plan: LaunchPlan = {
      file: argv[0]!,
      args: argv.slice(1),
      env,
      cwd,
      label: command.program,
    };
    return command.user === undefined ? plan : ctx.launchAs(command.user, plan);
  } catch (error) {
    throw new CommandSetupError(ctx.process, ctx.phase, messageOf(error), { cause: error });
  }
}

// Checked up front: a missing cwd makes spawn fail with ENOENT, which reads as "program not found".
// Messages name the directory as written (`written`), never with {{VAR}} values filled in.
function checkDirectory(path: string, written: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new Error(`cwd "${written}" does not exist`);
  }
  if (!isDirectory) throw new Error(`cwd "${written}" is not a directory`);
}

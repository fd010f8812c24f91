// Turns a CommandSpec into a LaunchPlan: {{VAR}} expansion, environment, user, cwd checks, and
// the command's secrets read from their files.
import type { LaunchPlan } from "./command.js";
import { commandEnvironment, type Env, expandCommand } from "./env.js";
import { CommandSetupError, messageOf } from "./errors.js";
import { directoryProblem } from "./program.js";
import { readSecrets } from "./secrets.js";
import type { CommandSpec, Phase } from "./spec.js";
import { type CurrentIdentity, switchFor, userEnv } from "./user-switch.js";
import type { ResolvedUser } from "./users.js";

export interface PrepareContext {
  process: string;
  phase: Phase;
  /** Ground Control's environment with `[env]` on top. */
  base: Env;
  /** Resolves a `user` spec (the container's /etc/passwd and /etc/group, in practice). */
  resolveUser(spec: string): ResolvedUser;
  /** Ground Control's own identity (default: the real one). */
  identity?: CurrentIdentity;
  /** Hears what is worth a warning (a secret file every user can read); named as errors are. */
  warn?(message: string): void;
}

/** Throws CommandSetupError naming the process and phase when the command cannot be run. */
export function prepareCommand(command: CommandSpec, ctx: PrepareContext): LaunchPlan {
  try {
    const { argv, cwd } = expandCommand(command, ctx.base);
    let env = commandEnvironment(command, ctx.base);
    const plan: LaunchPlan = { file: argv[0]!, args: argv.slice(1), env, label: command.program };
    if (command.user !== undefined) {
      const resolved = ctx.resolveUser(command.user);
      const mode = switchFor(command.user, resolved, ctx.identity, cwd !== undefined);
      env = userEnv(resolved, env);
      plan.env = env;
      if (mode !== undefined) plan.user = { resolved, mode };
    }
    if (cwd !== undefined) {
      plan.cwd = cwd;
      if (command.cwd !== undefined) plan.cwdLabel = command.cwd;
      // Checked up front, as the user: a cwd spawn cannot enter reads as "program not found".
      // Messages name the directory as written, never with {{VAR}} values filled in.
      const who = plan.user && { uid: plan.user.resolved.uid, groups: plan.user.resolved.groups };
      const problem = directoryProblem(cwd, who);
      if (problem !== null) {
        const by = plan.user ? ` by user "${command.user}"` : "";
        throw new Error(`cwd "${command.cwd}" ${problem}${by}`);
      }
    }
    // Last, on top of everything, read by Ground Control itself: never seen by {{VAR}}.
    if (command.secrets) {
      const warn = (message: string) => ctx.warn?.(`${where(ctx)}: ${message}`);
      Object.assign(plan.env, readSecrets(command.secrets, warn));
    }
    return plan;
  } catch (error) {
    throw new CommandSetupError(ctx.process, ctx.phase, messageOf(error), { cause: error });
  }
}

/** How messages name a command: as CommandSetupError does. */
function where(ctx: PrepareContext): string {
  return `${ctx.phase} command of process "${ctx.process}"`;
}

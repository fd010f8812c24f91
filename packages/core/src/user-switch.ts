// How a command is started as another user: Node's own spawn uid/gid when the user has no
// supplementary groups, else through the exec-as helper (Node's spawn would drop those groups).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ResolvedUser, resolveUser, UserError, type UserFiles } from "./users.js";

/** An environment as spawn takes it. */
type Environment = Record<string, string | undefined>;

/** What to hand to `child_process.spawn`: `spawn(file, args, { uid, gid, env })`. */
export interface UserLaunch {
  file: string;
  args: string[];
  /** Set on the direct path only: the helper itself starts as root and switches later. */
  uid?: number;
  gid?: number;
  /** The environment to spawn with (only when `env` was passed to planLaunch). */
  env?: Environment;
  /** True when the command goes through the exec-as helper. */
  viaHelper: boolean;
}

export interface LaunchOptions {
  /** The command's environment: HOME/USER/LOGNAME are adjusted, and Node's own variables are
   * kept away from the helper (it is a Node program too) and handed back to the command. */
  env?: Environment;
  /** How many low file descriptors (0..n-1) the command inherits from spawn's stdio; default 3. */
  fdCount?: number;
  /** The user as configured, for error messages. */
  spec?: string;
  /** Ground Control's own identity (default: the real one). */
  identity?: CurrentIdentity;
}

/** The identity Ground Control runs with; injectable for tests. */
export interface CurrentIdentity {
  uid: number;
  gid: number;
  groups: number[];
}

/** Prefix under which the helper receives the command's NODE_* variables. */
export const STASH_PREFIX = "GROUNDCONTROL_EXEC_AS_";
/** The argument that separates the helper's own arguments from the command's argv. */
export const ARGV_SEPARATOR = "--";

/**
 * The helper argv prefix when core runs from its compiled files: node and dist/exec-as.js.
 * A bundle that embeds core passes its own prefix (e.g. its entry plus a marker argument).
 */
export function defaultHelper(): string[] {
  const here = typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url);
  const script = join(dirname(here), "exec-as.js");
  if (!existsSync(script)) {
    throw new Error(`the exec-as helper is missing (${script}); pass a helper to planLaunch`);
  }
  return [process.execPath, script];
}

/**
 * Plans how to start `program args` as `user`. Throws UserError when Ground Control is not root
 * and the user differs from its own identity (see needsSwitch).
 */
export function planLaunch(
  user: ResolvedUser,
  program: string,
  args: string[],
  helper?: string[],
  options: LaunchOptions = {},
): UserLaunch {
  const env = options.env === undefined ? undefined : userEnv(user, options.env);
  if (!needsSwitch(options.spec ?? describeUser(user), user, options.identity)) {
    return withEnv({ file: program, args, viaHelper: false }, env);
  }
  if (user.groups.length === 1 && user.groups[0] === user.gid) {
    // Node's spawn calls setgroups(0), setgid, setuid: right when there is nothing extra to keep.
    return withEnv({ file: program, args, uid: user.uid, gid: user.gid, viaHelper: false }, env);
  }
  const [file, ...prefix] = helper ?? defaultHelper();
  if (file === undefined) throw new Error("the exec-as helper prefix is empty");
  const helperArgs = [
    ...prefix,
    String(user.uid),
    String(user.gid),
    user.groups.join(","),
    ...(options.fdCount !== undefined && options.fdCount !== 3 ? [`--fds=${options.fdCount}`] : []),
    ARGV_SEPARATOR,
    program,
    ...args,
  ];
  return withEnv({ file, args: helperArgs, viaHelper: true }, env && stashNodeEnv(env));
}

/**
 * True when running as `user` needs a switch (Ground Control is root); false when Ground Control
 * already is that user with those groups. Throws UserError when a switch is needed but
 * Ground Control is not root.
 */
export function needsSwitch(
  spec: string,
  user: ResolvedUser,
  identity: CurrentIdentity = currentIdentity(),
): boolean {
  if (identity.uid === 0) return true;
  if (isSameIdentity(user, identity)) return false;
  throw new UserError(
    spec,
    `cannot run a command as user "${spec}" (${describeIds(user)}): switching users needs ` +
      `root, and Ground Control runs as uid ${identity.uid}`,
  );
}

/** A command plan as the supervisor builds it; the launcher rewrites it to run as a user. */
export interface PlannedCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** A readiness descriptor handed to the program (it must survive the helper's exec). */
  notifyFd?: number;
}

export interface UserLauncherOptions {
  /** The exec-as argv prefix (default: node and the compiled exec-as.js). */
  helper?: string[];
  /** Where users and groups are looked up (default /etc/passwd, /etc/group). */
  files?: UserFiles;
  identity?: CurrentIdentity;
}

/**
 * `(user, plan) => plan` for the supervisor: resolves the user spec, then rewrites the plan's
 * program, uid/gid and environment. Throws UserError (unknown user or group, not root).
 */
export function createUserLauncher(
  options: UserLauncherOptions = {},
): <P extends PlannedCommand>(spec: string, plan: P) => P {
  return (spec, plan) => {
    const user = resolveUser(spec, options.files);
    const launch = planLaunch(user, plan.file, plan.args, options.helper, {
      env: plan.env,
      spec,
      identity: options.identity,
      fdCount: plan.notifyFd === undefined ? undefined : plan.notifyFd + 1,
    });
    const rewritten = { ...plan, file: launch.file, args: launch.args };
    rewritten.env = launch.env as Record<string, string>;
    if (launch.uid === undefined) {
      delete rewritten.uid;
      delete rewritten.gid;
    } else {
      rewritten.uid = launch.uid;
      rewritten.gid = launch.gid;
    }
    return rewritten;
  };
}

/**
 * The command's environment with HOME, USER and LOGNAME set to the user's values, each only
 * where it is already present. A user without a passwd entry gets HOME=/ (as Docker does) and
 * loses USER/LOGNAME rather than keep root's.
 */
export function userEnv<E extends Environment>(user: ResolvedUser, env: E): E {
  const result: Environment = { ...env };
  if ("HOME" in result) result.HOME = user.home || "/";
  for (const key of ["USER", "LOGNAME"]) {
    if (!(key in result)) continue;
    if (user.name === undefined) delete result[key];
    else result[key] = user.name;
  }
  return result as E;
}

/** Moves NODE_* variables under STASH_PREFIX so they shape the command, not the helper. */
export function stashNodeEnv<E extends Environment>(env: E): E {
  const result: Environment = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith("NODE_") || key.startsWith(STASH_PREFIX)) {
      result[STASH_PREFIX + key] = value;
    } else {
      result[key] = value;
    }
  }
  return result as E;
}

/** "app (uid 1000, gid 1000, groups 1000,27)". */
export function describeUser(user: ResolvedUser): string {
  return user.name === undefined ? describeIds(user) : `${user.name} (${describeIds(user)})`;
}

function describeIds(user: ResolvedUser): string {
  return `uid ${user.uid}, gid ${user.gid}, groups ${user.groups.join(",")}`;
}

function currentIdentity(): CurrentIdentity {
  // getuid and friends are absent on Windows only, where Ground Control does not run.
  return {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    groups: process.getgroups?.() ?? [],
  };
}

function isSameIdentity(user: ResolvedUser, current: CurrentIdentity): boolean {
  const wanted = new Set(user.groups);
  const have = new Set([current.gid, ...current.groups]);
  return (
    user.uid === current.uid &&
    user.gid === current.gid &&
    wanted.size === have.size &&
    [...wanted].every((gid) => have.has(gid))
  );
}

function withEnv(plan: UserLaunch, env: Environment | undefined): UserLaunch {
  return env === undefined ? plan : { ...plan, env };
}

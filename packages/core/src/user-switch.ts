// Whether a command needs a user switch, and how it is made: Node's own spawn uid/gid when the
// user has no supplementary groups, else the exec-as helper (Node's spawn would drop them).
import { type ResolvedUser, UserError } from "./users.js";

/** The identity Ground Control runs with; injectable for tests. */
export interface CurrentIdentity {
  uid: number;
  gid: number;
  groups: number[];
}

/** "spawn": Node's spawn sets uid and gid. "helper": through exec-as, for the groups. */
export type SwitchMode = "spawn" | "helper";

/**
 * How to run a command as `user` (in a `cwd` of its own, when `withCwd`): undefined when Ground
 * Control already is that user with those groups. Throws UserError when a switch is needed but
 * Ground Control is not root.
 */
export function switchFor(
  spec: string,
  user: ResolvedUser,
  identity: CurrentIdentity = currentIdentity(),
  withCwd = false,
): SwitchMode | undefined {
  if (identity.uid !== 0) {
    if (isSameIdentity(user, identity)) return undefined;
    throw new UserError(
      spec,
      `cannot run a command as user "${spec}" (${describeIds(user)}): switching users needs ` +
        `root, and Ground Control runs as uid ${identity.uid}`,
    );
  }
  // Node's spawn enters the cwd while still root, then drops to the user: a user who can swap a
  // link on that path between a check and the spawn would start inside a directory only root
  // may enter. The helper enters it as the user, after the switch.
  if (withCwd) return "helper";
  // Node's spawn calls setgroups(0), setgid, setuid: right when there is nothing extra to keep.
  return user.groups.length === 1 && user.groups[0] === user.gid ? "spawn" : "helper";
}

/**
 * The command's environment with HOME, USER and LOGNAME set to the user's values, each only
 * where it is already present. A user without a passwd entry gets HOME=/ (as Docker does) and
 * loses USER/LOGNAME rather than keep root's.
 */
export function userEnv<E extends Record<string, string | undefined>>(
  user: ResolvedUser,
  env: E,
): E {
  const result: Record<string, string | undefined> = { ...env };
  if ("HOME" in result) result.HOME = user.home || "/";
  for (const key of ["USER", "LOGNAME"]) {
    if (!(key in result)) continue;
    if (user.name === undefined) delete result[key];
    else result[key] = user.name;
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

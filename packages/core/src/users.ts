// Resolves Docker `USER` forms (name, uid, name:group, uid:gid) against /etc/passwd and
// /etc/group text, without libc NSS, so it works in scratch and distroless images.
import { readFileSync } from "node:fs";

/** Who a command runs as: the ids to switch to and what its environment says about them. */
export interface ResolvedUser {
  uid: number;
  /** Primary group. */
  gid: number;
  /** Every group the command gets, primary included (first). */
  groups: number[];
  /** Login name, when the uid has a passwd entry. */
  name?: string;
  /** Home directory, when the uid has a passwd entry. */
  home?: string;
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** A user spec that cannot be resolved; `spec` is what the configuration said. */
export class UserError extends Error {
  override name = "UserError";
  constructor(
    readonly spec: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The files names resolve against; a missing file counts as empty. */
export interface UserFiles {
  passwd: string;
  group: string;
}

export const SYSTEM_USER_FILES: UserFiles = { passwd: "/etc/passwd", group: "/etc/group" };

/** The text of both files, for `resolveUserFrom`. */
export interface UserDatabase {
  passwd: string;
  group: string;
}

/** Resolves `spec` against the container's user files (read at each call: they may change). */
export function resolveUser(spec: string, files: UserFiles = SYSTEM_USER_FILES): ResolvedUser {
  return resolveUserFrom(spec, {
    passwd: readUserFile(spec, files.passwd),
    group: readUserFile(spec, files.group),
  });
}

/** Resolves `spec` against the given passwd and group text. Throws UserError. */
export function resolveUserFrom(spec: string, database: UserDatabase): ResolvedUser {
  const parts = spec.split(":");
  const userPart = parts[0] ?? "";
  const groupPart = parts[1];
  if (parts.length > 2 || userPart === "" || groupPart === "") {
    throw new UserError(spec, `invalid user "${spec}": expected name, uid, name:group or uid:gid`);
  }
  const passwd = parsePasswd(database.passwd);
  const groups = parseGroup(database.group);

  const entry =
    passwd.find((candidate) => candidate.name === userPart) ??
    findById(passwd, parseId(userPart), (candidate) => candidate.uid);
  const uid = entry?.uid ?? parseId(userPart);
  if (uid === undefined) {
    throw new UserError(spec, `unknown user "${userPart}": no such name in /etc/passwd`);
  }

  if (groupPart !== undefined) {
    const group =
      groups.find((candidate) => candidate.name === groupPart)?.gid ?? parseId(groupPart);
    if (group === undefined) {
      throw new UserError(spec, `unknown group "${groupPart}": no such name in /etc/group`);
    }
    return withIdentity({ uid, gid: group, groups: [group] }, entry);
  }

  if (entry === undefined) {
    // Docker would run it with gid 0, the root group; make the choice explicit instead.
    throw new UserError(
      spec,
      `uid ${uid} has no entry in /etc/passwd, so it has no group; ` +
        `use "${uid}:<gid>" to run it with an explicit group`,
    );
  }
  const supplementary = groups
    .filter((group) => group.members.includes(entry.name))
    .map((group) => group.gid);
  return withIdentity(
    { uid, gid: entry.gid, groups: unique([entry.gid, ...supplementary]) },
    entry,
  );
}

/** Parses /etc/passwd text; blank, comment and NIS (`+`/`-`) lines and malformed ones are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const fields of records(text)) {
    // name:password:uid:gid:gecos:home:shell
    const uid = parseId(fields[2] ?? "");
    const gid = parseId(fields[3] ?? "");
    if (fields.length < 4 || !fields[0] || uid === undefined || gid === undefined) continue;
    entries.push({ name: fields[0], uid, gid, home: fields[5] ?? "" });
  }
  return entries;
}

/** Parses /etc/group text; blank, comment and NIS (`+`/`-`) lines and malformed ones are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const fields of records(text)) {
    // name:password:gid:member,member
    const gid = parseId(fields[2] ?? "");
    if (fields.length < 3 || !fields[0] || gid === undefined) continue;
    const members = (fields[3] ?? "")
      .split(",")
      .map((member) => member.trim())
      .filter((member) => member !== "");
    entries.push({ name: fields[0], gid, members });
  }
  return entries;
}

/** A decimal id in the kernel's range (2^32-1 is reserved as "no id"), or undefined. */
export function parseId(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value < 0xffffffff ? value : undefined;
}

function* records(text: string): Generator<string[]> {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || /^[#+-]/.test(line)) continue;
    yield line.split(":");
  }
}

function findById<T>(
  entries: T[],
  id: number | undefined,
  idOf: (entry: T) => number,
): T | undefined {
  return id === undefined ? undefined : entries.find((entry) => idOf(entry) === id);
}

function withIdentity(ids: Omit<ResolvedUser, "name" | "home">, entry?: PasswdEntry): ResolvedUser {
  return entry ? { ...ids, name: entry.name, home: entry.home } : ids;
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}

function readUserFile(spec: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw new UserError(spec, `cannot read ${path} to resolve user "${spec}"`, { cause: error });
  }
}

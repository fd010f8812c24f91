// What a supervisor started, kept in a file under `stateDir` so that the next one can find it: a
// host killed outright (SIGKILL, the OOM killer) cannot stop its commands, and Node cannot ask
// the kernel to end a child with its parent. The next start() kills what is left of a dead
// predecessor's process groups before it starts anything, and never a group whose number was
// recycled: a group is killed when its leader is the very process recorded (same pid, same start
// time), or when one of its members has lived since the record was last written — a group number
// stays taken while it has members, so that member proves the group is still the recorded one.
// A record is only believed from a directory this user alone can write, and even then nothing
// it names is killed unless it looks like what it claims: a group other than 0, 1 and this
// process's own, whose processes are orphans now (their parent is PID 1, a process older than
// the dead host, or one of them), started after the host and before the record was last
// written, by a host that ran since the machine booted.
import { lstatSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { liveProcesses, type ProcStat, readStat, ticksNow } from "./proc.js";
import { readStateFile, writeStateFile } from "./state-file.js";
import { groupHasMembers } from "./sweep.js";

const FILE = "groundcontrol-supervisor.json";
/** A record of a few hundred groups; anything much larger is not one. */
const MAX_BYTES = 1 << 20;

/** Directories a supervisor of this very process keeps its record in right now. */
const inUse = new Set<string>();

interface Record {
  version: 1;
  /** The supervisor's own process, and when it started. */
  host: { pid: number; start: number };
  /** Its commands' process groups: leader pid (= pgid), when it started, and for what. */
  groups: { pgid: number; start: number; process: string }[];
  /** When the record was last written (ticks since boot): nothing later is ours. */
  written: number;
}

export interface Leftover {
  pid: number;
  process: string;
}

export class LeftoverRecord {
  readonly #file: string;
  #groups: Record["groups"] = [];

  /** Throws when `stateDir` is not a directory this user alone can write. */
  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(stateDir);
    if (!stat.isDirectory()) throw new Error(`${stateDir} is not a directory`);
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
      throw new Error(
        `${stateDir} can be written by other users: a record there could name any process to kill`,
      );
    }
    this.#file = join(stateDir, FILE);
  }

  /**
   * Kills what is left of a dead predecessor's groups and returns it. A record whose host still
   * runs is another live supervisor's: it is left alone, and `busy` says so.
   */
  sweep(): { killed: Leftover[]; busy: boolean } {
    if (inUse.has(this.#file)) return { killed: [], busy: true };
    const previous = this.#read();
    if (!previous) {
      inUse.add(this.#file);
      return { killed: [], busy: false };
    }
    const host = readStat(previous.host.pid);
    if (host && host.start === previous.host.start && previous.host.pid !== process.pid) {
      return { killed: [], busy: true };
    }
    const killed: Leftover[] = [];
    const live = liveProcesses();
    for (const group of previous.groups) {
      const members = [...live].filter(([, stat]) => stat.pgrp === group.pgid);
      if (!isLeftover(group, members, previous, live)) continue;
      try {
        process.kill(-group.pgid, "SIGKILL");
        for (const [pid] of members) killed.push({ pid, process: group.process });
      } catch {}
    }
    inUse.add(this.#file);
    return { killed, busy: false };
  }

  /** Records a command's process group (its leader just spawned), forgetting empty ones. */
  add(pgid: number, process: string): void {
    const start = readStat(pgid)?.start;
    if (start === undefined) return;
    this.#groups = this.#groups.filter((group) => groupHasMembers(group.pgid));
    this.#groups.push({ pgid, start, process });
    this.#write();
  }

  /** Writes the record again, as a sign of life: what started before now is ours. */
  touch(): void {
    this.#write();
  }

  /** A clean end: nothing is left to find. */
  remove(): void {
    rmSync(this.#file, { force: true });
    inUse.delete(this.#file);
  }

  #read(): Record | undefined {
    const read = readStateFile(this.#file, MAX_BYTES);
    if (!read.ok) return undefined;
    try {
      const record = JSON.parse(read.text) as Record;
      return isRecord(record) ? record : undefined;
    } catch {
      return undefined;
    }
  }

  #write(): void {
    const self = readStat(process.pid);
    const written = ticksNow();
    if (!self || written === undefined) return;
    const record: Record = {
      version: 1,
      host: { pid: process.pid, start: self.start },
      groups: this.#groups,
      written,
    };
    try {
      writeStateFile(this.#file, JSON.stringify(record));
    } catch {
      // Best effort, from a timer too: a record that cannot be written (the directory gone, a
      // full disk) only means leftovers are not found next time, as without stateDir.
    }
  }
}

/** The record's shape, every number a whole one. */
function isRecord(value: Record): boolean {
  const whole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  return (
    value?.version === 1 &&
    whole(value.host?.pid) &&
    whole(value.host?.start) &&
    whole(value.written) &&
    Array.isArray(value.groups) &&
    value.groups.every((g) => whole(g?.pgid) && whole(g?.start) && typeof g?.process === "string")
  );
}

/**
 * Whether the recorded `group` is a dead host's leftover now: its number a plausible group of
 * a command, its processes orphans of that host, and the group the one recorded.
 */
function isLeftover(
  group: Record["groups"][number],
  members: [number, ProcStat][],
  record: Record,
  live: Map<number, ProcStat>,
): boolean {
  const now = ticksNow();
  // Not before a reboot (the clock restarted: nothing of then runs now), not group 0, 1 or ours.
  if (now === undefined || record.written > now) return false;
  if (group.pgid <= 1 || group.pgid === process.pid || group.pgid === ownGroup()) return false;
  if (members.length === 0 || group.start < record.host.start || group.start > record.written) {
    return false;
  }
  // Orphans of the dead host: the parent of each is PID 1, an adopter older than the host (a
  // subreaper), or a process of the same group.
  const orphan = ([, stat]: [number, ProcStat]) => {
    if (stat.ppid <= 1) return true;
    const parent = live.get(stat.ppid);
    return parent !== undefined && (parent.pgrp === group.pgid || parent.start < record.host.start);
  };
  if (!members.every(orphan)) return false;
  const leader = live.get(group.pgid);
  return leader !== undefined
    ? leader.start === group.start
    : members.some(([, stat]) => stat.start <= record.written);
}

function ownGroup(): number | undefined {
  return readStat(process.pid)?.pgrp;
}

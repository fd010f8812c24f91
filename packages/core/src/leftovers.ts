// What a supervisor started, kept in a file under `stateDir` so that the next one can find it: a
// host killed outright (SIGKILL, the OOM killer) cannot stop its commands, and Node cannot ask
// the kernel to end a child with its parent. The next start() kills what is left of a dead
// predecessor's process groups before it starts anything, and never a group whose number was
// recycled: a group is killed when its leader is the very process recorded (same pid, same start
// time), or when one of its members has lived since the record was last written — a group number
// stays taken while it has members, so that member proves the group is still the recorded one.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { liveProcesses, readStat, ticksNow } from "./proc.js";
import { groupHasMembers } from "./sweep.js";

const FILE = "groundcontrol-supervisor.json";

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

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
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
      const leader = live.get(group.pgid);
      const ours =
        leader?.start === group.start ||
        (leader === undefined && members.some(([, stat]) => stat.start <= previous.written));
      if (!ours || members.length === 0) continue;
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
    try {
      const record = JSON.parse(readFileSync(this.#file, "utf8")) as Record;
      return record.version === 1 ? record : undefined;
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
    // Written whole, then renamed: a reader never sees half of it.
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(record));
    renameSync(temporary, this.#file);
  }
}

// What /proc says about processes: state, parent and group of one, the children of one, and the
// whole table. Linux only; elsewhere (or without /proc) every answer is "nothing known".
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  /** R, S, D, Z (zombie), X (dead), T… */
  state: string;
  ppid: number;
  pgrp: number;
  /** When it started, in clock ticks since boot: with the pid, what tells it from a recycled one. */
  start: number;
}

/** State, parent and process group from /proc/<pid>/stat, whose name field may hold anything. */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the name, counted from the state (field 3 of proc(5)): starttime is field 22.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    state: fields[0] ?? "",
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    start: Number(fields[19]),
  };
}

/** Clock ticks since boot, now (the unit of ProcStat.start; USER_HZ is 100 on Linux). */
export function ticksNow(): number | undefined {
  try {
    return Math.floor(Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 100);
  } catch {
    return undefined;
  }
}

/** True while `pid` exists and runs: neither dead nor a zombie (one whose threads run counts). */
export function isAlive(pid: number): boolean {
  const state = readStat(pid)?.state;
  return state !== undefined && runs(pid, state);
}

/** True when /proc is mounted (it holds this very process). */
export function procAvailable(): boolean {
  return readStat(process.pid) !== undefined;
}

/** The children of `parent` (zombies included), from /proc. */
export function childrenOf(parent: number): number[] {
  const pids = new Set<number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${parent}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${parent}/task/${task}/children`, "utf8");
    } catch {
      // Kernels built without CONFIG_PROC_CHILDREN: find the children by their parent pid.
      return [...readProcessTable().parent]
        .filter(([, ppid]) => ppid === parent)
        .map(([pid]) => pid);
    }
    for (const word of text.split(" ")) if (word.trim() !== "") pids.add(Number(word));
  }
  return [...pids];
}

export interface ProcessTable {
  /** pid -> parent pid, for every live process. */
  parent: Map<number, number>;
  /** Process groups that have at least one live member. */
  groups: Set<number>;
}

/** Every live process (zombies left out), by pid. */
export function liveProcesses(): Map<number, ProcStat> {
  const live = new Map<number, ProcStat>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return live;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readStat(pid);
    if (stat && runs(pid, stat.state)) live.set(pid, stat);
  }
  return live;
}

/**
 * Whether a process in `state` still runs. A zombie (Z) whose other threads run on is a
 * process whose main thread exited: alive, and signals still reach it.
 */
function runs(pid: number, state: string): boolean {
  if (state === "X") return false;
  if (state !== "Z") return true;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((task) => {
    const text = readText(`/proc/${pid}/task/${task}/stat`);
    const taskState = text?.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3);
    return taskState !== undefined && taskState !== "" && taskState !== "Z" && taskState !== "X";
  });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Every live process (zombies left out): its parent, and which groups have members. */
export function readProcessTable(): ProcessTable {
  const table: ProcessTable = { parent: new Map(), groups: new Set() };
  for (const [pid, stat] of liveProcesses()) {
    table.parent.set(pid, stat.ppid);
    table.groups.add(stat.pgrp);
  }
  return table;
}

/** How a process relates to the process tree of a command. */
export type Membership = "member" | "outsider" | "gone";

/**
 * Whether `pid` belongs to the command whose process (and process group) is `leader`: the
 * leader itself, a member of its process group, or a descendant (found through the parent
 * chain, for a child that made a group of its own). "gone" when `pid` no longer exists, so
 * nothing can be told about it.
 */
export function membershipOf(pid: number, leader: number): Membership {
  if (pid <= 0) return "outsider";
  if (pid === leader) return "member";
  let stat = readStat(pid);
  if (stat === undefined) return "gone";
  if (stat.pgrp === leader) return "member";
  // Bounded: a parent chain is short, and a cycle (a pid reused while we read) must not hang us.
  for (let depth = 0; depth < 128 && stat !== undefined; depth++) {
    if (stat.ppid === leader) return "member";
    if (stat.ppid <= 1) return "outsider";
    stat = readStat(stat.ppid);
  }
  return "outsider";
}

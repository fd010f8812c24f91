// The last step of a shutdown: kill what is left in the process groups our commands ran in,
// without ever hitting an unrelated group that has since taken over a recycled number.
import { readProcessTable } from "./proc.js";

/**
 * SIGKILLs what is left of each of `groups`. A group whose leader we have not reaped yet is
 * ours for sure (its number cannot be reused while the leader exists). A group whose leader is
 * gone is looked up in /proc: it is killed if it still has members and no process other than one
 * of our own descendants now carries its number — a recycled number only forms a new group
 * around a new leader with that pid. Without /proc (macOS), only groups with a live leader.
 */
export function sweepGroups(groups: Iterable<{ pgid: number; leaderRunning: boolean }>): void {
  let table: ReturnType<typeof readProcessTable> | undefined;
  for (const { pgid, leaderRunning } of groups) {
    if (leaderRunning) {
      kill(pgid);
      continue;
    }
    // Usually every group is empty by now: kill(0) says so without reading all of /proc, which
    // is the slow part of a shutdown on a host with many processes.
    if (!groupHasMembers(pgid)) continue;
    table ??= readProcessTable();
    if (!table.groups.has(pgid)) continue; // nobody left (or only zombies)
    const holder = table.parent.has(pgid); // a live process with the group's number
    if (!holder || descendsFrom(pgid, process.pid, table.parent)) kill(pgid);
  }
}

/** False when no process at all (zombies included) is in group `pgid`. */
export function groupHasMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: there are members, just not ours to signal.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function kill(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // Nobody left in it.
  }
}

function descendsFrom(pid: number, ancestor: number, parent: Map<number, number>): boolean {
  // Bounded walk: parent links lead to 0 (or out of our view) long before this many steps.
  for (let current = parent.get(pid), steps = 0; current !== undefined && steps < 4096; steps++) {
    if (current === ancestor) return true;
    current = parent.get(current);
  }
  return false;
}

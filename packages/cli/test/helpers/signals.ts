// What a process does with signals, and which descriptors it holds, read from /proc.
import { readdirSync, readFileSync } from "node:fs";

/** The descriptors `pid` has open, in order. */
export function descriptorsOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/fd`)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Signals a process catches, from /proc/<pid>/status (bit n-1 stands for signal n). */
export function caught(pid: number): Set<number> {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mask = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
  const signals = new Set<number>();
  for (let n = 1; n <= 64; n++) if ((mask >> BigInt(n - 1)) & 1n) signals.add(n);
  return signals;
}

/** SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM. Node by itself catches only SIGUSR1. */
const SIX = [1, 2, 3, 10, 12, 15];

/** True once `pid` has a handler for each of the six signals Ground Control acts on. */
export const handlesAllSix = (pid: number): boolean => {
  try {
    const handled = caught(pid);
    return SIX.every((n) => handled.has(n));
  } catch {
    return false;
  }
};

// Descriptors this process was given by whoever started it: none of them may reach a command.
// Node marks what it opens itself close-on-exec; what it inherited above 2 it leaves as it is,
// and every child would inherit it in turn.
import { readdirSync } from "node:fs";
import { F_SETFD, FD_CLOEXEC, type Libc } from "./native.js";

/** Without close_range(2) or /proc, descriptors up to this number are marked one by one. */
const SCAN_LIMIT = 4096;

/**
 * Marks every descriptor above 2 close-on-exec: close_range(2) where the kernel has it (5.11),
 * else each one /proc/self/fd lists, else each up to SCAN_LIMIT. Returns how it was done.
 */
export function closeInheritedDescriptors(libc: Libc): "close_range" | "proc" | "scan" {
  if (libc.cloexecFrom(3) === 0) return "close_range";
  let fds: number[];
  let how: "proc" | "scan" = "proc";
  try {
    fds = readdirSync("/proc/self/fd").map(Number);
  } catch {
    how = "scan";
    fds = Array.from({ length: SCAN_LIMIT - 3 }, (_, i) => i + 3);
  }
  for (const fd of fds) if (fd > 2) libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
  return how;
}

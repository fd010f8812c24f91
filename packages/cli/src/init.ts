// PID 1 duties, in tini's order: take the native bridge, become a child subreaper when another
// init is PID 1, reap every orphan (warning once if that is impossible), and at exit take every
// adopted orphan down too. (Inherited descriptors are kept from the commands by the supervisor,
// before its first spawn.)

import type { Logger } from "@groundcontrol/core";
import {
  adoptedChildren,
  adoptedTree,
  becomeSubreaper,
  loadLibc,
  procAvailable,
  type Reaper,
  startReaper,
} from "@groundcontrol/core";

/** How long adopted orphans get between SIGTERM and SIGKILL when Ground Control exits. */
const ORPHAN_GRACE_MS = 1_000;
/** How long the kill rounds may go on, for orphans that keep making new ones. */
const KILL_MS = 2_000;
/** Passes at most to stop the newcomers of a tree that forks while it is being stopped. */
const FREEZE_PASSES = 50;
const SIGUSR1 = 10;

export class Init {
  private constructor(private readonly reaper: Reaper | undefined) {}

  /**
   * Call before anything is spawned: only children spawned afterwards are known to be ours,
   * and an orphan made before Ground Control is a subreaper goes to the other init for good.
   */
  static async start(log: Logger): Promise<Init> {
    if (process.platform !== "linux") return new Init(undefined);
    const loaded = await loadLibc();
    // Node's --disable-sigusr1 (the standalone binary's) blocks SIGUSR1 for good; Ground
    // Control handles it itself, to pass it on.
    if (loaded.ok) loaded.libc.unblockSignal(SIGUSR1);
    if (!procAvailable()) {
      log(
        "warn",
        "/proc is not mounted: orphans of commands cannot be found, so they are not ended at " +
          "exit (as PID 1 the kernel ends them), and a process group whose leader has exited " +
          "is not swept",
      );
    }
    const pid1 = process.pid === 1;
    const subreaper = pid1 || (await becomeSubreaper());
    const reaper = await startReaper();
    if (!reaper.active && !reaper.unsupported) {
      log(
        "warn",
        `cannot reap orphaned processes (${reaper.reason}): zombies may pile up; ` +
          "run Ground Control under tini or with `docker run --init`",
      );
    } else if (!subreaper) {
      log("warn", "could not become a child subreaper: orphans of commands will not come home");
    }
    return new Init(reaper);
  }

  /**
   * Ends every orphan that came to us, and all their descendants (which would come next):
   * SIGTERM and a grace of at most ORPHAN_GRACE_MS (no later than `deadline`); then whatever is
   * left is frozen (SIGSTOP, again for each newcomer, so that nothing can fork its way out) and
   * killed, round after round until nothing is left. As PID 1 the rounds stop at the deadline
   * (the kernel ends the rest with us); otherwise they go on a little past it, since what is
   * left then would outlive us.
   */
  async sweepOrphans(deadline = Number.POSITIVE_INFINITY): Promise<void> {
    if (process.platform !== "linux") return;
    // The usual exit has no orphan at all: known without reading the whole process table.
    if (adoptedChildren().length === 0) return;
    let orphans = adoptedTree();
    if (orphans.length === 0) return;
    signalAll(orphans, "SIGTERM");
    const graceEnd = Math.min(Date.now() + ORPHAN_GRACE_MS, deadline);
    while (orphans.length > 0 && Date.now() < graceEnd) {
      await tick();
      orphans = this.#reapAndList();
    }
    const pid1 = process.pid === 1;
    const killEnd = pid1 ? Math.min(Date.now() + KILL_MS, deadline) : Date.now() + KILL_MS;
    while (orphans.length > 0) {
      signalAll(freeze(orphans), "SIGKILL");
      await tick();
      orphans = this.#reapAndList();
      if (Date.now() >= killEnd) break;
    }
  }

  #reapAndList(): number[] {
    this.reaper?.reap();
    return adoptedTree();
  }
}

/**
 * Stops `pids` and every descendant that appears while they are being stopped, until none
 * does: a stopped process cannot fork. Returns all of them.
 */
function freeze(pids: number[]): number[] {
  const frozen = new Set(pids);
  signalAll(pids, "SIGSTOP");
  for (let pass = 0; pass < FREEZE_PASSES; pass++) {
    const newcomers = adoptedTree().filter((pid) => !frozen.has(pid));
    if (newcomers.length === 0) break;
    signalAll(newcomers, "SIGSTOP");
    for (const pid of newcomers) frozen.add(pid);
  }
  return [...frozen];
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10));
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

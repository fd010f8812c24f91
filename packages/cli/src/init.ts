// PID 1 duties, in tini's order: take the native bridge, keep inherited descriptors from the
// commands, become a child subreaper when another init is PID 1, reap every orphan (warning
// once if that is impossible), and at exit take every adopted orphan down too.

import type { Logger } from "@groundcontrol/core";
import {
  adoptedChildren,
  becomeSubreaper,
  closeInheritedDescriptors,
  type Libc,
  loadLibc,
  procAvailable,
  type Reaper,
  startReaper,
} from "@groundcontrol/core";

/** How long adopted orphans get between SIGTERM and SIGKILL when Ground Control exits. */
const ORPHAN_GRACE_MS = 1_000;
/** Kill-and-reap rounds at most, for a chain of orphans that keeps handing down new ones. */
const MAX_ROUNDS = 100;
const SIGUSR1 = 10;

export class Init {
  private constructor(
    readonly libc: Libc | undefined,
    private readonly reaper: Reaper | undefined,
  ) {}

  /**
   * Call before anything is spawned: only children spawned afterwards are known to be ours,
   * and an orphan made before Ground Control is a subreaper goes to the other init for good.
   */
  static async start(log: Logger): Promise<Init> {
    if (process.platform !== "linux") return new Init(undefined, undefined);
    const loaded = await loadLibc();
    const libc = loaded.ok ? loaded.libc : undefined;
    if (libc) {
      closeInheritedDescriptors(libc);
      // Node's --disable-sigusr1 (the standalone binary's) blocks SIGUSR1 for good; Ground
      // Control handles it itself, to pass it on.
      libc.unblockSignal(SIGUSR1);
    }
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
    return new Init(libc, reaper);
  }

  /**
   * Ends orphans re-parented to us: SIGTERM, a grace of at most ORPHAN_GRACE_MS (and no later
   * than `deadline`), then SIGKILL, round after round: an orphan's own orphans only come home
   * once it is gone, so one round is never enough for a chain of them.
   */
  async sweepOrphans(deadline = Number.POSITIVE_INFINITY): Promise<void> {
    if (process.platform !== "linux") return;
    let orphans = adoptedChildren();
    if (orphans.length === 0) return;
    signalAll(orphans, "SIGTERM");
    const graceEnd = Math.min(Date.now() + ORPHAN_GRACE_MS, deadline);
    while (orphans.length > 0 && Date.now() < graceEnd) {
      await tick();
      orphans = this.#reapAndList();
    }
    for (let round = 0; orphans.length > 0 && round < MAX_ROUNDS; round++) {
      signalAll(orphans, "SIGKILL");
      await tick();
      orphans = this.#reapAndList();
    }
  }

  #reapAndList(): number[] {
    this.reaper?.reap();
    return adoptedChildren();
  }
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

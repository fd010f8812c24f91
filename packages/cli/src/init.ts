// PID 1 duties, in tini's order: know our own children, reap everyone else's (as PID 1, or as a
// child subreaper when another init is PID 1), warn once if neither works, and at exit take
// every adopted orphan down too.
import {
  adoptedChildren,
  becomeSubreaper,
  type OutputRelay,
  type Reaper,
  startReaper,
  trackChildProcesses,
} from "@groundcontrol/core";

/** How long adopted orphans get between SIGTERM and SIGKILL when Ground Control exits. */
const ORPHAN_GRACE_MS = 1_000;

export class Init {
  #reaper: Reaper | undefined;
  #subreaper: boolean | undefined;

  /** Call before anything is spawned: only children spawned afterwards are known to be ours. */
  constructor() {
    trackChildProcesses();
  }

  /**
   * Call just before the first spawn. Started by another process, Ground Control must be a child
   * subreaper before anything is spawned: an orphan made before goes to the other init for good.
   * Reaping itself can start once the first command is on its way (`start`): a zombie that dies
   * meanwhile is collected by the first round, and as PID 1 every orphan comes to us anyway.
   */
  beforeFirstSpawn(): void {
    if (process.platform === "linux" && process.pid !== 1) this.#subreaper = becomeSubreaper();
  }

  /** Starts reaping (loading the native bridge, ~2 ms), and warns once if it cannot. */
  start(log: OutputRelay["log"]): void {
    if (this.#reaper || process.platform !== "linux") return;
    const pid1 = process.pid === 1;
    if (!pid1) this.#subreaper ??= becomeSubreaper();
    const subreaper = this.#subreaper === true;
    const reaper = startReaper();
    this.#reaper = reaper;
    if (!reaper.active && !reaper.unsupported) {
      log(
        "warn",
        `cannot reap orphaned processes (${reaper.reason}): zombies may pile up; ` +
          "run Ground Control under tini or with `docker run --init`",
      );
    } else if (!pid1 && !subreaper) {
      log("warn", "could not become a child subreaper: orphans of commands will not come home");
    }
    reaper.reap();
  }

  /** Ends orphans re-parented to us: SIGTERM, a short grace, then SIGKILL. */
  async sweepOrphans(): Promise<void> {
    if (process.platform !== "linux") return;
    let orphans = adoptedChildren();
    if (orphans.length === 0) return;
    signalAll(orphans, "SIGTERM");
    const deadline = Date.now() + ORPHAN_GRACE_MS;
    while (orphans.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      this.#reaper?.reap();
      orphans = adoptedChildren();
    }
    signalAll(orphans, "SIGKILL");
    this.#reaper?.reap();
  }
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

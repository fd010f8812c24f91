// Start, idle and stop with 10 daemons: (a) exec to the first daemon running, (b) to all 10
// running, (d) the manager's own RSS once idle, (c) SIGTERM to the manager's exit.
//
// "Running" is observed, not guessed: each daemon's first act is to write a marker file with its
// pid and the time (then `exec sleep`, so the pid is the daemon's); the harness waits for the files
// through inotify, and times run from just before the manager is spawned to the daemon's own stamp.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { cleanEnv, launch, settle, statusMiB, watchMarkers, within } from "../lib/proc.mjs";

export const DAEMONS = 10;
/** How long the manager is left alone before its RSS is read. */
const IDLE_MS = 300;

export const METRICS = [
  { key: "firstMs", label: "(a) exec → first child running", unit: "ms", better: "lower" },
  { key: "allMs", label: "(b) exec → all 10 running", unit: "ms", better: "lower" },
  { key: "stopMs", label: "(c) SIGTERM → exit, 10 daemons", unit: "ms", better: "lower" },
  { key: "rssMiB", label: "(d) idle RSS, 10 daemons", unit: "MiB", better: "lower" },
];

/** One start–idle–stop cycle of `manager` in `dir` (a fresh directory). */
export async function startupOnce(manager, dir) {
  const marks = join(dir, "up");
  const watcher = watchMarkers(marks);
  const commands = Array.from({ length: DAEMONS }, (_, i) => ({
    name: `daemon-${i}`,
    // The daemon's pid, then the time it runs at (realtime, ns): stamped by the daemon itself, so a
    // harness slow to wake up does not count. (`date` adds the same ~1 ms to every manager.)
    command: `{ echo $$; date +%s%N; } > ${marks}/${i}; exec sleep 3600`,
  }));
  const argv = manager.argv(commands, dir);
  // stdout and stderr are pipes, as under a container runtime; the harness drains them.
  const { child, started, exit } = launch(argv, {
    env: cleanEnv(manager.env?.(dir)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.resume();
  child.stderr.resume();
  try {
    const first = await within(
      Promise.race([watcher.reached(1), exit.then(failed)]),
      30_000,
      "first",
    );
    const all = await within(
      Promise.race([watcher.reached(DAEMONS), exit.then(failed)]),
      30_000,
      "all",
    );
    await settle(IDLE_MS);
    const startedNs = BigInt(Math.round((performance.timeOrigin + started) * 1e6));
    const stamps = readMarkers(marks).map((m) => Number(m.ns - startedNs) / 1e6);
    const own = manager.ownPid(child.pid);
    const rssMiB = own === undefined ? Number.NaN : statusMiB(own, "VmRSS");
    const signalled = performance.now();
    process.kill(own ?? child.pid, "SIGTERM");
    const exited = await within(exit, 60_000, `${manager.id} stop`);
    const leftBehind = manager.pid1 ? 0 : survivors(marks);
    return {
      firstMs: Math.min(...stamps),
      allMs: Math.max(...stamps),
      seenFirstMs: first - started,
      seenAllMs: all - started,
      rssMiB,
      stopMs: exited.at - signalled,
      leftBehind,
    };
  } finally {
    watcher.close();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

function failed(exit) {
  throw new Error(`exited early (code ${exit.code}, signal ${exit.signal})`);
}

/** What each daemon wrote into its marker: its pid and the realtime it ran at, in ns. */
function readMarkers(marks) {
  return readdirSync(marks).map((file) => {
    const [pid, ns] = readFileSync(join(marks, file), "utf8").trim().split("\n");
    return { pid: Number(pid), ns: BigInt(ns) };
  });
}

/** Daemons still alive after their manager exited: killed here, and counted against it. */
function survivors(marks) {
  let count = 0;
  for (const { pid } of readMarkers(marks)) {
    let state = "";
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    } catch {}
    if (state !== "" && state !== "Z" && state !== "X") {
      process.kill(pid, "SIGKILL");
      count++;
    }
  }
  return count;
}

// Start, idle and stop with 10 daemons: (a) exec to the first daemon running, (b) to all 10
// running, (d) the manager's own RSS once idle, (c) SIGTERM to the manager's exit.
//
// "Running" is observed, not guessed: each daemon's first act is to create a marker file (a shell
// builtin, then `exec sleep`, so the marker's pid is the daemon's), and the harness sees it through
// inotify. Times run from just before the manager is spawned.
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
    command: `echo $$ > ${marks}/${i}; exec sleep 3600`,
  }));
  const argv = manager.argv(commands, dir);
  const { child, started, exit } = launch(argv, { env: cleanEnv(manager.env?.(dir)) });
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
    const own = manager.ownPid(child.pid);
    const rssMiB = own === undefined ? Number.NaN : statusMiB(own, "VmRSS");
    const signalled = performance.now();
    process.kill(own ?? child.pid, "SIGTERM");
    const exited = await within(exit, 60_000, `${manager.id} stop`);
    const leftBehind = manager.pid1 ? 0 : survivors(marks);
    return {
      firstMs: first - started,
      allMs: all - started,
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

/** Daemons still alive after their manager exited: killed here, and counted against it. */
function survivors(marks) {
  let count = 0;
  for (const file of readdirSync(marks)) {
    const pid = Number(readFileSync(join(marks, file), "utf8"));
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

// Process plumbing for the benchmarks: a clean environment, markers children leave when they are
// up, a process's own memory from /proc, and waiting for exits — all event-driven, no sleeps.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/** A scratch directory in memory when /dev/shm exists, so disk speed never enters a figure. */
export function scratchDir(label) {
  let base = tmpdir();
  try {
    readdirSync("/dev/shm");
    base = "/dev/shm";
  } catch {}
  return mkdtempSync(join(base, `gc-bench-${label}-`));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The environment every measured process gets: the bench's own, less what would make one Node
 * start slower than another (NODE_EXTRA_CA_CERTS costs ~90 ms of CPU per start) or colour output.
 */
export function cleanEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: "1", ...extra };
  for (const name of ["NODE_EXTRA_CA_CERTS", "NODE_OPTIONS", "FORCE_COLOR", "DEBUG"]) {
    delete env[name];
  }
  return env;
}

/**
 * Watches `dir` (which must be empty) for marker files. `times[k]` becomes the moment the
 * (k+1)-th marker was seen; `reached(n)` resolves once n markers exist.
 */
export function watchMarkers(dir, timeoutMs = 30_000) {
  mkdirSync(dir, { recursive: true });
  const times = [];
  const waiters = [];
  const check = () => {
    const count = readdirSync(dir).length;
    const now = performance.now();
    while (times.length < count) times.push(now);
    for (const waiter of [...waiters]) {
      if (count >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        clearTimeout(waiter.timer);
        waiter.resolve(times[waiter.n - 1]);
      }
    }
  };
  const watcher = watch(dir, check);
  return {
    times,
    reached(n) {
      return new Promise((resolve, reject) => {
        const waiter = { n, resolve, timer: undefined };
        waiter.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`only ${readdirSync(dir).length} of ${n} markers in ${dir}`));
        }, timeoutMs);
        waiters.push(waiter);
        check();
      });
    },
    close() {
      watcher.close();
      for (const waiter of waiters) clearTimeout(waiter.timer);
    },
  };
}

/** Starts `argv`; `exit` resolves with the exit time, code and signal. */
export function launch(argv, { env = cleanEnv(), stdio = ["ignore", "ignore", "ignore"] } = {}) {
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), { env, stdio });
  const exit = new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ at: performance.now(), code, signal }));
  });
  return { child, started, exit };
}

/** A number field in KiB from /proc/PID/status (VmRSS, VmHWM), in MiB; undefined once gone. */
export function statusMiB(pid, field) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (Linux), e.g. the process `unshare --fork` started. */
export function childrenOf(pid) {
  const found = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (text !== "") found.push(...text.split(" ").map(Number));
    }
  } catch {}
  return found;
}

/** Resolves after `ms`: only for letting a process settle before sampling it, never to wait for an event. */
export function settle(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection naming `what` if it has not settled within `ms` (a hung manager must not hang the bench). */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

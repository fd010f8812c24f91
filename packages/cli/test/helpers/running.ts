// A program started by a test: its output collected as it comes, awaitable by pattern.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running program whose output can be awaited line by line. */
export class Running {
  readonly child: ChildProcess;
  readonly finished: Promise<Finished>;
  #stdout = "";
  #stderr = "";
  readonly #waiters = new Set<() => void>();

  /** `env` is the program's whole environment: nothing is added to it. */
  constructor(argv: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }) {
    this.child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stdout += chunk;
      this.#wake();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr += chunk;
      this.#wake();
    });
    this.finished = new Promise((resolvePromise) => {
      // A program that cannot be started at all: its error, as a shell would put it.
      this.child.on("error", (error) => {
        this.#stderr += `${error.message}\n`;
      });
      this.child.on("close", (code, signal) => {
        this.#wake();
        resolvePromise({ code, signal, stdout: this.#stdout, stderr: this.#stderr });
      });
    });
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves with the match once stdout or stderr matches; rejects if the program exits first. */
  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const match = this.#stdout.match(pattern) ?? this.#stderr.match(pattern);
      if (match) return match;
      if (this.exited) {
        const done = await this.finished;
        const last = done.stdout.match(pattern) ?? done.stderr.match(pattern);
        if (last) return last;
        throw new Error(`exited before ${pattern} appeared:\n${done.stdout}\n${done.stderr}`);
      }
      await new Promise<void>((wake) => this.#waiters.add(wake));
    }
  }

  /**
   * Sends `signal` to the program. SIGKILL, a test's cleanup, takes down everything it started
   * as well (each command leads a process group of its own, which a SIGKILLed Ground Control
   * can no longer stop): nothing a test began outlives it.
   */
  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.exited) return;
    const tree = signal === "SIGKILL" && this.child.pid ? descendants(this.child.pid) : [];
    this.child.kill(signal);
    // A wrapper (unshare) leaves its child in the test's own group: that group is never killed.
    const ours = groupOf(process.pid);
    for (const { pid, pgid } of tree) {
      for (const target of pgid > 1 && pgid !== ours ? [-pgid, pid] : [pid]) {
        try {
          process.kill(target, "SIGKILL");
        } catch {}
      }
    }
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
}

function groupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

/** Every process below `root`, with its process group, from /proc (empty where there is none). */
function descendants(root: number): { pid: number; pgid: number }[] {
  const children = new Map<number, { pid: number; pgid: number }[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After the command name, in parentheses: state, ppid, pgrp.
      const [, ppid, pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const list = children.get(Number(ppid)) ?? [];
      list.push({ pid: Number(entry), pgid: Number(pgid) });
      children.set(Number(ppid), list);
    } catch {}
  }
  const found: { pid: number; pgid: number }[] = [];
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

// A program started by a test: its output collected as it comes, awaitable by pattern.
import { type ChildProcess, spawn } from "node:child_process";

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

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (!this.exited) this.child.kill(signal);
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
}

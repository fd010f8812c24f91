// Runs the real groundcontrol executable on a scenario and reads what it did, as a user would.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const CLI = resolve(here, "../../dist/groundcontrol.cjs");
export const FIXTURES = resolve(here, "../fixtures");

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** Spawn with a wrapper, e.g. ["unshare", "--pid", "--fork", "--mount-proc"]. */
  wrapper?: string[];
}

/**
 * A scenario: a temp dir, a groundcontrol.toml written from `toml` with placeholders filled in
 * ({results}, {dir}, {daemon}, {stubborn}, {wait}), and the CLI running on it.
 */
export class Scenario {
  readonly dir: string;
  readonly results: string;
  readonly config: string;
  readonly child: ChildProcess;
  readonly finished: Promise<Finished>;
  #stdout = "";
  #stderr = "";
  readonly #lineWaiters = new Set<() => void>();

  constructor(toml: string, options: RunOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), "gc-test-"));
    this.results = join(this.dir, "results.txt");
    this.config = join(this.dir, "groundcontrol.toml");
    writeFileSync(this.config, fill(toml, this.dir, this.results));
    const argv = [
      ...(options.wrapper ?? []),
      process.execPath,
      CLI,
      ...(options.args ?? [this.config]),
    ];
    this.child = spawn(argv[0]!, argv.slice(1), {
      env: options.env ?? { ...process.env, NO_COLOR: "1" },
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

  /** The transcript the fake daemons and commands appended to. */
  transcript(): string {
    return existsSync(this.results) ? readFileSync(this.results, "utf8") : "";
  }

  transcriptLines(): string[] {
    return this.transcript().split("\n").filter(Boolean);
  }

  pidOf(name: string): number {
    return Number(readFileSync(join(this.dir, `${name}.pid`), "utf8").trim());
  }

  /** Resolves once `{dir}/<name>.pid` exists; returns the pid. */
  async waitForPid(name: string): Promise<number> {
    await until(() => existsSync(join(this.dir, `${name}.pid`)), `${name}.pid to appear`);
    return this.pidOf(name);
  }

  /** Resolves once the transcript contains `line`. */
  async waitForTranscript(line: string): Promise<void> {
    await until(() => this.transcriptLines().includes(line), `"${line}" in the transcript`);
  }

  /** Resolves once stdout or stderr (as chosen) matches. */
  async waitForOutput(pattern: RegExp, stream: "stdout" | "stderr" | "any" = "any"): Promise<void> {
    const text = () =>
      stream === "stdout"
        ? this.#stdout
        : stream === "stderr"
          ? this.#stderr
          : this.#stdout + this.#stderr;
    while (!pattern.test(text())) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        // One more look: the last chunk may have arrived with the exit.
        await this.finished;
        if (pattern.test(text())) return;
        throw new Error(
          `exited before output matched ${pattern}:\n${this.#stdout}\n${this.#stderr}`,
        );
      }
      await new Promise<void>((r) => this.#lineWaiters.add(r));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  cleanup(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }

  #wake(): void {
    for (const waiter of this.#lineWaiters) waiter();
    this.#lineWaiters.clear();
  }
}

function fill(toml: string, dir: string, results: string): string {
  const values: Record<string, string> = {
    results,
    dir,
    daemon: join(FIXTURES, "daemon.sh"),
    stubborn: join(FIXTURES, "stubborn.sh"),
    wait: join(FIXTURES, "wait-for.sh"),
    fixtures: FIXTURES,
    node: process.execPath,
  };
  return toml.replace(
    /\{(results|dir|daemon|stubborn|wait|fixtures|node)\}/g,
    (_m, key: string) => values[key]!,
  );
}

/** Polls a condition every few milliseconds until it holds; fails after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** True while a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Runs a scenario to completion with `body` driving it in between; always cleans up. */
export async function withScenario<T>(
  toml: string,
  body: (s: Scenario) => Promise<T>,
  options?: RunOptions,
): Promise<T> {
  const scenario = new Scenario(toml, options);
  try {
    return await body(scenario);
  } finally {
    scenario.cleanup();
  }
}

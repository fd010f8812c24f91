// Runs the real groundcontrol executable on a scenario and reads what it did, as a user would.
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Finished, Running } from "./running.js";

export type { Finished };

const here = dirname(fileURLToPath(import.meta.url));
export const CLI = resolve(here, "../../dist/groundcontrol.cjs");
export const FIXTURES = resolve(here, "../fixtures");

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
  readonly running: Running;

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
    this.running = new Running(argv, { env: options.env ?? { ...process.env, NO_COLOR: "1" } });
  }

  get child(): ChildProcess {
    return this.running.child;
  }

  get finished(): Promise<Finished> {
    return this.running.finished;
  }

  get stdout(): string {
    return this.running.stdout;
  }

  get stderr(): string {
    return this.running.stderr;
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

  /**
   * Resolves once `{dir}/<name>.pid` holds a whole pid line; returns the pid. A shell's
   * `echo $! > file` creates the file empty before it writes: existing is not enough.
   */
  async waitForPid(name: string): Promise<number> {
    const file = join(this.dir, `${name}.pid`);
    await until(
      () => existsSync(file) && /^\d+\n$/.test(readFileSync(file, "utf8")),
      `${name}.pid`,
    );
    return this.pidOf(name);
  }

  /** Resolves once the transcript contains `line`. */
  async waitForTranscript(line: string): Promise<void> {
    await until(() => this.transcriptLines().includes(line), `"${line}" in the transcript`);
  }

  /** Resolves once stdout or stderr matches; rejects if Ground Control exits first. */
  async waitForOutput(pattern: RegExp): Promise<void> {
    await this.running.waitFor(pattern);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  cleanup(): void {
    this.running.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
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

/** True where this test run may make pid namespaces (root on Linux with unshare(1)). */
export const canUnshare = (() => {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  try {
    execFileSync("unshare", ["--pid", "--fork", "--mount-proc", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Prefix that runs a program as PID 1 of a new pid namespace, as in a container. */
export const AS_PID1 = ["unshare", "--pid", "--fork", "--mount-proc"];

/** A port nothing listens on (the OS picks it; we close it again). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Runs an example from examples/ as its README says (from its own directory), in a copy of that
// directory so that the files it writes never land in the repository.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const EXAMPLES = fileURLToPath(new URL("../../../../examples", import.meta.url));

/** Every groundcontrol.toml under examples/, as paths relative to it ("demo/groundcontrol.toml"). */
export function exampleConfigs(): string[] {
  const entries = readdirSync(EXAMPLES, { recursive: true, encoding: "utf8" });
  return entries
    .filter((entry) => !entry.split("/").includes("node_modules"))
    .filter((entry) => entry === "groundcontrol.toml" || entry.endsWith("/groundcontrol.toml"))
    .sort();
}

/** A copy of examples/<name> in a fresh temp dir; removed by `remove()`. */
export function copyExample(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `gc-example-${name}-`));
  cpSync(join(EXAMPLES, name), dir, {
    recursive: true,
    filter: (source) => !relative(EXAMPLES, source).split("/").includes("node_modules"),
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

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

  constructor(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    this.child = spawn(argv[0]!, argv.slice(1), {
      cwd: resolve(options.cwd),
      env: { ...process.env, NO_COLOR: "1", GROUNDCONTROL_CONFIG: "", ...options.env },
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

  /** Resolves with the match once stdout or stderr matches; rejects if the program exits first. */
  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const match = this.#stdout.match(pattern) ?? this.#stderr.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        const done = await this.finished;
        const last = done.stdout.match(pattern) ?? done.stderr.match(pattern);
        if (last) return last;
        throw new Error(`exited before ${pattern} appeared:\n${done.stdout}\n${done.stderr}`);
      }
      await new Promise<void>((wake) => this.#waiters.add(wake));
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
}

/**
 * The lines of `output` that carry each wanted text, in order: fails unless every one appears
 * after the one before it. Each wanted entry is `label | text`, matched against the log line
 * without its timestamp and padding ("app[post] | app: goodbye").
 */
export function inOrder(output: string, wanted: string[]): void {
  const lines = output.split("\n").map((line) =>
    line
      .replace(/^\d{4}-\d\d-\d\dT\S+ /, "")
      .replace(/^(\S+) +\| /, "$1 | ")
      .trimEnd(),
  );
  let from = 0;
  for (const want of wanted) {
    const at = lines.findIndex((line, index) => index >= from && line.startsWith(want));
    if (at < 0) {
      throw new Error(`"${want}" not found after line ${from} in:\n${lines.join("\n")}`);
    }
    from = at + 1;
  }
}

// Runs an example from examples/ as its README says (from its own directory), in a copy of that
// directory so that the files it writes never land in the repository.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Running } from "./running.js";

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

/** Runs `argv` in `dir` with the test's environment plus `env`, colour off, no default config. */
export function runIn(dir: string, argv: string[], env: NodeJS.ProcessEnv = {}): Running {
  return new Running(argv, {
    cwd: resolve(dir),
    env: { ...process.env, NO_COLOR: "1", GROUNDCONTROL_CONFIG: "", ...env },
  });
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

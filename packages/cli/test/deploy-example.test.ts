// examples/deploy stays consistent with the config it ships: the image copies what exists, and the
// platforms' kill signals and kill timeouts leave Ground Control time for its whole shutdown.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@groundcontrol/config";
import { describe, expect, it } from "vitest";
import { TERMINATION_SIGNALS } from "../src/signals.js";
import { EXAMPLES } from "./helpers/example.js";

const REPO = join(EXAMPLES, "..");
const DEPLOY = join(EXAMPLES, "deploy");
const read = (file: string) => readFileSync(join(DEPLOY, file), "utf8");
/** Ground Control's own work after the deadline (last lines, reaping) and the signal's delivery. */
const MARGIN_MS = 1_000;

/** The example the image runs: the source of `COPY examples/<name>/ /app/`. */
function deployedConfig(dockerfile: string): string {
  const copies = [...dockerfile.matchAll(/^COPY (examples\/[^\s]+)\/ \/app\/$/gm)].map((m) => m[1]);
  expect(new Set(copies).size).toBe(1);
  return join(REPO, copies[0]!, "groundcontrol.toml");
}

/** What the shutdown may take: the deadline, or without one the sum of the stop timeouts. */
async function shutdownBudgetMs(config: string): Promise<number> {
  const spec = await loadConfig(config);
  const stops = spec.processes.reduce(
    (sum, p) => sum + (p.run ? (p.stopTimeoutMs ?? 10_000) : 0),
    0,
  );
  return spec.shutdownTimeoutMs ?? stops;
}

describe("examples/deploy", () => {
  const dockerfile = read("Dockerfile");

  it("copies files that exist, and the binary that build:sea writes", () => {
    const sources = [...dockerfile.matchAll(/^COPY (\S+) \S+$/gm)].map((m) => m[1]!);
    expect(sources).toContain("packages/cli/standalone/groundcontrol");
    for (const source of sources.filter((s) => !s.startsWith("packages/cli/standalone/"))) {
      expect(existsSync(join(REPO, source)), source).toBe(true);
    }
    const buildSea = readFileSync(join(REPO, "packages/cli/scripts/build-sea.mjs"), "utf8");
    expect(buildSea).toMatch(/join\(root, "standalone"\)/);
    expect(buildSea).toMatch(/join\(outDir, "groundcontrol"\)/);
  });

  it("has two install targets, each starting Ground Control on the copied config", () => {
    expect([...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1])).toEqual([
      "npm",
      "standalone",
    ]);
    const entrypoints = [...dockerfile.matchAll(/^ENTRYPOINT (.+)$/gm)].map((m) =>
      JSON.parse(m[1]!),
    );
    expect(entrypoints).toEqual([
      ["groundcontrol", "/app/groundcontrol.toml"],
      ["groundcontrol", "/app/groundcontrol.toml"],
    ]);
  });

  it("fly.toml: a kill signal that shuts down gracefully, a kill timeout above the shutdown", async () => {
    const fly = read("fly.toml");
    const signal = /^kill_signal = "(\w+)"$/m.exec(fly)?.[1];
    const timeout = Number(/^kill_timeout = (\d+)$/m.exec(fly)?.[1]);
    expect(TERMINATION_SIGNALS).toContain(signal);
    expect(/build-target = "(\w+)"/.exec(fly)?.[1]).toBe("standalone");
    const budget = await shutdownBudgetMs(deployedConfig(dockerfile));
    expect(budget + MARGIN_MS).toBeLessThanOrEqual(timeout * 1000);
  });

  it("pod.yaml: a grace period above the shutdown (Kubernetes sends SIGTERM)", async () => {
    const pod = read("pod.yaml");
    const grace = Number(/^ {2}terminationGracePeriodSeconds: (\d+)$/m.exec(pod)?.[1]);
    expect(pod).not.toMatch(/^\s*preStop:/m);
    const budget = await shutdownBudgetMs(deployedConfig(dockerfile));
    expect(budget + MARGIN_MS).toBeLessThanOrEqual(grace * 1000);
  });
});

// examples/deploy stays consistent with the config it ships: the image copies what exists, and the
// platforms' kill signals and kill timeouts leave Ground Control time for its whole shutdown. The
// scratch and distroless images copy what the build writes and the libraries the binary needs.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
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

/** What build:sea writes to packages/cli/standalone/: the binary and the native module. */
const STANDALONE = "packages/cli/standalone";
const BUILT = join(REPO, STANDALONE, "groundcontrol");

/** A Dockerfile's COPY lines (not the commented ones): `--from` stage, source, destination. */
function copies(dockerfile: string): { from?: string; source: string; destination: string }[] {
  return [...dockerfile.matchAll(/^COPY (?:--from=(\S+) )?(\S+) (\S+)$/gm)].map((m) => ({
    from: m[1],
    source: m[2]!,
    destination: m[3]!,
  }));
}

/** The libraries and the dynamic loader ldd names for the built binary, as absolute paths. */
function neededLibraries(): string[] {
  return execFileSync("ldd", [BUILT], { encoding: "utf8" })
    .split("\n")
    .map((line) => /=> (\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+) \(/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

/** Where Debian's dynamic loader looks for libraries without an ld.so.cache. */
const LOADER_PATH = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"];
/** The libraries of distroless/cc-debian12's libc6, libstdc++6 and libgcc-s1. */
const DISTROLESS_CC = [
  "ld-linux-x86-64.so.2",
  "libc.so.6",
  "libdl.so.2",
  "libm.so.6",
  "libpthread.so.0",
  "libstdc++.so.6",
  "libgcc_s.so.1",
];
const canLdd = existsSync(BUILT) && process.platform === "linux" && process.arch === "x64";

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

  it("the standalone target installs libatomic1: the binary needs it, debian:12-slim lacks it", () => {
    const standalone = dockerfile.slice(dockerfile.indexOf(" AS standalone\n"));
    expect(standalone).toMatch(/apt-get install .*libatomic1/);
    if (canLdd) expect(neededLibraries().map((path) => basename(path))).toContain("libatomic.so.1");
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

describe.each([
  ["Dockerfile.scratch", "scratch"],
  ["Dockerfile.distroless", "gcr.io/distroless/cc-debian12"],
])("examples/deploy/%s", (file, base) => {
  const dockerfile = read(file);
  const copied = copies(dockerfile);
  const binary = copied.find(
    (c) => c.from === undefined && c.source === `${STANDALONE}/groundcontrol`,
  );

  it(`starts FROM ${base}, with stages that exist and install what is copied from them`, () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)];
    expect(froms.at(-1)![1]).toBe(base);
    const stages = new Set(froms.map((m) => m[2]).filter(Boolean));
    for (const { from, source } of copied.filter((c) => c.from !== undefined)) {
      expect(stages.has(from!), `stage ${from}`).toBe(true);
      if (source.includes("libatomic")) expect(dockerfile).toMatch(/apt-get install .*libatomic1/);
      if (source.endsWith("/busybox"))
        expect(dockerfile).toMatch(/apt-get install .*busybox-static/);
    }
  });

  it("copies the binary that build:sea writes, and files that exist", () => {
    expect(binary, "COPY of the binary").toBeDefined();
    const buildSea = readFileSync(join(REPO, "packages/cli/scripts/build-sea.mjs"), "utf8");
    const native = /const NATIVE = "([^"]+)"/.exec(buildSea)?.[1];
    for (const { source } of copied.filter((c) => c.from === undefined)) {
      if (source.startsWith(`${STANDALONE}/`)) {
        expect([`${STANDALONE}/groundcontrol`, `${STANDALONE}/${native}`]).toContain(source);
      } else {
        expect(existsSync(join(REPO, source)), source).toBe(true);
      }
    }
    // The runtime file for an image without /proc, named as the binary looks for it.
    expect(dockerfile).toContain(
      `# COPY ${STANDALONE}/${native} ${dirname(binary!.destination)}/${native}`,
    );
  });

  it("has the binary as its ENTRYPOINT, on the copied config", () => {
    const entrypoints = [...dockerfile.matchAll(/^ENTRYPOINT (.+)$/gm)].map((m) =>
      JSON.parse(m[1]!),
    );
    expect(entrypoints).toEqual([[binary!.destination, "/app/groundcontrol.toml"]]);
    expect(existsSync(deployedConfig(dockerfile))).toBe(true);
  });

  it.runIf(canLdd)(
    "copies each library ldd names that the base image lacks, where the loader looks",
    () => {
      const given = base === "scratch" ? [] : DISTROLESS_CC;
      const needed = neededLibraries().filter((path) => !given.includes(basename(path)));
      const libraries = copied.filter((c) => c.from !== undefined && /\.so(\.|$)/.test(c.source));
      for (const path of needed) {
        const copy = libraries.find((c) => basename(c.destination) === basename(path));
        expect(copy, basename(path)).toBeDefined();
        // The loader at the path written in the binary; the libraries where it searches.
        if (basename(path).startsWith("ld-linux")) expect(copy!.destination).toBe(path);
        else expect(LOADER_PATH).toContain(dirname(copy!.destination));
      }
      expect(libraries.map((c) => basename(c.destination)).sort()).toEqual(
        needed.map((path) => basename(path)).sort(),
      );
    },
  );
});

// examples/deploy stays consistent with the config it ships: the image copies what exists, its
// build checks the config against the platform it runs on, and the platforms' kill signals and
// kill timeouts leave Ground Control time for its whole shutdown. The scratch and distroless
// images copy what the build writes and the libraries the binary needs. The Pod hands the
// replica's credentials to litestream through `secrets`, from a Secret only root may read.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { loadConfig, parseHostPort } from "@groundcontrol/config";
import type { CommandSpec, Spec } from "@groundcontrol/core";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/args.js";
import { shutdownBudget } from "../src/plan.js";
import { isPlatform, PLATFORMS } from "../src/platforms.js";
import { TERMINATION_SIGNALS } from "../src/signals.js";
import { EXAMPLES } from "./helpers/example.js";
import { runCli } from "./run-cli.js";

const REPO = join(EXAMPLES, "..");
const DEPLOY = join(EXAMPLES, "deploy");
const read = (file: string) => readFileSync(join(DEPLOY, file), "utf8");
/** The example the image runs: the source of `COPY examples/<name>/ /app/`. */
function deployedDir(dockerfile: string): string {
  const copies = [...dockerfile.matchAll(/^COPY (examples\/[^\s]+)\/ \/app\/$/gm)].map((m) => m[1]);
  expect(new Set(copies).size).toBe(1);
  return join(REPO, copies[0]!);
}

/** The config the image runs by default. */
function deployedConfig(dockerfile: string): string {
  return join(deployedDir(dockerfile), "groundcontrol.toml");
}

/** Whether the shutdown of `config` fits in `killTimeoutMs` with Ground Control's margin. */
async function fitsIn(config: string, killTimeoutMs: number): Promise<boolean> {
  return shutdownBudget(await loadConfig(config), { ms: killTimeoutMs }).fits === true;
}

/**
 * The `groundcontrol --check --platform P /app/FILE` runs of a Dockerfile (shell or exec form),
 * each up to the next FROM (the stage it belongs to): platform and file, in the repository.
 */
function buildChecks(dockerfile: string): { stage: string; platform: string; config: string }[] {
  const checks: { stage: string; platform: string; config: string }[] = [];
  let stage = "";
  for (const line of dockerfile.replaceAll("\\\n", " ").split("\n")) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/.exec(line);
    if (from) stage = from[2] ?? from[1]!;
    if (!line.startsWith("RUN ")) continue;
    const words = line.startsWith("RUN [") ? JSON.parse(line.slice(4)) : line.slice(4).split(/\s+/);
    for (let i = 0; i < words.length; i++) {
      if (words[i] === "--check" && words[i + 1] === "--platform") {
        const config = words[i + 3] as string;
        expect(config.startsWith("/app/"), config).toBe(true);
        const file = join(deployedDir(dockerfile), config.slice("/app/".length));
        checks.push({ stage, platform: words[i + 2], config: file });
      }
    }
  }
  return checks;
}

/** The config pod.yaml runs: its `command`'s, or the image's ENTRYPOINT's. */
function podConfig(pod: string, dockerfile: string): string {
  const command = /^ {6}command: (\[.+\])$/m.exec(pod)?.[1];
  if (!command) return deployedConfig(dockerfile);
  const argv = JSON.parse(command) as string[];
  expect(argv[0]).toBe("groundcontrol");
  return join(deployedDir(dockerfile), argv[1]!.slice("/app/".length));
}

/** Every command of a spec that is a table: pre, run, post, a stop command, a ready command. */
function commandsOf(spec: Spec): CommandSpec[] {
  return spec.processes.flatMap((p) =>
    [
      p.pre,
      p.run,
      p.post,
      p.stop?.kind === "command" ? p.stop.command : undefined,
      p.ready?.check.kind === "command" ? p.ready.check.command : undefined,
    ].filter((c): c is CommandSpec => c !== undefined),
  );
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

  it("checks, in each target's build, the configs it ships against the platforms it runs on", async () => {
    const checks = buildChecks(dockerfile);
    expect(checks.map((c) => [c.stage, c.platform, basename(c.config)])).toEqual([
      ["npm", "docker", "groundcontrol.toml"],
      ["standalone", "fly", "groundcontrol.toml"],
      ["standalone", "kubernetes", "groundcontrol.kubernetes.toml"],
    ]);
    for (const { platform, config } of checks) {
      const result = await runCli(["--check", "--platform", platform, config]);
      expect(result.stderr, `${platform} ${config}`).toBe("");
      expect(result.code).toBe(0);
    }
  });

  it("fly.toml: a kill signal that shuts down gracefully, a kill timeout above the shutdown", async () => {
    const fly = read("fly.toml");
    const signal = /^kill_signal = "(\w+)"$/m.exec(fly)?.[1];
    const timeout = Number(/^kill_timeout = (\d+)$/m.exec(fly)?.[1]);
    expect(TERMINATION_SIGNALS).toContain(signal);
    expect(/build-target = "(\w+)"/.exec(fly)?.[1]).toBe("standalone");
    expect(await fitsIn(deployedConfig(dockerfile), timeout * 1000)).toBe(true);
    // The build's --platform fly holds the config to Fly.io's default; this file may only give more.
    expect(timeout * 1000).toBeGreaterThanOrEqual(PLATFORMS.fly.killTimeoutMs);
    expect(buildChecks(dockerfile)).toContainEqual({
      stage: "standalone",
      platform: "fly",
      config: deployedConfig(dockerfile),
    });
  });

  it("pod.yaml: a grace period above the shutdown (Kubernetes sends SIGTERM)", async () => {
    const pod = read("pod.yaml");
    const grace = Number(/^ {2}terminationGracePeriodSeconds: (\d+)$/m.exec(pod)?.[1]);
    expect(pod).not.toMatch(/^\s*preStop:/m);
    const config = podConfig(pod, dockerfile);
    expect(await fitsIn(config, grace * 1000)).toBe(true);
    expect(grace * 1000).toBeGreaterThanOrEqual(PLATFORMS.kubernetes.killTimeoutMs);
    expect(/^ {6}image: \S+:(\w+)$/m.exec(pod)?.[1]).toBe("standalone");
    expect(buildChecks(dockerfile)).toContainEqual({
      stage: "standalone",
      platform: "kubernetes",
      config,
    });
  });

  it("asks groundcontrol status the way each platform probes: commands that exist, an address served", async () => {
    // Docker: HEALTHCHECK in every target that runs Ground Control.
    const healthchecks = [...dockerfile.matchAll(/^HEALTHCHECK .* CMD (\[.+\])$/gm)].map(
      (m) => JSON.parse(m[1]!) as string[],
    );
    expect(healthchecks.length).toBe([...dockerfile.matchAll(/^ENTRYPOINT /gm)].length);
    // Kubernetes: exec probes.
    const pod = read("pod.yaml");
    const probes = [...pod.matchAll(/^ {10}command: (\[.+\])$/gm)].map(
      (m) => JSON.parse(m[1]!) as string[],
    );
    expect(probes).toEqual([
      ["groundcontrol", "status", "--ready"],
      ["groundcontrol", "status"],
    ]);
    expect(pod).toMatch(
      /readinessProbe:\n {8}exec:\n {10}command: \["groundcontrol", "status", "--ready"\]/,
    );
    expect(pod).toMatch(/livenessProbe:\n {8}exec:\n {10}command: \["groundcontrol", "status"\]/);
    for (const argv of [...healthchecks, ...probes]) {
      expect(argv[0]).toBe("groundcontrol");
      expect(parseArgs(argv.slice(1), {})).toMatchObject({ kind: "status" });
    }
    // Fly.io: an http check on the address GROUNDCONTROL_STATUS_LISTEN serves, at /healthz.
    const fly = read("fly.toml");
    const listen = /^ {2}GROUNDCONTROL_STATUS_LISTEN = "(.+)"$/m.exec(fly)?.[1];
    const address = parseHostPort(listen ?? "");
    expect(typeof address).toBe("object");
    expect(/^ {4}port = (\d+)$/m.exec(fly)?.[1]).toBe(String((address as { port: number }).port));
    expect(/^ {4}path = "(.+)"$/m.exec(fly)?.[1]).toBe("/healthz");
    expect(/^ {4}type = "(.+)"$/m.exec(fly)?.[1]).toBe("http");
  });

  it("pod.yaml: mounts a Secret that only root may read where its config's secrets are", async () => {
    const pod = read("pod.yaml");
    const spec = await loadConfig(podConfig(pod, dockerfile));
    const paths = commandsOf(spec).flatMap((c) => Object.values(c.secrets ?? {}));
    expect(paths.length).toBeGreaterThan(0);
    const mounts = [
      ...pod.matchAll(/^ {8}- name: (\S+)\n {10}mountPath: (\S+)\n {10}readOnly: true$/gm),
    ].map((m) => ({ volume: m[1]!, path: m[2]! }));
    const secretVolumes = [
      ...pod.matchAll(
        /^ {4}- name: (\S+)\n {6}secret:\n {8}secretName: \S+\n {8}defaultMode: (0[0-7]{3})$/gm,
      ),
    ].map((m) => ({ volume: m[1]!, mode: Number.parseInt(m[2]!, 8) }));
    expect(secretVolumes.length).toBeGreaterThan(0);
    for (const { mode } of secretVolumes)
      expect(mode & 0o044, "readable by group or others").toBe(0);
    for (const path of paths) {
      const mount = mounts.find((m) => dirname(path) === m.path);
      expect(mount, path).toBeDefined();
      expect(secretVolumes.map((v) => v.volume)).toContain(mount!.volume);
    }
  });

  it("the Pod's config is the image's default one, with the credentials as secrets", async () => {
    const pod = read("pod.yaml");
    const variant = await loadConfig(podConfig(pod, dockerfile));
    for (const command of commandsOf(variant)) delete command.secrets;
    expect(variant).toEqual(await loadConfig(deployedConfig(dockerfile)));
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

  it("checks the config it ships in its build, against a platform's kill timeout", async () => {
    const checks = buildChecks(dockerfile);
    expect(checks.map((c) => c.config)).toEqual([deployedConfig(dockerfile)]);
    for (const { platform, config } of checks) {
      expect(isPlatform(platform), platform).toBe(true);
      expect((await runCli(["--check", "--platform", platform, config])).code).toBe(0);
    }
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

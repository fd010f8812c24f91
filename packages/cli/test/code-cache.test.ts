// How dist/groundcontrol.cjs starts fast: V8's code cache beside it (made by the build, used only
// for the build it came from), and core's `debug` tracing loaded only when DEBUG is set.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Script } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "./helpers/harness.js";

interface Launcher {
  BUILD_ID: string;
  compile(cachedData: Buffer | undefined): Script;
  cachedData(): Buffer | undefined;
}

const require = createRequire(import.meta.url);
// A fresh copy per test: require() caches by path.
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The launcher copied into a temp dir, with `cache` (if any) beside it. */
function copyWith(cache: Buffer | undefined): { file: string; launcher: Launcher } {
  dir = mkdtempSync(join(tmpdir(), "gc-cache-"));
  const file = join(dir, "groundcontrol.cjs");
  copyFileSync(CLI, file);
  if (cache) writeFileSync(`${file}.cache`, cache);
  return { file, launcher: require(file) as Launcher };
}

const env = { ...process.env, NODE_OPTIONS: "", DEBUG: "" };
const version = (file: string): string =>
  execFileSync(process.execPath, [file, "--version"], { encoding: "utf8", env });

describe("the code cache", () => {
  const built = readFileSync(`${CLI}.cache`);

  it("is made by the build for this program, and V8 takes it", () => {
    const { launcher } = copyWith(built);
    const data = launcher.cachedData();
    expect(data).toBeDefined();
    expect(built.subarray(0, launcher.BUILD_ID.length).toString("latin1")).toBe(launcher.BUILD_ID);
    expect(launcher.compile(data).cachedDataRejected).toBe(false);
  });

  it("from another build is ignored, even when V8 would take it", () => {
    const other = Buffer.from(built);
    other.write("0".repeat(32), 0, "latin1");
    const { file, launcher } = copyWith(other);
    expect(launcher.cachedData()).toBeUndefined();
    expect(version(file)).toMatch(/^groundcontrol \d/);
  });

  it("that V8 refuses only means compiling as usual", () => {
    const { BUILD_ID } = copyWith(undefined).launcher;
    const damaged = Buffer.concat([Buffer.from(BUILD_ID, "latin1"), Buffer.alloc(4096, 7)]);
    const { file, launcher } = copyWith(damaged);
    expect(launcher.compile(launcher.cachedData()).cachedDataRejected).toBe(true);
    expect(version(file)).toMatch(/^groundcontrol \d/);
  });

  it("is optional: the launcher alone runs", () => {
    const { file, launcher } = copyWith(undefined);
    expect(launcher.cachedData()).toBeUndefined();
    expect(version(file)).toMatch(/^groundcontrol \d/);
  });
});

describe("tracing in the bundle", () => {
  /** stderr of a run of one command that exits at once, with DEBUG set to `debug`. */
  function stderrWith(debug: string): string {
    dir = mkdtempSync(join(tmpdir(), "gc-trace-"));
    writeFileSync(
      join(dir, "groundcontrol.toml"),
      '[[processes]]\nname = "once"\nrun = ["/bin/sh", "-c", "exit 0"]\n',
    );
    const result = spawnSync(process.execPath, [CLI], {
      cwd: dir,
      env: { ...env, GROUNDCONTROL_CONFIG: "", DEBUG: debug },
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    return result.stderr;
  }

  it("traces commands and the lifecycle with DEBUG=groundcontrol:*", () => {
    const stderr = stderrWith("groundcontrol:*");
    expect(stderr).toMatch(/groundcontrol:command once\[run\] .*: pid \d+/);
    expect(stderr).toMatch(/groundcontrol:lifecycle shutdown requested/);
  });

  it("a run leaves node:fs/promises unloaded (the config is read with callback fs)", () => {
    dir = mkdtempSync(join(tmpdir(), "gc-modules-"));
    const config = join(dir, "groundcontrol.toml");
    writeFileSync(config, '[[processes]]\nname = "once"\nrun = ["/bin/sh", "-c", "exit 0"]\n');
    // Preloaded: at exit it writes the list of modules Node loaded to fd 3.
    const probe = join(dir, "probe.cjs");
    writeFileSync(
      probe,
      'process.on("exit", () => require("node:fs").writeSync(3, JSON.stringify(process.moduleLoadList)));',
    );
    const result = spawnSync(process.execPath, ["--require", probe, CLI, config], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    expect(result.status).toBe(0);
    const loaded = JSON.parse(result.output[3] as string) as string[];
    expect(loaded).toContain("NativeModule child_process");
    expect(loaded.filter((m) => m.includes("fs/promises"))).toEqual([]);
  });

  it("says nothing of it without DEBUG", () => {
    const stderr = stderrWith("");
    expect(stderr).toMatch(/all processes stopped/);
    expect(stderr).not.toMatch(/groundcontrol:(command|lifecycle)/);
  });
});

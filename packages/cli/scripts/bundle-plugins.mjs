// esbuild plugins shared by the bundle (build.mjs) and the standalone binary
// (build-sea.mjs): they keep what a start-up does not need from loading at start-up.

/**
 * `debug` (core's DEBUG=groundcontrol:* tracing) costs ~3 ms to load (tty, util, a failed
 * lookup of supports-color) at every start, for traces that are off unless DEBUG is set. In the
 * bundle it is loaded on first use, and only when DEBUG is set; otherwise traces are no-ops.
 */
export const lazyDebug = {
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
 * the first label is made. In the bundle each is a module of getters that loads the real one
 * when a property is first read (esbuild reads imported names at each use, never at import).
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

export const lazyBuiltins = {
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

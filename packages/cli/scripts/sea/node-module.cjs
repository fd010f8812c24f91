// Stands in for node:module in core's native.js in the standalone binary. That file finds koffi
// with createRequire(...)("koffi"), which would look for a node_modules folder on disk; here
// "koffi" is the copy bundled into the executable, and every other name resolves as usual.
const Module = require("node:module");
const { loadEmbeddedKoffi } = require("./embedded-koffi.cjs");

function createRequire(from) {
  const real = Module.createRequire(from);
  const wrapped = (id) => {
    if (id !== "koffi") return real(id);
    // Load the native module first, so that a failure keeps its own message (koffi's loader
    // would replace it with "Cannot find the native Koffi module").
    loadEmbeddedKoffi();
    return require("koffi");
  };
  return Object.assign(wrapped, { resolve: real.resolve, cache: real.cache });
}

module.exports = { ...Module, createRequire };

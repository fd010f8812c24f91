// Stands in for koffi's per-platform package (@koromix/koffi-<os>-<arch>) in the standalone
// binary: koffi's own loader requires it, and gets the native module embedded in the executable.
module.exports = require("./embedded-koffi.cjs").loadEmbeddedKoffi();

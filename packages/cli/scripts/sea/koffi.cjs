// koffi inside the standalone binary: the native module (an asset of the executable) is loaded
// first, so that a failure keeps its own message (koffi's loader would replace it with "Cannot
// find the native Koffi module"); then koffi's own entry point, whose per-platform package
// (koffi-native.cjs in this build) hands over the module already loaded.
require("./koffi-native.cjs");
module.exports = require("koffi");

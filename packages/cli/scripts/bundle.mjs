// The esbuild options both builds share: the npm bundle (build.mjs) and the standalone binary
// (scripts/build-sea.mjs). One CommonJS file with every dependency inside, the program as its
// sources say.
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/**
 * Sources are ES modules and find their own files through import.meta.url; in a CommonJS
 * bundle that is the bundle's own URL.
 */
const IMPORT_META_URL = `const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;`;

export const bundleOptions = {
  entryPoints: [new URL("../src/main.ts", import.meta.url).pathname],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  legalComments: "none",
  // import() of a module outside the bundle (koffi) becomes require(): CommonJS's loader, not
  // the ES module loader a CommonJS file would otherwise start for it.
  supported: { "dynamic-import": false },
  banner: { js: IMPORT_META_URL },
  define: {
    "import.meta.url": "__importMetaUrl",
    // `groundcontrol --version` without reading package.json at run time.
    __GROUNDCONTROL_VERSION__: JSON.stringify(version),
  },
};

// Bundles the CLI and its dependencies (but koffi, which finds its native binary beside its own
// files) into dist/groundcontrol-main.cjs, behind dist/groundcontrol.cjs: a three-line entry
// that turns on Node's compile cache (22.1 and later) before the program is compiled.
import { writeFileSync } from "node:fs";
import { build } from "esbuild";
import { bundleOptions } from "./scripts/bundle.mjs";

await build({
  ...bundleOptions,
  outfile: "dist/groundcontrol-main.cjs",
  external: ["koffi"],
});

writeFileSync(
  "dist/groundcontrol.cjs",
  `#!/usr/bin/env node
// The groundcontrol executable. Where Node has a compile cache (22.1+), later starts reuse what
// this one compiled (in $NODE_COMPILE_CACHE, else the temp directory).
require("node:module").enableCompileCache?.();
require("./groundcontrol-main.cjs");
`,
  { mode: 0o755 },
);

// Bundles the CLI and its dependencies into one file that needs only node (and koffi's binary).
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  outfile: "dist/groundcontrol.cjs",
  banner: { js: "#!/usr/bin/env node" },
  // koffi loads a native binary relative to its own files: keep it a real dependency.
  external: ["koffi"],
  legalComments: "none",
  // core finds its exec-as helper through import.meta.url when used as a library; the bundle
  // passes its own helper argv instead, so the empty import.meta here is never read.
  logOverride: { "empty-import-meta": "silent" },
  // `groundcontrol --version` without reading package.json at run time.
  define: { __GROUNDCONTROL_VERSION__: JSON.stringify(version) },
});

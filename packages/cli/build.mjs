// Bundles the CLI and its dependencies into one file that needs only node (and koffi's binary).
import { build } from "esbuild";

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
});

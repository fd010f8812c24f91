// Bundles the CLI and its dependencies (but koffi, which finds its native binary beside its own
// files) into dist/groundcontrol-main.cjs, behind dist/groundcontrol.cjs: a short entry
// that turns on Node's compile cache (22.1 and later), where that is safe, before the program is
// compiled.
// dist/THIRD-PARTY-LICENSES.txt carries the license of each package the bundle holds, as those
// licenses ask of every copy (the bundle keeps no comments).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { bundleOptions } from "./scripts/bundle.mjs";

const { metafile } = await build({
  ...bundleOptions,
  outfile: "dist/groundcontrol-main.cjs",
  external: ["koffi"],
  metafile: true,
});

writeFileSync(
  "dist/groundcontrol.cjs",
  `#!/usr/bin/env node
// The groundcontrol executable. Where Node has a compile cache (22.1+), later starts reuse what
// this one compiled: in $NODE_COMPILE_CACHE, else the temp directory. Never in the exec-as
// helper, which runs as root what it loads before it switches users; and only from a directory
// this user alone can write, since a cache another user could plant there is code this process
// would run.
const mod = require("node:module");
if (mod.enableCompileCache && process.argv[2] !== "--exec-as") {
  const fs = require("node:fs");
  const dir =
    process.env.NODE_COMPILE_CACHE ||
    require("node:path").join(require("node:os").tmpdir(), "node-compile-cache");
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    const own = stat.isDirectory() && stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
    if (own) mod.enableCompileCache(dir);
  } catch {}
}
require("./groundcontrol-main.cjs");
`,
  { mode: 0o755 },
);

writeFileSync("dist/THIRD-PARTY-LICENSES.txt", thirdPartyLicenses(metafile));

/** Each package a file of the bundle came from (a node_modules folder), with its license text. */
function thirdPartyLicenses({ inputs }) {
  const dirs = new Set();
  for (const input of Object.keys(inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(resolve(match[1]));
  }
  const sections = [...dirs].map((dir) => {
    const { name, version, license } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.\w+)?$/i.test(f));
    if (!file) throw new Error(`${name}@${version} is bundled, but has no license file in ${dir}`);
    return `${name} ${version} (${license})\n\n${readFileSync(join(dir, file), "utf8").trim()}\n`;
  });
  sections.sort();
  return `dist/groundcontrol-main.cjs holds these packages, under these licenses.\n\n${sections.join(
    `\n${"-".repeat(78)}\n\n`,
  )}`;
}

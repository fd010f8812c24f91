// config needs core for types only (the Spec it returns), and installing config must not install
// core and its native module. So the declaration files ship core's spec.d.ts as dist/spec.d.ts,
// and refer to it instead of "@groundcontrol/core". The emitted JavaScript never imports core.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const coreDist = dirname(createRequire(import.meta.url).resolve("@groundcontrol/core"));
// Without core's source map comment: its map is core's, and stays there.
writeFileSync(
  join(dist, "spec.d.ts"),
  readFileSync(join(coreDist, "spec.d.ts"), "utf8").replace(/^\/\/# sourceMappingURL=.*\n?/m, ""),
);

for (const entry of readdirSync(dist, { recursive: true })) {
  const file = join(dist, String(entry));
  if (!file.endsWith(".d.ts")) continue;
  const text = readFileSync(file, "utf8");
  if (!text.includes('"@groundcontrol/core"')) continue;
  let spec = relative(dirname(file), join(dist, "spec.js"));
  if (!spec.startsWith(".")) spec = `./${spec}`;
  writeFileSync(file, text.replaceAll('"@groundcontrol/core"', JSON.stringify(spec)));
}

for (const entry of readdirSync(dist, { recursive: true })) {
  if (String(entry).endsWith(".js")) {
    const text = readFileSync(join(dist, String(entry)), "utf8");
    if (text.includes("@groundcontrol/core")) throw new Error(`${entry} imports core at run time`);
  }
}

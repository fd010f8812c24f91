// Where start-up time goes: exec to exit of Node alone, of the bundled CLI doing the least it can
// (--version), checking configs, and printing the schema; and what the native bridge costs,
// timed inside a fresh Node process: koffi loaded and libc bound, as a run does before its first
// spawn.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate } from "../config-parse.mjs";
import { BUNDLE, groundcontrolToml } from "../lib/managers.mjs";
import { cleanEnv, launch, within } from "../lib/proc.mjs";

/** The commands timed, exec to exit; `setup` writes what they read into `dir`. */
export function cliCommands(dir) {
  const ten = join(dir, "ten.toml");
  const big = join(dir, "200.toml");
  writeFileSync(
    ten,
    groundcontrolToml(
      Array.from({ length: 10 }, (_, i) => ({ name: `daemon-${i}`, command: "exec sleep 3600" })),
    ),
  );
  writeFileSync(big, generate(200, false));
  const node = process.execPath;
  return [
    { id: "node", label: "node -e 0 (Node alone)", argv: [node, "-e", "0"] },
    { id: "version", label: "groundcontrol --version", argv: [node, BUNDLE, "--version"] },
    {
      id: "check10",
      label: "groundcontrol --check (10 processes)",
      argv: [node, BUNDLE, "--check", ten],
    },
    {
      id: "check200",
      label: "groundcontrol --check (200 processes)",
      argv: [node, BUNDLE, "--check", big],
    },
    { id: "schema", label: "groundcontrol --print-schema", argv: [node, BUNDLE, "--print-schema"] },
  ];
}

/** Exec to exit of one command, in ms; throws if it fails. */
export async function execOnce(command) {
  const { started, exit } = launch(command.argv, { env: cleanEnv() });
  const done = await within(exit, 30_000, command.id);
  if (done.code !== 0) throw new Error(`${command.label} exited with ${done.code}`);
  return done.at - started;
}

const NATIVE = pathToFileURL(
  fileURLToPath(new URL("../../packages/core/dist/native.js", import.meta.url)),
).href;

// Runs in a fresh Node: core's loadLibc, then the subreaper call through it.
const BRIDGE = `
import { performance } from "node:perf_hooks";
const t0 = performance.now();
const { loadLibc } = await import(${JSON.stringify(NATIVE)});
const loaded = await loadLibc();
if (!loaded.ok) throw new Error(loaded.reason);
const t1 = performance.now();
if (loaded.libc.prctl(36, 1) !== 0) throw new Error("prctl failed");
console.log(JSON.stringify({ loadMs: t1 - t0, totalMs: performance.now() - t0 }));
`;

/** The native bridge's cost, in a fresh process. */
export function bridgeOnce() {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", BRIDGE], {
    env: cleanEnv(),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`bridge timing failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export const BRIDGE_METRICS = [
  { key: "loadMs", label: "native bridge: koffi loaded, libc bound (core's loadLibc)", unit: "ms" },
  { key: "totalMs", label: "… and prctl(PR_SET_CHILD_SUBREAPER) through it", unit: "ms" },
];

// Where start-up time goes: exec to exit of Node alone, of the bundled CLI doing the least it can
// (--version), checking configs, and printing the schema; and what the native bridge costs,
// timed inside a fresh Node process: koffi loaded and libc bound, as a run does before its first
// spawn.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate } from "../config-parse.mjs";
import { BUNDLE, groundcontrolToml, STANDALONE } from "../lib/managers.mjs";
import { cleanEnv, launch, within } from "../lib/proc.mjs";

/** The socket of the Ground Control that `status` asks (started by startStatusTarget). */
export const statusSocket = (dir) => join(dir, "gc.sock");

/**
 * A Ground Control running ten daemons for `groundcontrol status` to ask, as a probe would.
 * Resolves once it answers; stop() ends it.
 */
export async function startStatusTarget(dir) {
  const env = cleanEnv({ GROUNDCONTROL_SOCKET: statusSocket(dir) });
  const { child, exit } = launch([process.execPath, BUNDLE, join(dir, "ten.toml")], { env });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const asked = spawnSync(process.execPath, [BUNDLE, "status", "--ready"], { env });
    if (asked.status === 0) break;
    if (Date.now() > deadline)
      throw new Error("the Ground Control that status asks never got ready");
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    stop: async () => {
      child.kill("SIGTERM");
      await within(exit, 30_000, "status target");
    },
  };
}

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
    {
      id: "status",
      label: "groundcontrol status --ready (the bundle, 10 processes)",
      argv: [node, BUNDLE, "status", "--ready"],
      env: { GROUNDCONTROL_SOCKET: statusSocket(dir) },
    },
    ...(existsSync(STANDALONE)
      ? [
          {
            id: "statusSea",
            label: "groundcontrol status --ready (the standalone binary)",
            argv: [STANDALONE, "status", "--ready"],
            env: { GROUNDCONTROL_SOCKET: statusSocket(dir) },
          },
        ]
      : []),
  ];
}

/** Exec to exit of one command, in ms; throws if it fails. */
export async function execOnce(command) {
  const { started, exit } = launch(command.argv, { env: cleanEnv(command.env) });
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

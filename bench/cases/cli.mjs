// Where start-up time goes: exec to exit of Node alone, of the bundled CLI doing the least it can
// (--version), checking configs, and printing the schema; and what the native calls cost, timed
// inside a fresh Node process: the small prctl module that makes Ground Control a child
// subreaper before its first spawn when it is not PID 1, and koffi, which reaping loads after
// the first spawn (and which makes the subreaper call where the prctl module was not built).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "../config-parse.mjs";
import { BUNDLE, groundcontrolToml } from "../lib/managers.mjs";
import { cleanEnv, launch, within } from "../lib/proc.mjs";

const KOFFI = createRequire(BUNDLE).resolve("koffi");

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

const KOFFI_LOAD = fileURLToPath(
  new URL("../../packages/core/dist/koffi-load.js", import.meta.url),
);
const PROTOTYPES = [
  "int waitid(int idtype, uint32_t id, _Inout_ void *info, int options)",
  "int waitpid(int pid, _Inout_ int *status, int options)",
  "int fcntl(int fd, int cmd, int arg)",
  "int execvp(const char *file, const char **argv)",
  "void *signal(int signum, void *handler)",
  "int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)",
];

// Runs in a fresh Node: the steps core's native.ts takes before the first spawn when not PID 1
// (load koffi's binary, bind libc, prctl(PR_SET_CHILD_SUBREAPER)), then, for comparison, in
// another fresh Node, koffi's own entry point.
const BRIDGE = `
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
const { loadKoffi } = await import(${JSON.stringify(KOFFI_LOAD)});
const t0 = performance.now();
const koffi = loadKoffi(createRequire(${JSON.stringify(BUNDLE)}));
const t1 = performance.now();
const lib = koffi.load(null);
const fns = ${JSON.stringify(PROTOTYPES)}.map((proto) => lib.func(proto));
if (fns[5](36, 1, 0, 0, 0) !== 0) throw new Error("prctl failed");
const t2 = performance.now();
console.log(JSON.stringify({ loadMs: t1 - t0, bindMs: t2 - t1, totalMs: t2 - t0 }));
`;
const ENTRY = `
const { performance } = require("node:perf_hooks");
const t0 = performance.now();
require(${JSON.stringify(KOFFI)}).load(null);
console.log(JSON.stringify({ entryMs: performance.now() - t0 }));
`;

// The prctl module beside the bundle, as the bundle loads it (NaN where the build made none).
const PRCTL = `
const { performance } = require("node:perf_hooks");
const module = { exports: {} };
const t0 = performance.now();
try {
  process.dlopen(module, ${JSON.stringify(join(dirname(BUNDLE), `groundcontrol-prctl-${process.platform}-${process.arch}.node`))});
} catch {
  console.log(JSON.stringify({ prctlMs: null }));
  process.exit(0);
}
if (module.exports.setChildSubreaper() !== 0) throw new Error("prctl failed");
console.log(JSON.stringify({ prctlMs: performance.now() - t0 }));
`;

/** The native calls' costs, each in a fresh process. */
export function bridgeOnce() {
  const run = (args) => {
    const result = spawnSync(process.execPath, args, { env: cleanEnv(), encoding: "utf8" });
    if (result.status !== 0) throw new Error(`bridge timing failed: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  const { prctlMs } = run(["-e", PRCTL]);
  return {
    prctlMs: prctlMs ?? Number.NaN,
    ...run(["--input-type=module", "-e", BRIDGE]),
    ...run(["-e", ENTRY]),
  };
}

export const BRIDGE_METRICS = [
  {
    key: "prctlMs",
    label:
      "before the first spawn (not PID 1): the prctl module, loaded, and prctl(PR_SET_CHILD_SUBREAPER)",
    unit: "ms",
  },
  { key: "loadMs", label: "koffi's binary, as core loads it for reaping", unit: "ms" },
  { key: "bindMs", label: "koffi: bind libc, prctl(PR_SET_CHILD_SUBREAPER)", unit: "ms" },
  {
    key: "totalMs",
    label: "koffi, total (the subreaper call without the prctl module)",
    unit: "ms",
  },
  { key: "entryMs", label: "for comparison: require('koffi') through its entry point", unit: "ms" },
];

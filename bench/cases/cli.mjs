// Where start-up time goes: exec to exit of Node alone, of the bundled CLI doing the least it can
// (--version), checking configs, and printing the schema; and what the native bridge costs, the
// libc binding Ground Control loads before its first spawn when it is not PID 1 (to become a
// child subreaper), timed inside a fresh Node process.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
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

// Runs in a fresh Node: the same steps as the CLI's libc binding (see core's native.ts).
const BRIDGE = `
const { performance } = require("node:perf_hooks");
const t0 = performance.now();
const koffi = require(${JSON.stringify(KOFFI)});
const t1 = performance.now();
const lib = koffi.load(null);
for (const proto of [
  "int waitid(int idtype, uint32_t id, _Inout_ void *info, int options)",
  "int waitpid(int pid, _Inout_ int *status, int options)",
  "int fcntl(int fd, int cmd, int arg)",
  "int execvp(const char *file, const char **argv)",
  "void *signal(int signum, void *handler)",
  "int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)",
]) lib.func(proto);
const t2 = performance.now();
console.log(JSON.stringify({ requireMs: t1 - t0, bindMs: t2 - t1, totalMs: t2 - t0 }));
`;

/** The native bridge's load and bind time in a fresh process. */
export function bridgeOnce() {
  const result = spawnSync(process.execPath, ["-e", BRIDGE], { env: cleanEnv(), encoding: "utf8" });
  if (result.status !== 0) throw new Error(`bridge timing failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export const BRIDGE_METRICS = [
  { key: "requireMs", label: "require('koffi')", unit: "ms" },
  { key: "bindMs", label: "load libc + bind 6 functions", unit: "ms" },
  { key: "totalMs", label: "native bridge, total", unit: "ms" },
];

// Compiles native/prctl.c into dist/ when this machine can: Linux, a C compiler (`cc`, or $CC)
// and Node's headers (include/node beside Node's bin/). Anything missing is a note, not a
// failure: Ground Control then makes the same call through koffi, ~2 ms slower to start.
// A compiler that is there but fails is an error.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// The name the loader looks for (src/prctl-bridge.ts): another platform's file is never tried.
const output = join(root, "dist", `groundcontrol-prctl-${process.platform}-${process.arch}.node`);

function skip(reason) {
  console.log(`build-native: ${reason}; the subreaper call will go through koffi`);
  process.exit(0);
}

if (process.platform !== "linux") skip(`nothing to build on ${process.platform}`);
const headers = [
  process.env.NODE_HEADERS,
  join(dirname(dirname(process.execPath)), "include", "node"),
  "/usr/include/node",
].find((dir) => dir && existsSync(join(dir, "node_api.h")));
if (!headers) skip("Node's headers (node_api.h) are not installed");

const cc = process.env.CC ?? "cc";
mkdirSync(dirname(output), { recursive: true });
try {
  execFileSync(
    cc,
    ["-O2", "-shared", "-fPIC", "-Wall", "-Wextra", "-I", headers, "-o", output, "native/prctl.c"],
    { cwd: root, stdio: "inherit" },
  );
} catch (error) {
  if (error.code === "ENOENT") skip(`no C compiler (${cc})`);
  throw error;
}

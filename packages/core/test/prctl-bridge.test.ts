// The small native module for the subreaper call, and koffi's way of making the same call
// (what runs where the module was not built).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { loadPrctlBridge, PRCTL_BRIDGE_FILE } from "../src/prctl-bridge.js";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const linux = process.platform === "linux";
// What scripts/build-native.mjs needs: a C compiler and Node's headers, where it looks for them.
const headers = [
  process.env.NODE_HEADERS,
  join(dirname(dirname(process.execPath)), "include", "node"),
  "/usr/include/node",
].some((dir) => dir && existsSync(join(dir, "node_api.h")));
const compiler = linux && headers && spawnSync(process.env.CC ?? "cc", ["--version"]).status === 0;

/** Runs an ES module snippet in a fresh Node (so the test process itself never changes). */
function inChild(code: string): string {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd: dist,
    encoding: "utf8",
  });
  expect(result.stderr).toBe("");
  return result.stdout.trim();
}

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe("the prctl module", () => {
  it.runIf(compiler)("is built into core's dist where a C compiler and Node's headers are", () => {
    expect(existsSync(join(dist, PRCTL_BRIDGE_FILE))).toBe(true);
  });

  it.runIf(compiler)("makes the calling process a child subreaper", () => {
    const out = inChild(`
      import { loadPrctlBridge } from "./prctl-bridge.js";
      const bridge = loadPrctlBridge();
      console.log(bridge.isChildSubreaper(), bridge.setChildSubreaper(), bridge.isChildSubreaper());
    `);
    expect(out).toBe("false 0 true");
  });

  it("is left out, for koffi, when its file is missing or is not a module", () => {
    scratch = mkdtempSync(join(tmpdir(), "gc-prctl-"));
    expect(loadPrctlBridge(scratch)).toBeUndefined();
    writeFileSync(join(scratch, PRCTL_BRIDGE_FILE), "not an ELF file");
    expect(loadPrctlBridge(scratch)).toBeUndefined();
  });
});

describe.runIf(linux)("koffi's prctl, used without the module", () => {
  it("makes the calling process a child subreaper too", () => {
    const out = inChild(`
      import { loadLibc, PR_SET_CHILD_SUBREAPER } from "./native.js";
      import { loadPrctlBridge } from "./prctl-bridge.js";
      const { libc } = loadLibc();
      console.log(libc.prctl(PR_SET_CHILD_SUBREAPER, 1), loadPrctlBridge()?.isChildSubreaper());
    `);
    // The module, where built, reads the flag back.
    expect(out).toBe(compiler ? "0 true" : "0 undefined");
  });
});

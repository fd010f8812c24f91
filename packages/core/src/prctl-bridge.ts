// The small native module for the one call Ground Control makes before its first spawn when
// another process is PID 1: becoming a child subreaper. koffi can make that call too, but loading
// it takes ~2 ms on that path; this module, compiled from native/prctl.c by the build where a C
// compiler is present, takes ~0.3 ms. Where it is missing (not built, another platform or libc),
// callers fall back to koffi.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What native/prctl.c exports. */
export interface PrctlBridge {
  /** prctl(PR_SET_CHILD_SUBREAPER, 1): 0, or the errno it failed with. */
  setChildSubreaper(): number;
  /** prctl(PR_GET_CHILD_SUBREAPER): whether this process is a child subreaper. */
  isChildSubreaper(): boolean;
}

/** The module's file name: per platform and architecture, so a copied dist never loads a wrong one. */
export const PRCTL_BRIDGE_FILE = `groundcontrol-prctl-${process.platform}-${process.arch}.node`;

/**
 * The module from `dir` (default: beside this code, which is core's dist/ or the CLI bundle's
 * directory), or undefined when it is not there or does not load.
 */
export function loadPrctlBridge(dir?: string): PrctlBridge | undefined {
  if (process.platform !== "linux") return undefined;
  const module = { exports: {} as Partial<PrctlBridge> };
  try {
    process.dlopen(module, join(dir ?? here(), PRCTL_BRIDGE_FILE));
  } catch {
    return undefined;
  }
  const { setChildSubreaper, isChildSubreaper } = module.exports;
  return typeof setChildSubreaper === "function" && typeof isChildSubreaper === "function"
    ? { setChildSubreaper, isChildSubreaper }
    : undefined;
}

function here(): string {
  // In the CommonJS bundle `__dirname` is the bundle's directory; as ESM, this file's. (Neither
  // may exist in an unusual host: the caller treats a throw here as "not there".)
  return typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
}

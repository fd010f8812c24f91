// How to start this very executable again: the exec-as helper that switches users is a mode of it.
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, resolve } from "node:path";

/** The marker argument that turns the executable into the exec-as helper. */
export const EXEC_AS = "--exec-as";

/** argv that runs this executable in exec-as mode: the bundled script, or a standalone binary. */
export async function execAsHelper(): Promise<string[]> {
  const node = absoluteExecPath();
  if (await isStandalone()) return [node, EXEC_AS];
  // Where this Node can keep SIGUSR1 from opening its inspector (22.14+), the helper asks it to.
  const flags = process.allowedNodeEnvironmentFlags.has("--disable-sigusr1")
    ? ["--disable-sigusr1"]
    : [];
  return [node, ...flags, process.argv[1]!, EXEC_AS];
}

async function isStandalone(): Promise<boolean> {
  try {
    // node:sea exists from Node 20.12.
    return (await import("node:sea")).isSea();
  } catch {
    return false;
  }
}

/**
 * process.execPath made absolute. Without /proc, Node takes it from argv[0] as it was given
 * ("groundcontrol", found through PATH by whoever started us), and the helper is started
 * with an empty environment: it must not depend on a PATH lookup.
 */
export function absoluteExecPath(): string {
  const given = process.execPath;
  if (isAbsolute(given)) return given;
  if (given.includes("/")) return resolve(given);
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = resolve(dir || ".", given);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return given;
}

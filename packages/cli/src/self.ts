// How to start this very executable again: the exec-as helper that switches users is a mode of it.

/** The marker argument that turns the executable into the exec-as helper. */
export const EXEC_AS = "--exec-as";

/** argv that runs this executable in exec-as mode: the bundled script, or a standalone binary. */
export function execAsHelper(): string[] {
  return isStandalone()
    ? [process.execPath, EXEC_AS]
    : [process.execPath, process.argv[1]!, EXEC_AS];
}

function isStandalone(): boolean {
  try {
    // node:sea exists from Node 20.12; a CommonJS bundle has `require`, the ESM build does not.
    return typeof require === "function" && (require("node:sea") as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

// Diagnostics for DEBUG=groundcontrol:* (the `debug` package's convention: names separated by
// commas or spaces, `*` matches anything, a leading `-` excludes). Off by default, when a call
// does nothing. They name programs, pids and phases, never argument or environment values.
import { format } from "node:util";

export type Trace = (template: string, ...args: unknown[]) => void;

/** True when `namespace` is switched on by a DEBUG value. */
export function traceEnabled(namespace: string, debug: string | undefined): boolean {
  let enabled = false;
  for (const word of (debug ?? "").split(/[\s,]+/)) {
    if (word === "") continue;
    const exclude = word.startsWith("-");
    const pattern = new RegExp(
      `^${(exclude ? word.slice(1) : word).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`,
    );
    if (pattern.test(namespace)) {
      if (exclude) return false;
      enabled = true;
    }
  }
  return enabled;
}

function createTrace(namespace: string): Trace {
  if (!traceEnabled(namespace, process.env.DEBUG)) return () => {};
  return (template, ...args) => {
    process.stderr.write(`${new Date().toISOString()} ${namespace} ${format(template, ...args)}\n`);
  };
}

export const traceCommand = createTrace("groundcontrol:command");
export const traceLifecycle = createTrace("groundcontrol:lifecycle");

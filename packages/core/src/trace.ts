// Diagnostics for DEBUG=groundcontrol:* (off by default; a disabled call costs ~20 ns).
// They name programs, pids and phases, never argument or environment values.
import createDebug from "debug";

export const traceCommand = createDebug("groundcontrol:command");
export const traceLifecycle = createDebug("groundcontrol:lifecycle");

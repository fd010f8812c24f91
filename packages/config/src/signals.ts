// Which `stop` strings are signal names. The rule: after trimming, a string that starts with
// "SIG" (any case) and has no whitespace is a signal name, never a command. It must then be,
// written in upper case, a signal this platform's Node knows (os.constants.signals).
import { constants } from "node:os";

export type SignalResult =
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "invalid"; error: string }
  | { kind: "command" };

const SIGNAL_LIKE = /^SIG\S*$/i;

/** Classifies a `stop` string: a known signal, a bad signal name, or a command line. */
export function classifyStop(text: string): SignalResult {
  const name = text.trim();
  if (!SIGNAL_LIKE.test(name)) return { kind: "command" };
  if (Object.hasOwn(constants.signals, name))
    return { kind: "signal", signal: name as NodeJS.Signals };
  const upper = name.toUpperCase();
  if (Object.hasOwn(constants.signals, upper)) {
    return { kind: "invalid", error: `signal names are written in upper case: "${upper}"` };
  }
  return {
    kind: "invalid",
    error: `unknown signal "${name}": expected a standard signal such as SIGTERM, SIGINT, SIGQUIT or SIGHUP`,
  };
}

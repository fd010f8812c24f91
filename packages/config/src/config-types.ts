// What parseConfig returns: the Spec core runs, and the settings of the executable around it.
// Types and one constant only, so that the published declarations need nothing but core's types.
import type { Spec } from "@groundcontrol/core";

/** The most bytes a Unix socket path can hold (sun_path is 108, with its NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

export interface BreakGlassSettings {
  /** Enter break glass by itself after this many failed boots in a row. */
  afterFailedBoots?: number;
  /** Where the count of failed boots is kept (on a volume that outlives the container). */
  stateFile?: string;
  /** A boot that stays up this long after startup completed is a good one. */
  healthyAfterMs?: number;
  /** In break glass, start the processes up to and including this one. */
  startThrough?: string;
}

/** A whole groundcontrol.toml (core ignores what is not a Spec's). */
export interface Config extends Spec {
  /** Where `groundcontrol status` asks: a path, false for none; unset for the default. */
  controlSocket?: string | false;
  /** An address for GET /status and GET /healthz. */
  statusListen?: { host: string; port: number };
  breakGlass?: BreakGlassSettings;
}

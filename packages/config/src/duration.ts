// Durations in the config: "250ms", "10s", "2m", "1h", or a plain number of seconds.

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

/** The longest delay a Node timer honours; a longer one would fire at once. */
export const MAX_DURATION_MS = 2_147_483_647;

/** Digits with an optional fraction, then an optional unit; no spaces, no sign. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export const DURATION_HINT = 'a duration such as "250ms", "10s", "2m" or a number of seconds';

/** Parses a duration to whole milliseconds (rounded); a bare string number means seconds. */
export function parseDuration(value: string | number): DurationResult {
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0)
      return { ok: false, error: `expected ${DURATION_HINT}` };
    ms = value * 1000;
  } else {
    const match = DURATION_PATTERN.exec(value);
    if (!match) return { ok: false, error: `expected ${DURATION_HINT}` };
    ms = Number(match[1]) * UNIT_MS[match[2] ?? "s"]!;
  }
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) return { ok: false, error: "duration too long: at most 24 days" };
  return { ok: true, ms };
}

// ANSI colours for output labels, and the decision whether to use them at all.

/** Foreground colours handed out to processes in order; red is left out so it never reads as an error. */
const PALETTE = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94] as const;

/** Wraps `text` in the palette colour of the process at `index` (stable: the same index, the same colour). */
export function colorize(text: string, index: number): string {
  const code = PALETTE[index % PALETTE.length];
  return `\x1b[${code}m${text}\x1b[39m`;
}

/** Ground Control's own label stands apart from every process colour. */
export function bold(text: string): string {
  return `\x1b[1m${text}\x1b[22m`;
}

/**
 * Whether output to `stream` should carry colour:
 * `NO_COLOR` set and non-empty wins (no-color.org); then `FORCE_COLOR` forces colour on, except
 * `"0"`/`"false"` which force it off (the convention Node and supports-color share); otherwise
 * colour only when the stream is a terminal.
 */
export function shouldColor(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return stream.isTTY === true;
}

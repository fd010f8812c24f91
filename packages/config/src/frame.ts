// The code frame under a TOML syntax error: the line before and the line of the error, with a
// caret. A config file's strings hold secrets (an API key in [env]), so every string's contents
// and every comment are masked, and long lines are cut to a window around the error.

const MASK = "*";
/** Characters of a line shown at most; the window keeps the error column in view. */
const WIDTH = 100;

/**
 * `text` with the contents of every string (basic, literal, multi-line) and every comment
 * replaced by `*`, quotes and newlines kept, so lines and columns stay where they were. A string
 * left open masks the rest of its line (the rest of the file for a multi-line one).
 */
export function maskStrings(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "#") {
      const end = lineEnd(text, i);
      out += `#${masked(text, i + 1, end)}`;
      i = end;
    } else if (ch === '"' || ch === "'") {
      const delimiter = text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      const end = stringEnd(text, i + delimiter.length, delimiter);
      const closed = text.startsWith(delimiter, end);
      out += delimiter + masked(text, i + delimiter.length, end) + (closed ? delimiter : "");
      i = closed ? end + delimiter.length : end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The frame for an error at 1-based `line` and `column` of `text` (masked here). */
export function codeFrame(text: string, line: number, column: number): string {
  const lines = maskStrings(text).split("\n");
  const first = Math.max(1, line - 1);
  const number = (n: number) => `${n}:  `;
  // One window for every line shown, so the caret stays under the error.
  const start = column > WIDTH - 20 ? column - (WIDTH - 40) : 1;
  const out: string[] = [];
  for (let n = first; n <= Math.min(line, lines.length); n++) {
    const full = lines[n - 1]!.replace(/\r$/, "");
    const shown = full.slice(start - 1, start - 1 + WIDTH);
    const before = start > 1 && full.length > 0 ? "…" : "";
    const after = full.length > start - 1 + WIDTH ? "…" : "";
    out.push(`${number(n)}${before}${shown}${after}`);
  }
  const pad = number(line).length + (start > 1 ? 1 : 0) + Math.max(0, column - start);
  out.push(`${" ".repeat(pad)}^`);
  return `${out.join("\n")}\n`;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

/** Where a string that started at `from` ends: its closing delimiter, or where it gives up. */
function stringEnd(text: string, from: number, delimiter: string): number {
  const multiLine = delimiter.length === 3;
  const escapes = delimiter[0] === '"';
  let i = from;
  while (i < text.length) {
    if (escapes && text[i] === "\\") {
      i += 2;
      continue;
    }
    if (text.startsWith(delimiter, i)) {
      // A multi-line string may end with up to two more quotes of its own: `"""a""""`.
      while (multiLine && text[i + 3] === delimiter[0]) i++;
      return i;
    }
    if (!multiLine && text[i] === "\n") return i;
    i++;
  }
  return Math.min(i, text.length);
}

function masked(text: string, from: number, to: number): string {
  return text.slice(from, to).replace(/[^\n]/g, MASK);
}

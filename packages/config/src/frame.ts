// The code frame under a TOML syntax error: the line before and the line of the error, with a
// caret. A config file's strings hold secrets (an API key in [env]), so every string's contents
// and every comment are masked, and long lines are cut to a window around the error.

const MASK = "*";
/** Characters of a line shown at most; the window keeps the error column in view. */
const WIDTH = 100;

/**
 * `text` with the contents of every string (basic, literal, multi-line) and every comment
 * replaced by `*`, quotes and newlines kept, so lines and columns stay where they were. A string
 * left open masks the rest of its line (the rest of the file for a multi-line one). So is every
 * bare word where a value goes (`API_KEY = sk_live_…`, a secret whose quotes were forgotten),
 * unless it is a boolean, a number or a date, which carry no secret and help read the error.
 */
export function maskStrings(text: string): string {
  let out = "";
  let i = 0;
  // Where a value goes: after `=`, and in an array that is one. Inline tables hold keys again.
  const nesting: ("array" | "table")[] = [];
  let valueHere = false;
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
    } else if (valueHere && BARE.test(ch)) {
      let end = i;
      while (end < text.length && BARE.test(text[end]!)) end++;
      const word = text.slice(i, end);
      out += HARMLESS.test(word) ? word : MASK.repeat(end - i);
      i = end;
    } else {
      if (ch === "=") valueHere = true;
      else if (ch === "\n" && nesting.length === 0) valueHere = false;
      else if (ch === "[" && valueHere) nesting.push("array");
      else if (ch === "{") {
        nesting.push("table");
        valueHere = false;
      } else if (ch === "]" || ch === "}") {
        nesting.pop();
        valueHere = nesting.at(-1) === "array";
      } else if (ch === ",") valueHere = nesting.at(-1) === "array";
      out += ch;
      i++;
    }
  }
  return out;
}

/** What a bare word (a value without quotes) is made of. */
const BARE = /[^\s"'#,=[\]{}]/;
/** Bare words that are a boolean, a number (or inf, nan) or a date: shown as they are. */
const HARMLESS =
  /^(true|false|[+-]?(inf|nan)|[+-]?[\d_]+(\.[\d_]+)?([eE][+-]?\d+)?|0x[\da-fA-F_]+|0o[0-7_]+|0b[01_]+|\d{4}-\d\d-\d\d([T ][\d:.]+)?(Z|[+-]\d\d:\d\d)?|\d\d:\d\d(:\d\d(\.\d+)?)?)$/;

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

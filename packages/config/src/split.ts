// Splits a command string into argv words, the small shell-like grammar SPEC §2 promises:
// whitespace separates words, quotes group them, backslash escapes. Nothing else is special.

export type SplitResult = { ok: true; argv: string[] } | { ok: false; error: string };

const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);

/** A `{{ NAME }}` template (sticky: matched where lastIndex points), one unit whatever its spaces. */
const TEMPLATE = /\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/y;

/**
 * - Outside quotes, whitespace ends a word and `\` takes the next character literally.
 * - `'…'` is literal to the closing `'` (no escapes inside, as in a POSIX shell).
 * - `"…"` groups words; inside it `\` takes the next character literally.
 * - Quoted parts join the letters around them (`a"b c"d` is one word `ab cd`); `""` is an
 *   empty word.
 * - `{{ NAME }}` is part of one word, spaces and all: it is expanded later, as a whole, into
 *   that one argument (as in an array).
 * - An unterminated quote, a trailing `\` or a string with no words is an error.
 */
export function splitCommand(line: string): SplitResult {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (WHITESPACE.has(ch)) {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (ch === "\\") {
      if (i + 1 >= line.length) return { ok: false, error: "command ends with a lone backslash" };
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (ch === "'" || ch === '"') {
      const quoted = readQuoted(line, i);
      if (!quoted.ok) return quoted;
      word += quoted.text;
      inWord = true;
      i = quoted.end;
    } else {
      TEMPLATE.lastIndex = i;
      const text = (ch === "{" && TEMPLATE.exec(line)?.[0]) || ch;
      word += text;
      inWord = true;
      i += text.length;
    }
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, error: "empty command" };
  return { ok: true, argv };
}

type Quoted = { ok: true; text: string; end: number } | { ok: false; error: string };

/** Reads the quoted part that opens at `start`; `end` is the index after its closing quote. */
function readQuoted(line: string, start: number): Quoted {
  const quote = line[start]!;
  const name = quote === "'" ? "single" : "double";
  let text = "";
  let i = start + 1;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === quote) return { ok: true, text, end: i + 1 };
    if (ch === "\\" && quote === '"') {
      if (i + 1 >= line.length) break;
      text += line[i + 1];
      i += 2;
    } else {
      text += ch;
      i++;
    }
  }
  return { ok: false, error: `unterminated ${name} quote (opened at character ${start + 1})` };
}

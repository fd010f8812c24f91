// Finds where each key and array item of a TOML document starts, so a problem found in the
// parsed data can name its line and column. The TOML parser gives no positions for values.
//
// It reads only documents the parser already accepted, so it skips what it does not need
// (string contents, scalars) and never reports syntax errors. It understands [table] and
// [[array-of-tables]] headers (counting the items of each array), dotted keys, inline tables
// and arrays spanning lines, and comments.
import type { KeySegment } from "./key-path.js";

export interface Position {
  line: number;
  column: number;
}

/** Positions of the keys of one document; `lookup` falls back to the nearest ancestor. */
export class PositionIndex {
  readonly #positions = new Map<string, number>();
  readonly #lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.#lineStarts.push(i + 1);
    try {
      new Scanner(text, (path, offset) => {
        const key = JSON.stringify(path);
        if (!this.#positions.has(key)) this.#positions.set(key, offset);
      }).scanDocument();
    } catch {
      // Positions are a help, not a requirement: keep what was found before the surprise.
    }
  }

  /** Where `path` starts; for a key that is absent (a missing key), where its parent starts. */
  lookup(path: readonly KeySegment[]): Position {
    for (let length = path.length; length > 0; length--) {
      const offset = this.#positions.get(JSON.stringify(path.slice(0, length)));
      if (offset !== undefined) return this.#toPosition(offset);
    }
    return { line: 1, column: 1 };
  }

  #toPosition(offset: number): Position {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.#lineStarts[lo]! + 1 };
  }
}

type RecordPosition = (path: KeySegment[], offset: number) => void;

interface KeyPart {
  name: string;
  offset: number;
}

const BARE = /[A-Za-z0-9_-]/;

class Scanner {
  #pos = 0;
  /** Number of items seen so far in each array of tables, by resolved path. */
  readonly #arrayCounts = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly record: RecordPosition,
  ) {}

  scanDocument(): void {
    let table: KeySegment[] = [];
    while (this.#pos < this.text.length) {
      const before = this.#pos;
      this.#skipBlank();
      const ch = this.text[this.#pos];
      if (ch === undefined) break;
      if (ch === "[") table = this.#scanHeader();
      else this.#scanKeyValue(table);
      this.#skipBlank();
      if (this.#pos === before) this.#pos++; // never loop in place
    }
  }

  /** `[a.b]` or `[[a.b]]`: returns the path the following key/values belong to. */
  #scanHeader(): KeySegment[] {
    const start = this.#pos;
    const isArray = this.text[this.#pos + 1] === "[";
    this.#pos += isArray ? 2 : 1;
    const parts = this.#readKey();
    this.#pos += isArray ? 2 : 1;
    const path: KeySegment[] = [];
    parts.forEach((part, i) => {
      path.push(part.name);
      const id = JSON.stringify(path);
      if (isArray && i === parts.length - 1) {
        const index = this.#arrayCounts.get(id) ?? 0;
        this.#arrayCounts.set(id, index + 1);
        this.record([...path], start);
        path.push(index);
      } else {
        const count = this.#arrayCounts.get(id);
        if (count !== undefined) path.push(count - 1);
      }
      this.record([...path], start);
    });
    return path;
  }

  #scanKeyValue(table: readonly KeySegment[]): void {
    const path = this.#readDottedKeyRecording(table);
    this.#skipSpaces();
    if (this.text[this.#pos] === "=") this.#pos++;
    this.#skipSpaces();
    this.#scanValue(path);
  }

  /** Reads `a.b.c` relative to `base`, records each level, returns the full path. */
  #readDottedKeyRecording(base: readonly KeySegment[]): KeySegment[] {
    const path = [...base];
    for (const part of this.#readKey()) {
      path.push(part.name);
      this.record([...path], part.offset);
    }
    return path;
  }

  #scanValue(path: KeySegment[]): void {
    const ch = this.text[this.#pos];
    if (ch === "{") this.#scanInlineTable(path);
    else if (ch === "[") this.#scanArray(path);
    else if (ch === '"' || ch === "'") this.#readString();
    else this.#skipScalar();
  }

  #scanInlineTable(path: KeySegment[]): void {
    this.#scanItems("}", () => {
      const keyPath = this.#readDottedKeyRecording(path);
      this.#skipBlank();
      if (this.text[this.#pos] === "=") this.#pos++;
      this.#skipBlank();
      this.#scanValue(keyPath);
    });
  }

  #scanArray(path: KeySegment[]): void {
    let index = 0;
    this.#scanItems("]", () => {
      const itemPath = [...path, index++];
      this.record(itemPath, this.#pos);
      this.#scanValue(itemPath);
    });
  }

  /** The comma-separated items after an opening `{` or `[`, up to `close`; `item` reads one. */
  #scanItems(close: "}" | "]", item: () => void): void {
    this.#pos++;
    while (this.#pos < this.text.length) {
      this.#skipBlank();
      const ch = this.text[this.#pos];
      if (ch === close) {
        this.#pos++;
        return;
      }
      if (ch === ",") {
        this.#pos++;
        continue;
      }
      const before = this.#pos;
      item();
      // A character the scanner cannot read is stepped over, never looped on.
      if (this.#pos === before) this.#pos++;
    }
  }

  /** A key of one or more dot-separated parts, bare or quoted. */
  #readKey(): KeyPart[] {
    const parts: KeyPart[] = [];
    for (;;) {
      this.#skipSpaces();
      const offset = this.#pos;
      const ch = this.text[this.#pos];
      if (ch === '"' || ch === "'") parts.push({ name: this.#readString(), offset });
      else {
        while (this.#pos < this.text.length && BARE.test(this.text[this.#pos]!)) this.#pos++;
        parts.push({ name: this.text.slice(offset, this.#pos), offset });
      }
      this.#skipSpaces();
      if (this.text[this.#pos] !== ".") return parts;
      this.#pos++;
    }
  }

  /** Skips any TOML string at the cursor and returns its value (escapes decoded). */
  #readString(): string {
    const quote = this.text[this.#pos]!;
    const multiline = this.text.startsWith(quote.repeat(3), this.#pos);
    this.#pos += multiline ? 3 : 1;
    let value = "";
    while (this.#pos < this.text.length) {
      const ch = this.text[this.#pos]!;
      if (ch === quote) {
        if (!multiline) {
          this.#pos++;
          return value;
        }
        let run = 0;
        while (this.text[this.#pos + run] === quote) run++;
        if (run >= 3) {
          // Up to two quotes right before the closing three belong to the string.
          value += quote.repeat(Math.min(run - 3, 2));
          this.#pos += Math.min(run, 5);
          return value;
        }
        value += quote.repeat(run);
        this.#pos += run;
      } else if (ch === "\\" && quote === '"') {
        const [decoded, length] = decodeEscape(this.text, this.#pos);
        value += decoded;
        this.#pos += length;
      } else {
        value += ch;
        this.#pos++;
      }
    }
    return value;
  }

  #skipScalar(): void {
    while (this.#pos < this.text.length && !",]}\n#".includes(this.text[this.#pos]!)) this.#pos++;
  }

  #skipSpaces(): void {
    while (this.text[this.#pos] === " " || this.text[this.#pos] === "\t") this.#pos++;
  }

  /** Spaces, newlines and comments. */
  #skipBlank(): void {
    for (;;) {
      const ch = this.text[this.#pos];
      if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") this.#pos++;
      else if (ch === "#") {
        while (this.#pos < this.text.length && this.text[this.#pos] !== "\n") this.#pos++;
      } else return;
    }
  }
}

const SIMPLE_ESCAPES: { [key: string]: string } = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  e: "\x1b",
  '"': '"',
  "\\": "\\",
};

/** Decodes the escape at `at` (a backslash) in a basic string: [text, characters consumed]. */
function decodeEscape(text: string, at: number): [string, number] {
  const kind = text[at + 1] ?? "";
  const simple = SIMPLE_ESCAPES[kind];
  if (simple !== undefined) return [simple, 2];
  const digits = kind === "u" ? 4 : kind === "U" ? 8 : kind === "x" ? 2 : 0;
  if (digits > 0) {
    const code = Number.parseInt(text.slice(at + 2, at + 2 + digits), 16);
    return [Number.isNaN(code) ? "" : String.fromCodePoint(code), 2 + digits];
  }
  // A line-ending backslash in a multi-line string trims the following whitespace.
  let end = at + 1;
  while (end < text.length && " \t\r\n".includes(text[end]!)) end++;
  return ["", end - at];
}

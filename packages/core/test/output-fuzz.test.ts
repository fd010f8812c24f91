// Random output cut into random chunks must come out exactly as a simple reference says:
// split at "\n", drop one "\r" before it, cut lines longer than the limit, prefix each record.

import { describe, expect, it } from "vitest";
import { collectingRelay, relayChunks } from "./output-helpers.js";

/** Small seeded PRNG (mulberry32): the same cases on every run. */
function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** ASCII text rich in what matters here: newlines, CRs, empty and long lines. */
function randomText(next: (n: number) => number): string {
  const alphabet = "ab\n\n\r\r.";
  let text = "";
  const length = next(400);
  for (let i = 0; i < length; i++) {
    text += next(20) === 0 ? "x".repeat(next(60)) : alphabet[next(alphabet.length)];
  }
  return text;
}

function pieces(line: string, max: number): string[] {
  if (line.length <= max) return [line];
  const parts: string[] = [];
  for (let at = 0; at < line.length; at += max) parts.push(line.slice(at, at + max));
  return parts;
}

function referenceRecords(text: string, max: number): string[] {
  const lines = text.split("\n");
  const last = lines.pop()!;
  const records = lines.flatMap((line) =>
    pieces(line.endsWith("\r") ? line.slice(0, -1) : line, max),
  );
  if (last !== "") records.push(...pieces(last, max));
  return records;
}

function randomChunks(text: string, next: (n: number) => number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; ) {
    const size = 1 + next(next(4) === 0 ? 200 : 12);
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}

describe("relay against a reference splitter", () => {
  it("matches it for 500 random texts in random chunks, text format", async () => {
    const next = random(1);
    for (let round = 0; round < 500; round++) {
      const text = randomText(next);
      const max = 4 + next(30);
      const { relay, out } = collectingRelay({ maxLineBytes: max });
      await relayChunks(relay, randomChunks(text, next));
      const expected = referenceRecords(text, max).map((record) => `app           | ${record}\n`);
      if (out.text() !== expected.join("")) {
        expect({ text, max, output: out.lines() }).toEqual({ text, max, output: expected });
      }
    }
  });

  it("matches it for 200 random texts in random chunks, JSON format", async () => {
    const next = random(2);
    for (let round = 0; round < 200; round++) {
      const text = randomText(next);
      const max = 4 + next(30);
      const { relay, out } = collectingRelay({ maxLineBytes: max, format: "json" });
      await relayChunks(relay, randomChunks(text, next));
      const records = out.lines().map((line) => JSON.parse(line).line);
      expect(records).toEqual(referenceRecords(text, max));
    }
  });
});

describe("JSON records against JSON.stringify", () => {
  it("are byte for byte what JSON.stringify gives, for lines that need escaping or not", async () => {
    const next = random(3);
    const pieces = [
      "plain",
      " ",
      '"',
      "\\",
      "\t",
      "\x1b[1m",
      "é",
      "€",
      "\u2028",
      "\x7f",
      "\r",
      "\n",
    ];
    for (let round = 0; round < 200; round++) {
      const parts: Buffer[] = [];
      for (let i = next(60); i > 0; i--) {
        // Now and then a byte that is not UTF-8.
        parts.push(
          next(15) === 0 ? Buffer.from([0xff]) : Buffer.from(pieces[next(pieces.length)]!),
        );
      }
      const input = Buffer.concat(parts);
      const chunks: Buffer[] = [];
      for (let at = 0, size = 0; at < input.length; at += size) {
        size = 1 + next(16);
        chunks.push(input.subarray(at, at + size));
      }
      const { relay, out } = collectingRelay({ format: "json" });
      await relayChunks(relay, chunks);
      const expected = referenceRecords(input.toString("latin1"), 1 << 20).map(
        (record) =>
          `{"process":"app","phase":"run","stream":"stdout","line":${JSON.stringify(
            Buffer.from(record, "latin1").toString("utf8"),
          )}}\n`,
      );
      expect(out.bytes().toString("latin1")).toBe(
        Buffer.from(expected.join("")).toString("latin1"),
      );
    }
  });
});

// Byte line splitting: chunk boundaries, line endings, long lines, bytes that are not UTF-8.

import { describe, expect, it } from "vitest";
import { LineSplitter } from "../src/lines.js";

/** Records of the last push()/end() as buffers. */
function records(splitter: LineSplitter): Buffer[] {
  const found: Buffer[] = [];
  for (let i = 0; i < splitter.count; i++) {
    found.push(splitter.bufs[i]!.subarray(splitter.starts[i], splitter.ends[i]));
  }
  return found;
}

/** Pushes every chunk, then ends; returns every record as a latin1 string (byte for byte). */
function split(chunks: Array<string | Buffer>, max = 1024): string[] {
  const splitter = new LineSplitter(max);
  const found: string[] = [];
  for (const chunk of chunks) {
    splitter.push(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk);
    let bytes = 0;
    for (const record of records(splitter)) {
      found.push(record.toString("latin1"));
      bytes += record.length;
    }
    expect(splitter.bytes).toBe(bytes);
  }
  splitter.end();
  for (const record of records(splitter)) found.push(record.toString("latin1"));
  return found;
}

describe("LineSplitter", () => {
  it("joins a line split over several chunks", () => {
    expect(split(["hel", "lo\nwor", "ld\n"])).toEqual(["hello", "world"]);
    expect(split(["a", "b", "c", "\n"])).toEqual(["abc"]);
  });

  it("finds several lines in one chunk", () => {
    expect(split(["one\ntwo\nthree\n"])).toEqual(["one", "two", "three"]);
  });

  it("keeps empty lines", () => {
    expect(split(["\n\n", "\n"])).toEqual(["", "", ""]);
    expect(split(["a\n\nb\n"])).toEqual(["a", "", "b"]);
  });

  it("drops one CR before LF, even when CR and LF arrive in different chunks", () => {
    expect(split(["a\r\nb\r\n"])).toEqual(["a", "b"]);
    expect(split(["a\r", "\nb\n"])).toEqual(["a", "b"]);
    expect(split(["\r", "\n"])).toEqual([""]);
  });

  it("keeps any other CR", () => {
    expect(split(["x\ry\n"])).toEqual(["x\ry"]);
    expect(split(["x\r\r\n"])).toEqual(["x\r"]);
    expect(split(["progress\r"])).toEqual(["progress\r"]);
  });

  it("flushes a last line without newline only at the end", () => {
    const splitter = new LineSplitter(1024);
    expect(splitter.push(Buffer.from("a\nlast"))).toBe(1);
    expect(splitter.pendingBytes).toBe(4);
    expect(splitter.end()).toBe(1);
    expect(records(splitter)[0]!.toString()).toBe("last");
    expect(splitter.pendingBytes).toBe(0);
    expect(splitter.end()).toBe(0);
  });

  it("passes bytes that are not UTF-8 through unchanged", () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x0a, 0x80, 0x0a]);
    const splitter = new LineSplitter(1024);
    splitter.push(bytes);
    expect(records(splitter)).toEqual([Buffer.from([0xff, 0xfe, 0x41, 0xc3]), Buffer.from([0x80])]);
  });

  it("splits a long line into records of at most maxLineBytes, losing nothing", () => {
    expect(split(["0123456789abcdefghij\n"], 8)).toEqual(["01234567", "89abcdef", "ghij"]);
    expect(split(["01234567\n"], 8)).toEqual(["01234567"]);
    // A CRLF right after a full record does not make an extra empty record.
    expect(split(["01234567\r\n"], 8)).toEqual(["01234567"]);
    expect(split(["01234567\r", "\n"], 8)).toEqual(["01234567"]);
    expect(split(["012345678"], 8)).toEqual(["01234567", "8"]);
  });

  it("holds at most maxLineBytes + 1 of a line that never ends", () => {
    const splitter = new LineSplitter(100);
    const emitted: string[] = [];
    for (let i = 0; i < 50; i++) {
      splitter.push(Buffer.from("abcdefghijklmnopq"));
      expect(splitter.pendingBytes).toBeLessThanOrEqual(101);
      for (const record of records(splitter)) {
        expect(record.length).toBe(100);
        emitted.push(record.toString());
      }
    }
    splitter.end();
    for (const record of records(splitter)) emitted.push(record.toString());
    expect(emitted.join("")).toBe("abcdefghijklmnopq".repeat(50));
  });

  it("cuts long lines between UTF-8 characters, not inside one", () => {
    // "é" is 2 bytes, "€" 3, "𝄞" 4: a cut at maxLineBytes would land inside each of them.
    for (const char of ["é", "€", "𝄞"]) {
      const line = char.repeat(10);
      const splitter = new LineSplitter(5);
      splitter.push(Buffer.from(`${line}\n`));
      const parts = records(splitter).map((record) => {
        expect(record.length).toBeLessThanOrEqual(5);
        return new TextDecoder("utf-8", { fatal: true }).decode(record);
      });
      expect(parts.join("")).toBe(line);
      expect(parts.length).toBeGreaterThan(1);
    }
  });

  it("cuts invalid UTF-8 at exactly maxLineBytes", () => {
    const bytes = Buffer.alloc(12, 0x80);
    expect(split([Buffer.concat([bytes, Buffer.from("\n")])], 5).map((r) => r.length)).toEqual([
      5, 5, 2,
    ]);
  });

  it("rejects a maxLineBytes too small to hold a UTF-8 character", () => {
    expect(() => new LineSplitter(3)).toThrow(RangeError);
    expect(() => new LineSplitter(4.5)).toThrow(RangeError);
  });
});

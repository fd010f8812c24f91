// Strict UTF-8: which byte sequences are rejected, and where the report points.
import { describe, expect, it } from "vitest";
import { decodeUtf8, firstInvalidByte } from "../src/utf8.js";

describe("firstInvalidByte", () => {
  it.each([
    ["a lone continuation byte", [0x61, 0x80], 1],
    ["an overlong two-byte form", [0xc0, 0xaf], 0],
    ["an overlong three-byte form", [0x61, 0xe0, 0x80, 0xaf], 1],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80], 0],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a truncated sequence at the end", [0x61, 0x62, 0xe2, 0x82], 2],
    ["a byte that never appears", [0xff], 0],
  ])("finds %s", (_what, bytes, offset) => {
    expect(firstInvalidByte(Uint8Array.from(bytes))).toBe(offset);
    expect(decodeUtf8(Uint8Array.from(bytes)).ok).toBe(false);
  });

  it("accepts every well-formed length", () => {
    const bytes = Buffer.from("a é € 😀");
    expect(firstInvalidByte(bytes)).toBe(bytes.length);
    expect(decodeUtf8(bytes)).toEqual({ ok: true, text: "a é € 😀" });
  });

  it("reports the line and column of the bad byte", () => {
    expect(decodeUtf8(Buffer.from([0x61, 0x0a, 0x62, 0x63, 0xff]))).toEqual({
      ok: false,
      offset: 4,
      line: 2,
      column: 3,
    });
  });
});

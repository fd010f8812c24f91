// Strict UTF-8 decoding of a config file: invalid bytes are an error that says where they are,
// never silently replaced (a replaced byte could change a path or a variable name).
import { isUtf8 } from "node:buffer";

export type DecodeResult =
  | { ok: true; text: string }
  | { ok: false; offset: number; line: number; column: number };

/** Decodes `bytes`, dropping a leading BOM. On failure, names the first bad byte. */
export function decodeUtf8(bytes: Uint8Array): DecodeResult {
  // isUtf8 checks as strictly as a fatal TextDecoder would, and then Buffer decodes.
  if (isUtf8(bytes)) {
    const text = asBuffer(bytes).toString("utf8");
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  }
  const offset = firstInvalidByte(bytes);
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  let line = 1;
  for (const byte of before) if (byte === 0x0a) line++;
  // The bytes between the line start and the bad byte are valid, so they decode exactly.
  const column = asBuffer(bytes.subarray(lineStart, offset)).toString("utf8").length + 1;
  return { ok: false, offset, line, column };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Offset of the first byte that starts an ill-formed sequence (Unicode 15, table 3-7). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      i++;
      continue;
    }
    const [length, lo, hi] = leadRange(b0);
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (b === undefined || b < min || b > max) return i;
    }
    i += length;
  }
  return bytes.length;
}

/** Sequence length for a lead byte and the allowed range of the byte after it (0 = invalid). */
function leadRange(b0: number): [number, number, number] {
  if (b0 >= 0xc2 && b0 <= 0xdf) return [2, 0x80, 0xbf];
  if (b0 === 0xe0) return [3, 0xa0, 0xbf]; // no overlong forms
  if (b0 === 0xed) return [3, 0x80, 0x9f]; // no surrogates
  if (b0 >= 0xe1 && b0 <= 0xef) return [3, 0x80, 0xbf];
  if (b0 === 0xf0) return [4, 0x90, 0xbf];
  if (b0 >= 0xf1 && b0 <= 0xf3) return [4, 0x80, 0xbf];
  if (b0 === 0xf4) return [4, 0x80, 0x8f]; // nothing above U+10FFFF
  return [0, 0, 0];
}

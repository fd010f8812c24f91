// Builds the output of one chunk: every line record between a prefix and a suffix, ending in a
// newline, all in ONE buffer handed to one write().
//
// Copying line by line with Buffer#copy or set(subarray()) creates a view object per line, which
// costs more than the copy itself for typical 80-byte lines. Instead the chunk's bytes are copied in
// bulk into the output buffer, placed just far enough to the right that every line can then be
// moved left into its final place with copyWithin, which allocates nothing. The prefix is written
// once at the front and repeated with copyWithin too.

import type { LineSplitter } from "./lines.js";

/**
 * `replaced[i]`, when set, is written instead of record i's own bytes (JSON uses it for lines that
 * need escaping).
 */
export function encodeRecords(
  lines: LineSplitter,
  chunk: Buffer | null,
  prefix: Buffer,
  suffix: Buffer,
  replaced: ReadonlyArray<Buffer | null> | null,
): Buffer {
  const { bufs, starts, ends, count } = lines;
  const p = prefix.length;
  const q = suffix.length;

  // A record of the chunk moves from (shift + start) to its output offset. shift is the largest
  // distance any record moves, so no record is overwritten before it has been moved.
  let shift = 0;
  let from = -1;
  let to = 0;
  let o = 0;
  for (let i = 0; i < count; i++) {
    o += p;
    const instead = replaced === null ? null : replaced[i];
    if (instead) {
      o += instead.length;
    } else {
      const start = starts[i]!;
      if (bufs[i] === chunk) {
        if (from === -1) from = start;
        if (o - start > shift) shift = o - start;
        if (ends[i]! > to) to = ends[i]!;
      }
      o += ends[i]! - start;
    }
    o += q + 1;
  }
  const total = o;

  const size = from === -1 ? total : Math.max(total, shift + to);
  const out = Buffer.allocUnsafe(size);
  if (from !== -1) out.set(chunk!.subarray(from, to), shift + from);
  out.set(prefix, 0);
  o = 0;
  for (let i = 0; i < count; i++) {
    if (o !== 0) out.copyWithin(o, 0, p);
    o += p;
    const instead = replaced === null ? null : replaced[i];
    if (instead) {
      out.set(instead, o);
      o += instead.length;
    } else {
      const start = starts[i]!;
      const end = ends[i]!;
      const buf = bufs[i]!;
      if (buf === chunk) out.copyWithin(o, shift + start, shift + end);
      else out.set(buf.subarray(start, end), o);
      o += end - start;
    }
    for (let k = 0; k < q; k++) out[o++] = suffix[k]!;
    out[o++] = 0x0a;
  }
  return size === total ? out : out.subarray(0, total);
}

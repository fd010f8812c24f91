// Builds the text output of one chunk: every line record behind its prefix, with a newline, in ONE
// buffer handed to one write().
//
// Copying line by line with Buffer#copy or set(subarray()) creates a view object per line, which
// costs more than the copy itself for typical 80-byte lines. Instead the chunk's bytes are copied in
// bulk into the output buffer, placed just far enough to the right that every line can then be
// moved left into its final place with copyWithin, which allocates nothing. The prefix is written
// once at the front and repeated with copyWithin too.

import type { LineSplitter } from "./lines.js";

export function encodeText(lines: LineSplitter, chunk: Buffer | null, prefix: Buffer): Buffer {
  const { bufs, starts, ends, count } = lines;
  const p = prefix.length;
  const total = lines.bytes + count * (p + 1);

  // A record of the chunk moves from (shift + start) to its output offset. shift is the largest
  // distance any record moves, so no record is ever overwritten before it has been moved.
  let shift = 0;
  let from = -1;
  let to = 0;
  let o = 0;
  for (let i = 0; i < count; i++) {
    o += p;
    const start = starts[i]!;
    if (bufs[i] === chunk) {
      if (from === -1) from = start;
      if (o - start > shift) shift = o - start;
      if (ends[i]! > to) to = ends[i]!;
    }
    o += ends[i]! - start + 1;
  }

  const size = from === -1 ? total : Math.max(total, shift + to);
  const out = Buffer.allocUnsafe(size);
  if (from !== -1) out.set(chunk!.subarray(from, to), shift + from);
  out.set(prefix, 0);
  o = 0;
  for (let i = 0; i < count; i++) {
    if (o !== 0) out.copyWithin(o, 0, p);
    o += p;
    const start = starts[i]!;
    const end = ends[i]!;
    const buf = bufs[i]!;
    if (buf === chunk) out.copyWithin(o, shift + start, shift + end);
    else out.set(buf.subarray(start, end), o);
    o += end - start;
    out[o++] = 0x0a;
  }
  return size === total ? out : out.subarray(0, total);
}

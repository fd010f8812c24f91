// A daemon that writes BYTES of numbered lines (see lines.mjs) to stdout as fast as the pipe takes
// them, then exits. Blocking writes: when its reader is slow, it waits; it never buffers.
//
//   node bench/lib/flood-writer.mjs BYTES LINE_BYTES
import { writeSync } from "node:fs";
import { makeLines } from "./lines.mjs";

const total = Number(process.argv[2]);
const lineBytes = Number(process.argv[3]);
const lines = Math.floor(total / lineBytes);
const perBlock = Math.max(1, Math.floor(65536 / lineBytes));
// One block made once; each round only rewrites the sequence numbers (bytes 3–12 of each line).
const block = makeLines(0, 0, perBlock, lineBytes);

let seq = 0;
while (seq < lines) {
  const count = Math.min(perBlock, lines - seq);
  for (let k = 0; k < count; k++) {
    let n = seq + k;
    for (let i = k * lineBytes + 12; i >= k * lineBytes + 3; i--) {
      block[i] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
  }
  const size = count * lineBytes;
  let off = 0;
  while (off < size) off += writeSync(1, block, off, size - off);
  seq += count;
}

// The lines producers write and the check that each one arrived whole, once, in order.
//
// A line is `p<id> <seq, 10 digits> xxx…x` plus "\n", `lineBytes` long in all. A manager puts any
// prefix in front; the check reads the last `lineBytes - 1` bytes of each relayed line, so a line
// cut in two, glued to another or lost shows up whatever the manager's format.

const LF = 0x0a;
const HEAD = 14; // "p0 0000000000 "

/** `count` lines of producer `id` starting at `seq`, as one buffer. */
export function makeLines(id, seq, count, lineBytes) {
  if (lineBytes < HEAD + 2) throw new RangeError(`lines must be at least ${HEAD + 2} bytes`);
  const line = Buffer.alloc(lineBytes, "x");
  line.write(`p${id} `, 0, "latin1");
  line[HEAD - 1] = 0x20;
  line[lineBytes - 1] = LF;
  const out = Buffer.allocUnsafe(count * lineBytes);
  for (let k = 0; k < count; k++) {
    line.write(String(seq + k).padStart(10, "0"), 3, "latin1");
    line.copy(out, k * lineBytes);
  }
  return out;
}

/** Streams relayed output through the check; `result()` says what arrived. */
export class LineCheck {
  /** @param {number} producers ids 0..producers-1 @param {number} perProducer lines each should write */
  constructor(producers, perProducer, lineBytes) {
    this.payload = lineBytes - 1;
    this.expected = producers * perProducer;
    this.perProducer = perProducer;
    this.next = new Array(producers).fill(0);
    this.xs = Buffer.alloc(this.payload - HEAD, "x");
    this.whole = 0;
    this.broken = 0;
    this.outOfOrder = 0;
    this.other = 0;
    this.bytes = 0;
    this.tail = null;
  }

  push(chunk) {
    this.bytes += chunk.length;
    const buf = chunk;
    let pos = 0;
    if (this.tail !== null) {
      const nl = chunk.indexOf(LF);
      if (nl === -1) {
        this.tail = Buffer.concat([this.tail, chunk]);
        return;
      }
      this.line(Buffer.concat([this.tail, chunk.subarray(0, nl)]), 0, this.tail.length + nl);
      this.tail = null;
      pos = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(LF, pos);
      if (nl === -1) break;
      this.line(buf, pos, nl);
      pos = nl + 1;
    }
    if (pos < buf.length) this.tail = Buffer.from(buf.subarray(pos));
  }

  end() {
    if (this.tail !== null) this.line(this.tail, 0, this.tail.length);
    this.tail = null;
    return this.result();
  }

  result() {
    const lost = this.expected - this.whole;
    return {
      expected: this.expected,
      whole: this.whole,
      lost,
      broken: this.broken,
      outOfOrder: this.outOfOrder,
      allWhole: lost === 0 && this.broken === 0 && this.outOfOrder === 0,
    };
  }

  line(buf, start, end) {
    const p = end - this.payload;
    if (p < start || !this.valid(buf, p, end)) {
      // A manager's own message, or a fragment of ours (it holds a run of x).
      const at = buf.indexOf("xxxxxxxx", start, "latin1");
      if (at !== -1 && at < end) {
        this.broken++;
      } else {
        this.other++;
      }
      return;
    }
    const id = buf[p + 1] - 0x30;
    let seq = 0;
    for (let i = p + 3; i < p + 13; i++) seq = seq * 10 + buf[i] - 0x30;
    if (seq === this.next[id]) {
      this.next[id]++;
      this.whole++;
    } else {
      this.outOfOrder++;
      if (seq > this.next[id]) this.next[id] = seq + 1;
    }
  }

  valid(buf, p, end) {
    if (buf[p] !== 0x70 || buf[p + 2] !== 0x20 || buf[p + 13] !== 0x20) return false;
    const id = buf[p + 1] - 0x30;
    if (id < 0 || id >= this.next.length) return false;
    for (let i = p + 3; i < p + 13; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
    return buf.compare(this.xs, 0, this.xs.length, p + HEAD, end) === 0;
  }
}

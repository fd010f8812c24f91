// Splits a byte stream into line records without decoding it, so any bytes pass through unchanged.
//
// A line ends at "\n"; one "\r" right before that "\n" is dropped too (CRLF output relays like LF
// output, as Rust's and Node's line readers do). A line longer than `maxLineBytes` becomes several
// records of at most that size, cut where possible on a UTF-8 character boundary; a partial line
// is held back until its end arrives, so memory per stream stays under `maxLineBytes` + 1.

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  // Records found by the last push() or end(): record i is bufs[i][starts[i], ends[i]).
  // Parallel arrays reused from call to call, so the hot path allocates nothing per line.
  readonly bufs: Buffer[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** How many records the last push() or end() found. */
  count = 0;
  /** Their total length in bytes (newlines not included). */
  bytes = 0;

  private tail: Buffer | null = null;

  constructor(private readonly maxLineBytes: number) {
    checkMaxLineBytes(maxLineBytes);
  }

  /** Bytes of an unfinished line held back until its end arrives. */
  get pendingBytes(): number {
    return this.tail === null ? 0 : this.tail.length;
  }

  /** Finds the records that `chunk` completes; returns how many. */
  push(chunk: Buffer): number {
    this.count = 0;
    this.bytes = 0;
    let pos = 0;
    if (this.tail !== null) {
      const held = this.tail;
      this.tail = null;
      const nl = chunk.indexOf(LF);
      if (nl === -1) {
        this.partial(Buffer.concat([held, chunk]), 0);
        return this.count;
      }
      const first = Buffer.concat([held, chunk.subarray(0, nl)]);
      const end =
        first.length > 0 && first[first.length - 1] === CR ? first.length - 1 : first.length;
      this.line(first, 0, end);
      pos = nl + 1;
    }
    const length = chunk.length;
    while (pos < length) {
      const nl = chunk.indexOf(LF, pos);
      if (nl === -1) {
        this.partial(chunk, pos);
        break;
      }
      this.line(chunk, pos, nl > pos && chunk[nl - 1] === CR ? nl - 1 : nl);
      pos = nl + 1;
    }
    return this.count;
  }

  /** The stream has ended: the held-back line (if any) becomes its last record(s), "\r" and all. */
  end(): number {
    this.count = 0;
    this.bytes = 0;
    const held = this.tail;
    this.tail = null;
    if (held !== null) this.line(held, 0, held.length);
    return this.count;
  }

  /** A complete line [start, end): one record, or several when it is too long. */
  private line(buf: Buffer, start: number, end: number): void {
    const max = this.maxLineBytes;
    let s = start;
    while (end - s > max) {
      const cut = boundary(buf, s, s + max);
      this.add(buf, s, cut);
      s = cut;
    }
    this.add(buf, s, end);
  }

  /** The start of a line whose end has not arrived: emit full records only once it is known to be too long. */
  private partial(buf: Buffer, start: number): void {
    const max = this.maxLineBytes;
    const end = buf.length;
    // A last "\r" may turn out to precede "\n" and so not belong to the line.
    const known = buf[end - 1] === CR ? end - 1 : end;
    let s = start;
    while (known - s > max) {
      const cut = boundary(buf, s, s + max);
      this.add(buf, s, cut);
      s = cut;
    }
    // Copy, so a big chunk is not kept alive by a few bytes of it.
    if (s < end) this.tail = Buffer.from(buf.subarray(s, end));
  }

  private add(buf: Buffer, start: number, end: number): void {
    const i = this.count++;
    this.bufs[i] = buf;
    this.starts[i] = start;
    this.ends[i] = end;
    this.bytes += end - start;
  }
}

/** Records shorter than 4 bytes could not hold every UTF-8 character whole. */
export function checkMaxLineBytes(maxLineBytes: number): void {
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 4) {
    throw new RangeError(`maxLineBytes must be an integer >= 4, got ${maxLineBytes}`);
  }
}

/**
 * Moves `cut` back (at most 3 bytes) so it does not fall inside a UTF-8 sequence; each record then
 * decodes on its own. Bytes that are not valid UTF-8 are cut where they are.
 */
function boundary(buf: Buffer, start: number, cut: number): number {
  let c = cut;
  while (c > cut - 3 && c > start + 1 && (buf[c]! & 0xc0) === 0x80) c--;
  return (buf[c]! & 0xc0) === 0x80 ? cut : c;
}

// Relays what commands write, line by line with its origin, to our stdout and stderr; and writes
// Ground Control's own messages in the same format.
//
// Hot path, per chunk read from a command: split on bytes, then build ONE buffer holding every
// complete line with its prefix and hand it to the destination with one write(). Lines are only
// decoded into strings for JSON output or when someone listens to that process's lines.

import { encodeRecords } from "./encode.js";
import {
  JSON_SUFFIX,
  JsonPrefix,
  jsonEscaped,
  type LabelStyle,
  type LogFields,
  type LogLevel,
  labelWidth,
  type OutputOrigin,
  ownJson,
  ownText,
  TextPrefix,
  TimestampCache,
} from "./format.js";
import { checkMaxLineBytes, LineSplitter } from "./lines.js";
import { type Destination, Outlet, type Pausable } from "./outlet.js";
import { timers } from "./timers.js";

export type { LogFields, LogLevel, OutputOrigin, OutputStream } from "./format.js";

export interface OutputOptions {
  /** Default "text". */
  format?: "text" | "json";
  /** false drops the timestamp (`suppress_timestamps`). Default true. */
  timestamps?: boolean;
  /**
   * Colour the labels (text format); see `shouldColor` for the usual way to decide. A function
   * is called when the first label is made, so that a terminal check can wait until then.
   * Default false.
   */
  color?: boolean | (() => boolean);
  /**
   * Every process name: labels are padded to the widest, colours are given by position. Default
   * none (each label as wide as it is).
   */
  names?: readonly string[];
  /** Where relayed stdout goes; a function returning the stream is called on the first write. */
  stdout: Destination;
  /** Where relayed stderr and our own messages go; a function is called on the first write. */
  stderr: Destination;
  /** Clock in milliseconds since the epoch (tests pin it). */
  now?: () => number;
  /** Lines longer than this many bytes become several records. Default 64 KiB. */
  maxLineBytes?: number;
  /** Own messages below this level are not written. Default "info". */
  logLevel?: LogLevel;
}

/** Receives each complete line of a process, decoded as UTF-8, without its line ending. */
export type LineListener = (line: string, origin: Readonly<OutputOrigin>) => void;

/** Figures for tests and diagnostics. */
export interface OutputStats {
  /** Times a destination filled up and its sources were paused. */
  pauses: number;
  /** Bytes held by the relay: unfinished lines plus what destinations have not taken yet. */
  pendingBytes: number;
  /** Bytes dropped because a destination had failed or closed. */
  droppedBytes: number;
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

const NO_SUFFIX = Buffer.alloc(0);

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes the records `lines` just found; `chunk` is the buffer most of them lie in (if any). */
type Writer = (lines: LineSplitter, chunk: Buffer | null) => void;

/** A LabelStyle whose `color`, when given as a function, is asked once, on first use. */
function labelStyle(width: number, color: boolean | (() => boolean)): LabelStyle {
  if (typeof color === "boolean") return { width, color };
  let decided: boolean | undefined;
  return {
    width,
    get color() {
      decided ??= color();
      return decided;
    },
  };
}

export class OutputRelay {
  private readonly json: boolean;
  private readonly clock: TimestampCache | null;
  private readonly now: () => number;
  private readonly style: LabelStyle;
  private readonly maxLineBytes: number;
  private readonly minLevel: number;
  private readonly colors = new Map<string, number>();
  private readonly listeners = new Map<string, Set<LineListener>>();
  private readonly out: Outlet;
  private readonly err: Outlet;
  private readonly splitters = new Set<LineSplitter>();

  constructor(options: OutputOptions) {
    const names = options.names ?? [];
    this.json = options.format === "json";
    this.clock = options.timestamps === false ? null : new TimestampCache();
    this.now = options.now ?? timers.now;
    this.style = labelStyle(labelWidth(names), options.color ?? false);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    checkMaxLineBytes(this.maxLineBytes);
    this.minLevel = LEVELS[options.logLevel ?? "info"];
    for (const name of names) {
      if (!this.colors.has(name)) this.colors.set(name, this.colors.size);
    }
    this.out = new Outlet(options.stdout);
    this.err = options.stderr === options.stdout ? this.out : new Outlet(options.stderr);
  }

  /**
   * Relays `source` (a command's stdout or stderr) to our stream of the same name. Resolves once
   * the source has ended and its last line, even without a newline, has been written.
   */
  attach(source: NodeJS.ReadableStream, origin: OutputOrigin): Promise<void> {
    const frozen = Object.freeze({ ...origin });
    const sink = origin.stream === "stdout" ? this.out : this.err;
    const splitter = new LineSplitter(this.maxLineBytes);
    const write = this.json ? this.jsonWriter(frozen, sink) : this.textWriter(frozen, sink);
    return new Promise((resolve) => {
      let done = false;
      const onData = (data: Buffer | string): void => {
        const chunk = typeof data === "string" ? Buffer.from(data) : data;
        if (splitter.push(chunk) !== 0) write(splitter, chunk);
      };
      const finish = (): void => {
        if (done) return;
        done = true;
        source.removeListener("data", onData);
        if (splitter.end() !== 0) write(splitter, null);
        sink.remove(source);
        this.splitters.delete(splitter);
        resolve();
      };
      this.splitters.add(splitter);
      source.on("data", onData);
      // Registered after the data listener started the flow, so a full destination pauses it.
      sink.add(source);
      source.on("end", finish);
      source.on("close", finish);
      source.on("error", finish);
    });
  }

  /** Calls `listener` with every complete line `process` writes from now on. Returns the unsubscribe. */
  onLine(process: string, listener: LineListener): () => void {
    const set = this.listenersOf(process);
    const entry: LineListener = (line, origin) => listener(line, origin);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** One of Ground Control's own messages, to our stderr. Never pass environment values here. */
  /**
   * Pauses `source` while stdout or stderr is full, and resumes it once they drain, as the
   * output of commands is: for sources of our own messages (a notify socket). Returns the
   * release.
   */
  hold(source: Pausable): () => void {
    const outlets = this.sinks();
    for (const outlet of outlets) outlet.add(source);
    return () => {
      for (const outlet of outlets) outlet.remove(source);
    };
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVELS[level] < this.minLevel) return;
    const time = this.clock === null ? null : this.clock.format(Math.floor(this.now()));
    this.err.write(
      this.json ? ownJson(time, level, msg, fields) : ownText(time, this.style, msg, fields),
    );
  }

  /** Resolves when everything written so far has been taken by stdout and stderr. */
  async flush(): Promise<void> {
    await Promise.all(this.sinks().map((sink) => sink.flush()));
  }

  stats(): OutputStats {
    let pending = 0;
    for (const splitter of this.splitters) pending += splitter.pendingBytes;
    const stats = { pauses: 0, pendingBytes: pending, droppedBytes: 0 };
    for (const sink of this.sinks()) {
      stats.pauses += sink.pauses;
      stats.pendingBytes += sink.pendingBytes;
      stats.droppedBytes += sink.droppedBytes;
    }
    return stats;
  }

  /** Stops listening to stdout and stderr (they stay open). Use once nothing is attached any more. */
  close(): void {
    for (const sink of this.sinks()) sink.dispose();
  }

  private sinks(): Outlet[] {
    return this.err === this.out ? [this.out] : [this.out, this.err];
  }

  private listenersOf(process: string): Set<LineListener> {
    let set = this.listeners.get(process);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(process, set);
    }
    return set;
  }

  private colorOf(process: string): number {
    let index = this.colors.get(process);
    if (index === undefined) {
      index = this.colors.size;
      this.colors.set(process, index);
    }
    return index;
  }

  private textWriter(origin: Readonly<OutputOrigin>, sink: Outlet): Writer {
    const prefix = new TextPrefix(origin, this.colorOf(origin.process), this.style, this.clock);
    const listeners = this.listenersOf(origin.process);
    const timed = this.clock !== null;
    const now = this.now;
    return (lines, chunk) => {
      sink.write(
        encodeRecords(lines, chunk, prefix.at(timed ? Math.floor(now()) : 0), NO_SUFFIX, null),
      );
      if (listeners.size !== 0) this.notify(lines, listeners, origin);
    };
  }

  private jsonWriter(origin: Readonly<OutputOrigin>, sink: Outlet): Writer {
    const prefix = new JsonPrefix(origin, this.clock);
    const listeners = this.listenersOf(origin.process);
    const timed = this.clock !== null;
    const now = this.now;
    const escaped: Array<Buffer | null> = [];
    return (lines, chunk) => {
      const { bufs, starts, ends, count } = lines;
      escaped.length = count;
      for (let i = 0; i < count; i++) escaped[i] = jsonEscaped(bufs[i]!, starts[i]!, ends[i]!);
      const head = prefix.at(timed ? Math.floor(now()) : 0);
      sink.write(encodeRecords(lines, chunk, head, JSON_SUFFIX, escaped));
      if (listeners.size !== 0) this.notify(lines, listeners, origin);
    };
  }

  private notify(
    lines: LineSplitter,
    listeners: Set<LineListener>,
    origin: Readonly<OutputOrigin>,
  ): void {
    const { bufs, starts, ends, count } = lines;
    for (let i = 0; i < count; i++) {
      const line = bufs[i]!.toString("utf8", starts[i], ends[i]);
      for (const listener of listeners) {
        try {
          listener(line, origin);
        } catch (error) {
          // A faulty listener must not stop the relay (nor, as PID 1, the whole container).
          this.log("error", "output line listener failed", {
            process: origin.process,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
  }
}

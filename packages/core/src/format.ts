// The look of relayed lines and of Ground Control's own messages, in text and JSON.
//
// Everything that does not change from line to line (label, padding, colour, JSON keys) is
// computed once per origin; the timestamp is formatted at most once per millisecond.

import { bold, colorize } from "./colors.js";
import type { LogFields, LogLevel } from "./log.js";
import type { Phase } from "./spec.js";

/** The label of Ground Control's own messages. */
export const OWN_LABEL = "groundcontrol";

export type OutputStream = "stdout" | "stderr";

/** Where a line comes from. */
export interface OutputOrigin {
  process: string;
  phase: Phase;
  stream: OutputStream;
}

export type { LogFields, LogLevel } from "./log.js";

/** `name` for run, `name[pre]`, `name[stop]`, `name[post]` for the other phases. */
export function labelOf(process: string, phase: Phase): string {
  return phase === "run" ? process : `${process}[${phase}]`;
}

/** Columns a label takes: one per code point (names are expected to be plain text). */
function widthOf(text: string): number {
  let width = 0;
  for (const _ of text) width++;
  return width;
}

/** The width every label is padded to, so `|` lines up for every name, every phase and our own label. */
export function labelWidth(names: readonly string[]): number {
  let width = OWN_LABEL.length;
  for (const name of names) width = Math.max(width, widthOf(labelOf(name, "stop")));
  return width;
}

/** ISO-8601 UTC with milliseconds, formatted at most once per millisecond. */
export class TimestampCache {
  private ms = Number.NaN;
  private text = "";

  format(ms: number): string {
    if (ms !== this.ms) {
      this.ms = ms;
      this.text = new Date(ms).toISOString();
    }
    return this.text;
  }
}

export interface LabelStyle {
  width: number;
  color: boolean;
}

/** `label` padded to the common width, coloured if asked, followed by the ` | ` separator. */
function labelColumn(label: string, colorIndex: number | "own", style: LabelStyle): string {
  const pad = " ".repeat(Math.max(0, style.width - widthOf(label)));
  if (!style.color) return `${label}${pad} | `;
  const painted = colorIndex === "own" ? bold(label) : colorize(label, colorIndex);
  return `${painted}${pad} | `;
}

/** The bytes in front of every text line of one origin, rebuilt only when the millisecond changes. */
export class TextPrefix {
  private readonly column: string;
  private ms = Number.NaN;
  private bytes: Buffer;

  constructor(
    origin: OutputOrigin,
    colorIndex: number,
    style: LabelStyle,
    private readonly timestamps: TimestampCache | null,
  ) {
    this.column = labelColumn(labelOf(origin.process, origin.phase), colorIndex, style);
    this.bytes = Buffer.from(this.column);
  }

  at(ms: number): Buffer {
    if (this.timestamps !== null && ms !== this.ms) {
      this.ms = ms;
      this.bytes = Buffer.from(`${this.timestamps.format(ms)} ${this.column}`);
    }
    return this.bytes;
  }
}

/** The start of every JSON record of one origin, up to the opening quote of the line. */
export class JsonPrefix {
  private readonly keys: string;
  private ms = Number.NaN;
  private bytes: Buffer;

  constructor(
    origin: OutputOrigin,
    private readonly timestamps: TimestampCache | null,
  ) {
    const process = JSON.stringify(origin.process);
    this.keys = `"process":${process},"phase":"${origin.phase}","stream":"${origin.stream}","line":"`;
    this.bytes = Buffer.from(`{${this.keys}`);
  }

  at(ms: number): Buffer {
    if (this.timestamps !== null && ms !== this.ms) {
      this.ms = ms;
      this.bytes = Buffer.from(`{"time":"${this.timestamps.format(ms)}",${this.keys}`);
    }
    return this.bytes;
  }
}

/** What closes every JSON record after the line. */
export const JSON_SUFFIX = Buffer.from('"}');

// Bytes a JSON string may hold as they are: printable ASCII except `"` and `\`.
const VERBATIM = new Uint8Array(256);
VERBATIM.fill(1, 0x20, 0x80);
VERBATIM[0x22] = 0;
VERBATIM[0x5c] = 0;

/**
 * The escaped form of a line, without quotes, when it cannot go into a JSON string byte for byte;
 * null when it can (then JSON.stringify would give exactly those bytes). Bytes that are not valid
 * UTF-8 become U+FFFD, since a JSON string cannot carry them.
 */
export function jsonEscaped(buf: Buffer, start: number, end: number): Buffer | null {
  for (let i = start; i < end; i++) {
    if (VERBATIM[buf[i]!] === 0) {
      return Buffer.from(JSON.stringify(buf.toString("utf8", start, end)).slice(1, -1));
    }
  }
  return null;
}

/**
 * One own message as text lines: each line of `msg` gets the prefix; fields follow as key=value,
 * but for a `process` the message already names.
 */
export function ownText(
  time: string | null,
  style: LabelStyle,
  msg: string,
  fields: LogFields | undefined,
): string {
  const prefix = `${time === null ? "" : `${time} `}${labelColumn(OWN_LABEL, "own", style)}`;
  let text = msg;
  if (fields !== undefined) {
    for (const [key, value] of Object.entries(fields)) {
      // Messages name their process ("process \"web\" is ready"): no need to say it twice.
      if (key === "process" && typeof value === "string" && msg.includes(`"${value}"`)) continue;
      text += ` ${key}=${fieldText(value)}`;
    }
  }
  return `${prefix}${text.split("\n").join(`\n${prefix}`)}\n`;
}

function fieldText(value: string | number | boolean | null): string {
  if (typeof value !== "string") return String(value);
  return value === "" || /[\s"=]/.test(value) ? JSON.stringify(value) : value;
}

const RESERVED = new Set(["time", "level", "msg"]);

/** One own message as a JSON record; fields cannot overwrite time, level or msg. */
export function ownJson(
  time: string | null,
  level: LogLevel,
  msg: string,
  fields: LogFields | undefined,
): string {
  const record: Record<string, unknown> = time === null ? {} : { time };
  record.level = level;
  record.msg = msg;
  if (fields !== undefined) {
    for (const [key, value] of Object.entries(fields)) {
      if (!RESERVED.has(key)) record[key] = value;
    }
  }
  return `${JSON.stringify(record)}\n`;
}

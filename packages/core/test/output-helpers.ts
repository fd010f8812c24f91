// Test doubles for the output relay: destinations that record, stall or fail, and stream sources.

import { spawn } from "node:child_process";
import { PassThrough, Writable } from "node:stream";
import { type OutputOptions, type OutputOrigin, OutputRelay } from "../src/output.js";

/** A destination that keeps every byte it is given. */
export class Collector extends Writable {
  readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.chunks.push(chunk);
    done();
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    return this.bytes().toString("utf8");
  }

  /** Complete lines written so far (the output always ends with a newline). */
  lines(): string[] {
    const text = this.text();
    return text === "" ? [] : text.slice(0, -1).split("\n");
  }
}

/** A destination that takes nothing until opened, then everything. */
export class Gate extends Writable {
  accepted = 0;
  private readonly taken: Buffer[] = [];
  private held: Array<() => void> = [];
  private open = false;

  constructor(highWaterMark: number) {
    super({ highWaterMark });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    const take = (): void => {
      this.accepted += chunk.length;
      this.taken.push(chunk);
      done();
    };
    if (this.open) take();
    else this.held.push(take);
  }

  release(): void {
    this.open = true;
    for (const take of this.held.splice(0)) take();
  }

  /** What it has taken so far. */
  text(): string {
    return Buffer.concat(this.taken).toString("utf8");
  }
}

/** 2026-11-02T10:00:00.123Z, a fixed clock for exact output. */
export const T0 = Date.UTC(2026, 10, 2, 10, 0, 0, 123);

/** A relay writing to two collectors, plain text without timestamps unless told otherwise. */
export function collectingRelay(options: Partial<OutputOptions> = {}): {
  relay: OutputRelay;
  out: Collector;
  err: Collector;
} {
  const out = new Collector();
  const err = new Collector();
  const relay = new OutputRelay({
    format: "text",
    timestamps: false,
    color: false,
    names: ["app"],
    stdout: out,
    stderr: err,
    now: () => T0,
    ...options,
  });
  return { relay, out, err };
}

/** Feeds `chunks` one write each (so chunk boundaries are exactly these) and ends the source. */
export async function relayChunks(
  relay: OutputRelay,
  chunks: Array<string | Buffer>,
  origin: OutputOrigin = { process: "app", phase: "run", stream: "stdout" },
): Promise<void> {
  const source = new PassThrough();
  const done = relay.attach(source, origin);
  for (const chunk of chunks) source.write(chunk);
  source.end();
  await done;
}

/** Runs `node -e script`, relaying its stdout and stderr as process `name`; resolves after both ended. */
export async function relayChild(
  relay: OutputRelay,
  name: string,
  script: string,
): Promise<{ code: number | null }> {
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await Promise.all([
    relay.attach(child.stdout, { process: name, phase: "run", stream: "stdout" }),
    relay.attach(child.stderr, { process: name, phase: "run", stream: "stderr" }),
  ]);
  return { code: await exited };
}

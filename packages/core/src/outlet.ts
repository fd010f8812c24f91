// An outlet: one output destination (our stdout or stderr) and the sources draining into it. While
// the destination is full every source is paused, so commands block on write instead of us
// buffering without bound. (Not to be confused with OutputSink, what a command's output is
// attached to: the relay, which has one Outlet per stream.)

/** The part of a readable stream backpressure needs. */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/** A stream, or a function that returns it when it is first needed. */
export type Destination = NodeJS.WritableStream | (() => NodeJS.WritableStream);

export class Outlet {
  /** Times a write filled the destination and the sources were paused. */
  pauses = 0;
  /** Bytes thrown away because the destination had failed or closed. */
  droppedBytes = 0;

  private readonly sources = new Set<Pausable>();
  private blocked = false;
  private broken = false;
  private resolved: NodeJS.WritableStream | undefined;

  /**
   * `destination` may be a function that returns the stream: it is then called on the first write
   * (a command's output, or one of our own messages).
   */
  constructor(private readonly destination: Destination) {
    // A stream given as it is is watched from the start, as it always was.
    if (typeof destination !== "function") void this.stream;
  }

  /** Bytes written but not yet taken by the destination (when the stream reports it). */
  get pendingBytes(): number {
    return (this.resolved as { writableLength?: number } | undefined)?.writableLength ?? 0;
  }

  private get stream(): NodeJS.WritableStream {
    if (this.resolved === undefined) {
      const stream = typeof this.destination === "function" ? this.destination() : this.destination;
      this.resolved = stream;
      // A destination that fails (EPIPE on a closed stdout) can show nothing more: drop its output
      // and keep reading the sources, so commands never block forever and the supervisor survives.
      stream.on("error", this.onBroken);
      stream.on("close", this.onBroken);
    }
    return this.resolved;
  }

  add(source: Pausable): void {
    this.sources.add(source);
    if (this.blocked) source.pause();
  }

  remove(source: Pausable): void {
    this.sources.delete(source);
  }

  write(data: Buffer | string): void {
    if (this.broken) {
      this.droppedBytes += typeof data === "string" ? Buffer.byteLength(data) : data.length;
      return;
    }
    if (!this.stream.write(data) && !this.blocked) {
      this.blocked = true;
      this.pauses++;
      for (const source of this.sources) source.pause();
      this.stream.once("drain", this.onDrain);
    }
  }

  /** Resolves once everything written so far has been taken by the destination. */
  flush(): Promise<void> {
    // Never written to: nothing to wait for (and no reason to create the stream now).
    if (this.resolved === undefined) return Promise.resolve();
    const stream = this.resolved as NodeJS.WritableStream & { writableEnded?: boolean };
    if (this.broken || stream.writableEnded === true) return Promise.resolve();
    // Writes complete in order, so the callback of an empty write comes after all earlier ones.
    return new Promise((resolve) => {
      stream.write("", () => resolve());
    });
  }

  /** Stops listening to the destination (it stays open: it is not ours to end). */
  dispose(): void {
    const stream = this.resolved;
    if (stream !== undefined) {
      stream.removeListener("error", this.onBroken);
      stream.removeListener("close", this.onBroken);
      stream.removeListener("drain", this.onDrain);
    }
    if (this.blocked) this.onDrain();
  }

  private readonly onDrain = (): void => {
    this.blocked = false;
    for (const source of this.sources) source.resume();
  };

  private readonly onBroken = (): void => {
    if (this.broken) return;
    this.broken = true;
    this.resolved?.removeListener("drain", this.onDrain);
    if (this.blocked) this.onDrain();
  };
}

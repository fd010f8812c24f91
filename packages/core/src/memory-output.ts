// Output kept in memory, for tests and for a host that shows it its own way: every line each
// command wrote, with its origin, in the order it arrived, and the supervisor's own messages.
// Nothing can block it, so a test's stop() never waits on a reader.
import type { Origin } from "./command.js";
import { LineSplitter } from "./lines.js";
import type { LogFields, LogLevel } from "./log.js";
import { DEFAULT_MAX_LINE_BYTES } from "./output.js";
import type { Output } from "./supervisor.js";

/** One line a command wrote. */
export interface OutputLine extends Origin {
  line: string;
}

/** One of the supervisor's own messages. */
export interface OutputMessage {
  level: LogLevel;
  msg: string;
  fields?: LogFields;
}

export class MemoryOutput implements Output {
  /** Every complete line (and each last one without a newline), in arrival order. */
  readonly lines: OutputLine[] = [];
  readonly messages: OutputMessage[] = [];
  readonly #listeners = new Map<string, Set<(line: string) => void>>();

  attach(source: NodeJS.ReadableStream, origin: Origin): Promise<void> {
    // Split as the relay splits (CRLF read as LF, a line too long cut in pieces), so that what
    // a test reads here is what the relay would have printed.
    const splitter = new LineSplitter(DEFAULT_MAX_LINE_BYTES);
    const take = (): void => {
      const { bufs, starts, ends } = splitter;
      for (let i = 0; i < splitter.count; i++) {
        const line = bufs[i]!.toString("utf8", starts[i], ends[i]);
        this.lines.push({ ...origin, line });
        for (const listener of this.#listeners.get(origin.process) ?? []) listener(line);
      }
    };
    return new Promise((resolve) => {
      source.on("data", (chunk: Buffer | string) => {
        if (splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk) !== 0) take();
      });
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        // The last line, even without a newline.
        if (splitter.end() !== 0) take();
        resolve();
      };
      source.once("end", end);
      source.once("close", end);
      source.once("error", end);
    });
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    this.messages.push(fields === undefined ? { level, msg } : { level, msg, fields });
  }

  onLine(process: string, listener: (line: string) => void): () => void {
    let set = this.#listeners.get(process);
    if (!set) {
      set = new Set();
      this.#listeners.set(process, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** The lines `process` wrote (in `phase`, and on `stream`, when given). */
  linesOf(process: string, filter: Partial<Pick<Origin, "phase" | "stream">> = {}): string[] {
    return this.lines
      .filter(
        (entry) =>
          entry.process === process &&
          (filter.phase === undefined || entry.phase === filter.phase) &&
          (filter.stream === undefined || entry.stream === filter.stream),
      )
      .map((entry) => entry.line);
  }
}

// The count of failed boots in a row, kept in `[break-glass] state-file` (SPEC §8 "Crash-loop
// break glass"). A boot is counted as failed before anything starts, written and fsync'd, and
// cleared only once it turns out good: so a boot that never gets to say how it ended (the OOM
// killer, a host crash, SIGKILL) stays counted. Nothing here may stop a boot: a file that cannot
// be read counts as zero, one that cannot be written is logged, and the boot goes on.
import { type LogLevel, readStateFile, writeStateFile } from "@groundcontrol/core";
import { printable } from "./printable.js";

const VERSION = 1;
/** A count of boots is a few hundred bytes: anything much larger is not one. */
const MAX_BYTES = 16_384;

/** `[break-glass] healthy-after` when it is not set. */
export const DEFAULT_HEALTHY_AFTER_MS = 60_000;

interface BootRecord {
  version: typeof VERSION;
  /** Failed boots in a row, the one under way included while it has not turned out good. */
  failedBoots: number;
  /** When this was written (ISO 8601). */
  updated: string;
  /** Why the last counted boot failed, as far as anyone could tell. */
  lastReason: string;
}

type Log = (level: LogLevel, msg: string) => void;

/** What a boot under way leaves behind should it never get to say how it ended. */
export const NO_WORD =
  "it ended without a word (killed outright, out of memory, or the host went down)";

export class BootCount {
  #previous: BootRecord;
  /** This boot turned out good: nothing after that makes it a failed one. */
  #good = false;
  /** A write failed once already: said once, not at every write. */
  #warned = false;

  private constructor(
    readonly file: string,
    private readonly log: Log,
  ) {
    this.#previous = this.#read();
  }

  static open(file: string, log: Log): BootCount {
    return new BootCount(file, log);
  }

  /** Failed boots in a row before this one. */
  get failed(): number {
    return this.#previous.failedBoots;
  }

  /** Why the last of them failed. */
  get lastReason(): string {
    return this.#previous.lastReason;
  }

  /** This boot starts: counted as failed until it says otherwise. */
  begin(): void {
    this.#write(this.#previous.failedBoots + 1, NO_WORD);
  }

  /** This boot failed, and why (the count written by begin() stands). Not once it was good. */
  failedBecause(reason: string): void {
    if (!this.#good) this.#write(this.#previous.failedBoots + 1, reason);
  }

  /** This boot is good: the count goes back to zero, for good. */
  good(): void {
    if (this.#good) return;
    this.#good = true;
    this.#write(0, "");
  }

  #read(): BootRecord {
    const none: BootRecord = { version: VERSION, failedBoots: 0, updated: "", lastReason: "" };
    const read = readStateFile(this.file, MAX_BYTES);
    if (!read.ok) {
      if (!read.missing) {
        this.log(
          "warn",
          `break glass: cannot read ${this.file} (${read.reason}); counting failed boots from 0`,
        );
      }
      return none;
    }
    try {
      const record = JSON.parse(read.text) as Partial<BootRecord>;
      if (
        record.version === VERSION &&
        Number.isSafeInteger(record.failedBoots) &&
        record.failedBoots! >= 0 &&
        typeof record.lastReason === "string"
      ) {
        // The file may sit on a volume another user can write: what it says goes to the log
        // as text, never as terminal control sequences.
        return { ...(record as BootRecord), lastReason: printable(record.lastReason) };
      }
    } catch {}
    this.log("warn", `break glass: ${this.file} is not a count of failed boots; counting from 0`);
    return none;
  }

  /** Replaced whole, flushed to disk, never written through a link (boots.ts's header). */
  #write(failedBoots: number, lastReason: string): void {
    const record: BootRecord = {
      version: VERSION,
      failedBoots,
      updated: new Date().toISOString(),
      lastReason,
    };
    try {
      writeStateFile(this.file, `${JSON.stringify(record)}\n`);
    } catch (error) {
      if (this.#warned) return;
      this.#warned = true;
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.log(
        "warn",
        `break glass: cannot write ${this.file} (${code}); failed boots are not counted`,
      );
    }
  }
}

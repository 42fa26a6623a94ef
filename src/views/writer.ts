/**
 * What the file views share: where files go ({@link paths}), and a {@link FileWriter} that
 * commits a day's files in the background while the next day is converted, and streams the
 * range files of each target until its last day.
 *
 * @module
 */
import type { AtomicFile } from "../fs/atomic.ts";
import type { Day } from "../model/types.ts";
import type { OutputDir } from "./output_dir.ts";
import type { RangeTarget } from "./view.ts";

/** Folder and file names of the layout (docs/LAYOUT.md). */
export const paths = {
  /** A day's folder. */
  day: (day: Day) => `daily/${day}`,
  /** A day's file. */
  dayFile: (day: Day, name: string) => `daily/${day}/${name}`,
  /** A range target's file. */
  targetFile: (target: RangeTarget, name: string) => `${target.dir}/${name}`,
} as const;

/** The target of the newest 28 days: `latest/`. */
export function latestTarget(
  range: { start: Day; end: Day },
  extraCounters: readonly string[],
): RangeTarget {
  return { name: "latest", dir: "latest", range, extraCounters };
}

/** A dated copy of a range: `reports/<start>_to_<end>/`. */
export function datedTarget(
  range: { start: Day; end: Day },
  extraCounters: readonly string[],
): RangeTarget {
  const name = `${range.start}_to_${range.end}`;
  return { name, dir: `reports/${name}`, range, extraCounters };
}

/** Indents a pretty-printed JSON value one level (JSON strings hold no raw newline). */
function indent(json: string): string {
  return "  " + json.replaceAll("\n", "\n  ");
}

/** Pretty JSON with a final newline, as every JSON output is written. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** A JSON array written one element at a time. */
export class JsonArrayStream {
  #first = true;
  constructor(readonly file: AtomicFile) {
    file.write("[");
  }
  /** Adds an element given as pretty-printed JSON. */
  add(json: string): void {
    this.file.write((this.#first ? "\n" : ",\n") + indent(json));
    this.#first = false;
  }
  end(): void {
    this.file.write(this.#first ? "]\n" : "\n]\n");
  }
}

/** Encodes lines of text as UTF-8 into one reused buffer (grown as needed). */
export class LineEncoder {
  readonly #encoder = new TextEncoder();
  #buffer = new Uint8Array(64 * 1024);

  /** The UTF-8 of `text` and a line feed; valid until the next call. */
  encode(text: string): Uint8Array {
    for (;;) {
      const { read, written } = this.#encoder.encodeInto(text, this.#buffer);
      if (read === text.length && written < this.#buffer.length) {
        this.#buffer[written] = 0x0a;
        return this.#buffer.subarray(0, written + 1);
      }
      this.#buffer = new Uint8Array(Math.max(2 * this.#buffer.length, 3 * text.length + 1));
    }
  }
}

/**
 * A view's files: per-day files committed in the background (at most one day pending, so a
 * day's fsync overlaps the next day's conversion), range streams per target, and the list of
 * what was committed.
 */
export class FileWriter {
  readonly #out: OutputDir;
  readonly #open = new Set<AtomicFile>();
  readonly #today: { file: AtomicFile; rel: string }[] = [];
  readonly #streams = new Map<string, { file: AtomicFile; rel: string }>();
  #pending: Promise<void> | undefined;
  /** Files committed, relative. */
  readonly files = new Set<string>();

  constructor(out: OutputDir) {
    this.#out = out;
  }

  /** A file of the current day, committed by {@link endDay}. */
  async dayFile(rel: string, text?: string): Promise<AtomicFile> {
    const file = await this.#out.create(rel);
    this.#open.add(file);
    this.#today.push({ file, rel });
    if (text !== undefined) file.write(text);
    return file;
  }

  /** Commits the current day's files in the background, after the previous day's. */
  async endDay(): Promise<void> {
    for (const { file } of this.#streams.values()) {
      file.syncInBackground();
      await file.ready();
    }
    await this.settle();
    const today = this.#today.splice(0);
    if (today.length === 0) return;
    const commits = (async () => {
      for (const { file, rel } of today) {
        await file.commit();
        this.#open.delete(file);
        this.files.add(rel);
      }
    })();
    commits.catch(() => {}); // observed by settle()
    this.#pending = commits;
  }

  /** A range file, open until {@link commitStream}; `init` runs when it is created. */
  async stream(rel: string, init?: (file: AtomicFile) => void): Promise<AtomicFile> {
    const known = this.#streams.get(rel);
    if (known) return known.file;
    const file = await this.#out.create(rel);
    this.#open.add(file);
    this.#streams.set(rel, { file, rel });
    init?.(file);
    return file;
  }

  /** The open range file `rel`, if any. */
  openStream(rel: string): AtomicFile | undefined {
    return this.#streams.get(rel)?.file;
  }

  /** Commits a range file. */
  async commitStream(rel: string): Promise<void> {
    const s = this.#streams.get(rel);
    if (!s) return;
    this.#streams.delete(rel);
    await s.file.commit();
    this.#open.delete(s.file);
    this.files.add(rel);
  }

  /** Writes a whole file at once. */
  async write(rel: string, text: string): Promise<void> {
    await this.#out.write(rel, text);
    this.files.add(rel);
  }

  /** Waits for the pending day's commits; rethrows their error. */
  async settle(): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    await pending;
  }

  /** Commits what is pending and returns every file committed, sorted. */
  async close(): Promise<string[]> {
    await this.settle();
    if (this.#streams.size > 0) {
      throw new Error(`Range files left open: ${[...this.#streams.keys()].join(", ")}`);
    }
    return [...this.files].sort();
  }

  /** Removes every temporary file; files already committed stay. Safe to call twice. */
  async abort(): Promise<void> {
    await this.#pending?.catch(() => {});
    this.#pending = undefined;
    this.#today.length = 0;
    this.#streams.clear();
    for (const f of this.#open) await f.abort();
    this.#open.clear();
  }
}

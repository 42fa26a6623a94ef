/**
 * Atomic file writes: everything goes to a temporary file in the target's folder, which is
 * flushed, fsync'ed and then renamed over the target. A crash, an error or ^C part-way leaves
 * the previous file byte-identical (at worst a stray `.<name>.<random>.tmp` beside it); a
 * reader never sees a half-written file.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/** Options of {@link writeFileAtomic} and {@link AtomicFile.create}. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file (e.g. `0o600`); default: the process's umask. */
  readonly mode?: number;
}

/** Size of a write buffer: text is encoded into it, and it is written out when full. */
const BUFFER_BYTES = 1 << 20;

/** Size of a file's first buffer: many files are small (a day's report), few are large. */
const FIRST_BUFFER_BYTES = 64 << 10;

/**
 * Bytes a file may still have waiting for the disk when {@link AtomicFile.ready} resolves: deep
 * enough for the disk to keep busy while the caller computes what comes next, small enough
 * for memory.
 */
const READY_BYTES = 2 << 20;

/**
 * Written-out buffers kept for the next ones (at most {@link MAX_SPARE}): a run writes
 * thousands of buffers, and reused memory costs no page faults, which fresh memory does.
 */
const spare: Uint8Array[] = [];
const MAX_SPARE = 16;

function takeBuffer(): Uint8Array {
  return spare.pop() ?? new Uint8Array(BUFFER_BYTES);
}

function giveBack(buffer: Uint8Array): void {
  if (buffer.length === BUFFER_BYTES && spare.length < MAX_SPARE) spare.push(buffer);
}

const encoder = new TextEncoder();

/** The temporary name used beside `path`: `.<name>.<random>.tmp`. */
function tempPathOf(path: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  const suffix = random[0].toString(36) + random[1].toString(36);
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

/**
 * A file written atomically in pieces. `write` encodes text straight into a buffer (no joined
 * strings; 64 KiB for the first bytes, then 1 MiB); a full buffer is written out in the
 * background, in order, while the caller goes on (the disk's work overlaps the conversion's;
 * the disk is slow to take fresh pages on some machines); `ready` waits until at most 2 MiB
 * are left to write, which bounds the memory of a long stream; `commit` writes the rest,
 * fsyncs and renames over the target; `abort` removes the temporary file. Until `commit` the
 * target is untouched. A failed background write is reported by the next `write`, `ready`,
 * `syncInBackground` or `commit`.
 */
export class AtomicFile {
  #file: Deno.FsFile | undefined;
  /** No more writes: set by `commit` and `abort`. */
  #closed = false;
  /** The buffer being filled, from the spare buffers when there is one. */
  #buffer: Uint8Array | undefined;
  #pos = 0;
  /** Whether the file had its first buffer. */
  #started = false;
  #bytes = 0;
  /** Completions of the background writes (and syncs), oldest first. */
  readonly #queue: Promise<void>[] = [];
  /** Bytes handed to the background writes and not written yet. */
  #queued = 0;
  /** The last background write or sync: each one starts when the previous one is done. */
  #tail: Promise<void> = Promise.resolve();
  /** The first error of a background write. */
  #failure: { error: unknown } | undefined;

  private constructor(
    /** The target path. */
    readonly path: string,
    /** The temporary file, in the target's folder. */
    readonly tempPath: string,
    file: Deno.FsFile,
    readonly mode: number | undefined,
  ) {
    this.#file = file;
  }

  /** Opens a new temporary file beside `path` (whose folder must exist). */
  static async create(path: string, options: AtomicWriteOptions = {}): Promise<AtomicFile> {
    const tempPath = tempPathOf(path);
    const file = await Deno.open(tempPath, {
      write: true,
      createNew: true,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    });
    return new AtomicFile(path, tempPath, file, options.mode);
  }

  /** Whether the file is still open (neither committed nor aborted). */
  get open(): boolean {
    return this.#file !== undefined;
  }

  /** Bytes that reached the temporary file so far (buffered and queued bytes excluded). */
  get bytesWritten(): number {
    return this.#bytes;
  }

  /** Appends text; it reaches the disk a buffer at a time, in the background. */
  write(text: string): void {
    this.#checkWritable();
    let buffer = this.#buffer ??= this.#newBuffer();
    if (this.#pos + text.length * 3 <= buffer.length) {
      // A UTF-16 unit is at most 3 bytes of UTF-8: it fits.
      this.#pos += encoder.encodeInto(text, buffer.subarray(this.#pos)).written;
      return;
    }
    let rest = text;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, buffer.subarray(this.#pos));
      this.#pos += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      this.#submit();
      buffer = this.#buffer = this.#newBuffer();
    }
  }

  /**
   * Appends `bytes` from `start` to `end` (copied: the caller may reuse `bytes` at once). A
   * range rather than a `subarray` spares the caller an object per call on hot paths.
   */
  writeBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.#checkWritable();
    const buffer = this.#buffer ??= this.#newBuffer();
    const length = end - start;
    if (this.#pos + length < buffer.length) {
      if (length < 16) {
        let p = this.#pos;
        for (let i = start; i < end; i++) buffer[p++] = bytes[i];
      } else {buffer.set(
          start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end),
          this.#pos,
        );}
      this.#pos += length;
      return;
    }
    let from = start;
    while (from < end) {
      const buffer = this.#buffer ??= this.#newBuffer();
      const n = Math.min(end - from, buffer.length - this.#pos);
      buffer.set(bytes.subarray(from, from + n), this.#pos);
      this.#pos += n;
      from += n;
      if (this.#pos === buffer.length) this.#submit();
    }
  }

  /**
   * Waits until at most 2 MiB are left to write: a caller streaming much more than that awaits
   * this now and then, so that its text does not pile up in memory.
   */
  async ready(): Promise<void> {
    while (this.#queued > READY_BYTES) await this.#queue[0];
    this.#throwFailure();
  }

  /**
   * Writes what is buffered, then fsyncs, in the background (after the writes before it): a
   * long stream that does this now and then spreads its fsync over the run, leaving
   * `commit` only the rest. Errors are reported as those of any background write.
   */
  syncInBackground(): void {
    this.#checkWritable();
    this.#submit();
    this.#background(0, (file) => file.syncData());
  }

  /** A small buffer for the file's first bytes, then full-size ones. */
  #newBuffer(): Uint8Array {
    if (this.#started) return takeBuffer();
    this.#started = true;
    return new Uint8Array(FIRST_BUFFER_BYTES);
  }

  #checkWritable(): void {
    if (this.#closed) throw new Error(`Cannot write "${this.path}": already closed`);
    this.#throwFailure();
  }

  #throwFailure(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  /** Hands the buffer being filled to the background writer (after the ones before it). */
  #submit(): void {
    const buffer = this.#buffer;
    const length = this.#pos;
    this.#buffer = undefined;
    this.#pos = 0;
    if (buffer === undefined) return;
    if (length === 0 || this.#file === undefined) {
      giveBack(buffer);
      return;
    }
    this.#background(length, async (file) => {
      await writeAll(file, buffer.subarray(0, length));
      this.#bytes += length;
    }, () => giveBack(buffer));
  }

  /**
   * Runs `task` on the file once the background work before it is done, unless that work
   * failed; `bytes` count as waiting until then; `done` runs in any case, at the end.
   */
  #background(
    bytes: number,
    task: (file: Deno.FsFile) => Promise<void>,
    done: () => void = () => {},
  ): void {
    const file = this.#file!;
    const finished = this.#tail.then(async () => {
      try {
        if (this.#failure === undefined) await task(file);
      } catch (error) {
        this.#failure ??= { error };
      } finally {
        this.#queue.shift();
        this.#queued -= bytes;
        done();
      }
    });
    this.#queue.push(finished);
    this.#queued += bytes;
    this.#tail = finished;
  }

  /** Writes what is buffered, fsyncs and renames the temporary file over the target. */
  async commit(): Promise<void> {
    const file = this.#file;
    if (file === undefined || this.#closed) {
      throw new Error(`Cannot commit "${this.path}": already closed`);
    }
    this.#closed = true;
    try {
      this.#submit();
      await this.#tail;
      this.#throwFailure();
      await file.sync();
    } catch (e) {
      await this.abort();
      throw e;
    }
    this.#file = undefined;
    file.close();
    try {
      if (this.mode !== undefined && Deno.build.os !== "windows") {
        await Deno.chmod(this.tempPath, this.mode);
      }
      await Deno.rename(this.tempPath, this.path);
    } catch (e) {
      await Deno.remove(this.tempPath).catch(() => {});
      throw e;
    }
  }

  /**
   * Drops what is buffered, waits for the background write under way, then closes and removes
   * the temporary file; the target is untouched. Safe to call twice.
   */
  async abort(): Promise<void> {
    this.#closed = true;
    const file = this.#file;
    this.#file = undefined;
    if (this.#buffer !== undefined) giveBack(this.#buffer);
    this.#buffer = undefined;
    this.#pos = 0;
    if (file === undefined) return;
    // A failure stops the queued writes; the one under way must end before the file closes.
    this.#failure ??= { error: new Error(`"${this.path}" was aborted`) };
    await this.#tail;
    try {
      file.close();
    } catch {
      // already closed
    }
    await Deno.remove(this.tempPath).catch(() => {});
  }
}

/**
 * Writes `data` to `path` atomically (temporary file in the same folder, fsync, rename): the
 * old file, if any, stays whole until the new one is complete.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const file = await AtomicFile.create(path, options);
  try {
    if (typeof data === "string") file.write(data);
    else file.writeBytes(data);
  } catch (e) {
    await file.abort();
    throw e;
  }
  await file.commit();
}

/**
 * The local store of published days. A day, once published by the service, never changes,
 * so a day fetched after its publication is kept here and never fetched again.
 *
 * Layout (store version 2), by default `<output-dir>/.store/`:
 *
 * ```
 * store.json                        {"format": "augment-metrics-store", "version": 2, "base_url": …}
 * days/<YYYY-MM-DD>.day             typed columns with a name dictionary (see `day_file.ts`)
 * user-activity/<start>_<end>.json  {version, start, end, fetched_at, users: […]}
 * days/<YYYY-MM-DD>.ndjson          (version 1: line 1 a header {version, day, fetched_at,
 *                                   dau_count, usage, record_count, counters}, then one record
 *                                   a line: [identity, kind, editor, language, metrics]; read,
 *                                   and converted to `.day` by {@link DayStore.migrate})
 * identities/<YYYY-MM-DD>.json      (older versions: identities of days before a range, from
 *                                   `dau`; no longer written or read, removed by retention)
 * ```
 *
 * Every file is written atomically (temporary file, then rename), and a day's file is
 * written only once all of its pages arrived, so an interrupted run loses at most the day in
 * flight. A file of an unknown version, or one that does not parse, is reported with a
 * `StoreError`; it is never used silently.
 *
 * @module
 */
import { join } from "node:path";
import { StoreError, storeOfAnotherService } from "../errors.ts";
import * as z from "zod";
import { writeFileAtomic } from "../fs/atomic.ts";
import {
  compactMetrics,
  DAY_FILE_EXT,
  DayFileError,
  decodeDayFile,
  decodeDayFileHeader,
  encodeDayFile,
} from "./day_file.ts";
import { readDirOrEmpty } from "../fs/dir.ts";
import { isDay } from "../model/dates.ts";
import { type Counters, CounterValueError, parseCounters } from "../model/metrics.ts";
import type { ActivityRecord, Day, DayData, IdentityKind, UserActivity } from "../model/types.ts";

/** The store version this program writes; it also reads (and migrates) version 1. */
export const STORE_VERSION = 2;
/** Store versions this program reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];
const STORE_FORMAT = "augment-metrics-store";

export { StoreError };

const Header = z.object({
  version: z.number(),
  day: z.string().refine(isDay),
  fetched_at: z.string(),
  dau_count: z.number().int().nonnegative().nullable(),
  usage: z.record(z.string(), z.number()).nullable(),
  record_count: z.number().int().nonnegative(),
  counters: z.array(z.string()),
});

const RecordLine = z.tuple([
  z.string().min(1),
  z.enum(["u", "s"]),
  z.string(),
  z.string(),
  z.record(z.string(), z.number()),
]);

const UserActivityFile = z.object({
  version: z.number(),
  start: z.string().refine(isDay),
  end: z.string().refine(isDay),
  fetched_at: z.string(),
  users: z.array(z.tuple([
    z.string().min(1),
    z.enum(["u", "s"]),
    z.number().int().nonnegative(),
    z.record(z.string(), z.number()),
  ])),
});

const StoreFile = z.object({
  format: z.literal(STORE_FORMAT),
  version: z.number(),
  base_url: z.string(),
  created_at: z.string(),
});

function newerVersion(path: string, version: number): StoreError {
  return new StoreError(
    `Cannot read store file "${path}": it is store version ${version}, this program reads ` +
      `versions ${READABLE_VERSIONS.join(" and ")}; upgrade augment-metrics or move the store away`,
  );
}

/** What the store knows of a day without reading its records. */
export interface StoredDayInfo {
  readonly day: Day;
  readonly fetchedAt: string;
  readonly recordCount: number;
  /** Every counter name present in the day's records (known and unknown). */
  readonly counters: readonly string[];
  /** Distinct identities of the day. */
  readonly identityCount: number;
}

const kindCode = (k: IdentityKind) => (k === "user" ? "u" : "s");
const kindOf = (c: "u" | "s"): IdentityKind => (c === "u" ? "user" : "service_account");

/** A file's text, or `undefined` when it does not exist. */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** What a day file's header (either version) says of the day. */
function infoOf(
  day: Day,
  h: { fetched_at: string; record_count: number; counters: string[]; identity_count: number },
): StoredDayInfo {
  return {
    day,
    fetchedAt: h.fetched_at,
    recordCount: h.record_count,
    counters: h.counters,
    identityCount: h.identity_count,
  };
}

/** The bytes of a file up to its first newline (included), or `undefined` if it is absent. */
async function firstLine(path: string): Promise<Uint8Array | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const buf = new Uint8Array(16 * 1024);
    while (size < 16 * 1024 * 1024) {
      const n = await file.read(buf);
      if (n === null) break;
      const chunk = buf.slice(0, n);
      chunks.push(chunk);
      size += n;
      if (chunk.includes(0x0a)) break;
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    const end = all.indexOf(0x0a);
    return end < 0 ? all : all.subarray(0, end + 1);
  } finally {
    file.close();
  }
}

/**
 * Buffers day files are read into, reused: decoding copies the columns a day keeps, so its
 * bytes are free again right after. A fresh buffer per day would be
 * memory outside the JavaScript heap, released only when the collector gets to it — tens of
 * megabytes more at peak over a range of large days.
 */
const readBuffers: Uint8Array[] = [];

/** The whole of the file at `path`, in a buffer of {@link readBuffers}, passed to `use`. */
async function withFileBytes<T>(path: string, use: (bytes: Uint8Array) => T): Promise<T> {
  const file = await Deno.open(path);
  let buffer = readBuffers.pop() ?? new Uint8Array(0);
  try {
    const size = (await file.stat()).size;
    if (buffer.length < size) buffer = new Uint8Array(Math.ceil(size * 1.25 / 8) * 8);
    let at = 0;
    for (;;) {
      if (at === buffer.length) {
        const grown = new Uint8Array(buffer.length * 2 + 8);
        grown.set(buffer);
        buffer = grown;
      }
      const n = await file.read(buffer.subarray(at));
      if (n === null) break;
      at += n;
    }
    return use(buffer.subarray(0, at));
  } finally {
    file.close();
    readBuffers.push(buffer);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Released column buffers a {@link ColumnPool} keeps for later days. */
const MAX_FREE_COLUMNS = 2;

/**
 * Memory for the columns of days read one after another (a rendering pass): a day read with a
 * pool goes into a buffer that {@link release} gives back for a later day's, so a long range
 * reuses a few buffers instead of leaving one per day to the garbage collector (megabytes
 * outside the JavaScript heap each, freed late). The pool belongs to its reader: a day's data
 * must not be used, nor anything still reading its columns, after the day was released.
 */
export class ColumnPool {
  /** Column memory of the days read and not yet released. */
  readonly #leased = new Map<Day, Uint8Array>();
  readonly #free: Uint8Array[] = [];

  /** Memory for the columns of `day`, from the released buffers when one is large enough. */
  lease(day: Day, size: number): Uint8Array {
    // The same day read again before its release: its first data keeps its memory.
    if (this.#leased.has(day)) return new Uint8Array(size);
    const at = this.#free.findIndex((b) => b.length >= size);
    const buffer = at >= 0
      ? this.#free.splice(at, 1)[0]
      : new Uint8Array(Math.ceil(size * 1.25 / 8) * 8);
    this.#leased.set(day, buffer);
    return buffer.subarray(0, size);
  }

  /** Gives back the memory of `day`: a later day's columns may overwrite it. */
  release(day: Day): void {
    const buffer = this.#leased.get(day);
    if (buffer === undefined) return;
    this.#leased.delete(day);
    if (this.#free.length < MAX_FREE_COLUMNS) this.#free.push(buffer);
  }
}

/** The local store of published days, rooted at `dir`. */
export class DayStore {
  #bound = false;

  private constructor(
    readonly dir: string,
    readonly baseUrl: string,
    private readonly createdMs: number,
  ) {}

  /**
   * Opens the store at `dir` only if it exists (for a dry run, which creates nothing).
   */
  static async openExisting(dir: string, baseUrl: string): Promise<DayStore | undefined> {
    try {
      await Deno.stat(join(dir, "store.json"));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
    return await DayStore.open(dir, baseUrl);
  }

  /**
   * Opens the store at `dir` for the service at `baseUrl`. A store made for another base URL
   * is refused (exit 2: a configuration error), and one of another store version with a
   * `StoreError`. Nothing is created here: the store is bound to the service by its first
   * write, which only follows a successful request, so a first run with a wrong URL leaves
   * nothing behind that ties the store to it.
   */
  static async open(dir: string, baseUrl: string, nowMs = Date.now()): Promise<DayStore> {
    const store = new DayStore(dir, baseUrl, nowMs);
    const path = join(dir, "store.json");
    const text = await readOptional(path);
    if (text !== undefined) {
      const meta = store.parse(path, text, StoreFile);
      if (meta.base_url !== baseUrl) {
        throw storeOfAnotherService(dir, meta.base_url, baseUrl);
      }
      store.#bound = true;
    }
    return store;
  }

  /** Binds the store to its service (writes `store.json`) before its first data file. */
  async #bind(): Promise<void> {
    if (this.#bound) return;
    await Deno.mkdir(join(this.dir, "days"), { recursive: true });
    await Deno.mkdir(join(this.dir, "user-activity"), { recursive: true });
    const path = join(this.dir, "store.json");
    if ((await readOptional(path)) === undefined) {
      const meta = {
        format: STORE_FORMAT,
        version: STORE_VERSION,
        base_url: this.baseUrl,
        created_at: new Date(this.createdMs).toISOString(),
      };
      await writeFileAtomic(path, JSON.stringify(meta, null, 2) + "\n");
    }
    this.#bound = true;
  }

  private parse<T>(path: string, text: string, schema: z.ZodType<T>): T {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw this.corrupt(path, "not valid JSON");
    }
    const version = (raw as { version?: unknown } | null)?.version;
    if (typeof version === "number" && !READABLE_VERSIONS.includes(version)) {
      throw newerVersion(path, version);
    }
    const r = schema.safeParse(raw);
    if (!r.success) throw this.corrupt(path, r.error.issues[0]?.message ?? "unexpected content");
    return r.data;
  }

  private corrupt(path: string, why: string): StoreError {
    return new StoreError(
      `Cannot read store file "${path}": ${why}; delete it (it is fetched again on the next ` +
        `run) or re-run with --refresh`,
    );
  }

  private dayPath(day: Day): string {
    if (!isDay(day)) throw new RangeError(`Invalid day "${day}"`);
    return join(this.dir, "days", `${day}${DAY_FILE_EXT}`);
  }

  /** A day's file in store version 1 (read, and converted by {@link migrate}). */
  private v1DayPath(day: Day): string {
    if (!isDay(day)) throw new RangeError(`Invalid day "${day}"`);
    return join(this.dir, "days", `${day}.ndjson`);
  }

  private identitiesPath(day: Day): string {
    if (!isDay(day)) throw new RangeError(`Invalid day "${day}"`);
    return join(this.dir, "identities", `${day}.json`);
  }

  private userActivityPath(start: Day, end: Day): string {
    if (!isDay(start) || !isDay(end)) throw new RangeError(`Invalid range "${start}".."${end}"`);
    return join(this.dir, "user-activity", `${start}_${end}.json`);
  }

  /** The days held in full, sorted. */
  async days(): Promise<Day[]> {
    const days = new Set([
      ...await this.list("days", DAY_FILE_EXT),
      ...await this.list("days", ".ndjson"),
    ]);
    return [...days].sort();
  }

  /** Days of an older version's identities-only files (retention removes them), sorted. */
  async identityDays(): Promise<Day[]> {
    return await this.list("identities", ".json");
  }

  private async list(sub: string, ext: string): Promise<Day[]> {
    const out: Day[] = [];
    for (const e of await readDirOrEmpty(join(this.dir, sub))) {
      if (!e.isFile || !e.name.endsWith(ext)) continue;
      const day = e.name.slice(0, -ext.length);
      if (isDay(day)) out.push(day);
    }
    return out.sort();
  }

  /**
   * Removes what no kept output can need (retention): full and identity-only days before
   * `daysBefore`, and `user-activity` of ranges ending before `rangesEndingBefore`. Only this
   * store's own file names are touched. Returns the number of files removed (or, with
   * `dryRun`, that would be).
   */
  async prune(
    options: { daysBefore: Day; rangesEndingBefore: Day; dryRun?: boolean },
  ): Promise<number> {
    const { daysBefore, rangesEndingBefore, dryRun = false } = options;
    const doomed: string[] = [
      ...(await this.list("days", DAY_FILE_EXT)).filter((d) => d < daysBefore)
        .map((d) => this.dayPath(d)),
      ...(await this.list("days", ".ndjson")).filter((d) => d < daysBefore)
        .map((d) => this.v1DayPath(d)),
      ...(await this.identityDays()).filter((d) => d < daysBefore)
        .map((d) => this.identitiesPath(d)),
    ];
    for (const e of await readDirOrEmpty(join(this.dir, "user-activity"))) {
      const m = /^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.json$/.exec(e.name);
      if (e.isFile && m && isDay(m[1]) && isDay(m[2]) && m[2] < rangesEndingBefore) {
        doomed.push(this.userActivityPath(m[1], m[2]));
      }
    }
    if (!dryRun) { for (const path of doomed) await Deno.remove(path); }
    return doomed.length;
  }

  /** Keeps a day's complete data (every page arrived) as final. */
  async putDay(day: DayData, fetchedAtMs: number): Promise<void> {
    await this.#bind();
    await this.#writeDay(day, new Date(fetchedAtMs).toISOString());
  }

  async #writeDay(day: DayData, fetchedAt: string): Promise<void> {
    await writeFileAtomic(this.dayPath(day.day), encodeDayFile(day, fetchedAt));
    // A version-1 file of the same day is replaced by the new one.
    await Deno.remove(this.v1DayPath(day.day)).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }

  /**
   * Converts a version-1 store to version 2 in place: each day file is rewritten in the new
   * form (the same data, its `fetched_at` kept, so no output changes and nothing is fetched
   * again), atomically, then `store.json` says version 2. An interrupted migration resumes
   * on the next run. Returns the days converted. Run under the store's lock.
   */
  async migrate(): Promise<number> {
    let converted = 0;
    for (const day of await this.list("days", ".ndjson")) {
      const path = this.v1DayPath(day);
      const text = await readOptional(path);
      if (text === undefined) continue;
      if (await exists(this.dayPath(day))) {
        await Deno.remove(path);
        continue;
      }
      const { data, fetchedAt } = this.#parseV1Day(day, path, text);
      await this.#writeDay(data, fetchedAt);
      converted++;
    }
    const metaPath = join(this.dir, "store.json");
    const text = await readOptional(metaPath);
    if (text !== undefined) {
      const meta = this.parse(metaPath, text, StoreFile);
      if (meta.version !== STORE_VERSION) {
        await writeFileAtomic(
          metaPath,
          JSON.stringify({ ...meta, version: STORE_VERSION }, null, 2) + "\n",
        );
      }
    }
    return converted;
  }

  /**
   * Reads a stored day; `undefined` when the store does not hold it. With a `pool`, the day's
   * columns go into the pool's memory (see {@link ColumnPool}).
   */
  async getDay(day: Day, opts: { pool?: ColumnPool } = {}): Promise<DayData | undefined> {
    const path = this.dayPath(day);
    const pool = opts.pool;
    const alloc = pool ? (size: number) => pool.lease(day, size) : undefined;
    try {
      return await withFileBytes(
        path,
        (bytes) =>
          decodeDayFile(bytes, day, (raw) => this.counters(path, raw, "its header"), alloc).data,
      );
    } catch (e) {
      if (e instanceof DayFileError) throw this.corrupt(path, e.message);
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      const v1 = this.v1DayPath(day);
      const text = await readOptional(v1);
      return text === undefined ? undefined : this.#parseV1Day(day, v1, text).data;
    }
  }

  /** A version-1 day file's data and the time it was fetched. */
  #parseV1Day(day: Day, path: string, text: string): { data: DayData; fetchedAt: string } {
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const header = this.parse(path, lines[0] ?? "", Header);
    if (header.day !== day) throw this.corrupt(path, `it holds day "${header.day}"`);
    if (lines.length - 1 !== header.record_count) {
      throw this.corrupt(
        path,
        `it holds ${lines.length - 1} records where its header says ${header.record_count}`,
      );
    }
    const records: ActivityRecord[] = new Array(lines.length - 1);
    for (let i = 1; i < lines.length; i++) {
      let raw: unknown;
      try {
        raw = JSON.parse(lines[i]);
      } catch {
        throw this.corrupt(path, `line ${i + 1} is not valid JSON`);
      }
      const r = RecordLine.safeParse(raw);
      if (!r.success) throw this.corrupt(path, `line ${i + 1} is not a record`);
      const [identity, kind, editor, language, metrics] = r.data;
      records[i - 1] = {
        day,
        identity,
        kind: kindOf(kind),
        editor,
        language,
        metrics: this.counters(path, metrics, `line ${i + 1}`),
      };
    }
    return {
      data: {
        day,
        records,
        dauCount: header.dau_count ?? undefined,
        usage: header.usage ? this.counters(path, header.usage, "its header") : undefined,
      },
      fetchedAt: header.fetched_at,
    };
  }

  /** What the store knows of a day from its header line alone. */
  async dayInfo(day: Day): Promise<StoredDayInfo | undefined> {
    const path = this.dayPath(day);
    const first = await firstLine(path);
    if (first === undefined) return await this.#v1DayInfo(day);
    let header;
    try {
      header = decodeDayFileHeader(first);
    } catch (e) {
      if (e instanceof DayFileError) throw this.corrupt(path, e.message);
      throw e;
    }
    if (header.day !== day) throw this.corrupt(path, `it holds day "${header.day}"`);
    return infoOf(day, header);
  }

  async #v1DayInfo(day: Day): Promise<StoredDayInfo | undefined> {
    const path = this.v1DayPath(day);
    const first = await firstLine(path);
    if (first === undefined) return undefined;
    const text = new TextDecoder().decode(first).split("\n", 1)[0];
    return infoOf(day, this.parse(path, text, Header.extend({ identity_count: z.number() })));
  }

  /** Keeps `user-activity` over a range whose days are all published. */
  async putUserActivity(
    start: Day,
    end: Day,
    users: readonly UserActivity[],
    fetchedAtMs: number,
  ): Promise<void> {
    await this.#bind();
    const body = {
      version: STORE_VERSION,
      start,
      end,
      fetched_at: new Date(fetchedAtMs).toISOString(),
      users: users.map((u) => [
        u.identity,
        kindCode(u.kind),
        u.activeDays,
        compactMetrics(u.metrics),
      ]),
    };
    await writeFileAtomic(this.userActivityPath(start, end), JSON.stringify(body) + "\n");
  }

  /** Whether `user-activity` is kept for exactly this range (without reading it). */
  async hasUserActivity(start: Day, end: Day): Promise<boolean> {
    try {
      return (await Deno.stat(this.userActivityPath(start, end))).isFile;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
  }

  /** `user-activity` kept for exactly this range, if any. */
  async getUserActivity(start: Day, end: Day): Promise<UserActivity[] | undefined> {
    const path = this.userActivityPath(start, end);
    const text = await readOptional(path);
    if (text === undefined) return undefined;
    const f = this.parse(path, text, UserActivityFile);
    if (f.start !== start || f.end !== end) throw this.corrupt(path, "it holds another range");
    return f.users.map(([identity, kind, activeDays, metrics]) => ({
      identity,
      kind: kindOf(kind),
      activeDays,
      metrics: this.counters(path, metrics, identity),
    }));
  }

  /** Counters as stored; a value this version refuses makes the file unusable, with the fix. */
  private counters(path: string, raw: Record<string, number>, where: string): Counters {
    try {
      return parseCounters(raw);
    } catch (e) {
      if (e instanceof CounterValueError) throw this.corrupt(path, `${where}: ${e.message}`);
      throw e;
    }
  }
}

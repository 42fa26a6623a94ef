/**
 * Disk usage: a daily cron run writes a new set of range files every day, so an output folder
 * grows without bound. Two settings, both off unless set:
 *
 * - **compression** (`AUGMENT_COMPRESS_AFTER_DAYS`): an output whose data ends more than N days
 *   ago is gzip-compressed to `<name>.gz` (atomically: the `.gz` is complete before the original
 *   goes), so recent files stay readable by dashboards and old ones take a tenth of the space;
 * - **retention** (`AUGMENT_RETENTION_DAYS`): an output whose data ends more than N days ago is
 *   removed, compressed or not; in the local store, the days that no kept output can need (more
 *   than N + 27 days ago: a 28-day report looks back 27 days) and the `user-activity` of ranges
 *   ending more than N days ago are removed too.
 *
 * Only this tool's own output names are touched (the patterns below, from `export/layout.ts`),
 * never `last_run.json`, never another file, and never a file the current run wrote. "Ago" counts
 * from today (UTC).
 *
 * @module
 */
import { join } from "node:path";
import { AtomicFile } from "../export/atomic.ts";
import { USAGE_METRICS_DIR } from "../export/layout.ts";
import { addDays, dayOf, type DayRange, isDay } from "../model/dates.ts";
import type { Day } from "../model/types.ts";
import type { DayStore } from "../store/day_store.ts";
import { LOOKBACK_DAYS } from "./export_job.ts";

/** What to do; both off when undefined. */
export interface HousekeepingPolicy {
  /** Compress outputs whose data ended more than this many days ago. */
  readonly compressAfterDays?: number;
  /** Remove outputs (and store days no kept output needs) older than this many days. */
  readonly retentionDays?: number;
}

/** What housekeeping did (or, in a dry run, would do). */
export interface HousekeepingResult {
  /** Outputs compressed, relative paths before compression, sorted. */
  readonly compressed: string[];
  /** Outputs and folders removed, relative paths, sorted. */
  readonly removed: string[];
  /** Store files removed (days, identity days, user-activity ranges). */
  readonly storeFilesRemoved: number;
  /** Bytes freed: originals replaced by smaller `.gz` files, and removed files. */
  readonly bytesFreed: number;
}

/** One output file or daily folder found, with the last day of its data. */
interface Found {
  /** Relative path (`/`-separated). */
  readonly rel: string;
  readonly end: Day;
  readonly compressed: boolean;
  readonly isDir: boolean;
}

const D = String.raw`(\d{4}-\d{2}-\d{2})`;
const C = String.raw`(\d{8})`;
const GZ = String.raw`(\.gz)?`;

/** Output names at the top of the output folder, with their end day (last capture group). */
const TOP_LEVEL: readonly RegExp[] = [
  new RegExp(`^copilot_metrics_${D}_to_${D}\\.json${GZ}$`),
  new RegExp(`^copilot_usage_${D}_to_${D}\\.json${GZ}$`),
  new RegExp(`^metrics_${C}_to_${C}\\.csv${GZ}$`),
  new RegExp(`^metrics_summary_${C}_to_${C}\\.csv${GZ}$`),
  new RegExp(`^metrics_detail_${C}_to_${C}\\.csv${GZ}$`),
  new RegExp(`^aggregated_metrics_${C}_to_${C}\\.json${GZ}$`),
];
const DAILY_DIR = new RegExp(`^daily_exports_${D}_to_${D}$`);
const DAILY_FILE = new RegExp(`^metrics_${D}\\.json${GZ}$`);
const REPORTS: readonly RegExp[] = [
  new RegExp(`^enterprise-1-day_${D}\\.json${GZ}$`),
  new RegExp(`^users-1-day_${D}\\.ndjson${GZ}$`),
  new RegExp(`^enterprise-28-day_${D}_to_${D}\\.json${GZ}$`),
  new RegExp(`^users-28-day_${D}_to_${D}\\.ndjson${GZ}$`),
];

/** `YYYYMMDD` or `YYYY-MM-DD` as a valid day, else undefined. */
function dayFrom(text: string): Day | undefined {
  const day = text.length === 8 ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : text;
  return isDay(day) ? day : undefined;
}

/** The end day and compression of a name, when it is one of ours. */
function match(
  patterns: readonly RegExp[],
  name: string,
): { end: Day; compressed: boolean } | undefined {
  for (const p of patterns) {
    const m = p.exec(name);
    if (!m) continue;
    const days = m.slice(1).filter((g) => g !== undefined && g !== ".gz").map(dayFrom);
    if (days.some((d) => d === undefined)) return undefined;
    return { end: days.at(-1) as Day, compressed: m.at(-1) === ".gz" };
  }
  return undefined;
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** Every output of ours below `root`: files, and the daily folders with their files. */
async function findOutputs(root: string): Promise<Found[]> {
  const found: Found[] = [];
  for (const e of await entries(root)) {
    if (e.isFile) {
      const m = match(TOP_LEVEL, e.name);
      if (m) found.push({ rel: e.name, ...m, isDir: false });
    } else if (e.isDirectory) {
      const dm = DAILY_DIR.exec(e.name);
      if (!dm || !isDay(dm[1]) || !isDay(dm[2])) continue;
      found.push({ rel: e.name, end: dm[2], compressed: false, isDir: true });
      for (const f of await entries(join(root, e.name))) {
        const m = f.isFile ? match([DAILY_FILE], f.name) : undefined;
        if (m) found.push({ rel: `${e.name}/${f.name}`, ...m, isDir: false });
      }
    }
  }
  for (const e of await entries(join(root, USAGE_METRICS_DIR))) {
    const m = e.isFile ? match(REPORTS, e.name) : undefined;
    if (m) found.push({ rel: `${USAGE_METRICS_DIR}/${e.name}`, ...m, isDir: false });
  }
  return found;
}

const abs = (root: string, rel: string) => join(root, ...rel.split("/"));

async function sizeOf(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** Compresses `path` to `path.gz` atomically, then removes `path`; returns the bytes saved. */
async function gzipFile(path: string): Promise<number> {
  const before = await sizeOf(path);
  const out = await AtomicFile.create(`${path}.gz`);
  try {
    const source = await Deno.open(path, { read: true });
    const gz = source.readable.pipeThrough(new CompressionStream("gzip"));
    for await (const chunk of gz) {
      out.writeBytes(chunk);
      await out.ready(); // bounded memory on a large file
    }
  } catch (e) {
    await out.abort();
    throw e;
  }
  await out.commit();
  await Deno.remove(path);
  return before - await sizeOf(`${path}.gz`);
}

/** A temporary file of a compression that was killed: `.<name>.gz.<random>.tmp`. */
const STALE_GZ_TEMP = /^\.[^/\\]+\.gz\.[0-9a-z]+\.tmp$/;

/** Removes temporaries of killed compressions, untouched for an hour (a live run's are younger). */
async function removeStaleGzipTemporaries(root: string, nowMs: number): Promise<void> {
  const dirs = [root, join(root, USAGE_METRICS_DIR)];
  for (const e of await entries(root)) {
    if (e.isDirectory && DAILY_DIR.test(e.name)) dirs.push(join(root, e.name));
  }
  for (const dir of dirs) {
    for (const e of await entries(dir)) {
      if (!e.isFile || !STALE_GZ_TEMP.test(e.name)) continue;
      const path = join(dir, e.name);
      const mtime = (await Deno.stat(path).catch(() => undefined))?.mtime?.getTime();
      if (mtime !== undefined && nowMs - mtime >= 3_600_000) {
        await Deno.remove(path).catch(() => {});
      }
    }
  }
}

/**
 * Applies `policy` to the outputs below `outputDir` and to `store`, sparing the files in
 * `written` (this run's, relative to `outputDir`). With `dryRun`, reports what it would do and
 * changes nothing.
 */
export async function housekeep(options: {
  outputDir: string;
  store?: DayStore;
  policy: HousekeepingPolicy;
  nowMs: number;
  written?: Iterable<string>;
  /** This run's range: its store days (and their 27-day lookback) are spared. */
  range?: DayRange;
  dryRun?: boolean;
}): Promise<HousekeepingResult> {
  const { outputDir: root, policy, dryRun = false } = options;
  const result = { compressed: [] as string[], removed: [] as string[], storeFilesRemoved: 0 };
  let bytesFreed = 0;
  const { compressAfterDays, retentionDays } = policy;
  if (compressAfterDays === undefined && retentionDays === undefined) {
    return { ...result, bytesFreed };
  }
  const today = dayOf(options.nowMs);
  const written = new Set(options.written ?? []);
  // A daily folder holding a file written now is this run's, with all it holds.
  const runDirs = new Set(
    [...written].filter((rel) => DAILY_DIR.test(rel.split("/")[0])).map((rel) => rel.split("/")[0]),
  );
  const found = (await findOutputs(root))
    .filter((f) => !written.has(f.rel) && !runDirs.has(f.rel.split("/")[0]));

  if (retentionDays !== undefined) {
    const cutoff = addDays(today, -retentionDays);
    const old = found.filter((f) => f.end < cutoff);
    // Files first, then their folders (removed only when nothing else is left in them).
    for (const f of old.filter((f) => !f.isDir)) {
      if (!dryRun) {
        const size = await sizeOf(abs(root, f.rel));
        await Deno.remove(abs(root, f.rel));
        bytesFreed += size;
      }
      result.removed.push(f.rel);
    }
    const oldFiles = new Set(old.map((f) => f.rel));
    for (const f of old.filter((f) => f.isDir)) {
      // Anything else in the folder (not ours, or not that old) keeps it.
      const left = (await entries(abs(root, f.rel)))
        .filter((e) => !(dryRun && oldFiles.has(`${f.rel}/${e.name}`)));
      if (left.length > 0) continue;
      if (!dryRun) await Deno.remove(abs(root, f.rel));
      result.removed.push(f.rel);
    }
    if (options.store) {
      const min = (a: Day, b: Day | undefined) => (b !== undefined && b < a ? b : a);
      const range = options.range;
      result.storeFilesRemoved = await options.store.prune({
        daysBefore: min(
          addDays(cutoff, -LOOKBACK_DAYS),
          range && addDays(range.start, -LOOKBACK_DAYS),
        ),
        rangesEndingBefore: min(cutoff, range?.end),
        dryRun,
      });
    }
  }

  if (compressAfterDays !== undefined) {
    const cutoff = addDays(today, -compressAfterDays);
    const gone = new Set(result.removed);
    for (const f of found) {
      if (f.isDir || f.compressed || f.end >= cutoff || gone.has(f.rel)) continue;
      // A `.gz` of an older run is replaced: the uncompressed file is the newer one.
      if (!dryRun) bytesFreed += await gzipFile(abs(root, f.rel));
      result.compressed.push(f.rel);
    }
    if (!dryRun) await removeStaleGzipTemporaries(root, options.nowMs);
  }
  result.compressed.sort();
  result.removed.sort();
  return { ...result, bytesFreed };
}

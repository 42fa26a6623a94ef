/**
 * Disk usage: a folder of daily runs keeps one copy of each day, which still grows with the
 * days. Two settings, both off unless set:
 *
 * - **compression** (`AUGMENT_COMPRESS_AFTER_DAYS`): an output whose data ends more than N days
 *   ago is gzip-compressed to `<name>.gz` (atomically: the `.gz` is complete before the original
 *   goes), so recent files stay readable by dashboards and old ones take a tenth of the space;
 * - **retention** (`AUGMENT_RETENTION_DAYS`): an output whose data ends more than N days ago is
 *   removed, compressed or not; in the local store, the days that no kept output can need (more
 *   than N + 27 days ago: a 28-day report looks back 27 days) and the `user-activity` of ranges
 *   ending more than N days ago are removed too.
 *
 * Only this tool's own output names are touched (`OUTPUT_NAMES` of `export/layout.ts`),
 * never `last_run.json`, `latest/`, the days `latest/` shows, nor another file. "Ago" counts
 * from today (UTC). A compressed day's files count as present: they are not rendered again.
 *
 * @module
 */
import { CreditsStore } from "../store/credits_store.ts";
import { join } from "node:path";
import { AtomicFile } from "../fs/atomic.ts";
import { OUTPUT_NAMES, removeStaleTemporaryFiles, USAGE_METRICS_DIR } from "../export/layout.ts";
import { addDays, dayOf, isDay } from "../model/dates.ts";
import type { Day } from "../model/types.ts";
import { readDirOrEmpty } from "../fs/dir.ts";
import type { DayStore } from "../store/day_store.ts";
import { LOOKBACK_DAYS } from "../views/accumulator.ts";

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

/** `YYYYMMDD` or `YYYY-MM-DD` as a valid day, else undefined. */
function dayFrom(text: string): Day | undefined {
  const day = text.length === 8 ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : text;
  return isDay(day) ? day : undefined;
}

/** The end day and compression of a name, when it is one of the layout's outputs. */
function match(
  patterns: readonly RegExp[],
  name: string,
): { end: Day; compressed: boolean } | undefined {
  for (const p of patterns) {
    const m = p.exec(name);
    if (!m) continue;
    const gz = m.at(-1) === ".gz";
    const days = m.slice(1, -1).map(dayFrom);
    if (days.some((d) => d === undefined)) return undefined;
    return { end: days.at(-1) as Day, compressed: gz };
  }
  return undefined;
}

/** Every output of ours below `root`: files, and the daily folders with their files. */
async function findOutputs(root: string): Promise<Found[]> {
  const found: Found[] = [];
  for (const e of await readDirOrEmpty(root)) {
    if (e.isFile) {
      const m = match(OUTPUT_NAMES.top, e.name);
      if (m) found.push({ rel: e.name, ...m, isDir: false });
    } else if (e.isDirectory) {
      const dm = OUTPUT_NAMES.dailyDir.exec(e.name);
      if (!dm || !isDay(dm[1]) || !isDay(dm[2])) continue;
      found.push({ rel: e.name, end: dm[2], compressed: false, isDir: true });
      for (const f of await readDirOrEmpty(join(root, e.name))) {
        const m = f.isFile ? match(OUTPUT_NAMES.daily, f.name) : undefined;
        if (m) found.push({ rel: `${e.name}/${f.name}`, ...m, isDir: false });
      }
    }
  }
  for (const e of await readDirOrEmpty(join(root, USAGE_METRICS_DIR))) {
    const m = e.isFile ? match(OUTPUT_NAMES.reports, e.name) : undefined;
    if (m) found.push({ rel: `${USAGE_METRICS_DIR}/${e.name}`, ...m, isDir: false });
  }
  // The day-partitioned layout: `daily/<day>/` and `reports/<start>_to_<end>/` (never latest/).
  const folders = [
    { top: "daily", dir: OUTPUT_NAMES.dayDir },
    { top: "reports", dir: OUTPUT_NAMES.reportDir },
  ];
  for (const { top, dir } of folders) {
    for (const e of await readDirOrEmpty(join(root, top))) {
      const m = e.isDirectory ? dir.exec(e.name) : null;
      const end = m?.at(-1);
      if (!m || !m.slice(1).every(isDay) || end === undefined) continue;
      const rel = `${top}/${e.name}`;
      found.push({ rel, end, compressed: false, isDir: true });
      for (const f of await readDirOrEmpty(join(root, top, e.name))) {
        const fm = f.isFile ? match(OUTPUT_NAMES.dayFiles, f.name) : undefined;
        if (fm) {
          found.push({ rel: `${rel}/${f.name}`, end, compressed: fm.compressed, isDir: false });
        }
      }
    }
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
  /**
   * The first day of `latest/`: outputs of this day and later are never compressed or
   * removed, nor the store days their windows need.
   */
  keepFrom?: Day;
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
  const keepFrom = options.keepFrom;
  /** The earlier of a cut-off and the first day of `latest/`. */
  const before = (cutoff: Day) => (keepFrom !== undefined && keepFrom < cutoff ? keepFrom : cutoff);
  const found = await findOutputs(root);

  if (retentionDays !== undefined) {
    const cutoff = before(addDays(today, -retentionDays));
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
      const left = (await readDirOrEmpty(abs(root, f.rel)))
        .filter((e) => !(dryRun && oldFiles.has(`${f.rel}/${e.name}`)));
      if (left.length > 0) continue;
      if (!dryRun) await Deno.remove(abs(root, f.rel));
      result.removed.push(f.rel);
    }
    if (options.store) {
      result.storeFilesRemoved = await options.store.prune({
        daysBefore: addDays(cutoff, -LOOKBACK_DAYS),
        rangesEndingBefore: cutoff,
        dryRun,
      }) + await new CreditsStore(options.store.dir).prune({ daysBefore: cutoff, dryRun });
    }
  }

  if (compressAfterDays !== undefined) {
    const cutoff = before(addDays(today, -compressAfterDays));
    const gone = new Set(result.removed);
    for (const f of found) {
      if (f.isDir || f.compressed || f.end >= cutoff || gone.has(f.rel)) continue;
      // A `.gz` of an older run is replaced: the uncompressed file is the newer one.
      if (!dryRun) bytesFreed += await gzipFile(abs(root, f.rel));
      result.compressed.push(f.rel);
    }
    if (!dryRun) await removeStaleTemporaryFiles(root, 3_600_000, options.nowMs);
  }
  result.compressed.sort();
  result.removed.sort();
  return { ...result, bytesFreed };
}

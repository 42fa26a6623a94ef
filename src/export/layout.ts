/**
 * The output layout: every path is built from validated days and fixed names only, and is
 * checked to stay inside the output directory.
 *
 * ```
 * <output-dir>/
 * ├── daily_exports_<start>_to_<end>/metrics_<YYYY-MM-DD>.json
 * ├── copilot_metrics_<start>_to_<end>.json
 * ├── copilot_usage_<start>_to_<end>.json
 * ├── metrics_<YYYYMMDD>_to_<YYYYMMDD>.csv
 * ├── metrics_summary_<YYYYMMDD>_to_<YYYYMMDD>.csv
 * ├── metrics_detail_<YYYYMMDD>_to_<YYYYMMDD>.csv
 * ├── aggregated_metrics_<YYYYMMDD>_to_<YYYYMMDD>.json
 * └── usage_metrics/
 *     ├── enterprise-1-day_<YYYY-MM-DD>.json
 *     ├── enterprise-28-day_<start>_to_<end>.json
 *     ├── users-1-day_<YYYY-MM-DD>.ndjson
 *     └── users-28-day_<start>_to_<end>.ndjson
 * ```
 *
 * Relative paths use `/` on every system (they are what a run reports).
 *
 * @module
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { addDays, compactDay, type DayRange, isDay } from "../model/dates.ts";
import type { Day } from "../model/types.ts";
import { readDirOrEmpty } from "../fs.ts";

/** The folder of the usage-metrics report files. */
export const USAGE_METRICS_DIR = "usage_metrics";

/** Days in a 28-day report. */
export const REPORT_DAYS = 28;

/** The kinds of 28-day report files: one file of each kind is published at a time. */
export type ReportKind = "enterprise" | "users";

const D = String.raw`(\d{4}-\d{2}-\d{2})`;
const C = String.raw`(\d{8})`;
/** An output name: `<body>` and, for a compressed one (see `job/housekeeping.ts`), `.gz`. */
const name = (body: string) => new RegExp(`^${body}(\\.gz)?$`);

const REPORT_28_DAY = {
  enterprise: name(`enterprise-28-day_${D}_to_${D}\\.json`),
  users: name(`users-28-day_${D}_to_${D}\\.ndjson`),
} as const;

/**
 * Every output name of this layout, plain or `.gz`, by folder: the day groups hold the range
 * (start and end) or the day the file's data covers. Housekeeping finds outputs by these.
 */
export const OUTPUT_NAMES = {
  /** Files at the top of the output directory. */
  top: [
    name(`copilot_metrics_${D}_to_${D}\\.json`),
    name(`copilot_usage_${D}_to_${D}\\.json`),
    name(`metrics_${C}_to_${C}\\.csv`),
    name(`metrics_summary_${C}_to_${C}\\.csv`),
    name(`metrics_detail_${C}_to_${C}\\.csv`),
    name(`aggregated_metrics_${C}_to_${C}\\.json`),
  ],
  /** A folder of per-day Format B files. */
  dailyDir: new RegExp(`^daily_exports_${D}_to_${D}$`),
  /** Files in a daily folder. */
  daily: [name(`metrics_${D}\\.json`)],
  /** Files in `usage_metrics/`. */
  reports: [
    name(`enterprise-1-day_${D}\\.json`),
    name(`users-1-day_${D}\\.ndjson`),
    REPORT_28_DAY.enterprise,
    REPORT_28_DAY.users,
  ],
} as const;

/** A temporary file of `atomic.ts` for a JSON, NDJSON or CSV output, or its `.gz`. */
const STALE_TEMP = /^\.[^/\\]+\.(json|ndjson|csv)(\.gz)?\.[0-9a-z]+\.tmp$/;

function checkedDay(day: Day): Day {
  if (!isDay(day)) throw new RangeError(`Invalid day "${day}": expected YYYY-MM-DD`);
  return day;
}

/** Checks that a range has real days in order, and returns it. */
export function checkedRange(range: DayRange): DayRange {
  checkedDay(range.start);
  checkedDay(range.end);
  if (range.end < range.start) {
    throw new RangeError(`Invalid range "${range.start}" to "${range.end}": end before start`);
  }
  return range;
}

/** The last ≤28 days of a range: what a 28-day report covers. */
export function reportWindow(range: DayRange): DayRange {
  checkedRange(range);
  const start = addDays(range.end, -(REPORT_DAYS - 1));
  return { start: start > range.start ? start : range.start, end: range.end };
}

/** Whether two inclusive day ranges share a day. */
export function overlaps(a: DayRange, b: DayRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The output paths of one export range, relative to the output directory. */
export class OutputLayout {
  /** The output directory, absolute. */
  readonly root: string;
  readonly range: DayRange;
  readonly #span: string;
  readonly #compactSpan: string;

  constructor(outputDir: string, range: DayRange) {
    this.root = resolve(outputDir);
    this.range = checkedRange({ start: range.start, end: range.end });
    this.#span = `${range.start}_to_${range.end}`;
    this.#compactSpan = `${compactDay(range.start)}_to_${compactDay(range.end)}`;
  }

  /** The folder of the per-day Format B files. */
  dailyExportsDir(): string {
    return `daily_exports_${this.#span}`;
  }

  /** Format B of one day. */
  dailyExport(day: Day): string {
    return `${this.dailyExportsDir()}/metrics_${checkedDay(day)}.json`;
  }

  /** Format B array over the range. */
  copilotMetrics(): string {
    return `copilot_metrics_${this.#span}.json`;
  }

  /** Format A array over the range. */
  copilotUsage(): string {
    return `copilot_usage_${this.#span}.json`;
  }

  /** (day, identity) CSV. */
  csv(): string {
    return `metrics_${this.#compactSpan}.csv`;
  }

  /** Per-identity summary CSV. */
  csvSummary(): string {
    return `metrics_summary_${this.#compactSpan}.csv`;
  }

  /** (day, identity, editor, language) CSV. */
  csvDetail(): string {
    return `metrics_detail_${this.#compactSpan}.csv`;
  }

  /** The 28-day entity report plus range totals. */
  aggregated(): string {
    return `aggregated_metrics_${this.#compactSpan}.json`;
  }

  /** Entity report of one day. */
  enterprise1Day(day: Day): string {
    return `${USAGE_METRICS_DIR}/enterprise-1-day_${checkedDay(day)}.json`;
  }

  /** Entity report of a ≤28-day window. */
  enterprise28Day(window: DayRange): string {
    checkedRange(window);
    return `${USAGE_METRICS_DIR}/enterprise-28-day_${window.start}_to_${window.end}.json`;
  }

  /** Users report (NDJSON) of one day. */
  users1Day(day: Day): string {
    return `${USAGE_METRICS_DIR}/users-1-day_${checkedDay(day)}.ndjson`;
  }

  /** Users report (NDJSON) of a ≤28-day window. */
  users28Day(window: DayRange): string {
    checkedRange(window);
    return `${USAGE_METRICS_DIR}/users-28-day_${window.start}_to_${window.end}.ndjson`;
  }

  /** The absolute path of a relative one; throws when it would leave the output directory. */
  abs(rel: string): string {
    const path = resolve(this.root, ...rel.split("/"));
    const back = relative(this.root, path);
    if (
      rel.split("/").some((p) => p === "" || p === "." || p === "..") || back === "" ||
      isAbsolute(back) || back === ".." || back.startsWith(`..${sep}`)
    ) {
      throw new Error(`Refusing to write "${rel}": outside the output directory "${this.root}"`);
    }
    return path;
  }

  /** See {@link removeStaleTemporaryFiles}; for this layout's output directory. */
  removeStaleTemporaryFiles(minAgeMs = 3_600_000, nowMs = Date.now()): Promise<string[]> {
    return removeStaleTemporaryFiles(this.root, minAgeMs, nowMs);
  }

  /**
   * Removes the 28-day report files of `kind` in `usage_metrics/` whose days overlap `keep`,
   * except `keep`'s own file: consumers concatenate every file without de-duplication. Only
   * names matching this tool's exact pattern are touched. Returns the removed relative paths.
   */
  async removeOverlapping28Day(kind: ReportKind, keep: DayRange): Promise<string[]> {
    const own = kind === "enterprise" ? this.enterprise28Day(keep) : this.users28Day(keep);
    const dir = this.abs(USAGE_METRICS_DIR);
    const removed: string[] = [];
    for (const entry of await readDirOrEmpty(dir)) {
      const m = REPORT_28_DAY[kind].exec(entry.name);
      // A compressed (`.gz`) report is an archive that no consumer reads: left alone.
      if (!entry.isFile || !m || m[3] || !isDay(m[1]) || !isDay(m[2]) || m[2] < m[1]) continue;
      const rel = `${USAGE_METRICS_DIR}/${entry.name}`;
      if (rel === own || !overlaps({ start: m[1], end: m[2] }, keep)) continue;
      await Deno.remove(this.abs(rel));
      removed.push(rel);
    }
    return removed.sort();
  }
}

/**
 * Removes temporary files (`.<name>.<random>.tmp`, see `atomic.ts`) of JSON, NDJSON and CSV
 * outputs, or of their compression, left by a run that was killed, when untouched for
 * `minAgeMs`: a live run's are younger. Looks in the output directory, every daily folder and
 * `usage_metrics/`. Returns the removed paths, relative to `outputDir`.
 */
export async function removeStaleTemporaryFiles(
  outputDir: string,
  minAgeMs = 3_600_000,
  nowMs = Date.now(),
): Promise<string[]> {
  const list = (dir: string) => readDirOrEmpty(join(outputDir, dir));
  const dailyDirs = (await list(""))
    .filter((e) => e.isDirectory && OUTPUT_NAMES.dailyDir.test(e.name))
    .map((e) => e.name);
  const removed: string[] = [];
  for (const dir of ["", ...dailyDirs, USAGE_METRICS_DIR]) {
    for (const entry of await list(dir)) {
      if (!entry.isFile || !STALE_TEMP.test(entry.name)) continue;
      const path = join(outputDir, dir, entry.name);
      const mtime = (await Deno.stat(path).catch(() => undefined))?.mtime?.getTime();
      if (mtime === undefined || nowMs - mtime < minAgeMs) continue;
      await Deno.remove(path).catch(() => {});
      removed.push(dir === "" ? entry.name : `${dir}/${entry.name}`);
    }
  }
  return removed.sort();
}

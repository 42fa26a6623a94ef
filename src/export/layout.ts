/**
 * The names of every output this tool writes, for housekeeping: the day-partitioned layout
 * (docs/LAYOUT.md; paths are built by `views/writer.ts`) and, so that compression and
 * retention still apply to folders written by earlier versions, the older range-named one:
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
import { join } from "node:path";
import { readDirOrEmpty } from "../fs/dir.ts";

/** The folder of the usage-metrics report files (older layout). */
export const USAGE_METRICS_DIR = "usage_metrics";

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
  /** The folders of the day-partitioned layout: `daily/<day>/`. */
  dayDir: new RegExp(`^${D}$`),
  /** Files in `daily/<day>/` and in a dated report folder. */
  dayFiles: [
    name(`copilot_metrics\\.json`),
    name(`copilot_usage\\.json`),
    name(`enterprise-1-day\\.json`),
    name(`users-1-day\\.ndjson`),
    name(`enterprise-28-day\\.json`),
    name(`users-28-day\\.ndjson`),
    name(`metrics\\.csv`),
    name(`metrics_summary\\.csv`),
    name(`metrics_detail\\.csv`),
    name(`aggregated_metrics\\.json`),
    name(`report\\.html`),
  ],
  /** Dated report folders: `reports/<start>_to_<end>/`. */
  reportDir: new RegExp(`^${D}_to_${D}$`),
} as const;

/** A temporary file of `atomic.ts` for a JSON, NDJSON or CSV output, or its `.gz`. */
const STALE_TEMP = /^\.[^/\\]+\.(json|ndjson|csv)(\.gz)?\.[0-9a-z]+\.tmp$/;

/**
 * Removes temporary files (`.<name>.<random>.tmp`, see `atomic.ts`) of JSON, NDJSON and CSV
 * outputs, or of their compression, left by a run that was killed, when untouched for
 * `minAgeMs`: a live run's are younger. Looks in the output directory, `daily/<day>/`,
 * `latest/`, `reports/<range>/` and the older layout's folders. Returns the removed paths, relative to `outputDir`.
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
  const dayDirs = (await list("daily"))
    .filter((e) => e.isDirectory && OUTPUT_NAMES.dayDir.test(e.name))
    .map((e) => `daily/${e.name}`);
  const reportDirs = (await list("reports"))
    .filter((e) => e.isDirectory && OUTPUT_NAMES.reportDir.test(e.name))
    .map((e) => `reports/${e.name}`);
  const removed: string[] = [];
  for (
    const dir of ["", ...dailyDirs, USAGE_METRICS_DIR, ...dayDirs, "latest", ...reportDirs]
  ) {
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

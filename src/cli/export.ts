/**
 * `augment-metrics export`: the main job.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { ENDPOINTS } from "../augment/schemas.ts";
import { UsageError } from "../errors.ts";
import { writeFileAtomic } from "../export/atomic.ts";
import { ALL_FORMATS, type Format } from "../export/exporter.ts";
import {
  type ExportJobResult,
  type ExportPlan,
  planExport,
  type RangeSpec,
  resolveRange,
  runExport,
} from "../job/export_job.ts";
import {
  housekeep,
  type HousekeepingPolicy,
  type HousekeepingResult,
} from "../job/housekeeping.ts";
import { DayStore } from "../store/day_store.ts";
import { pacedSeconds, type RequestPlan } from "../store/plan.ts";
import { connect, type ConnectOverrides, loadContextSettings } from "./connect.ts";
import type { LoadedSettings } from "../config/settings.ts";
import type { CommandContext } from "./main.ts";
import { formatDuration, table } from "./output.ts";

/** Options of `export` as commander parses them. */
export interface ExportFlags {
  last28Days?: true;
  startDate?: string;
  endDate?: string;
  sinceLast?: true;
  outputDir?: string;
  format?: string[];
  aggregate?: boolean;
  csvDetail?: true;
  enterpriseId?: string;
  storeDir?: string;
  refresh?: true;
  compressAfterDays?: number;
  retentionDays?: number;
  dryRun?: true;
}

/** The range option the user chose; exactly one kind at most. */
export function rangeSpecOf(flags: ExportFlags): RangeSpec {
  const explicit = flags.startDate !== undefined || flags.endDate !== undefined;
  const chosen = [
    flags.last28Days ? "--last-28-days" : "",
    flags.sinceLast ? "--since-last" : "",
    explicit ? "--start-date/--end-date" : "",
  ].filter(Boolean);
  if (chosen.length > 1) {
    throw new UsageError(`Choose one range: ${chosen.join(" or ")}`, "they cannot be combined");
  }
  if (explicit) {
    if (flags.startDate === undefined || flags.endDate === undefined) {
      throw new UsageError(
        "Both --start-date and --end-date are needed",
        "give both as YYYY-MM-DD, or use --last-28-days or --since-last",
      );
    }
    if (flags.endDate < flags.startDate) {
      throw new UsageError(
        `Invalid range: --end-date "${flags.endDate}" is before --start-date "${flags.startDate}"`,
        "swap them",
      );
    }
    return { kind: "explicit", start: flags.startDate, end: flags.endDate };
  }
  return flags.sinceLast ? { kind: "since-last" } : { kind: "last-28-days" };
}

/** What the plan fetches of the 27 days before the range. */
function lookbackLine(plan: ExportPlan): string {
  const n = plan.lookbackFetch.length;
  if (plan.lookbackInFull) {
    return `${n} earlier days to fetch in full for weekly/monthly actives ` +
      "(one page a day at this size, as cheap as their identities)";
  }
  return `${n} earlier days of identities to fetch for weekly/monthly actives` +
    (plan.lookbackInFullIfSmall && plan.sizedFrom === undefined
      ? " (in full instead, at the same cost, if every day fits one page)"
      : "");
}

/** The plan as a table, with the time the rate limit implies. */
export function formatPlan(
  plan: ExportPlan,
  requests: RequestPlan,
  rate: { perMinute: number; burst: number },
): string {
  const rows: string[][] = [["endpoint", "series", "requests"]];
  for (const item of requests.items) {
    rows.push([item.endpoint, String(item.series), `${item.exact ? "" : "~"}${item.requests}`]);
  }
  rows.push(["total", "", `${requests.exact ? "" : "~"}${requests.requests}`]);
  const seconds = pacedSeconds(requests.requests, rate.perMinute, rate.burst);
  const lines = [
    `Range ${plan.range.start} to ${plan.range.end}: ${plan.fetchDays.length} days to fetch, ` +
    `${dayCount(plan) - plan.fetchDays.length} in the local store; ` +
    lookbackLine(plan),
    "",
    table(rows, new Set([1, 2])).trimEnd(),
    "",
    requests.requests === 0
      ? "No request needed: everything is in the local store."
      : `At ${rate.perMinute} requests a minute (burst ${rate.burst}): about ${
        formatDuration(seconds)
      }.` +
        (requests.exact
          ? ""
          : plan.sizedFrom !== undefined
          ? ` (~ = estimated from the size of the stored day ${plan.sizedFrom})`
          : " (~ = at least: one page a day until a first export shows the organisation's size; " +
            "above about 60 active identities a day, expect more)"),
  ];
  return lines.join("\n") + "\n";
}

function dayCount(plan: ExportPlan): number {
  return Math.round(
    (Date.parse(`${plan.range.end}T00:00:00Z`) - Date.parse(`${plan.range.start}T00:00:00Z`)) /
      86_400_000,
  ) + 1;
}

/** Runs `export`; the demo passes its simulator's address, token and rate. */
export async function exportCommand(
  flags: ExportFlags,
  ctx: CommandContext,
  via: { loaded?: LoadedSettings; connect?: ConnectOverrides; storeKey?: string } = {},
): Promise<ExportJobResult | undefined> {
  const { output, now } = ctx;
  const spec = rangeSpecOf(flags);
  const loaded = via.loaded ?? await loadContextSettings(ctx);
  const settings = loaded.settings;
  const outputDir = resolve(flags.outputDir ?? settings.outputDir);
  const storeDir = resolve(flags.storeDir ?? settings.storeDir ?? join(outputDir, ".store"));
  const enterpriseId = flags.enterpriseId ?? settings.enterpriseId;
  if (flags.enterpriseId !== undefined && !/^[^\p{Cc}]+$/u.test(flags.enterpriseId)) {
    throw new UsageError(
      `Invalid --enterprise-id: expected a non-empty name without control characters`,
    );
  }
  const formats = new Set<Format>((flags.format as Format[] | undefined) ?? ALL_FORMATS);
  const policy: HousekeepingPolicy = {
    compressAfterDays: flags.compressAfterDays ?? settings.compressAfterDays,
    retentionDays: flags.retentionDays ?? settings.retentionDays,
  };
  const started = now();

  if (flags.dryRun) {
    // A dry run reads the store if there is one, and creates nothing.
    const store = await DayStore.openExisting(storeDir, via.storeKey ?? settings.baseUrl);
    const range = await resolveRange(spec, now(), store);
    const plan = await planExport(store, range, { refresh: flags.refresh ?? false, nowMs: now() });
    const rate = { perMinute: settings.ratePerMinute, burst: settings.burst };
    // What housekeeping would do to what is there now (the run's own files are spared).
    const wouldDo = await housekeep({
      outputDir,
      store,
      policy,
      nowMs: now(),
      range,
      dryRun: true,
    });
    const houseLine = formatHousekeeping(wouldDo, true);
    output.result(formatPlan(plan, plan.requests, rate) + (houseLine ? houseLine + "\n" : ""), {
      event: "plan",
      range: plan.range,
      requests: plan.requests.requests,
      plan: plan.requests.items,
      housekeeping: housekeepingSummary(wouldDo),
    });
    return undefined;
  }

  // Validate the range before anything is created or requested.
  const storeKey = via.storeKey ?? settings.baseUrl;
  const existing = await DayStore.openExisting(storeDir, storeKey);
  const range = await resolveRange(spec, now(), existing);
  const { http, client } = await connect(loaded, ctx, via.connect);
  const store = existing ?? await DayStore.open(storeDir, storeKey, now());
  const plan = await planExport(store, range, { refresh: flags.refresh ?? false, nowMs: now() });
  output.plan = {
    requests: plan.requests.requests,
    secondsPerRequest: 60 / settings.ratePerMinute,
  };
  output.debug(
    `Exporting ${range.start} to ${range.end} into "${outputDir}" ` +
      `(${plan.fetchDays.length} days to fetch, about ${plan.requests.requests} requests)`,
    {
      event: "start",
      range,
      days_to_fetch: plan.fetchDays.length,
      planned_requests: plan.requests.requests,
    },
  );
  const result = await runExport({
    client,
    stats: http.stats,
    store,
    plan,
    outputDir,
    formats,
    enterpriseId,
    csvDetail: flags.csvDetail ?? false,
    aggregate: flags.aggregate ?? true,
    now,
    signal: ctx.signal,
    reporter: output,
  });
  output.done();
  // The export is complete and safe on disk; disk housekeeping comes after, and its failure
  // is a warning, never a lost export.
  let house: HousekeepingResult | undefined;
  try {
    house = await housekeep({
      outputDir,
      store,
      policy,
      nowMs: now(),
      range,
      written: [...result.export.files, "last_run.json"],
    });
  } catch (e) {
    output.warn(
      `Housekeeping stopped: ${
        e instanceof Error ? e.message : String(e)
      }; the export itself is complete`,
      { event: "housekeeping_failed" },
    );
  }
  const elapsed = (now() - started) / 1000;
  const summary = {
    ...summaryOf(result, outputDir, elapsed),
    housekeeping: housekeepingSummary(house),
  };
  await writeFileAtomic(join(outputDir, "last_run.json"), JSON.stringify(summary, null, 2) + "\n");
  const houseLine = house ? formatHousekeeping(house, false) : "";
  output.result(formatSummary(result, outputDir, elapsed) + (houseLine ? houseLine + "\n" : ""), {
    event: "summary",
    ...summary,
  });
  return result;
}

/** The machine-readable housekeeping (in `last_run.json` and the plan). */
export function housekeepingSummary(h: HousekeepingResult | undefined) {
  if (h === undefined) return null;
  return {
    compressed: h.compressed,
    removed: h.removed,
    store_files_removed: h.storeFilesRemoved,
    bytes_freed: h.bytesFreed,
  };
}

/** One line on what housekeeping did (or would do); empty when nothing. */
export function formatHousekeeping(h: HousekeepingResult, dryRun: boolean): string {
  const parts: string[] = [];
  if (h.compressed.length > 0) {
    parts.push(`compress${dryRun ? "" : "ed"} ${h.compressed.length} files`);
  }
  if (h.removed.length > 0) parts.push(`remove${dryRun ? "" : "d"} ${h.removed.length} outputs`);
  if (h.storeFilesRemoved > 0) {
    parts.push(`remove${dryRun ? "" : "d"} ${h.storeFilesRemoved} old files from the local store`);
  }
  if (parts.length === 0) return "";
  const freed = !dryRun && h.bytesFreed > 0 ? ` (${formatBytes(h.bytesFreed)} freed)` : "";
  return `Housekeeping${dryRun ? " would" : ":"} ${parts.join(", ")}${freed}`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** The machine-readable summary (also written to `<output-dir>/last_run.json`). */
export function summaryOf(r: ExportJobResult, outputDir: string, elapsedSeconds: number) {
  return {
    range: r.range,
    days: r.export.days,
    days_fetched: r.daysFetched,
    days_from_store: r.daysFromStore,
    provisional_days: r.provisionalDays,
    identities: r.export.identities,
    output_dir: outputDir,
    files: r.export.files,
    requests: r.requests,
    requests_by_endpoint: r.byEndpoint,
    planned_minimum_requests: r.minimum.requests,
    retries: r.retries,
    rate_limited: r.rateLimited,
    reconciliation_warnings: r.export.warnings.map((w) => ({
      day: w.day,
      counter: w.counter,
      records: w.records,
      daily_usage: w.dailyUsage,
    })),
    incomplete_windows: r.export.incompleteWindows,
    elapsed_seconds: Math.round(elapsedSeconds * 10) / 10,
  };
}

/** "Reconciliation: …", as the summary says it. */
function reconciliationSummary(r: ExportJobResult): string {
  const days = new Set(r.export.warnings.map((w) => w.day)).size;
  return days === 0
    ? "Reconciliation: every day's records match daily-usage"
    : `Reconciliation: ${days} ${
      days === 1 ? "day differs" : "days differ"
    } from daily-usage (see the warnings)`;
}

/** The short human summary that ends a run. */
export function formatSummary(
  r: ExportJobResult,
  outputDir: string,
  elapsedSeconds: number,
): string {
  const shortName = (path: string) => {
    for (const [name, e] of Object.entries(ENDPOINTS)) if (e.path === path) return name;
    return path;
  };
  const by = Object.entries(r.byEndpoint).map(([k, v]) => `${shortName(k)} ${v}`).join(", ");
  const lines = [
    `Exported ${r.range.start} to ${r.range.end}: ${r.export.days} days ` +
    `(${r.daysFetched} fetched, ${r.daysFromStore} from the local store), ` +
    `${r.export.identities} identities`,
    `Wrote ${r.export.files.length} files to ${outputDir}`,
    `Requests: ${r.requests} (plan minimum ${r.minimum.requests}${by ? `; ${by}` : ""}), ` +
    `retries ${r.retries}, rate-limited ${r.rateLimited}`,
    reconciliationSummary(r) +
    (r.export.incompleteWindows.length > 0
      ? `; monthly chat/agent users partial for ${r.export.incompleteWindows.length} days (earlier days known only by identity)`
      : ""),
    `Elapsed: ${formatDuration(elapsedSeconds)}`,
  ];
  return lines.join("\n") + "\n";
}

/**
 * `augment-metrics export`: the main job.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { CREDIT_ENDPOINTS } from "../augment/credits.ts";
import { ENDPOINTS } from "../augment/schemas.ts";
import { exitCodeOf, UsageError } from "../errors.ts";
import {
  parseDestinations,
  resolveStorageSettings,
  syncToDestination,
} from "../destinations/mod.ts";
import { reportRunEnd, type RunEndConfig, runEndConfig } from "../notify/run_end.ts";
import { runEvent } from "../notify/event.ts";
import { VERSION } from "../version.ts";
import { writeFileAtomic } from "../fs/atomic.ts";
import {
  type ExportPlan,
  type ExportRangeResult,
  planExport,
  type RangeSpec,
  resolveRange,
  runExport,
} from "../job/export_range.ts";
import {
  housekeep,
  type HousekeepingPolicy,
  type HousekeepingResult,
} from "../job/housekeeping.ts";
import { DayStore } from "../store/day_store.ts";
import { coverDays, pacedSeconds, type RequestPlan } from "../store/plan.ts";
import { type DaySizes, type SizeBasis, sizesFromProbe } from "../sync/estimate.ts";
import type { Day } from "../model/types.ts";
import { DEFAULT_FORMATS, type Format } from "../views/formats.ts";
import { OutputDir } from "../views/output_dir.ts";
import { viewsFor } from "../views/registry.ts";
import { pseudonymizerFor } from "../privacy/pseudonym.ts";
import { claimOutputFolder, isPseudonymized } from "../privacy/folder.ts";
import { readTeams } from "../teams/teams_file.ts";
import { connect, type ConnectOverrides, loadContextSettings } from "./connect.ts";
import type { SyncFunction } from "../serve/scheduler.ts";
import type { LoadedSettings } from "../config/settings.ts";
import type { CommandContext } from "./context.ts";
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
  dated?: true;
  wait?: number;
  htmlHideIdentities?: true;
  htmlTopUsers?: number;
  teams?: string;
  teamMinSize?: number;
  pseudonymize?: true;
  destination?: string[];
  notify?: string[];
  notifyOn?: string;
  compressAfterDays?: number;
  retentionDays?: number;
  dryRun?: true;
  probe?: true;
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
  // The credits endpoints are paced by their own bucket, beside the others: no time of their own.
  const activity = requests.items.filter((i) => !(i.endpoint in CREDIT_ENDPOINTS))
    .reduce((n, i) => n + i.requests, 0);
  const seconds = pacedSeconds(activity, rate.perMinute, rate.burst);
  const fetch = plan.sync.fetchDays.length;
  const held = plan.sync.needed.length - fetch;
  const lines = [
    (plan.range
      ? `Range ${plan.range.start} to ${plan.range.end}`
      : `Nothing new since the last run`) +
    `; latest/ shows ${plan.latest.start} to ${plan.latest.end}. ` +
    `Days needed (with the 27 before each window): ${plan.sync.needed.length}, ` +
    `${fetch} to fetch, ${held} in the local store`,
    "",
    table(rows, new Set([1, 2])).trimEnd(),
    "",
    requests.requests === 0
      ? "No request needed: everything is in the local store."
      : `At ${rate.perMinute} requests a minute (burst ${rate.burst}): about ${
        formatDuration(seconds)
      }.` +
        (requests.exact ? "" : ` (~ = ${basisText(plan.sync.basis)})`),
  ];
  return lines.join("\n") + "\n";
}

/** What the estimated page counts of a plan rest on, in words. */
export function basisText(basis: SizeBasis): string {
  const per = (n: number) =>
    n > 0
      ? `records per identity as on the ${n} newest stored days`
      : "one record an identity until a first export shows more: at least";
  switch (basis.kind) {
    case "none":
      return "at least: one page a day until a first export shows the organisation's size; " +
        "--probe sizes each day with one dau-count request";
    case "store":
      return `estimated from the median size of the ${basis.storedDays} newest stored days, ` +
        "by weekday; --probe sizes each day with one dau-count request";
    case "probe":
      return `each day's identities from dau-count (${basis.probeRequests} request${
        basis.probeRequests === 1 ? "" : "s"
      } spent on this plan), ${per(basis.storedDays)}`;
  }
}

/** Runs `export`; the demo passes its simulator's address, token and rate. */
export async function exportCommand(
  flags: ExportFlags,
  ctx: CommandContext,
  via: { loaded?: LoadedSettings; connect?: ConnectOverrides; storeKey?: string } = {},
): Promise<ExportRangeResult | undefined> {
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
  const formats = (flags.format as Format[] | undefined) ?? DEFAULT_FORMATS;
  const policy: HousekeepingPolicy = {
    compressAfterDays: flags.compressAfterDays ?? settings.compressAfterDays,
    retentionDays: flags.retentionDays ?? settings.retentionDays,
  };
  const started = now();
  const storeKey = via.storeKey ?? settings.baseUrl;
  const rate = { perMinute: settings.ratePerMinute, burst: settings.burst };

  const pseudonymizer = pseudonymizerFor(
    flags.pseudonymize ?? false,
    () => settings.pseudonymizeKey,
  );
  const teamsPath = flags.teams ?? settings.teamsFile;
  const teams = teamsPath === undefined ? undefined : await readTeams(resolve(teamsPath));
  if (flags.probe && !flags.dryRun) {
    throw new UsageError("--probe sizes a plan: use it with --dry-run", "add --dry-run");
  }
  if (flags.dryRun) {
    // A dry run reads the store if there is one, and creates nothing.
    const store = await DayStore.openExisting(storeDir, storeKey);
    const range = await resolveRange(spec, now(), store);
    let probe: ((fetchDays: readonly Day[]) => Promise<DaySizes>) | undefined;
    if (flags.probe) {
      const { client } = await connect(loaded, ctx, via.connect);
      probe = async (fetchDays) => {
        const identities = new Map<Day, number>();
        const windows = coverDays(fetchDays);
        for (const window of windows) {
          for (const [d, n] of await client.dauCount(window)) identities.set(d, n);
        }
        return await sizesFromProbe(store, identities, windows.length);
      };
    }
    const plan = await planExport(store, range, {
      refresh: flags.refresh ?? false,
      nowMs: now(),
      size: probe,
    });
    const wouldDo = await housekeep({
      outputDir,
      store,
      policy,
      nowMs: now(),
      keepFrom: plan.latest.start,
      dryRun: true,
    });
    const houseLine = formatHousekeeping(wouldDo, true);
    output.result(
      formatPlan(plan, plan.sync.requests, rate) + (houseLine ? houseLine + "\n" : ""),
      {
        event: "plan",
        range: plan.range ?? null,
        latest: plan.latest,
        requests: plan.sync.requests.requests,
        plan: plan.sync.requests.items,
        basis: plan.sync.basis,
        housekeeping: housekeepingSummary(wouldDo),
      },
    );
    return undefined;
  }

  // Validate the range and the end-of-run settings before anything is created or requested.
  const existing = await DayStore.openExisting(storeDir, storeKey);
  await resolveRange(spec, now(), existing);
  const env = readEnv;
  const end = await runEndConfig({ notify: flags.notify, notifyOn: flags.notifyOn }, env);
  const destinations = parseDestinations(
    flags.destination ?? (env("AUGMENT_DESTINATIONS") ? [env("AUGMENT_DESTINATIONS")!] : []),
  );
  const storage = destinations.length > 0 ? await resolveStorageSettings(env) : undefined;
  await claimOutputFolder(outputDir, pseudonymizer);
  const { http, client, token } = await connect(loaded, ctx, via.connect);
  const warnings: string[] = [];
  const warn = (m: string, d: Record<string, unknown>) => {
    warnings.push(m);
    output.warn(m, d);
  };
  for (const w of teams?.warnings ?? []) warn(w, { event: "teams_file" });
  const finish = (
    r: ExportRangeResult | undefined,
    error: { message: string; exitCode: number } | null,
  ) =>
    notifyRunEnd(end, {
      command: "export",
      result: r,
      error,
      warnings,
      requests: http.stats.requests,
      elapsedSeconds: (now() - started) / 1000,
      outputDir,
      token,
      ctx,
    });
  try {
    const result = await exportOnce();
    await finish(result, null);
    return result;
  } catch (e) {
    await finish(undefined, {
      message: e instanceof Error ? e.message : String(e),
      exitCode: exitCodeOf(e),
    });
    throw e;
  }

  async function exportOnce(): Promise<ExportRangeResult> {
    const result = await runExport({
      client,
      stats: http.stats,
      storeDir,
      storeKey,
      out: new OutputDir(outputDir),
      spec,
      views: viewsFor(formats, {
        enterpriseId,
        csvDetail: flags.csvDetail ?? false,
        aggregate: flags.aggregate ?? true,
        htmlHideIdentities: flags.htmlHideIdentities ?? false,
        htmlTopUsers: flags.htmlTopUsers,
        teams: teams && {
          teams,
          minSize: flags.teamMinSize ?? settings.teamMinSize,
          realOf: pseudonymizer && ((name) => pseudonymizer.realOf(name)),
          onWarning: (m) => warn(m, { event: "teams_file" }),
        },
      }),
      identities: pseudonymizer,
      enterpriseId,
      dated: flags.dated ?? false,
      refresh: flags.refresh ?? false,
      waitMs: flags.wait ?? 0,
      now,
      signal: ctx.signal,
      reporter: {
        progress: (p) => output.progress(p),
        info: (m, d) => output.info(m, d),
        debug: (m, d) => output.debug(m, d),
        warn: (m, d) => {
          warnings.push(m);
          output.warn(m, d);
        },
      },
      onPlan: (plan) => {
        output.plan = {
          requests: plan.sync.requests.requests,
          secondsPerRequest: 60 / settings.ratePerMinute,
        };
        output.debug(
          `Exporting ${plan.range ? `${plan.range.start} to ${plan.range.end}` : "nothing new"} ` +
            `into "${outputDir}" (${plan.sync.fetchDays.length} days to fetch, about ` +
            `${plan.sync.requests.requests} requests)`,
          {
            event: "start",
            range: plan.range ?? null,
            days_to_fetch: plan.sync.fetchDays.length,
            planned_requests: plan.sync.requests.requests,
          },
        );
      },
    });
    const { store } = result;
    const latest = result.latest;
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
        keepFrom: latest.start,
      });
    } catch (e) {
      const line = `Housekeeping stopped: ${
        e instanceof Error ? e.message : String(e)
      }; the export itself is complete`;
      warnings.push(line);
      output.warn(line, { event: "housekeeping_failed" });
    }
    const elapsed = (now() - started) / 1000;
    const summary = {
      ...summaryOf(result, outputDir, elapsed),
      housekeeping: housekeepingSummary(house),
    };
    await writeFileAtomic(
      join(outputDir, "last_run.json"),
      JSON.stringify(summary, null, 2) + "\n",
    );
    // Object storage last: the local files are complete whatever happens there.
    const uploads: string[] = [];
    for (const dest of destinations) {
      const r = await syncToDestination(dest, {
        outputDir,
        settings: storage,
        signal: ctx.signal,
      });
      uploads.push(
        `${dest.url}: ${r.uploaded.length} uploaded, ${r.skipped} unchanged` +
          (r.bytes > 0 ? ` (${formatBytes(r.bytes)})` : ""),
      );
    }
    const houseLine = house ? formatHousekeeping(house, false) : "";
    output.result(
      formatSummary(result, outputDir, elapsed) + (houseLine ? houseLine + "\n" : "") +
        uploads.map((u) => `Uploaded to ${u}\n`).join(""),
      { event: "summary", ...summary, destinations: uploads },
    );
    return result;
  }
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

/** The identities of the latest window, when it was rendered in this run. */
function latestFacts(r: ExportRangeResult) {
  return r.render.targets.find((t) => t.target.name === "latest");
}

/** The machine-readable summary (also written to `<output-dir>/last_run.json`). */
export function summaryOf(r: ExportRangeResult, outputDir: string, elapsedSeconds: number) {
  const latest = latestFacts(r);
  return {
    range: r.range ?? null,
    latest: r.latest,
    days: r.range ? daysIn(r.range) : 0,
    days_fetched: r.daysFetched,
    days_from_store: r.daysFromStore,
    days_rendered: r.render.daysRendered,
    days_current: r.render.daysCurrent,
    provisional_days: r.provisionalDays,
    identities: latest ? latest.identities : null,
    output_dir: outputDir,
    files: r.render.files,
    requests: r.requests,
    requests_by_endpoint: r.byEndpoint,
    planned_minimum_requests: r.minimum.requests,
    retries: r.retries,
    rate_limited: r.rateLimited,
    reconciliation_warnings: r.render.warnings.map((w) => ({
      day: w.day,
      counter: w.counter,
      records: w.records,
      daily_usage: w.dailyUsage,
    })),
    elapsed_seconds: Math.round(elapsedSeconds * 10) / 10,
  };
}

function daysIn(range: { start: string; end: string }): number {
  return Math.round(
    (Date.parse(`${range.end}T00:00:00Z`) - Date.parse(`${range.start}T00:00:00Z`)) / 86_400_000,
  ) + 1;
}

/** "Reconciliation: …", as the summary says it. */
function reconciliationSummary(r: ExportRangeResult): string {
  const days = new Set(r.render.warnings.map((w) => w.day)).size;
  return days === 0
    ? "Reconciliation: every day's records match daily-usage"
    : `Reconciliation: ${days} ${
      days === 1 ? "day differs" : "days differ"
    } from daily-usage (see the warnings)`;
}

/** The short human summary that ends a run. */
export function formatSummary(
  r: ExportRangeResult,
  outputDir: string,
  elapsedSeconds: number,
): string {
  const shortName = (path: string) => {
    for (const [name, e] of Object.entries(ENDPOINTS)) if (e.path === path) return name;
    for (const [name, e] of Object.entries(CREDIT_ENDPOINTS)) if (e.path === path) return name;
    return path;
  };
  const by = Object.entries(r.byEndpoint).map(([k, v]) => `${shortName(k)} ${v}`).join(", ");
  const latest = latestFacts(r);
  const lines = [
    (r.range
      ? `Exported ${r.range.start} to ${r.range.end}: ${daysIn(r.range)} days ` +
        `(${r.daysFromStore} from the local store)`
      : "Nothing new since the last run") +
    `; ${r.daysFetched} days fetched`,
    `latest/ shows ${r.latest.start} to ${r.latest.end}` +
    (latest ? ` (${latest.identities} identities)` : " (unchanged)"),
    `Wrote ${r.render.files.length} files to ${outputDir}` +
    (r.render.daysCurrent > 0 ? ` (${r.render.daysCurrent} days already current)` : ""),
    `Requests: ${r.requests} (plan minimum ${r.minimum.requests}${by ? `; ${by}` : ""}), ` +
    `retries ${r.retries}, rate-limited ${r.rateLimited}`,
    reconciliationSummary(r),
    `Elapsed: ${formatDuration(elapsedSeconds)}`,
  ];
  return lines.join("\n") + "\n";
}

/** After a run, success or failure: GitHub Actions summary and notifications (warnings only). */
async function notifyRunEnd(end: RunEndConfig, o: {
  command: string;
  result: ExportRangeResult | undefined;
  error: { message: string; exitCode: number } | null;
  warnings: readonly string[];
  requests: number;
  elapsedSeconds: number;
  outputDir: string;
  token: string;
  ctx: CommandContext;
}): Promise<void> {
  const r = o.result;
  const event = runEvent({
    version: VERSION,
    command: o.command,
    range: r?.range ?? null,
    latest: r?.latest ?? null,
    days: r?.range ? daysIn(r.range) : 0,
    identities: r ? latestFacts(r)?.identities ?? null : null,
    requests: r?.requests ?? o.requests,
    warnings: o.warnings,
    elapsedSeconds: o.elapsedSeconds,
    outputDir: o.outputDir,
    files: r?.render.files.length ?? 0,
    error: o.error,
    finishedAtMs: o.ctx.now(),
  });
  const lines = await reportRunEnd(end, event, {
    stdout: (text) => o.ctx.output.streams.stdout(text),
    secrets: [o.token],
  });
  for (const w of lines) o.ctx.output.warn(w, { event: "notify_failed" });
}

/** Reads a variable the permission set allows; `undefined` for any other. */
function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * The sync of `serve --sync`: the same locked `export --since-last` into the folder it serves
 * (every format, so every endpoint has its files). A run stops with its signal; the lock makes
 * it wait for a cron export of the same store, up to ten minutes.
 */
export async function serveSync(ctx: CommandContext, outputDir: string): Promise<SyncFunction> {
  const loaded = await loadContextSettings(ctx);
  const s = loaded.settings;
  const storeDir = resolve(s.storeDir ?? join(outputDir, ".store"));
  const end = await runEndConfig({}, readEnv);
  // A folder exported with --pseudonymize stays so (its key is needed), and one with teams keeps them.
  const pseudonymizer = pseudonymizerFor(
    await isPseudonymized(outputDir),
    () => s.pseudonymizeKey,
  );
  await claimOutputFolder(outputDir, pseudonymizer);
  const teams = s.teamsFile === undefined ? undefined : await readTeams(resolve(s.teamsFile));
  for (const w of teams?.warnings ?? []) ctx.output.warn(w, { event: "teams_file" });
  const { http, client, token } = await connect(loaded, ctx);
  return async (signal) => {
    const started = ctx.now();
    const warnings: string[] = [];
    const before = http.stats.requests;
    let r: ExportRangeResult;
    try {
      r = await runExport({
        client,
        stats: http.stats,
        storeDir,
        storeKey: s.baseUrl,
        out: new OutputDir(outputDir),
        spec: { kind: "since-last" },
        views: viewsFor(DEFAULT_FORMATS, {
          enterpriseId: s.enterpriseId,
          teams: teams && {
            teams,
            minSize: s.teamMinSize,
            realOf: pseudonymizer && ((name) => pseudonymizer.realOf(name)),
          },
        }),
        identities: pseudonymizer,
        enterpriseId: s.enterpriseId,
        waitMs: 10 * 60_000,
        now: ctx.now,
        signal,
        reporter: {
          progress: (p) => ctx.output.progress(p),
          info: (m, d) => ctx.output.info(m, d),
          debug: (m, d) => ctx.output.debug(m, d),
          warn: (m, d) => {
            warnings.push(m);
            ctx.output.warn(m, d);
          },
        },
      });
    } catch (e) {
      await notifyRunEnd(end, {
        command: "serve sync",
        result: undefined,
        error: { message: e instanceof Error ? e.message : String(e), exitCode: exitCodeOf(e) },
        warnings,
        requests: http.stats.requests - before,
        elapsedSeconds: (ctx.now() - started) / 1000,
        outputDir,
        token,
        ctx,
      });
      throw e;
    }
    await notifyRunEnd(end, {
      command: "serve sync",
      result: r,
      error: null,
      warnings,
      requests: r.requests,
      elapsedSeconds: (ctx.now() - started) / 1000,
      outputDir,
      token,
      ctx,
    });
    return {
      newestDay: r.latest.end,
      requests: r.requests,
      retries: r.retries,
      rateLimited: r.rateLimited,
      message: `${r.daysFetched} days fetched, ${r.render.files.length} files written`,
    };
  };
}

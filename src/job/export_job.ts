/**
 * The export job: resolve the range, plan the fewest requests, fetch what the store lacks
 * (keeping each published day as soon as all its pages arrived), then convert and write every
 * format day by day from the store.
 *
 * @module
 */
import type { AnalyticsClient } from "../augment/client.ts";
import { validateRange } from "../augment/dates.ts";
import { ENDPOINTS, MAX_LOOKBACK_DAYS } from "../augment/schemas.ts";
import {
  Exporter,
  type ExportOptions,
  type ExportResult,
  type Format,
  type ReconciliationWarning,
} from "../export/exporter.ts";
import type { RequestStats } from "../http/types.ts";
import { addDays, dayOf, type DayRange, eachDay } from "../model/dates.ts";
import { type Counters, isKnownCounter } from "../model/metrics.ts";
import type { Day, DayData, Identity, UserActivity } from "../model/types.ts";
import { type DayStore, isPublishedAt, newestPublishedDay } from "../store/day_store.ts";
import { buildPlan, coverDays, type RequestPlan } from "../store/plan.ts";
import { UsageError } from "../errors.ts";
import type { Reporter } from "./reporter.ts";

/** How the user chose the range. */
export type RangeSpec =
  | { readonly kind: "explicit"; readonly start: Day; readonly end: Day }
  | { readonly kind: "last-28-days" }
  | { readonly kind: "since-last" };

/** How many counters a reconciliation line names before "and N more". */
const COUNTERS_SHOWN = 4;

/**
 * One warning line for a day whose per-user records and `daily-usage` disagree: the counters
 * that differ (the first few), or that `daily-usage` had no entry for an active day.
 */
export function reconciliationLine(day: Day, warnings: readonly ReconciliationWarning[]): string {
  const shown = warnings.slice(0, COUNTERS_SHOWN);
  const more = warnings.length > shown.length ? `, and ${warnings.length - shown.length} more` : "";
  if (warnings.every((w) => w.dailyUsage === null)) {
    return `Day "${day}": daily-usage has no entry for the day, but the per-user records show ` +
      `activity (${shown.map((w) => `${w.counter} ${w.records}`).join(", ")}${more}); ` +
      "the records are exported as they are";
  }
  return `Day "${day}": the per-user records and daily-usage differ: ` +
    shown.map((w) => `${w.counter} ${w.records} vs ${w.dailyUsage}`).join(", ") + more +
    "; the records are exported as they are";
}

/** Days in the weekly/monthly windows before a day: 27 for the 28-day window. */
export const LOOKBACK_DAYS = 27;

/**
 * The range to export. `--last-28-days` ends at the newest published day; `--since-last`
 * covers everything after the newest stored day up to the newest published day, and at
 * least the last 28 days so that the reports are rewritten whole.
 */
export async function resolveRange(
  spec: RangeSpec,
  nowMs: number,
  store?: DayStore,
): Promise<DayRange> {
  if (spec.kind === "explicit") {
    const range = { start: spec.start, end: spec.end };
    validateRange(range, nowMs);
    return range;
  }
  const end = newestPublishedDay(nowMs);
  let start = addDays(end, -27);
  if (spec.kind === "since-last" && store) {
    const days = await store.days();
    const newest = days.at(-1);
    if (newest !== undefined && newest < start) {
      const oldest = addDays(dayOf(nowMs), -MAX_LOOKBACK_DAYS);
      const next = addDays(newest, 1);
      start = next < oldest ? oldest : next;
    }
  }
  const range = { start, end };
  validateRange(range, nowMs);
  return range;
}

/** What a run will fetch and what it will read from the store. */
export interface ExportPlan {
  readonly range: DayRange;
  /** Range days to fetch. */
  readonly fetchDays: readonly Day[];
  /**
   * Days before the range to fetch: their identities with `dau`, or, when
   * {@link ExportPlan.lookbackInFullIfSmall} and the organisation proves small, their records
   * in full.
   */
  readonly lookbackFetch: readonly Day[];
  /**
   * Whether the earlier days may be fetched in full at no extra cost: the `dau-count` and
   * `daily-usage` windows of the range days cover them too. The run fetches them in full when
   * every range day it fetched fits one page of records (then one page a day, as `dau`), and
   * the monthly chat and agent users become exact from the first run.
   */
  readonly lookbackInFullIfSmall: boolean;
  /** What the plan expects of that choice: the stored organisation's size says it is small. */
  readonly lookbackInFull: boolean;
  /** Days before the range held in full in the store. */
  readonly lookbackFull: readonly Day[];
  /** Days before the range held as identities in the store. */
  readonly lookbackIdentities: readonly Day[];
  /** Whether `user-activity` over the range is fetched (else read from the store). */
  readonly fetchUserActivity: boolean;
  /** The requests, with page counts estimated from the store where it knows the org's size. */
  readonly requests: RequestPlan;
  /**
   * The stored day whose size the page counts are estimated from; `undefined` when the store
   * holds no day, and every paginated series is counted as one page a day (a lower bound).
   */
  readonly sizedFrom?: Day;
}

const EL_PAGE = ENDPOINTS["daily-user-activity-by-editor-language"].maxPageSize;

/** Whether a day of `records` records is one page of editor-language records. */
function fitsOnePage(records: number): boolean {
  return records <= EL_PAGE;
}

/**
 * Whether fetching the earlier days in full costs no more windows of `dau-count` and
 * `daily-usage` than the range days alone.
 */
function fullLookbackIsFree(fetchDays: readonly Day[], lookback: readonly Day[]): boolean {
  return fetchDays.length > 0 && lookback.length > 0 &&
    coverDays([...lookback, ...fetchDays].sort()).length === coverDays(fetchDays).length;
}

/** Plans a run without any request. */
export async function planExport(
  store: DayStore | undefined,
  range: DayRange,
  options: { refresh: boolean; nowMs: number },
): Promise<ExportPlan> {
  const stored = new Set(options.refresh || !store ? [] : await store.days());
  const storedIds = new Set(options.refresh || !store ? [] : await store.identityDays());
  const fetchDays = [...eachDay(range.start, range.end)].filter((d) => !stored.has(d));
  const oldest = addDays(dayOf(options.nowMs), -MAX_LOOKBACK_DAYS);
  const lookbackFetch: Day[] = [];
  const lookbackFull: Day[] = [];
  const lookbackIdentities: Day[] = [];
  for (const day of eachDay(addDays(range.start, -LOOKBACK_DAYS), addDays(range.start, -1))) {
    if (day < oldest) continue;
    if (stored.has(day)) lookbackFull.push(day);
    else if (storedIds.has(day)) lookbackIdentities.push(day);
    else lookbackFetch.push(day);
  }
  const fetchUserActivity = options.refresh || !store || fetchDays.length > 0 ||
    !(await store.hasUserActivity(range.start, range.end));

  // Page counts: the newest stored day is the best guess of the org's size (with --refresh too).
  const newest = store
    ? (options.refresh ? (await store.days()) : [...stored].sort()).at(-1)
    : undefined;
  const info = newest && store ? await store.dayInfo(newest) : undefined;
  const lookbackInFullIfSmall = fullLookbackIsFree(fetchDays, lookbackFetch);
  const lookbackInFull = lookbackInFullIfSmall && info !== undefined &&
    fitsOnePage(info.recordCount);
  const requests = buildPlan({
    range,
    fetchDays,
    lookbackDays: lookbackInFull ? [] : lookbackFetch,
    lookbackRecordDays: lookbackInFull ? lookbackFetch : [],
    userActivity: fetchUserActivity,
    recordsOn: () => info?.recordCount,
    identitiesOn: () => info?.identityCount,
    identitiesIn: () => info?.identityCount,
  });
  return {
    range,
    fetchDays,
    lookbackFetch,
    lookbackInFullIfSmall,
    lookbackInFull,
    lookbackFull,
    lookbackIdentities,
    fetchUserActivity,
    requests: { ...requests, exact: false },
    ...(info ? { sizedFrom: newest } : {}),
  };
}

/** Options of a run. */
export interface ExportJobOptions {
  readonly client: AnalyticsClient;
  /** The HTTP layer's counters (requests made, retries, 429s). */
  readonly stats: RequestStats;
  readonly store: DayStore;
  readonly plan: ExportPlan;
  readonly outputDir: string;
  readonly formats: ReadonlySet<Format>;
  readonly enterpriseId: string;
  readonly csvDetail?: boolean;
  readonly aggregate?: boolean;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly reporter: Reporter;
}

/** What a run did. */
export interface ExportJobResult {
  readonly range: DayRange;
  readonly export: ExportResult;
  /** Range days fetched from the service, and read from the store. */
  readonly daysFetched: number;
  readonly daysFromStore: number;
  /** Days fetched before their publication: used, but not kept. */
  readonly provisionalDays: readonly Day[];
  /** The plan's minimum for what actually arrived (exact page counts). */
  readonly minimum: RequestPlan;
  /** Requests made (retries included), retries, and 429s. */
  readonly requests: number;
  readonly retries: number;
  readonly rateLimited: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
}

function identityKey(i: { identity: string; kind: string }): string {
  return `${i.kind}:${i.identity}`;
}

/** Runs the export: fetch what the plan says, keep published days, write every format. */
export async function runExport(o: ExportJobOptions): Promise<ExportJobResult> {
  const { client, store, plan, reporter, signal } = o;
  const { range } = plan;
  const startRequests = o.stats.requests;
  const startRetries = o.stats.retries;
  const startLimited = o.stats.rateLimited;
  const startByEndpoint = { ...o.stats.byEndpoint };
  const requestsSoFar = () => o.stats.requests - startRequests;

  // Exact sizes of what arrives, for the plan's minimum.
  const recordsOn = new Map<Day, number>();
  const identitiesOn = new Map<Day, number>();
  let userActivityCount: number | undefined;

  // Days fetched before their publication: used for this run only.
  const provisional = new Map<Day, DayData>();

  // 1. The range days the store lacks.
  const dau = new Map<Day, number>();
  const usage = new Map<Day, Counters>();
  if (plan.fetchDays.length > 0) {
    // The windows cover the earlier days too when that is free: they may be fetched in full.
    const windowDays = plan.lookbackInFullIfSmall
      ? [...plan.lookbackFetch, ...plan.fetchDays].sort()
      : plan.fetchDays;
    for (const window of coverDays(windowDays)) {
      for (const [d, n] of await client.dauCount(window, { signal })) dau.set(d, n);
      for (const [d, c] of await client.dailyUsage(window, { signal })) usage.set(d, c);
    }
    let done = 0;
    for (const day of plan.fetchDays) {
      reporter.progress({
        phase: "fetch",
        done,
        total: plan.fetchDays.length,
        requests: requestsSoFar(),
        item: day,
      });
      const records = await client.dayRecords(day, { signal });
      const fetchedAt = o.now();
      const data: DayData = { day, records, dauCount: dau.get(day), usage: usage.get(day) };
      recordsOn.set(day, records.length);
      if (isPublishedAt(day, fetchedAt)) {
        await store.putDay(data, fetchedAt);
      } else {
        provisional.set(day, data);
        reporter.warn(
          `Day "${day}" is not final yet (published about 03:00 UTC the next day): ` +
            `it is exported but not kept, and is fetched again on the next run`,
          { day },
        );
      }
      done++;
      reporter.debug(`Fetched day "${day}"`, { day, records: records.length });
    }
    reporter.progress({
      phase: "fetch",
      done,
      total: plan.fetchDays.length,
      requests: requestsSoFar(),
    });
  }

  // 2. The days before the range, for the weekly and monthly windows: in full when that costs
  // what their identities cost (every range day fetched fit one page), else identities only.
  const lookbackInFull = plan.lookbackInFullIfSmall &&
    plan.fetchDays.every((d) => fitsOnePage(recordsOn.get(d) ?? Infinity));
  let lookbackDone = 0;
  for (const day of plan.lookbackFetch) {
    reporter.progress({
      phase: "lookback",
      done: lookbackDone,
      total: plan.lookbackFetch.length,
      requests: requestsSoFar(),
      item: day,
    });
    if (lookbackInFull) {
      const records = await client.dayRecords(day, { signal });
      const fetchedAt = o.now();
      const data: DayData = { day, records, dauCount: dau.get(day), usage: usage.get(day) };
      recordsOn.set(day, records.length);
      if (isPublishedAt(day, fetchedAt)) await store.putDay(data, fetchedAt);
      else provisional.set(day, data);
    } else {
      const identities: Identity[] = [];
      for await (const identity of client.dau(day, { signal })) identities.push(identity);
      identitiesOn.set(day, identities.length);
      await store.putIdentities(day, identities, o.now());
    }
    lookbackDone++;
  }

  // 3. user-activity over the range (active_days), kept when every day is final.
  let userActivity: UserActivity[] | undefined;
  if (plan.fetchUserActivity) {
    reporter.progress({ phase: "user-activity", done: 0, total: 1, requests: requestsSoFar() });
    userActivity = [];
    for await (const u of client.userActivity(range, { signal })) userActivity.push(u);
    userActivityCount = userActivity.length;
    if (provisional.size === 0) {
      await store.putUserActivity(range.start, range.end, userActivity, o.now());
    }
  } else {
    userActivity = await store.getUserActivity(range.start, range.end);
  }

  // 4. Convert and write, day by day, from the store.
  const readDay = async (day: Day): Promise<DayData> => {
    const p = provisional.get(day);
    if (p) return p;
    const d = await store.getDay(day);
    if (!d) throw new Error(`Store lost day "${day}"`);
    return d;
  };
  const extra = new Set<string>();
  let daysFromStore = 0;
  const fetched = new Set(plan.fetchDays);
  for (const day of eachDay(range.start, range.end)) {
    if (!fetched.has(day)) daysFromStore++;
    const p = provisional.get(day);
    const names = p
      ? p.records.flatMap((r) => Object.keys(r.metrics))
      : (await store.dayInfo(day))?.counters ?? [];
    for (const n of names) if (!isKnownCounter(n)) extra.add(n);
  }
  for (const u of userActivity ?? []) {
    for (const n in u.metrics) if (!isKnownCounter(n)) extra.add(n);
  }

  const options: ExportOptions = {
    outputDir: o.outputDir,
    range,
    formats: o.formats,
    enterpriseId: o.enterpriseId,
    createdAt: new Date(o.now()).toISOString(),
    extraCounters: [...extra].sort(),
    csvDetail: o.csvDetail,
    aggregate: o.aggregate,
  };
  const exporter = new Exporter(options);
  let result: ExportResult;
  try {
    const fetchedInFull = lookbackInFull ? plan.lookbackFetch : [];
    const fetchedIdentities = lookbackInFull ? [] : plan.lookbackFetch;
    for (const day of [...plan.lookbackFull, ...fetchedInFull].sort()) {
      exporter.addLookbackDay(await readDay(day));
    }
    for (const day of [...plan.lookbackIdentities, ...fetchedIdentities].sort()) {
      const ids = await store.getIdentities(day);
      if (ids) exporter.addLookbackIdentities(day, ids);
    }
    const total = [...eachDay(range.start, range.end)].length;
    let done = 0;
    for (const day of eachDay(range.start, range.end)) {
      signal?.throwIfAborted();
      reporter.progress({ phase: "export", done, total, requests: requestsSoFar(), item: day });
      const data = await readDay(day);
      if (!recordsOn.has(day)) recordsOn.set(day, data.records.length);
      await exporter.addDay(data);
      done++;
    }
    result = await exporter.finish(userActivity ?? []);
  } catch (e) {
    await exporter.abort();
    throw e;
  }

  for (const [day, warnings] of Map.groupBy(result.warnings, (w) => w.day)) {
    reporter.warn(reconciliationLine(day, warnings), {
      event: "reconciliation",
      day,
      counters: warnings.map((w) => ({
        counter: w.counter,
        records: w.records,
        daily_usage: w.dailyUsage,
      })),
    });
  }

  const identitiesInRange = userActivityCount ??
    new Set((userActivity ?? []).map(identityKey)).size;
  const minimum = buildPlan({
    range,
    fetchDays: plan.fetchDays,
    lookbackDays: lookbackInFull ? [] : plan.lookbackFetch,
    lookbackRecordDays: lookbackInFull ? plan.lookbackFetch : [],
    userActivity: plan.fetchUserActivity,
    recordsOn: (d) => recordsOn.get(d),
    identitiesOn: (d) => identitiesOn.get(d),
    identitiesIn: plan.fetchUserActivity && chunked(range) ? undefined : () => identitiesInRange,
  });
  const byEndpoint: Record<string, number> = {};
  for (const [k, v] of Object.entries(o.stats.byEndpoint)) {
    const n = v - (startByEndpoint[k] ?? 0);
    if (n > 0) byEndpoint[k] = n;
  }
  return {
    range,
    export: result,
    daysFetched: plan.fetchDays.length,
    daysFromStore,
    provisionalDays: [...provisional.keys()],
    minimum,
    requests: o.stats.requests - startRequests,
    retries: o.stats.retries - startRetries,
    rateLimited: o.stats.rateLimited - startLimited,
    byEndpoint,
  };
}

/** Whether a range needs more than one `user-activity` series (then pages per chunk are unknown). */
function chunked(range: DayRange): boolean {
  return addDays(range.start, 89) < range.end;
}

/** Range validation for user input, re-exported for the CLI. */
export function assertRange(start: Day | undefined, end: Day | undefined): void {
  if ((start === undefined) !== (end === undefined)) {
    throw new UsageError(
      "Both --start-date and --end-date are needed",
      "give both (YYYY-MM-DD), or use --last-28-days or --since-last",
    );
  }
}

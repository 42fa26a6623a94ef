/**
 * The export job, one pipeline for the CLI, the benchmark and the tests:
 *
 * ```
 * lock → resolve the range → sync (plan → fetch → store) → render the views from the history
 * ```
 *
 * A run's range gets its per-day files (`daily/<day>/`); `latest/` always shows the 28 days
 * ending at the newest day held; `--dated` adds a copy of the range files of the run's range.
 * Every number depends on the history alone, which holds every day a run needs in full, so
 * any sequence of runs into one folder writes what the same command writes into an empty one.
 *
 * @module
 */
import type { AnalyticsClient } from "../augment/client.ts";
import { newestPublishedDay, oldestQueryableDay, validateRange } from "../augment/dates.ts";
import { MAX_LOOKBACK_DAYS } from "../augment/schemas.ts";
import type { RequestStats } from "../http/types.ts";
import { addDays, dayOf, type DayRange, eachDay } from "../model/dates.ts";
import type { Day } from "../model/types.ts";
import { DayStore } from "../store/day_store.ts";
import { lockStore } from "../store/lock.ts";
import { buildPlan, type RequestPlan } from "../store/plan.ts";
import {
  type CreditsPlan,
  gateOnFirstAnswer,
  planCredits,
  syncCredits,
  withCreditItems,
  withCredits,
} from "../sync/credits.ts";
import type { DaySizes } from "../sync/estimate.ts";
import { historySource, planSync, runSync, type SyncPlan, userActivityOf } from "../sync/sync.ts";
import { LOOKBACK_DAYS } from "../views/accumulator.ts";
import type { OutputDir } from "../views/output_dir.ts";
import { type DaySource, render, type RenderResult } from "../views/render.ts";
import type { ReconciliationWarning, View } from "../views/view.ts";
import { datedTarget, latestTarget } from "../views/writer.ts";
import type { Reporter } from "./reporter.ts";
import type { IdentityFilter } from "../privacy/pseudonym.ts";

export { LOOKBACK_DAYS };

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

/**
 * The run's range: explicit; `--last-28-days`, the 28 days ending at the newest published
 * day; `--since-last`, every day after the newest stored day up to the newest published day
 * (the last 28 days for an empty store; `undefined` when nothing is new).
 */
export async function resolveRange(
  spec: RangeSpec,
  nowMs: number,
  store?: DayStore,
): Promise<DayRange | undefined> {
  if (spec.kind === "explicit") {
    const range = { start: spec.start, end: spec.end };
    validateRange(range, nowMs);
    return range;
  }
  const end = newestPublishedDay(nowMs);
  let start = addDays(end, -27);
  if (spec.kind === "since-last") {
    const newest = store ? (await store.days()).at(-1) : undefined;
    if (newest !== undefined) {
      if (newest >= end) return undefined;
      const oldest = addDays(dayOf(nowMs), -MAX_LOOKBACK_DAYS);
      const next = addDays(newest, 1);
      start = next < oldest ? oldest : next;
    }
  }
  const range = { start, end };
  validateRange(range, nowMs);
  return range;
}

/** What a run will do, known before any request. */
export interface ExportPlan {
  /** The run's range (undefined: nothing new since the last run). */
  readonly range?: DayRange;
  /** The 28 days `latest/` shows after the run. */
  readonly latest: DayRange;
  /** Days whose per-day files the run makes sure of: the range and the latest window. */
  readonly days: readonly Day[];
  readonly sync: SyncPlan;
  /** The credits and cost of `days` to fetch (their requests are in `sync.requests` too). */
  readonly credits?: CreditsPlan;
}

/** The days a range needs held: its own and the 27 before it (within the service's reach). */
function neededFor(range: DayRange, oldest: Day): Day[] {
  return [...eachDay(addDays(range.start, -LOOKBACK_DAYS), range.end)].filter((d) => d >= oldest);
}

/** Plans a run without any request. */
export async function planExport(
  store: DayStore | undefined,
  range: DayRange | undefined,
  options: {
    refresh: boolean;
    nowMs: number;
    /** Sizes the days to fetch (default: from the stored days; `--probe`: from `dau-count`). */
    size?: (fetchDays: readonly Day[]) => Promise<DaySizes>;
  },
): Promise<ExportPlan> {
  const newestStored = store ? (await store.days()).at(-1) : undefined;
  const candidates = [newestStored, range?.end].filter((d): d is Day => d !== undefined);
  const newest = candidates.sort().at(-1) ?? newestPublishedDay(options.nowMs);
  const latest = { start: addDays(newest, -LOOKBACK_DAYS), end: newest };
  const oldest = oldestQueryableDay(options.nowMs);
  const needed = new Set(neededFor(latest, oldest));
  const days = new Set(eachDay(latest.start, latest.end));
  if (range) {
    for (const d of neededFor(range, oldest)) needed.add(d);
    for (const d of eachDay(range.start, range.end)) days.add(d);
  }
  const sync = await planSync(store, [...needed], {
    refresh: options.refresh,
    size: options.size,
  });
  const credits = await planCredits(store?.dir, [...days].sort(), options);
  const requests = withCreditItems(sync.requests, credits.items);
  return { range, latest, days: [...days].sort(), sync: { ...sync, requests }, credits };
}

/** Options of a run. */
export interface ExportRangeOptions {
  readonly client: AnalyticsClient;
  /** The HTTP layer's counters (requests made, retries, 429s). */
  readonly stats: RequestStats;
  readonly store: DayStore;
  readonly plan: ExportPlan;
  readonly out: OutputDir;
  readonly views: readonly View[];
  readonly enterpriseId: string;
  /** Also write the range files of the run's range under `reports/<start>_to_<end>/`. */
  readonly dated?: boolean;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly reporter: Reporter;
  /** Replaces identities where days enter rendering (`--pseudonymize`). */
  readonly identities?: IdentityFilter;
  /** Identities whose records may be in flight at once (the sync's default otherwise). */
  readonly identitiesInFlight?: number;
}

/** What a run did. */
export interface ExportRangeResult {
  readonly range?: DayRange;
  readonly latest: DayRange;
  readonly render: RenderResult;
  /** Days fetched from the service, and days of the range read from the store. */
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

/** Runs the export: sync what the plan says, then render every view from the history. */
export async function exportRange(o: ExportRangeOptions): Promise<ExportRangeResult> {
  const { client, store, plan, reporter, signal } = o;
  const start = {
    requests: o.stats.requests,
    retries: o.stats.retries,
    rateLimited: o.stats.rateLimited,
    byEndpoint: { ...o.stats.byEndpoint },
  };
  const requestsSoFar = () => o.stats.requests - start.requests;

  // Credits and cost go through their own bucket while the activity endpoints are fetched,
  // once the service has answered one of those (a refused token costs one request).
  const gate = gateOnFirstAnswer(client);
  const creditsClient = o.client.credits;
  const creditsPlan = plan.credits;
  const creditsRun = creditsClient && creditsPlan && gate.opened.then(() =>
    syncCredits({
      client: creditsClient,
      storeDir: store.dir,
      plan: creditsPlan,
      now: o.now,
      reporter,
      signal,
    })
  );
  creditsRun?.catch(() => {}); // awaited below; not unhandled if the sync fails first
  const synced = await runSync({
    client: gate.client,
    store,
    plan: plan.sync,
    now: o.now,
    reporter,
    requests: requestsSoFar,
    signal,
    identitiesInFlight: o.identitiesInFlight,
  });
  gate.open();
  const credits = await creditsRun;

  const fetchedActivity: { range: DayRange; identities: number }[] = [];
  const fetchActivity = userActivityOf({
    client,
    store,
    now: o.now,
    signal,
    onChunk: (range, identities) => fetchedActivity.push({ range, identities }),
  });
  const targets = [latestTarget(plan.latest, [])];
  if (o.dated && plan.range) targets.push(datedTarget(plan.range, []));
  const filter = o.identities;
  const filtered = (source: DaySource) => filter ? filter.source(source) : source;
  const filteredActivity = filter
    ? async (range: DayRange) => filter.activity(await fetchActivity(range))
    : fetchActivity;
  const result = await render({
    out: o.out,
    views: o.views,
    source: filtered(
      withCredits(historySource(store, synced.provisional), store.dir, credits?.provisional),
    ),
    days: plan.days,
    targets,
    enterpriseId: o.enterpriseId,
    createdAt: new Date(o.now()).toISOString(),
    oldest: oldestQueryableDay(o.now()),
    userActivity: filteredActivity,
    signal,
    onProgress: (done, total, day) =>
      reporter.progress({ phase: "export", done, total, requests: requestsSoFar(), item: day }),
  });

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

  const fetched = new Set(plan.sync.fetchDays);
  const rangeDays = plan.range ? [...eachDay(plan.range.start, plan.range.end)] : [];
  const minimum = withCreditItems(
    buildPlan({
      fetchDays: plan.sync.fetchDays,
      recordsOn: (d) => synced.recordsOn.get(d),
      userActivity: fetchedActivity,
    }),
    credits?.minimum ?? [],
  );
  const byEndpoint: Record<string, number> = {};
  for (const [k, v] of Object.entries(o.stats.byEndpoint)) {
    const n = v - (start.byEndpoint[k] ?? 0);
    if (n > 0) byEndpoint[k] = n;
  }
  return {
    range: plan.range,
    latest: plan.latest,
    render: result,
    daysFetched: plan.sync.fetchDays.length,
    daysFromStore: rangeDays.filter((d) => !fetched.has(d)).length,
    provisionalDays: [...synced.provisional.keys()],
    minimum,
    requests: o.stats.requests - start.requests,
    retries: o.stats.retries - start.retries,
    rateLimited: o.stats.rateLimited - start.rateLimited,
    byEndpoint,
  };
}

/** Everything a run needs: the one entry point of the CLI, the benchmark and the tests. */
export interface RunOptions {
  readonly client: AnalyticsClient;
  readonly stats: RequestStats;
  /** The store's folder, and the service it belongs to (its base URL, or a simulator key). */
  readonly storeDir: string;
  readonly storeKey: string;
  readonly out: OutputDir;
  readonly spec: RangeSpec;
  readonly views: readonly View[];
  readonly enterpriseId: string;
  readonly dated?: boolean;
  readonly refresh?: boolean;
  /** Wait this long for another run holding the store (0: refuse at once, exit 5). */
  readonly waitMs?: number;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly reporter: Reporter;
  /** Replaces identities where days enter rendering (`--pseudonymize`). */
  readonly identities?: IdentityFilter;
  /** Called with the plan before the first request (progress, logs). */
  readonly onPlan?: (plan: ExportPlan) => void;
  /** Identities whose records may be in flight at once (the sync's default otherwise). */
  readonly identitiesInFlight?: number;
}

/**
 * Takes the store's lock, resolves the range and plans under it (another run may just have
 * filled the store), syncs and renders; the lock is released whatever happens.
 */
export async function runExport(o: RunOptions): Promise<ExportRangeResult & { store: DayStore }> {
  const lock = await lockStore(o.storeDir, {
    waitMs: o.waitMs ?? 0,
    command: "export",
    now: o.now,
    signal: o.signal,
    onWait: (holder) =>
      o.reporter.info(
        `Waiting for another run${holder ? ` (pid ${holder.pid} on ${holder.host})` : ""} ` +
          `to finish with the store "${o.storeDir}"`,
        { event: "lock_wait" },
      ),
  });
  try {
    const store = await DayStore.open(o.storeDir, o.storeKey, o.now());
    // A store of an earlier version is converted in place, under the lock, never re-fetched.
    const migrated = await store.migrate();
    if (migrated > 0) {
      o.reporter.info(
        `Converted ${migrated} stored day${migrated === 1 ? "" : "s"} to the store's ` +
          `current format (nothing fetched again)`,
        { event: "store_migrated", days: migrated },
      );
    }
    const range = await resolveRange(o.spec, o.now(), store);
    const plan = await planExport(store, range, { refresh: o.refresh ?? false, nowMs: o.now() });
    o.onPlan?.(plan);
    const result = await exportRange({ ...o, store, plan });
    return { ...result, store };
  } finally {
    lock.release();
  }
}

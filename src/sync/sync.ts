/**
 * Sync: make the history hold the days a run needs. Plan the fewest requests for the days the
 * store lacks (`store/plan.ts`), fetch them — every day in full, the days before a range
 * too, so that weekly and monthly actives are exact whatever the folder held before — and
 * keep each published day as soon as all its pages arrived. A day fetched before its
 * publication is held for this run only ({@link History.provisional}).
 *
 * @module
 */
import type { AnalyticsClient } from "../augment/client.ts";
import type { DayRange } from "../model/dates.ts";
import type { Day, DayData, UserActivity } from "../model/types.ts";
import { isPublishedAt } from "../augment/dates.ts";
import { ColumnPool, type DayStore } from "../store/day_store.ts";
import { buildPlan, coverDays, type RequestPlan } from "../store/plan.ts";
import type { Reporter } from "../job/reporter.ts";
import type { DayInfo, DaySource } from "../views/render.ts";
import { type DaySizes, type SizeBasis, sizesFromStore } from "./estimate.ts";
import { DAYS_IN_FLIGHT, forEachConcurrent, IDENTITIES_IN_FLIGHT, WeightedGate } from "./pool.ts";

/** What a sync will fetch. */
export interface SyncPlan {
  /** Every day the run needs held, sorted. */
  readonly needed: readonly Day[];
  /** Of those, the days to fetch (not in the store, or `--refresh`), sorted. */
  readonly fetchDays: readonly Day[];
  /** The requests, with page counts estimated where a day's size is not known. */
  readonly requests: RequestPlan;
  /** What the estimated page counts rest on. */
  readonly basis: SizeBasis;
}

/**
 * Plans a sync without any request (`size` may make one: `--dry-run --probe`). Page counts
 * of days to fetch come from `size`, by default the stored days of the same weekday.
 */
export async function planSync(
  store: DayStore | undefined,
  needed: readonly Day[],
  options: {
    refresh: boolean;
    size?: (fetchDays: readonly Day[]) => Promise<DaySizes>;
  },
): Promise<SyncPlan> {
  const storedDays = store ? await store.days() : [];
  const stored = new Set(options.refresh ? [] : storedDays);
  const fetchDays = [...needed].sort().filter((d) => !stored.has(d));
  const sizes = fetchDays.length === 0
    ? { recordsOn: () => undefined, basis: { kind: "none" } as const }
    : await (options.size ?? (() => sizesFromStore(store)))(fetchDays);
  const requests = buildPlan({ fetchDays, recordsOn: sizes.recordsOn });
  return {
    needed: [...needed].sort(),
    fetchDays,
    // Page counts of days not yet fetched are estimates, whatever they are sized from.
    requests: {
      items: requests.items.map((i) =>
        i.endpoint === "daily-user-activity-by-editor-language" ? { ...i, exact: false } : i
      ),
      requests: requests.requests,
      exact: fetchDays.length === 0,
    },
    basis: sizes.basis,
  };
}

/** What a sync did. */
export interface SyncResult {
  /** Days fetched before their publication: used by this run, never kept. */
  readonly provisional: ReadonlyMap<Day, DayData>;
  /** Records that arrived, per day fetched (exact page counts for the plan's minimum). */
  readonly recordsOn: ReadonlyMap<Day, number>;
}

/**
 * Fetches what the plan says and keeps the published days. Several days are in flight at
 * once (at most `concurrency`, {@link DAYS_IN_FLIGHT} by default) and every window's
 * `dau-count` and `daily-usage` go out as soon as the first request was answered (it goes
 * alone, so that a refused token costs one request), so the pacer — the only gate on the
 * rate — is never left waiting on the service's latency. A day's pages come one after another
 * (cursor pagination), and the day is kept only once all of them arrived. Days complete in any
 * order; what is written does not depend on it.
 */
export async function runSync(o: {
  readonly client: AnalyticsClient;
  readonly store: DayStore;
  readonly plan: SyncPlan;
  readonly now: () => number;
  readonly reporter: Reporter;
  /** Requests made so far in the run (for progress). */
  readonly requests: () => number;
  readonly signal?: AbortSignal;
  /** Days fetched at once; {@link DAYS_IN_FLIGHT} by default. */
  readonly concurrency?: number;
  /**
   * Identities (by the days' `dau-count`) whose records may be in flight at once;
   * {@link IDENTITIES_IN_FLIGHT} by default.
   */
  readonly identitiesInFlight?: number;
}): Promise<SyncResult> {
  const { client, store, plan, reporter } = o;
  const provisional = new Map<Day, DayData>();
  const recordsOn = new Map<Day, number>();
  if (plan.fetchDays.length === 0) return { provisional, recordsOn };

  // Stops the window requests still in flight when a day fails (and the reverse).
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const windows = coverDays(plan.fetchDays);
  // A day's dau-count bounds its pages only when the day was final before it was counted.
  const countedAt = o.now();
  // The first request goes alone: a refused token or a service that is down costs one request.
  const first = client.dauCount(windows[0], { signal });
  await first;
  const dauOf = windows.map((w, i) => i === 0 ? first : client.dauCount(w, { signal }));
  const usageOf = windows.map((w) => client.dailyUsage(w, { signal }));
  // A window that fails stops the sync at once, even before a day of it is reached.
  for (const p of [...dauOf, ...usageOf]) p.catch((err) => stop.abort(err));
  const windowIndex = new Map<Day, number>();
  windows.forEach((w, i) => {
    for (const d of plan.fetchDays) if (d >= w.start && d <= w.end) windowIndex.set(d, i);
  });

  let done = 0;
  const progress = (item?: Day) =>
    reporter.progress({
      phase: "fetch",
      done,
      total: plan.fetchDays.length,
      requests: o.requests(),
      item,
    });
  progress(plan.fetchDays[0]);
  // Days in flight are bounded by their identities too: their records are held until kept.
  const gate = new WeightedGate(o.identitiesInFlight ?? IDENTITIES_IN_FLIGHT);
  const days = forEachConcurrent(
    plan.fetchDays,
    o.concurrency ?? DAYS_IN_FLIGHT,
    async (day, daySignal) => {
      const w = windowIndex.get(day)!;
      const dau = await dauOf[w];
      const expectedIdentities = isPublishedAt(day, countedAt) ? dau.get(day) : undefined;
      const release = await gate.acquire(dau.get(day) ?? 0, daySignal);
      let records;
      try {
        records = await client.dayRecords(day, { signal: daySignal, expectedIdentities });
        const usage = await usageOf[w];
        daySignal.throwIfAborted();
        const fetchedAt = o.now();
        const data: DayData = { day, records, dauCount: dau.get(day), usage: usage.get(day) };
        recordsOn.set(day, records.length);
        if (isPublishedAt(day, fetchedAt)) await store.putDay(data, fetchedAt);
        else provisional.set(day, data);
      } finally {
        release();
      }
      done++;
      reporter.debug(`Fetched day "${day}"`, { day, records: records.length });
      progress(day);
    },
    signal,
  );
  try {
    await days;
  } finally {
    // Every window request settles before the sync does (none left running after a failure).
    stop.abort();
    await Promise.allSettled([...dauOf, ...usageOf]);
  }
  for (const day of [...provisional.keys()].sort()) {
    reporter.warn(
      `Day "${day}" is not final yet (published about 03:00 UTC the next day): ` +
        `it is exported but not kept, and is fetched again on the next run`,
      { day },
    );
  }
  progress();
  return { provisional, recordsOn };
}

/** The history the views read: the store, plus this run's provisional days. */
export function historySource(
  store: DayStore,
  provisional: ReadonlyMap<Day, DayData> = new Map(),
): DaySource {
  const provisionalInfo = new Map<Day, DayInfo>();
  for (const [day, data] of provisional) {
    const counters = new Set<string>();
    for (const r of data.records) for (const k in r.metrics) counters.add(k);
    provisionalInfo.set(day, {
      version: `provisional:${crypto.randomUUID()}`,
      counters: [...counters].sort(),
      final: false,
    });
  }
  // The store's days, read one after another: their column memory is reused.
  const pool = new ColumnPool();
  return {
    async info(day) {
      const p = provisionalInfo.get(day);
      if (p) return p;
      const info = await store.dayInfo(day);
      return info && { version: info.fetchedAt, counters: info.counters, final: true };
    },
    async get(day) {
      const p = provisional.get(day);
      if (p) return p;
      const data = await store.getDay(day, { pool });
      if (!data) throw new Error(`The store lost day "${day}"`);
      return data;
    },
    release(day) {
      pool.release(day);
    },
  };
}

/**
 * `user-activity` over a range: kept in the store when every day of it is published, fetched
 * (and then kept) otherwise. Used only where the activity derived from records cannot be
 * shown equal to the service's (a day whose records do not match `daily-usage`).
 */
export function userActivityOf(o: {
  readonly client: AnalyticsClient;
  readonly store: DayStore;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  /** Each ≤90-day chunk fetched, with its identities (the plan's minimum counts them). */
  readonly onChunk?: (chunk: DayRange, identities: number) => void;
}): (range: DayRange) => Promise<UserActivity[]> {
  return async (range) => {
    const kept = await o.store.getUserActivity(range.start, range.end);
    if (kept) return kept;
    const users: UserActivity[] = [];
    const opts = { signal: o.signal, onChunk: o.onChunk };
    for await (const u of o.client.userActivity(range, opts)) users.push(u);
    if (isPublishedAt(range.end, o.now())) {
      await o.store.putUserActivity(range.start, range.end, users, o.now());
    }
    return users;
  };
}

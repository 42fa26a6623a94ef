/**
 * The request plan: the fewest requests that fetch what a run needs and the store lacks.
 *
 * For the days to fetch: `dau-count` and `daily-usage` once per ≤90-day window covering them;
 * `daily-user-activity-by-editor-language` once per day (pages of 100); `user-activity` once
 * over the range (pages of 100, per ≤90-day chunk); `dau` once per day before the range whose
 * identities the weekly and monthly windows need (pages of 250) — or, for an organisation
 * small enough that a day's records fit one page, those days' records in full, at the same
 * cost and within the same `dau-count`/`daily-usage` windows. Nothing else.
 *
 * The same function gives the plan before a run (page counts estimated from what the store
 * knows) and the minimum after it (page counts from what actually arrived), so `--dry-run`
 * and the run's summary can be compared.
 *
 * @module
 */
import { type EndpointName, ENDPOINTS, MAX_RANGE_DAYS } from "../augment/schemas.ts";
import { addDays, chunkRange, type DayRange } from "../model/dates.ts";
import type { Day } from "../model/types.ts";

/** What a run must fetch. */
export interface PlanInput {
  /** The exported range (for `user-activity`). */
  readonly range: DayRange;
  /** Days of the range to fetch (not in the store, or `--refresh`), sorted. */
  readonly fetchDays: readonly Day[];
  /** Days before the range whose identities must be fetched with `dau`, sorted. */
  readonly lookbackDays: readonly Day[];
  /** Days before the range fetched in full (editor-language records) instead, sorted. */
  readonly lookbackRecordDays?: readonly Day[];
  /** Whether `user-activity` over the range must be fetched. */
  readonly userActivity: boolean;
  /** Records on a day (exact after the run; an estimate or undefined before). */
  readonly recordsOn?: (day: Day) => number | undefined;
  /** Distinct identities on a day. */
  readonly identitiesOn?: (day: Day) => number | undefined;
  /** Distinct identities active in a range (for `user-activity` pages). */
  readonly identitiesIn?: (range: DayRange) => number | undefined;
}

/** One endpoint's share of the plan. */
export interface PlanItem {
  readonly endpoint: EndpointName;
  /** Request series (a paginated series is one or more pages). */
  readonly series: number;
  /** Requests (pages), estimated where `exact` is false. */
  readonly requests: number;
  /** Whether every page count is known rather than estimated. */
  readonly exact: boolean;
}

/** The whole plan. */
export interface RequestPlan {
  readonly items: readonly PlanItem[];
  readonly requests: number;
  readonly exact: boolean;
}

/**
 * The fewest ranges of at most `maxDays` days that cover every day in `days` (sorted):
 * greedy from the earliest uncovered day, which is optimal for fixed-length windows. Gaps
 * between stored days cost nothing.
 */
export function coverDays(days: readonly Day[], maxDays: number = MAX_RANGE_DAYS): DayRange[] {
  const out: DayRange[] = [];
  let i = 0;
  while (i < days.length) {
    const start = days[i];
    const limit = addDays(start, maxDays - 1);
    let end = start;
    while (i < days.length && days[i] <= limit) end = days[i++];
    out.push({ start, end });
  }
  return out;
}

function pages(count: number | undefined, pageSize: number): { n: number; exact: boolean } {
  if (count === undefined) return { n: 1, exact: false };
  return { n: Math.max(1, Math.ceil(count / pageSize)), exact: true };
}

/** Builds the request plan for `input`. Items with no request are left out. */
export function buildPlan(input: PlanInput): RequestPlan {
  const items: PlanItem[] = [];
  const { lookbackDays } = input;
  const fetchDays = [...input.fetchDays, ...(input.lookbackRecordDays ?? [])].sort();
  if (fetchDays.length > 0) {
    const chunks = coverDays(fetchDays).length;
    items.push({ endpoint: "dau-count", series: chunks, requests: chunks, exact: true });
    items.push({ endpoint: "daily-usage", series: chunks, requests: chunks, exact: true });
    let requests = 0;
    let exact = true;
    for (const day of fetchDays) {
      const p = pages(
        input.recordsOn?.(day),
        ENDPOINTS["daily-user-activity-by-editor-language"].maxPageSize,
      );
      requests += p.n;
      exact &&= p.exact;
    }
    items.push({
      endpoint: "daily-user-activity-by-editor-language",
      series: fetchDays.length,
      requests,
      exact,
    });
  }
  if (input.userActivity) {
    let requests = 0;
    let exact = true;
    const chunks = chunkRange(input.range, MAX_RANGE_DAYS);
    for (const chunk of chunks) {
      const p = pages(input.identitiesIn?.(chunk), ENDPOINTS["user-activity"].maxPageSize);
      requests += p.n;
      exact &&= p.exact;
    }
    items.push({ endpoint: "user-activity", series: chunks.length, requests, exact });
  }
  if (lookbackDays.length > 0) {
    let requests = 0;
    let exact = true;
    for (const day of lookbackDays) {
      const p = pages(input.identitiesOn?.(day), ENDPOINTS.dau.maxPageSize);
      requests += p.n;
      exact &&= p.exact;
    }
    items.push({ endpoint: "dau", series: lookbackDays.length, requests, exact });
  }
  return {
    items,
    requests: items.reduce((s, i) => s + i.requests, 0),
    exact: items.every((i) => i.exact),
  };
}

/** Seconds the rate limit implies for `requests`: the burst goes at once, then the rate. */
export function pacedSeconds(requests: number, ratePerMinute: number, burst: number): number {
  return Math.max(0, requests - burst) * 60 / ratePerMinute;
}

/**
 * The request plan: the fewest requests that fetch what a run needs and the store lacks.
 *
 * For the days to fetch (a range's days and the 27 days before it that the store lacks):
 * `dau-count` and `daily-usage` once per ≤90-day window covering them;
 * `daily-user-activity-by-editor-language` once per day (pages of 100). `user-activity` only
 * where the activity derived from records cannot be shown equal to the service's. Nothing
 * else.
 *
 * The same function gives the plan before a run (page counts estimated from what the store
 * knows) and the minimum after it (page counts from what actually arrived), so `--dry-run`
 * and the run's summary can be compared.
 *
 * @module
 */
import type { CreditEndpointName } from "../augment/credits.ts";
import { type EndpointName, ENDPOINTS, MAX_RANGE_DAYS } from "../augment/schemas.ts";
import { addDays, chunkRange, type DayRange } from "../model/dates.ts";
import type { Day } from "../model/types.ts";

/** What a run must fetch. */
export interface PlanInput {
  /** Days to fetch in full (not in the store, or `--refresh`), sorted. */
  readonly fetchDays: readonly Day[];
  /** Records on a day (exact after the run; an estimate or undefined before). */
  readonly recordsOn?: (day: Day) => number | undefined;
  /**
   * `user-activity` series fetched (only where the activity derived from records cannot be
   * shown equal to the service's), one entry per ≤90-day chunk with the identities that chunk
   * returned: each chunk is paged by its own identities.
   */
  readonly userActivity?: readonly { range: DayRange; identities: number }[];
}

/** One endpoint's share of the plan. */
export interface PlanItem {
  readonly endpoint: EndpointName | CreditEndpointName;
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
  const fetchDays = [...input.fetchDays].sort();
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
  if (input.userActivity && input.userActivity.length > 0) {
    let requests = 0;
    let series = 0;
    for (const { range, identities } of input.userActivity) {
      for (const _chunk of chunkRange(range, MAX_RANGE_DAYS)) {
        series++;
        requests += pages(identities, ENDPOINTS["user-activity"].maxPageSize).n;
      }
    }
    items.push({ endpoint: "user-activity", series, requests, exact: true });
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

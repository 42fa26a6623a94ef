/**
 * Sizing the days a run will fetch, for the plan before the run (`--dry-run`). The pages of a
 * day's editor-language records depend on how many records it has, which only fetching it
 * tells; the estimate says what it rests on:
 *
 * - `store`: the median record count of the newest stored days of the same weekday (an
 *   organisation works differently on Mondays and Sundays), else of all of them;
 * - `probe`: `dau-count` over the days to fetch (one request per 90 days, made by
 *   `--dry-run --probe`) gives each day's identities exactly; records per identity come from
 *   the stored days, else one record an identity (a lower bound);
 * - `none`: no stored day and no probe: one page a day, a lower bound.
 *
 * @module
 */
import type { Day } from "../model/types.ts";
import type { DayStore } from "../store/day_store.ts";

/** How many of the newest stored days the estimate reads (eight of each weekday). */
const SAMPLE_DAYS = 56;

/** What the sizes rest on. */
export type SizeBasis =
  | { readonly kind: "none" }
  | { readonly kind: "store"; readonly storedDays: number }
  | {
    readonly kind: "probe";
    readonly probeRequests: number;
    /** Stored days the records per identity were measured on (0: one record an identity). */
    readonly storedDays: number;
  };

/** Estimated records of each day to fetch, and the basis. */
export interface DaySizes {
  readonly recordsOn: (day: Day) => number | undefined;
  readonly basis: SizeBasis;
}

const weekday = (day: Day) => new Date(`${day}T00:00:00Z`).getUTCDay();

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

/** The record and identity counts of the newest stored days (their headers only). */
async function sample(
  store: DayStore | undefined,
): Promise<{ day: Day; records: number; identities: number }[]> {
  if (!store) return [];
  const days = (await store.days()).slice(-SAMPLE_DAYS);
  const out: { day: Day; records: number; identities: number }[] = [];
  for (const day of days) {
    const info = await store.dayInfo(day);
    if (info) out.push({ day, records: info.recordCount, identities: info.identityCount });
  }
  return out;
}

/** Sizes from the store alone: the median of the stored days of the same weekday. */
export async function sizesFromStore(store: DayStore | undefined): Promise<DaySizes> {
  const stored = await sample(store);
  if (stored.length === 0) return { recordsOn: () => undefined, basis: { kind: "none" } };
  const all = median(stored.map((s) => s.records));
  const byWeekday = new Map<number, number | undefined>();
  for (let w = 0; w < 7; w++) {
    byWeekday.set(w, median(stored.filter((s) => weekday(s.day) === w).map((s) => s.records)));
  }
  return {
    recordsOn: (day) => byWeekday.get(weekday(day)) ?? all,
    basis: { kind: "store", storedDays: stored.length },
  };
}

/**
 * Sizes from each day's identities (`dau-count`, probed) times the records an identity has on
 * the stored days (one when nothing is stored: a lower bound).
 */
export async function sizesFromProbe(
  store: DayStore | undefined,
  identitiesOn: ReadonlyMap<Day, number>,
  probeRequests: number,
): Promise<DaySizes> {
  const stored = (await sample(store)).filter((s) => s.identities > 0);
  const records = stored.reduce((n, s) => n + s.records, 0);
  const identities = stored.reduce((n, s) => n + s.identities, 0);
  const perIdentity = identities > 0 ? records / identities : 1;
  return {
    recordsOn: (day) => {
      const n = identitiesOn.get(day);
      return n === undefined ? undefined : Math.round(n * perIdentity);
    },
    basis: { kind: "probe", probeRequests, storedDays: stored.length },
  };
}

/**
 * The data as served at a given instant and under given faults: published days only, names
 * and counters as the faults say, and the aggregates (`daily-usage`, `user-activity`, `dau`,
 * `dau-count`) computed from the very records served, so that they always agree.
 *
 * @module
 */
import { addDays, dayToEpochMs, eachDay } from "../model/dates.ts";
import { generateDayRecords } from "./data.ts";
import type { Faults, SimMetrics, SimRecord, WireMetrics } from "./types.ts";

/** The undocumented counter added under the `unknownCounters` fault. */
export const UNKNOWN_COUNTER = "next_edit_suggestions";

/** A day's data appears this long after the end of the day (02:00 UTC the next day). */
export const PUBLICATION_DELAY_MS = 2 * 3_600_000;

/** Whether `day` is published at `nowMs`. */
export function isPublished(day: string, nowMs: number): boolean {
  return nowMs >= dayToEpochMs(addDays(day, 1)) + PUBLICATION_DELAY_MS;
}

/** The identity key of a record (kinds kept apart). */
export function identityKey(r: { user_email?: string; service_account_name?: string }): string {
  return r.user_email !== undefined ? `u:${r.user_email}` : `s:${r.service_account_name}`;
}

/** Adds `b` into `a`, key by key. */
function addInto(a: SimMetrics, b: SimMetrics): SimMetrics {
  for (const k in b) a[k] = (a[k] ?? 0) + b[k];
  return a;
}

/**
 * The metrics as sent: under `missingCounters`, without zero counters and suggested lines;
 * under `bigCounters`, with that value for a positive `completions_count`.
 */
export function wireMetrics(m: SimMetrics, faults: Faults): WireMetrics {
  let out: WireMetrics = { ...m };
  if (faults.missingCounters) {
    out = {};
    for (const [k, v] of Object.entries(m)) {
      if (v !== 0 && k !== "completions_suggested_lines_of_code") out[k] = v;
    }
  }
  if (faults.bigCounters !== undefined && m.completions_count > 0) {
    out.completions_count = faults.bigCounters;
  }
  return out;
}

/** Records of the generator, cached per day (they never change). */
export class RecordSource {
  readonly #cache = new Map<string, SimRecord[]>();
  constructor(readonly seed: number, readonly users: number) {}

  /** The generated records of `day`. */
  day(day: string): SimRecord[] {
    let records = this.#cache.get(day);
    if (!records) {
      if (this.#cache.size >= 1000) this.#cache.clear();
      records = generateDayRecords(this.seed, this.users, day);
      this.#cache.set(day, records);
    }
    return records;
  }
}

/** The data as served at `nowMs` under `faults`. */
export class ServedData {
  constructor(
    readonly source: RecordSource,
    readonly nowMs: number,
    readonly faults: Faults,
  ) {}

  /** The editor-language records of `day` as served (none before publication). */
  records(day: string): SimRecord[] {
    if (!isPublished(day, this.nowMs)) return [];
    const { lowerCaseNames, unknownCounters } = this.faults;
    return this.source.day(day).map((r) => {
      const metrics = { ...r.metrics };
      if (unknownCounters) metrics[UNKNOWN_COUNTER] = Math.floor(metrics.completions_count / 3);
      return {
        ...r,
        editor: lowerCaseNames ? r.editor.toLowerCase() : r.editor,
        language: lowerCaseNames ? r.language.toLowerCase() : r.language,
        metrics,
      };
    });
  }

  /** The distinct identities of `day`, in order of first record. */
  dauUsers(day: string): { user_email?: string; service_account_name?: string }[] {
    const seen = new Map<string, { user_email?: string; service_account_name?: string }>();
    for (const r of this.records(day)) {
      const key = identityKey(r);
      if (!seen.has(key)) {
        seen.set(
          key,
          r.user_email !== undefined
            ? { user_email: r.user_email }
            : { service_account_name: r.service_account_name },
        );
      }
    }
    return [...seen.values()];
  }

  /** `dau-count`: every day of the range, 0 when nobody was active (or not yet published). */
  dauCounts(start: string, end: string): { date: string; user_count: number }[] {
    return [...eachDay(start, end)].map((date) => ({
      date,
      user_count: this.dauUsers(date).length,
    }));
  }

  /**
   * `daily-usage`: the sum of each day's records; days without records omitted (and, under
   * `dailyUsageDrift`, some days off by one or missing).
   */
  dailyUsage(start: string, end: string): { date: string; metrics: WireMetrics }[] {
    const out: { date: string; metrics: WireMetrics }[] = [];
    for (const date of eachDay(start, end)) {
      const records = this.records(date);
      if (!records.length) continue;
      const metrics: SimMetrics = {};
      for (const r of records) addInto(metrics, r.metrics);
      if (this.faults.dailyUsageDrift) {
        const dayOfMonth = Number(date.slice(8));
        if (dayOfMonth % 7 === 0) continue;
        if (dayOfMonth % 5 === 0) metrics.completions_count += 1;
      }
      out.push({ date, metrics: wireMetrics(metrics, this.faults) });
    }
    return out;
  }

  /** `user-activity`: per-identity sums over the range with `active_days`; inactive omitted. */
  userActivity(start: string, end: string): Record<string, unknown>[] {
    const byId = new Map<
      string,
      { id: Record<string, string>; days: Set<string>; metrics: SimMetrics }
    >();
    for (const date of eachDay(start, end)) {
      for (const r of this.records(date)) {
        const key = identityKey(r);
        let entry = byId.get(key);
        if (!entry) {
          entry = {
            id: r.user_email !== undefined
              ? { user_email: r.user_email }
              : { service_account_name: r.service_account_name as string },
            days: new Set(),
            metrics: {},
          };
          byId.set(key, entry);
        }
        entry.days.add(date);
        addInto(entry.metrics, r.metrics);
      }
    }
    return [...byId.values()]
      .sort((a, b) => compareIdentity(a.id, b.id))
      .map((e) => ({
        ...e.id,
        active_days: e.days.size,
        metrics: wireMetrics(e.metrics, this.faults),
      }));
  }
}

/** Users before service accounts, each by name. */
function compareIdentity(a: Record<string, string>, b: Record<string, string>): number {
  const ka = a.user_email !== undefined ? `0${a.user_email}` : `1${a.service_account_name}`;
  const kb = b.user_email !== undefined ? `0${b.user_email}` : `1${b.service_account_name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

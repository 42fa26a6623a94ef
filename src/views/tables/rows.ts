/**
 * A day's rows of the three warehouse tables, in columns (one array per column, in
 * {@link columnsOf} order), from the day's facts. Pure: no I/O.
 *
 * - `activity`: the day's records, sorted by identity, kind, editor and language; records of
 *   the same (identity, kind, editor, language) — which the service should not send — are
 *   summed into one row, so the grain holds and no count is lost.
 * - `user_day`: the day's identities as analysed (same order), their counters summed.
 * - `org_day`: one row, from the Format C entity row of the day and its reconciliation.
 *
 * @module
 */
import { isKnownCounter, KNOWN_COUNTERS } from "../../model/metrics.ts";
import type { ActivityRecord } from "../../model/types.ts";
import type { DayFacts } from "../view.ts";
import { type Column, columnsOf, type TableName } from "./schema.ts";

/** One table's rows of a day, by column. */
export interface TableColumns {
  readonly table: TableName;
  readonly columns: readonly Column[];
  /** `values[c][r]`: column `c` of row `r`. */
  readonly values: readonly unknown[][];
  readonly rows: number;
}

/** The three tables of one day, and the unknown counters that are their extra columns. */
export interface DayTables {
  /** Unknown counter names of the day's records, sorted. */
  readonly extra: readonly string[];
  readonly activity: TableColumns;
  readonly user_day: TableColumns;
  readonly org_day: TableColumns;
}

/** Status of the day's records against `daily-usage`. */
export type DailyUsageStatus = "match" | "differs" | "missing";

/** `missing` when the service sent no `daily-usage` for the day, else `match` or `differs`. */
export function dailyUsageStatus(f: DayFacts): DailyUsageStatus {
  if (f.data.usage === undefined) return "missing";
  return f.reconciliation.length > 0 ? "differs" : "match";
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRecords(x: ActivityRecord, y: ActivityRecord): number {
  return cmp(x.identity, y.identity) || cmp(x.kind, y.kind) || cmp(x.editor, y.editor) ||
    cmp(x.language, y.language);
}

/** Unknown counter names of the day: of every record, and of the day's totals. */
function extraCounters(f: DayFacts): string[] {
  const names = new Set<string>();
  for (const r of f.data.records) {
    const m: Readonly<Record<string, number>> = r.metrics;
    for (const k in m) if (!isKnownCounter(k)) names.add(k);
  }
  for (const k in f.analysis.totals) if (!isKnownCounter(k)) names.add(k);
  return [...names].sort();
}

/** Empty column arrays for `n` columns. */
function emptyColumns(n: number): unknown[][] {
  return Array.from({ length: n }, () => []);
}

const KNOWN = KNOWN_COUNTERS.length;

/**
 * Appends the counters of `c` to the counter columns starting at `at`: the sixteen documented
 * ones (0 when absent), then `extra` (null when absent).
 */
function pushCounters(
  values: unknown[][],
  at: number,
  c: Readonly<Record<string, number>>,
  extra: readonly string[],
): void {
  for (let k = 0; k < KNOWN; k++) values[at + k].push(c[KNOWN_COUNTERS[k]] ?? 0);
  for (let k = 0; k < extra.length; k++) values[at + KNOWN + k].push(c[extra[k]] ?? null);
}

/** Adds `c` into the counters of the last row (a duplicate record). */
function addToLastRow(
  values: unknown[][],
  at: number,
  c: Readonly<Record<string, number>>,
  extra: readonly string[],
): void {
  const last = values[0].length - 1;
  for (let k = 0; k < KNOWN; k++) {
    (values[at + k][last] as number) += c[KNOWN_COUNTERS[k]] ?? 0;
  }
  for (let k = 0; k < extra.length; k++) {
    const v = c[extra[k]];
    if (v === undefined) continue;
    const col = values[at + KNOWN + k];
    col[last] = ((col[last] as number | null) ?? 0) + v;
  }
}

/** The day's rows of the three tables. */
export function dayTables(f: DayFacts): DayTables {
  const extra = extraCounters(f);

  // activity, and each identity's distinct editors and languages for user_day.
  const records = [...f.data.records].sort(compareRecords);
  const activityColumns = columnsOf("activity", extra);
  const a = emptyColumns(activityColumns.length);
  const parts = new Map<string, { editors: Set<string>; languages: Set<string> }>();
  let prev: ActivityRecord | undefined;
  for (const r of records) {
    if (prev !== undefined && compareRecords(prev, r) === 0) {
      addToLastRow(a, 4, r.metrics, extra);
      continue;
    }
    prev = r;
    a[0].push(r.identity);
    a[1].push(r.kind);
    a[2].push(r.editor);
    a[3].push(r.language);
    pushCounters(a, 4, r.metrics, extra);
    const key = `${r.kind}:${r.identity}`;
    let p = parts.get(key);
    if (p === undefined) {
      p = { editors: new Set(), languages: new Set() };
      parts.set(key, p);
    }
    p.editors.add(r.editor);
    p.languages.add(r.language);
  }

  // user_day
  const userColumns = columnsOf("user_day", extra);
  const u = emptyColumns(userColumns.length);
  for (const i of f.analysis.identities) {
    const p = parts.get(`${i.kind}:${i.name}`);
    const editors = p ? [...p.editors].sort(cmp) : [];
    const languages = p ? [...p.languages].sort(cmp) : [];
    u[0].push(i.name);
    u[1].push(i.kind);
    u[2].push(i.chat);
    u[3].push(i.ideOrRemoteAgent);
    u[4].push(i.cli);
    u[5].push(editors);
    u[6].push(languages);
    u[7].push(editors.length);
    u[8].push(languages.length);
    pushCounters(u, 9, i.counters, extra);
  }

  // org_day
  const orgColumns = columnsOf("org_day", extra);
  const o = emptyColumns(orgColumns.length);
  const e = f.entityRow;
  const status = dailyUsageStatus(f);
  const row: unknown[] = [
    e.enterprise_id,
    e.daily_active_users,
    e.weekly_active_users,
    e.monthly_active_users,
    e.monthly_active_chat_users,
    e.monthly_active_agent_users,
    e.daily_active_cli_users,
    f.window.complete,
    f.data.dauCount ?? null,
    f.analysis.identityCount,
    f.analysis.serviceAccountCount,
    status,
    status === "differs" ? f.reconciliation.map((w) => w.counter) : [],
    f.final,
  ];
  row.forEach((v, c) => o[c].push(v));
  pushCounters(o, row.length, f.analysis.totals, extra);

  return {
    extra,
    activity: { table: "activity", columns: activityColumns, values: a, rows: a[0].length },
    user_day: { table: "user_day", columns: userColumns, values: u, rows: u[0].length },
    org_day: { table: "org_day", columns: orgColumns, values: o, rows: 1 },
  };
}

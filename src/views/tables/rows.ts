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
import { addKnown } from "../../copilot/features.ts";
import { isKnownCounter, KNOWN_COUNTERS } from "../../model/metrics.ts";
import { type DayColumns, dayColumns } from "../../model/day_columns.ts";
import type { ActivityRecord } from "../../model/types.ts";
import type { DayFacts } from "../view.ts";
import { type Column, columnsOf, type TableName } from "./schema.ts";

/**
 * One table's rows of a day, by column: the key columns as arrays, the sixteen documented
 * counters in one row-major `Float64Array` (row `r`, counter `k` at `r * 16 + k`, exact for
 * every whole number up to 2^53 − 1), the unknown counters as arrays with null where absent.
 */
export interface TableColumns {
  /** A {@link TableName}, or `team_day` (written by the teams' table view). */
  readonly table: string;
  /** Every column: the keys, the sixteen counters, then the unknown ones. */
  readonly columns: readonly Column[];
  /** `keys[c][r]`: key column `c` of row `r`. */
  readonly keys: readonly unknown[][];
  readonly known: Float64Array;
  /** `extra[e][r]`: unknown counter `e` of row `r`, null when the row does not have it. */
  readonly extra: readonly (number | null)[][];
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

/** Unknown counter names of the day: of every record, and of the day's totals. */
function extraCounters(f: DayFacts): string[] {
  const names = new Set<string>();
  const columns = dayColumns(f.data);
  // Every undocumented counter of a stored day has a column.
  if (columns) {
    for (const k of columns.counters.keys()) if (!isKnownCounter(k)) names.add(k);
  } else {
    for (const r of f.data.records) {
      const m: Readonly<Record<string, number>> = r.metrics;
      for (const k in m) if (!isKnownCounter(k)) names.add(k);
    }
  }
  for (const k in f.analysis.totals) if (!isKnownCounter(k)) names.add(k);
  return [...names].sort();
}

/**
 * An identity's distinct editors and languages in the activity table: lists, not sets (an
 * identity has a few of each; a set is a table of its own, ten thousand a day).
 */
interface Part {
  readonly editors: string[];
  readonly languages: string[];
}

/** Adds `name` to `list` unless it is there. */
function addOnce(list: string[], name: string): void {
  if (!list.includes(name)) list.push(name);
}

/**
 * The editors and languages of each identity in the activity table, by kind, then name (no
 * `kind:name` string made per identity and day).
 */
type Parts = Map<string, Map<string, Part>>;

/** The part of identity (`kind`, `name`), new and empty when it has none yet. */
function partFor(parts: Parts, kind: string, name: string): Part {
  let byName = parts.get(kind);
  if (byName === undefined) parts.set(kind, byName = new Map());
  let p = byName.get(name);
  if (p === undefined) {
    p = { editors: [], languages: [] };
    byName.set(name, p);
  }
  return p;
}

/** Ranks of `names` in `cmp` order, by index. */
function ranks(
  names: readonly string[],
  order = (a: number, b: number) => cmp(names[a], names[b]),
) {
  const sorted = Array.from(names, (_, i) => i).sort(order);
  const rank = new Float64Array(names.length);
  sorted.forEach((i, r) => rank[i] = r);
  return rank;
}

/**
 * The activity table from a stored day's columns: the same rows, in the same order, as from
 * its records (sorted by identity, kind, editor and language; equal keys summed), without
 * making the records.
 */
function activityOfColumns(c: DayColumns, a: Builder, extra: readonly string[], parts: Parts) {
  const idRank = ranks(
    c.identities,
    (x, y) => cmp(c.identities[x], c.identities[y]) || cmp(c.kinds[x], c.kinds[y]),
  );
  const editorRank = ranks(c.editors);
  const languageRank = ranks(c.languages);
  const nE = c.editors.length;
  const nL = c.languages.length;
  const n = c.recordCount;
  const key = scratch.f64("key", n);
  for (let i = 0; i < n; i++) {
    key[i] = (idRank[c.ids[i]] * nE + editorRank[c.editorIds[i]]) * nL +
      languageRank[c.languageIds[i]];
  }
  const order = sortedOrder(key);
  const knownAt: number[] = [];
  const knownValues: Float64Array[] = [];
  for (const [name, values] of c.counters) {
    const at = KNOWN_COUNTERS.indexOf(name as typeof KNOWN_COUNTERS[number]);
    if (at >= 0) {
      knownAt.push(at);
      knownValues.push(values);
    }
  }
  const extraValues = extra.map((name) => c.counters.get(name));
  // Each stored identity's part of `parts`, found once (not by its key, row after row).
  const partOf: (Part | undefined)[] = new Array(c.identities.length);
  const known = a.known;
  let prev = -1;
  for (let o = 0; o < n; o++) {
    const i = order[o];
    if (prev < 0 || key[prev] !== key[i]) {
      const id = c.ids[i];
      const editor = c.editors[c.editorIds[i]];
      const language = c.languages[c.languageIds[i]];
      a.row4(c.identities[id], c.kinds[id], editor, language);
      let part = partOf[id];
      if (part === undefined) {
        part = partOf[id] = partFor(parts, c.kinds[id], c.identities[id]);
      }
      addOnce(part.editors, editor);
      addOnce(part.languages, language);
    }
    prev = i;
    const base = (a.rows - 1) * N;
    // Indexed loops: `for…of` here made an iterator per record.
    for (let k = 0; k < knownAt.length; k++) known[base + knownAt[k]] += knownValues[k][i];
    const last = a.rows - 1;
    for (let e = 0; e < extraValues.length; e++) {
      const v = extraValues[e]?.[i];
      if (v !== undefined && v === v) a.extra[e][last] = (a.extra[e][last] ?? 0) + v;
    }
  }
}

/**
 * Working arrays of a day's activity table (a sort key, the sorted order and the sort's own
 * array, the records' name indexes: a record each), kept from day to day: each is used
 * within one synchronous call.
 */
class Scratch {
  readonly #f64 = new Map<"key" | "combined", Float64Array>();
  readonly #u32 = new Map<"order" | "ids" | "editorIds" | "languageIds", Uint32Array>();

  /** The first `n` numbers of the slot's array (grown when shorter). */
  f64(slot: "key" | "combined", n: number): Float64Array {
    let a = this.#f64.get(slot);
    if (a === undefined || a.length < n) this.#f64.set(slot, a = new Float64Array(grown(n)));
    return a.subarray(0, n);
  }

  /** The first `n` numbers of the slot's array (grown when shorter). */
  u32(slot: "order" | "ids" | "editorIds" | "languageIds", n: number): Uint32Array {
    let a = this.#u32.get(slot);
    if (a === undefined || a.length < n) this.#u32.set(slot, a = new Uint32Array(grown(n)));
    return a.subarray(0, n);
  }
}

/** Room for `n` and a quarter more: the next day is about as large. */
function grown(n: number): number {
  return Math.ceil(n * 1.25);
}

const scratch = new Scratch();

/**
 * The indexes of `key` (whole numbers ≥ 0) sorted by key, then by index. When every
 * `key * n + index` is exact, those numbers are sorted natively (no comparison function).
 */
function sortedOrder(key: Float64Array): Uint32Array {
  const n = key.length;
  let max = 0;
  for (let i = 0; i < n; i++) if (key[i] > max) max = key[i];
  const order = scratch.u32("order", n);
  if ((max + 1) * n <= Number.MAX_SAFE_INTEGER) {
    const combined = scratch.f64("combined", n);
    for (let i = 0; i < n; i++) combined[i] = key[i] * n + i;
    combined.sort();
    for (let o = 0; o < n; o++) order[o] = combined[o] % n;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((x, y) => key[x] - key[y] || x - y);
}

/** Interns names: each distinct one's index, in order of appearance. */
class Names {
  readonly #ids = new Map<string, number>();
  readonly names: string[] = [];

  id(name: string): number {
    let i = this.#ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.#ids.set(name, i);
      this.names.push(name);
    }
    return i;
  }
}

/**
 * The activity table from a day's records: sorted by identity, kind, editor and language as
 * strings compare (equal keys summed in the records' order), but through each name's rank:
 * a number per record to sort, not four string comparisons per comparison.
 */
function activityOfRecords(
  records: readonly ActivityRecord[],
  a: Builder,
  extra: readonly string[],
  parts: Parts,
) {
  const n = records.length;
  // An identity is a (name, kind) pair: one table of names per kind.
  const byKind = new Map<string, Names>();
  const identities: { name: string; kind: string }[] = [];
  const identityOf = new Map<Names, number[]>();
  const editors = new Names();
  const languages = new Names();
  const ids = scratch.u32("ids", n);
  const editorIds = scratch.u32("editorIds", n);
  const languageIds = scratch.u32("languageIds", n);
  for (let i = 0; i < n; i++) {
    const r = records[i];
    let names = byKind.get(r.kind);
    if (names === undefined) {
      byKind.set(r.kind, names = new Names());
      identityOf.set(names, []);
    }
    const local = names.id(r.identity);
    const global = identityOf.get(names)!;
    if (local === global.length) {
      global.push(identities.length);
      identities.push({ name: r.identity, kind: r.kind });
    }
    ids[i] = global[local];
    editorIds[i] = editors.id(r.editor);
    languageIds[i] = languages.id(r.language);
  }
  const idRank = ranks(
    identities.map((x) => x.name),
    (x, y) =>
      cmp(identities[x].name, identities[y].name) || cmp(identities[x].kind, identities[y].kind),
  );
  const editorRank = ranks(editors.names);
  const languageRank = ranks(languages.names);
  const nE = editors.names.length;
  const nL = languages.names.length;
  const key = scratch.f64("key", n);
  for (let i = 0; i < n; i++) {
    key[i] = (idRank[ids[i]] * nE + editorRank[editorIds[i]]) * nL + languageRank[languageIds[i]];
  }
  const order = sortedOrder(key);
  const partOf: (Part | undefined)[] = new Array(identities.length);
  let prev = -1;
  for (let o = 0; o < n; o++) {
    const i = order[o];
    const r = records[i];
    if (prev < 0 || key[prev] !== key[i]) {
      a.row4(r.identity, r.kind, r.editor, r.language);
      const id = ids[i];
      const part = partOf[id] ??= partFor(parts, r.kind, r.identity);
      addOnce(part.editors, r.editor);
      addOnce(part.languages, r.language);
    }
    prev = i;
    addKnown(a.known, (a.rows - 1) * N, r.metrics);
    if (extra.length > 0) a.addExtra(r.metrics);
  }
}

const N = KNOWN_COUNTERS.length;

/** A table being filled: at most `capacity` rows. */
class Builder {
  readonly columns: Column[];
  readonly keys: unknown[][];
  readonly known: Float64Array;
  readonly extra: (number | null)[][];
  rows = 0;

  constructor(
    readonly table: TableName,
    readonly extraNames: readonly string[],
    capacity: number,
  ) {
    this.columns = columnsOf(table, extraNames);
    this.keys = Array.from({ length: this.columns.length - N - extraNames.length }, () => []);
    this.known = takeKnown(capacity * N);
    this.extra = extraNames.map(() => []);
  }

  /** Starts a row with its key values; its counters are 0 (unknown ones null) until added. */
  row(keys: readonly unknown[]): void {
    for (let c = 0; c < keys.length; c++) this.keys[c].push(keys[c]);
    for (let e = 0; e < this.extra.length; e++) this.extra[e].push(null);
    this.rows++;
  }

  /** {@link row} of a table with four key columns, without an array for them. */
  row4(k0: unknown, k1: unknown, k2: unknown, k3: unknown): void {
    const keys = this.keys;
    keys[0].push(k0);
    keys[1].push(k1);
    keys[2].push(k2);
    keys[3].push(k3);
    for (let e = 0; e < this.extra.length; e++) this.extra[e].push(null);
    this.rows++;
  }

  /** Adds the unknown counters of `c` into the last row. */
  addExtra(c: Readonly<Record<string, number>>): void {
    const last = this.rows - 1;
    for (let e = 0; e < this.extraNames.length; e++) {
      const v = c[this.extraNames[e]];
      if (v !== undefined) this.extra[e][last] = (this.extra[e][last] ?? 0) + v;
    }
  }

  done(): TableColumns {
    return {
      table: this.table,
      columns: this.columns,
      keys: this.keys,
      known: this.known.subarray(0, this.rows * N),
      extra: this.extra,
      rows: this.rows,
    };
  }
}

/** Each day's tables, made once for the views that write them (Parquet and NDJSON). */
const tablesOf = new WeakMap<DayFacts, DayTables>();

/**
 * The day's rows of the three tables (made once per day, shared: never to be changed), until
 * {@link releaseDayTables}.
 */
export function dayTables(f: DayFacts): DayTables {
  let t = tablesOf.get(f);
  if (t === undefined) tablesOf.set(f, t = makeDayTables(f));
  return t;
}

/**
 * Counter blocks of released tables, for the next day's: a day's activity block is megabytes,
 * and blocks made afresh each day wait for a full collection to be freed.
 */
const spareKnown: Float64Array[] = [];
const MAX_SPARE_KNOWN = 3;

/** A zeroed counter block of `length` numbers: a spare one when one is large enough. */
function takeKnown(length: number): Float64Array {
  let best = -1;
  for (let i = 0; i < spareKnown.length; i++) {
    const l = spareKnown[i].length;
    if (l >= length && (best < 0 || l < spareKnown[best].length)) best = i;
  }
  if (best < 0) return new Float64Array(length);
  const [block] = spareKnown.splice(best, 1);
  return block.subarray(0, length).fill(0);
}

/**
 * The day's tables are no longer used (every view has written them): their counter blocks go
 * to the next days' tables. Tables of `f` asked for again are made afresh.
 */
export function releaseDayTables(f: DayFacts): void {
  const t = tablesOf.get(f);
  if (t === undefined) return;
  tablesOf.delete(f);
  for (const table of [t.activity, t.user_day, t.org_day]) {
    const whole = new Float64Array(table.known.buffer);
    if (spareKnown.length < MAX_SPARE_KNOWN) spareKnown.push(whole);
    else {
      // Keep the largest blocks.
      let smallest = 0;
      for (let i = 1; i < spareKnown.length; i++) {
        if (spareKnown[i].length < spareKnown[smallest].length) smallest = i;
      }
      if (spareKnown[smallest].length < whole.length) spareKnown[smallest] = whole;
    }
  }
}

function makeDayTables(f: DayFacts): DayTables {
  const extra = extraCounters(f);

  // activity, and each identity's distinct editors and languages for user_day.
  const columns = dayColumns(f.data);
  const a = new Builder("activity", extra, columns?.recordCount ?? f.data.records.length);
  const parts: Parts = new Map();
  if (columns) activityOfColumns(columns, a, extra, parts);
  else activityOfRecords(f.data.records, a, extra, parts);

  // user_day
  const identities = f.analysis.identities;
  const u = new Builder("user_day", extra, identities.length);
  for (const i of identities) {
    const p = parts.get(i.kind)?.get(i.name);
    // Sorted in place: the parts are this day's, and each identity's is used once.
    const editors = p ? p.editors.sort(cmp) : [];
    const languages = p ? p.languages.sort(cmp) : [];
    u.row([
      i.name,
      i.kind,
      i.chat,
      i.ideOrRemoteAgent,
      i.cli,
      editors,
      languages,
      editors.length,
      languages.length,
    ]);
    u.known.set(i.sums, (u.rows - 1) * N);
    if (extra.length > 0) u.addExtra(i.counters);
  }

  // org_day
  const o = new Builder("org_day", extra, 1);
  const e = f.entityRow;
  const status = dailyUsageStatus(f);
  o.row([
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
  ]);
  o.known.set(f.analysis.totalSums, 0);
  if (extra.length > 0) o.addExtra(f.analysis.totals);

  return { extra, activity: a.done(), user_day: u.done(), org_day: o.done() };
}

/**
 * A stored day's columns beside its records: a day read from the store carries them (a
 * property that is not enumerable, so a copy that replaces its records drops them), and a pass
 * that needs only identities and a few counters reads them instead of the records, which are
 * then never made.
 *
 * @module
 */
import type { DayData, IdentityKind } from "./types.ts";

/** The key of a day's columns on its {@link DayData}. */
export const DAY_COLUMNS: unique symbol = Symbol("augment-metrics.dayColumns");

/** A day's records as columns, every value already checked. */
export interface DayColumns {
  readonly recordCount: number;
  /** Distinct identities: name and kind. */
  readonly identities: readonly string[];
  readonly kinds: readonly IdentityKind[];
  /** Per record: its identity's index. */
  readonly ids: Uint32Array;
  /** Distinct editors and languages as received, and each record's index into them. */
  readonly editors: readonly string[];
  readonly editorIds: Uint16Array;
  readonly languages: readonly string[];
  readonly languageIds: Uint16Array;
  /**
   * Per counter with a column: its values, per record. A documented counter without a column
   * is 0 in every record; in an undocumented counter's column, NaN marks a record without it.
   */
  readonly counters: ReadonlyMap<string, Float64Array>;
}

/** The columns of a day read from the store, when it was (and its records are its own). */
export function dayColumns(data: DayData): DayColumns | undefined {
  return (data as { [DAY_COLUMNS]?: DayColumns })[DAY_COLUMNS];
}

/**
 * `data` with `extra` fields (credits, …), its records not made if they were not yet, and its
 * columns kept. Use it instead of `{ ...data, … }`, which makes the records.
 */
export function withDayFields(
  data: DayData,
  extra: Omit<Partial<DayData>, "day" | "records">,
): DayData {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(data)) as DayData;
  return Object.assign(out, extra);
}

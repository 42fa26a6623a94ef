/**
 * UTC calendar-day arithmetic. Days are `YYYY-MM-DD` strings; nothing here depends on the
 * machine's time zone.
 *
 * @module
 */
import type { Day } from "./types.ts";

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Whether `s` is a real calendar day written `YYYY-MM-DD` (rejects 2026-02-30). */
export function isDay(s: string): boolean {
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 &&
    d.getUTCDate() === +m[3];
}

/** Milliseconds since the epoch at 00:00 UTC of `day`. */
export function dayToEpochMs(day: Day): number {
  const m = DAY_RE.exec(day);
  if (!m || !isDay(day)) throw new RangeError(`Invalid day "${day}": expected YYYY-MM-DD`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3]);
}

/** The UTC day containing the instant `ms`. */
export function dayOf(ms: number): Day {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `day` plus `n` days (n may be negative). */
export function addDays(day: Day, n: number): Day {
  return dayOf(dayToEpochMs(day) + n * MS_PER_DAY);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: Day, b: Day): number {
  return Math.round((dayToEpochMs(b) - dayToEpochMs(a)) / MS_PER_DAY);
}

/** Every day from `start` to `end`, both included. */
export function* eachDay(start: Day, end: Day): Generator<Day> {
  for (let d = start; d <= end; d = addDays(d, 1)) yield d;
}

/** An inclusive range of UTC days. */
export interface DayRange {
  readonly start: Day;
  readonly end: Day;
}

/** Splits a range into consecutive chunks of at most `maxDays` days. */
export function chunkRange(range: DayRange, maxDays: number): DayRange[] {
  const out: DayRange[] = [];
  let start = range.start;
  while (start <= range.end) {
    const end = addDays(start, maxDays - 1);
    out.push({ start, end: end < range.end ? end : range.end });
    start = addDays(start, maxDays);
  }
  return out;
}

/**
 * The service's date rules, checked before any request: days are real `YYYY-MM-DD` UTC days,
 * the newest queryable day is yesterday (UTC), and nothing older than 2 years is answered.
 * Ranges longer than 90 days are allowed here: the client splits them (`chunkRange`). And
 * publication: a day is final once fetched after 03:00 UTC the next day.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { addDays, dayOf, type DayRange, isDay } from "../model/dates.ts";
import type { Day } from "../model/types.ts";
import { MAX_LOOKBACK_DAYS } from "./schemas.ts";

/** The newest day the service answers at `nowMs`: yesterday (UTC). */
export function newestQueryableDay(nowMs: number): Day {
  return addDays(dayOf(nowMs), -1);
}

/** The oldest day the service answers at `nowMs`: 730 days before today (UTC). */
export function oldestQueryableDay(nowMs: number): Day {
  return addDays(dayOf(nowMs), -MAX_LOOKBACK_DAYS);
}

function checkFormat(day: string): void {
  if (!isDay(day)) {
    throw new UsageError(
      `Invalid date "${day}": expected a calendar day written YYYY-MM-DD`,
      "Dates are UTC days, e.g. 2026-01-31",
    );
  }
}

function checkQueryable(day: Day, nowMs: number): void {
  const newest = newestQueryableDay(nowMs);
  if (day > newest) {
    throw new UsageError(
      `Cannot query "${day}": the newest day the service answers is "${newest}" (yesterday, UTC)`,
      `End the range on "${newest}" or earlier`,
    );
  }
  const oldest = oldestQueryableDay(nowMs);
  if (day < oldest) {
    throw new UsageError(
      `Cannot query "${day}": the service answers at most ${MAX_LOOKBACK_DAYS} days back, to "${oldest}"`,
      `Start the range on "${oldest}" or later`,
    );
  }
}

/** Throws `UsageError` unless `day` is a real day the service answers at `nowMs`. */
export function validateDay(day: Day, nowMs: number): void {
  checkFormat(day);
  checkQueryable(day, nowMs);
}

/**
 * Throws `UsageError` for a range the service cannot answer at `nowMs`: a day not written
 * `YYYY-MM-DD` (or not a real day), an end before the start, a day after yesterday (UTC), or
 * a day more than 730 days back.
 */
export function validateRange(range: DayRange, nowMs: number): void {
  checkFormat(range.start);
  checkFormat(range.end);
  if (range.end < range.start) {
    throw new UsageError(
      `Invalid range "${range.start}" to "${range.end}": the end is before the start`,
      "Give the earlier day first",
    );
  }
  checkQueryable(range.end, nowMs);
  checkQueryable(range.start, nowMs);
}

/** A day's publication: after this hour (UTC) of the next day, a day's data is final. */
export const PUBLICATION_HOUR_UTC = 3;

/** Whether data for `day` fetched at `fetchedAtMs` is final (fetched after publication). */
export function isPublishedAt(day: Day, fetchedAtMs: number): boolean {
  const final = Date.parse(`${addDays(day, 1)}T0${PUBLICATION_HOUR_UTC}:00:00Z`);
  return fetchedAtMs >= final;
}

/** The newest day whose data is final at `nowMs` (yesterday after 03:00 UTC, else the day before). */
export function newestPublishedDay(nowMs: number): Day {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  return isPublishedAt(yesterday, nowMs) ? yesterday : addDays(today, -2);
}

/**
 * Strict checking of query parameters, like the real service: unknown parameters, bad
 * dates, dates after yesterday (UTC) or more than two years back, ranges over 90 days and bad
 * page sizes are refused; missing dates get the documented defaults.
 *
 * @module
 */
import {
  type EndpointName,
  ENDPOINTS,
  MAX_LOOKBACK_DAYS,
  MAX_RANGE_DAYS,
} from "../augment/schemas.ts";
import { addDays, dayOf, daysBetween, isDay } from "../model/dates.ts";

/** A refused request: the message of a 400 `InvalidArgument`. */
export class InvalidArgument extends Error {
  override name = "InvalidArgument";
}

/** The checked parameters of a request. */
export type Query =
  | { kind: "range"; start: string; end: string; cursor?: string; pageSize?: number }
  | { kind: "single"; date: string; cursor?: string; pageSize?: number };

function checkDay(name: string, value: string): string {
  if (!isDay(value)) {
    throw new InvalidArgument(`invalid ${name} "${value}": expected YYYY-MM-DD`);
  }
  return value;
}

/** Checks `params` for `endpoint` at the instant `nowMs`; throws `InvalidArgument`. */
export function parseQuery(endpoint: EndpointName, params: URLSearchParams, nowMs: number): Query {
  const spec = ENDPOINTS[endpoint];
  const allowed: readonly string[] = spec.params;
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!allowed.includes(key)) {
      throw new InvalidArgument(
        `unknown parameter "${key}"; accepted parameters: ${allowed.join(", ")}`,
      );
    }
    if (seen.has(key)) throw new InvalidArgument(`parameter "${key}" given more than once`);
    seen.add(key);
  }
  const today = dayOf(nowMs);
  const yesterday = addDays(today, -1);
  const oldest = addDays(today, -MAX_LOOKBACK_DAYS);

  let pageSize: number | undefined;
  const rawSize = params.get("page_size");
  if (spec.paged && rawSize !== null) {
    if (!/^[1-9]\d{0,8}$/.test(rawSize)) {
      throw new InvalidArgument(`invalid page_size "${rawSize}": expected a positive integer`);
    }
    pageSize = Number(rawSize);
    if (pageSize > spec.maxPageSize) {
      throw new InvalidArgument(
        `page_size ${pageSize} exceeds the maximum of ${spec.maxPageSize}`,
      );
    }
  }
  const cursor = params.get("cursor") ?? undefined;
  if (cursor === "") throw new InvalidArgument("invalid cursor");

  if (allowed.includes("date")) {
    const date = checkDay("date", params.get("date") ?? yesterday);
    if (date > yesterday) throw new InvalidArgument("date cannot be later than yesterday (UTC)");
    if (date < oldest) {
      throw new InvalidArgument(`date cannot be earlier than ${oldest} (2 years ago)`);
    }
    return { kind: "single", date, cursor, pageSize };
  }

  const rawStart = params.get("start_date");
  const rawEnd = params.get("end_date");
  if (rawStart !== null) checkDay("start_date", rawStart);
  if (rawEnd !== null) checkDay("end_date", rawEnd);
  let start: string;
  let end: string;
  if (rawStart !== null && rawEnd !== null) {
    start = rawStart;
    end = rawEnd;
  } else if (rawStart !== null) {
    if (rawStart > yesterday) {
      throw new InvalidArgument("start_date cannot be later than yesterday (UTC)");
    }
    start = rawStart;
    const week = addDays(start, 6);
    end = week < yesterday ? week : yesterday;
  } else if (rawEnd !== null) {
    end = rawEnd;
    start = addDays(end, -6);
  } else {
    end = yesterday;
    start = addDays(end, -6);
  }
  if (end > yesterday) throw new InvalidArgument("end_date cannot be later than yesterday (UTC)");
  if (start > end) throw new InvalidArgument("start_date cannot be later than end_date");
  if (daysBetween(start, end) + 1 > MAX_RANGE_DAYS) {
    throw new InvalidArgument(`date range cannot exceed ${MAX_RANGE_DAYS} days`);
  }
  if (start < oldest) {
    throw new InvalidArgument(`start_date cannot be earlier than ${oldest} (2 years ago)`);
  }
  return { kind: "range", start, end, cursor, pageSize };
}

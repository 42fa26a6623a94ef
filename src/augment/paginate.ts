/**
 * Cursor pagination, generic over how one page is fetched.
 *
 * Stops when `has_more` is false or `next_cursor` is empty or null (documented as empty,
 * observed as null). Fails with `ServiceError` when a cursor repeats, or when the pages go
 * beyond what the service's own counts imply: the caller's bound (from `dau-count`, see
 * {@link pageBound}) or the totals in the pages' metadata, whichever allows more; with neither,
 * {@link DEFAULT_MAX_PAGES}. A cursor that never repeats but never ends must never mean an
 * endless run.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";
import type { Metadata, Pagination } from "./schemas.ts";

/** Hard cap on the pages of one series, whatever the counts say. */
export const MAX_PAGES = 10_000;

/**
 * Pages followed when nothing says how many to expect (no bound from the caller, no totals in
 * the metadata): 1 000 pages are 100 000 records of a day, or 100 000 identities.
 */
export const DEFAULT_MAX_PAGES = 1_000;

/** Pages allowed beyond what the counts imply: counts and pages may disagree a little. */
export const PAGE_MARGIN = 5;

/** One page as the endpoint returned it. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly pagination?: Pagination | null;
  readonly metadata?: Metadata | null;
}

/** How many pages the service's own counts allow, and which counts (for the message). */
export interface PageBound {
  readonly pages: number;
  /** What the bound comes from, e.g. `12 active identities`. */
  readonly basis: string;
}

/** Options of {@link paginate}. */
export interface PaginateOptions<T> {
  /** Endpoint path, for messages. */
  readonly endpoint: string;
  /** What is read, for messages: a day, or a range (`2026-01-01 to 2026-03-31`). */
  readonly scope?: string;
  /** The `page_size` sent with every page. */
  readonly pageSize: number;
  /** Fetches the page at `cursor` (`undefined` for the first page). */
  readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>;
  /** Pages the caller's counts allow (see {@link pageBound}). */
  readonly bound?: PageBound;
  /** Hard cap on pages; {@link MAX_PAGES} by default. */
  readonly maxPages?: number;
}

/**
 * The pages `identities` active identities may fill, at `itemsPerIdentity` items each (at
 * most), with a margin of {@link PAGE_MARGIN} pages; `undefined` when the count is unknown or
 * not a count.
 */
export function pageBound(
  identities: number | undefined,
  itemsPerIdentity: number,
  pageSize: number,
): PageBound | undefined {
  if (identities === undefined || !Number.isSafeInteger(identities) || identities < 0) {
    return undefined;
  }
  return {
    pages: Math.ceil((identities * itemsPerIdentity) / pageSize) + PAGE_MARGIN,
    basis: `${identities} active ${identities === 1 ? "identity" : "identities"}`,
  };
}

/** Pages the metadata's totals allow, with a margin for counts that moved between pages. */
export function pageLimitFromMetadata(
  metadata: Metadata | null | undefined,
  pageSize: number,
): number | undefined {
  const total = metadata?.total_record_count ?? metadata?.total_user_count;
  if (typeof total !== "number" || !Number.isFinite(total) || total < 0) return undefined;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return pages + Math.max(3, Math.ceil(pages / 10));
}

/** Yields every item of every page, in order. */
export async function* paginate<T>(options: PaginateOptions<T>): AsyncGenerator<T> {
  const { endpoint, pageSize, fetchPage, bound } = options;
  const hardCap = options.maxPages ?? MAX_PAGES;
  const where = options.scope === undefined
    ? `"${endpoint}"`
    : `"${endpoint}" for ${options.scope}`;
  const seen = new Set<string>();
  let fromMetadata: number | undefined;
  let cursor: string | undefined;
  for (let pages = 1;; pages++) {
    const page = await fetchPage(cursor);
    yield* page.items;

    const limit = pageLimitFromMetadata(page.metadata, pageSize);
    if (limit !== undefined) fromMetadata = Math.max(fromMetadata ?? 0, limit);

    const next = page.pagination?.next_cursor;
    if (page.pagination?.has_more === false || next === undefined || next === null || next === "") {
      return;
    }
    if (seen.has(next)) {
      throw new ServiceError(
        `Cannot page through ${where}: the service returned the same cursor twice (after page ${pages}); try again later, or report it if it persists`,
        { endpoint, attempts: pages },
      );
    }
    seen.add(next);
    // The service's own counts, whichever allows more; a default when there are none.
    const counted = Math.max(bound?.pages ?? 0, fromMetadata ?? 0);
    const known = bound !== undefined || fromMetadata !== undefined;
    const cap = Math.min(known ? counted : DEFAULT_MAX_PAGES, hardCap);
    if (pages >= cap) {
      const why = cap === hardCap
        ? `more than ${cap} pages`
        : !known
        ? `more than ${cap} pages, with no count to say how many to expect`
        : bound !== undefined && bound.pages >= (fromMetadata ?? 0)
        ? `more than the ${cap} pages its own counts imply (${bound.basis})`
        : `more than the ${cap} pages its totals imply`;
      throw new ServiceError(
        `Cannot page through ${where}: the service still had more after ${pages} pages, ${why}; try again later, or report it if it persists`,
        { endpoint, attempts: pages },
      );
    }
    cursor = next;
  }
}

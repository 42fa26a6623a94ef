/**
 * Cursor pagination, generic over how one page is fetched.
 *
 * Stops when `has_more` is false or `next_cursor` is empty or null (documented as empty,
 * observed as null). Fails with `ServiceError` when a cursor repeats, or when the pages go
 * far beyond what the metadata's totals imply, or past a hard cap: a looping service must
 * never mean an endless run.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";
import type { Metadata, Pagination } from "./schemas.ts";

/** Hard cap on the pages of one series. */
export const MAX_PAGES = 10_000;

/** One page as the endpoint returned it. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly pagination?: Pagination | null;
  readonly metadata?: Metadata | null;
}

/** Options of {@link paginate}. */
export interface PaginateOptions<T> {
  /** Endpoint path, for messages. */
  readonly endpoint: string;
  /** The `page_size` sent with every page. */
  readonly pageSize: number;
  /** Fetches the page at `cursor` (`undefined` for the first page). */
  readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>;
  /** Hard cap on pages; {@link MAX_PAGES} by default. */
  readonly maxPages?: number;
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
  const { endpoint, pageSize, fetchPage } = options;
  const hardCap = options.maxPages ?? MAX_PAGES;
  const seen = new Set<string>();
  let limit: number | undefined;
  let cursor: string | undefined;
  for (let pages = 1;; pages++) {
    const page = await fetchPage(cursor);
    yield* page.items;

    const fromMetadata = pageLimitFromMetadata(page.metadata, pageSize);
    if (fromMetadata !== undefined) limit = Math.max(limit ?? 0, fromMetadata);

    const next = page.pagination?.next_cursor;
    if (page.pagination?.has_more === false || next === undefined || next === null || next === "") {
      return;
    }
    if (seen.has(next)) {
      throw new ServiceError(
        `Cannot page through "${endpoint}": the service returned the same cursor twice (after page ${pages}); try again later, or report it if it persists`,
        { endpoint, attempts: pages },
      );
    }
    seen.add(next);
    const cap = Math.min(limit ?? hardCap, hardCap);
    if (pages >= cap) {
      const why = limit !== undefined && limit < hardCap
        ? `more than the ${cap} pages its totals imply`
        : `more than ${cap} pages`;
      throw new ServiceError(
        `Cannot page through "${endpoint}": the service kept paging, ${why}; try again later, or report it if it persists`,
        { endpoint, attempts: pages },
      );
    }
    cursor = next;
  }
}

/**
 * The Analytics API client: one method per endpoint, returning the internal model.
 *
 * Dates are checked before any request (`validateRange`); range endpoints are split into
 * chunks of at most 90 days; paginated endpoints are read at their maximum page size. Only
 * the documented query parameters are ever sent (the service answers 400 to others).
 *
 * @module
 */
import type * as z from "zod";
import { ServiceError } from "../errors.ts";
import { chunkRange, type DayRange } from "../model/dates.ts";
import {
  addCounters,
  type Counters,
  CounterValueError,
  describeValue,
  parseCounters,
} from "../model/metrics.ts";
import type { ActivityRecord, Day, Identity, UserActivity } from "../model/types.ts";
import type { JsonGetter, QueryParams } from "../http/types.ts";
import { printable } from "../text.ts";
import type { CreditsClient } from "./credits.ts";
import { validateDay, validateRange } from "./dates.ts";
import { pageBound, paginate } from "./paginate.ts";
import {
  DailyUsageResponse,
  DauCountResponse,
  DauResponse,
  EditorLanguageResponse,
  type EndpointName,
  ENDPOINTS,
  identityOf,
  MAX_RANGE_DAYS,
  UserActivityResponse,
} from "./schemas.ts";

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call (and any retry wait) at once. */
  readonly signal?: AbortSignal;
}

/** Per-call options of the paginated reads. */
export interface PagedRequestOptions extends RequestOptions {
  /**
   * How many identities the service's own counts say are active in what is read: the day's
   * `dau-count` (for `dayRecords`, `editorLanguageRecords`, `dau`), or for `userActivity` an
   * upper bound on the range's distinct identities (the sum of its `dau-count`s). It bounds the
   * pages followed ({@link ITEMS_PER_IDENTITY} items an identity, plus a margin), so that a
   * cursor that never ends stops the run with a `ServiceError` instead of paging for hours.
   * Unknown: the metadata's totals, else `DEFAULT_MAX_PAGES`.
   */
  readonly expectedIdentities?: number;
}

/** Options of {@link AnalyticsClient.userActivity}. */
export interface UserActivityOptions extends PagedRequestOptions {
  /**
   * Called after each ≤90-day chunk of the range was read in full, with the identities it
   * returned: each chunk is paged by its own identities, which is what the plan counts.
   */
  readonly onChunk?: (chunk: DayRange, identities: number) => void;
}

/**
 * The most items one identity can have in each paginated list: one entry in `dau` and
 * `user-activity`; records in `daily-user-activity-by-editor-language`, one per editor and
 * language it used that day (64 pairs is far beyond what anyone uses in a day).
 */
export const ITEMS_PER_IDENTITY: Readonly<Record<PagedEndpoint, number>> = {
  "dau": 1,
  "user-activity": 1,
  "daily-user-activity-by-editor-language": 64,
};

/**
 * The service sent a counter value this tool cannot represent exactly (negative, not finite,
 * beyond 2^53 − 1, or a fraction in a documented counter): the run stops rather than write a
 * wrong number. Exit 4, like every fault of the service's data.
 */
export class UnrepresentableCounterError extends ServiceError {
  override name = "UnrepresentableCounterError";
  constructor(
    readonly where: {
      readonly endpoint: string;
      /** The day, or the range as `start to end`. */
      readonly scope: string;
      readonly counter: string;
      readonly value: number | string;
      /** The identity whose record carried it (none for `daily-usage`). */
      readonly identity?: string;
    },
  ) {
    const of = where.identity === undefined ? "" : ` of "${printable(where.identity)}"`;
    super(
      `Cannot read "${where.endpoint}" for ${where.scope}: counter "${
        printable(where.counter)
      }"${of} is ${
        printable(describeValue(where.value))
      }, a value the service sent that this tool cannot represent exactly (counters are whole numbers from 0 to ${Number.MAX_SAFE_INTEGER}); report it to Augment support`,
      { endpoint: where.endpoint },
    );
  }
}

/** The paginated endpoints. */
export type PagedEndpoint = "dau" | "user-activity" | "daily-user-activity-by-editor-language";

/** Options of an {@link AnalyticsClient}. */
export interface AnalyticsClientOptions {
  /** Current time in ms since the epoch, for the date rules; `Date.now` by default. */
  readonly now?: () => number;
  /** Page sizes to use instead of each endpoint's maximum (1 to the maximum). */
  readonly pageSizes?: Partial<Record<PagedEndpoint, number>>;
  /** Told about each counter value that is not a number (it is not counted). */
  readonly onIgnoredCounter?: (endpoint: string, key: string, value: unknown) => void;
}

/** Editor or language name used when the service sent none. */
export const UNKNOWN_NAME = "Unknown";

/** The Augment Analytics API over a paced, retrying {@link JsonGetter}. */
export class AnalyticsClient {
  /** The credits and cost endpoints, when the HTTP client can reach them (see `credits.ts`). */
  credits?: CreditsClient;
  readonly #http: JsonGetter;
  readonly #now: () => number;
  readonly #pageSizes: Record<PagedEndpoint, number>;
  readonly #onIgnored?: (endpoint: string, key: string, value: unknown) => void;

  constructor(http: JsonGetter, options: AnalyticsClientOptions = {}) {
    this.#http = http;
    this.#now = options.now ?? Date.now;
    this.#onIgnored = options.onIgnoredCounter;
    const size = (name: PagedEndpoint) => {
      const max = ENDPOINTS[name].maxPageSize;
      const n = options.pageSizes?.[name] ?? max;
      if (!Number.isInteger(n) || n < 1 || n > max) {
        throw new RangeError(`Invalid page size "${n}" for "${name}": expected 1 to ${max}`);
      }
      return n;
    };
    this.#pageSizes = {
      "dau": size("dau"),
      "user-activity": size("user-activity"),
      "daily-user-activity-by-editor-language": size("daily-user-activity-by-editor-language"),
    };
  }

  /** `dau-count`: active users per day, one request per ≤90-day chunk. */
  async dauCount(range: DayRange, opts: RequestOptions = {}): Promise<Map<Day, number>> {
    validateRange(range, this.#now());
    const out = new Map<Day, number>();
    for (const chunk of chunkRange(range, MAX_RANGE_DAYS)) {
      const body = await this.#get("dau-count", rangeParams(chunk), DauCountResponse, opts);
      const items = body.daily_active_user_counts
        .filter((i) => i.date >= chunk.start && i.date <= chunk.end)
        .sort((a, b) => a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
      for (const item of items) out.set(item.date, item.user_count);
    }
    return out;
  }

  /**
   * `daily-usage`: the organisation's counters per day, one request per ≤90-day chunk. Days
   * without activity are absent (the service omits them). Unknown counters are kept.
   */
  async dailyUsage(range: DayRange, opts: RequestOptions = {}): Promise<Map<Day, Counters>> {
    validateRange(range, this.#now());
    const endpoint = ENDPOINTS["daily-usage"].path;
    const out = new Map<Day, Counters>();
    for (const chunk of chunkRange(range, MAX_RANGE_DAYS)) {
      const body = await this.#get("daily-usage", rangeParams(chunk), DailyUsageResponse, opts);
      const items = body.daily_usage
        .filter((i) => i.date >= chunk.start && i.date <= chunk.end)
        .sort((a, b) => a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
      for (const item of items) {
        out.set(item.date, this.#counters(endpoint, item.date, undefined, item.metrics));
      }
    }
    return out;
  }

  /** `dau`: every identity active on `date` (paginated, 250 a page). */
  async *dau(date: Day, opts: PagedRequestOptions = {}): AsyncGenerator<Identity> {
    validateDay(date, this.#now());
    const pageSize = this.#pageSizes["dau"];
    yield* paginate({
      endpoint: ENDPOINTS["dau"].path,
      scope: date,
      pageSize,
      bound: pageBound(opts.expectedIdentities, ITEMS_PER_IDENTITY["dau"], pageSize),
      fetchPage: async (cursor) => {
        const body = await this.#get(
          "dau",
          { date, cursor, page_size: pageSize },
          DauResponse,
          opts,
        );
        return {
          items: body.users.map(identityOf),
          pagination: body.pagination,
          metadata: body.metadata,
        };
      },
    });
  }

  /**
   * `user-activity`: each active identity's `active_days` and counters over `range`
   * (paginated, 100 a page). A range longer than 90 days is fetched in ≤90-day chunks and
   * each identity's `active_days` and counters are summed across them (chunks do not
   * overlap, so the sum is exact; a sum beyond 2^53 − 1 fails with
   * {@link UnrepresentableCounterError}); identities then come in order of first appearance.
   */
  async *userActivity(
    range: DayRange,
    opts: UserActivityOptions = {},
  ): AsyncGenerator<UserActivity> {
    validateRange(range, this.#now());
    const chunks = chunkRange(range, MAX_RANGE_DAYS);
    if (chunks.length === 1) {
      let n = 0;
      for await (const u of this.#userActivityChunk(chunks[0], opts)) {
        n++;
        yield u;
      }
      opts.onChunk?.(chunks[0], n);
      return;
    }
    const byIdentity = new Map<
      string,
      { identity: string; kind: UserActivity["kind"]; activeDays: number; metrics: Counters }
    >();
    for (const chunk of chunks) {
      let n = 0;
      for await (const u of this.#userActivityChunk(chunk, opts)) {
        n++;
        const key = `${u.kind}\u0000${u.identity}`;
        const sum = byIdentity.get(key);
        if (sum === undefined) byIdentity.set(key, { ...u, metrics: { ...u.metrics } });
        else {
          sum.activeDays += u.activeDays;
          addCounters(sum.metrics, u.metrics);
        }
      }
      opts.onChunk?.(chunk, n);
    }
    // Each part was a safe integer, so a sum is exact unless it passed 2^53 − 1.
    for (const u of byIdentity.values()) {
      for (const counter in u.metrics) {
        if (!(u.metrics[counter] <= Number.MAX_SAFE_INTEGER)) {
          throw new UnrepresentableCounterError({
            endpoint: ENDPOINTS["user-activity"].path,
            scope: `${range.start} to ${range.end}`,
            counter,
            value: u.metrics[counter],
            identity: u.identity,
          });
        }
      }
    }
    yield* byIdentity.values();
  }

  /**
   * `daily-user-activity-by-editor-language`: the records of one day (paginated, 100 a
   * page). Editor and language are kept exactly as received; when missing, null or empty
   * they are `"Unknown"`.
   */
  async *editorLanguageRecords(
    date: Day,
    opts: PagedRequestOptions = {},
  ): AsyncGenerator<ActivityRecord> {
    validateDay(date, this.#now());
    const name = "daily-user-activity-by-editor-language";
    const endpoint = ENDPOINTS[name].path;
    const pageSize = this.#pageSizes[name];
    yield* paginate({
      endpoint,
      scope: date,
      pageSize,
      bound: pageBound(opts.expectedIdentities, ITEMS_PER_IDENTITY[name], pageSize),
      fetchPage: async (cursor) => {
        const body = await this.#get(
          name,
          { date, cursor, page_size: pageSize },
          EditorLanguageResponse,
          opts,
        );
        const items = body.records.map((r): ActivityRecord => {
          const id = identityOf(r);
          return {
            day: date,
            identity: id.name,
            kind: id.kind,
            editor: r.editor || UNKNOWN_NAME,
            language: r.language || UNKNOWN_NAME,
            metrics: this.#counters(endpoint, date, id.name, r.metrics),
          };
        });
        return { items, pagination: body.pagination, metadata: body.metadata };
      },
    });
  }

  /**
   * Every editor-language record of `date` (all pages). Pass the day's `dau-count` as
   * `expectedIdentities` when known: it bounds the pages followed.
   */
  async dayRecords(date: Day, opts: PagedRequestOptions = {}): Promise<ActivityRecord[]> {
    const out: ActivityRecord[] = [];
    for await (const r of this.editorLanguageRecords(date, opts)) out.push(r);
    return out;
  }

  #userActivityChunk(chunk: DayRange, opts: PagedRequestOptions): AsyncGenerator<UserActivity> {
    const name = "user-activity";
    const endpoint = ENDPOINTS[name].path;
    const pageSize = this.#pageSizes[name];
    const scope = `${chunk.start} to ${chunk.end}`;
    return paginate({
      endpoint,
      scope,
      pageSize,
      bound: pageBound(opts.expectedIdentities, ITEMS_PER_IDENTITY[name], pageSize),
      fetchPage: async (cursor) => {
        const body = await this.#get(
          name,
          { ...rangeParams(chunk), cursor, page_size: pageSize },
          UserActivityResponse,
          opts,
        );
        const items = body.users.map((u): UserActivity => {
          const id = identityOf(u);
          return {
            identity: id.name,
            kind: id.kind,
            activeDays: u.active_days ?? 0,
            metrics: this.#counters(endpoint, scope, id.name, u.metrics),
          };
        });
        return { items, pagination: body.pagination, metadata: body.metadata };
      },
    });
  }

  /** The counters of one item; a value that cannot be counted exactly stops the run. */
  #counters(endpoint: string, scope: string, identity: string | undefined, raw: unknown): Counters {
    const onIgnored = this.#onIgnored;
    try {
      return parseCounters(raw, onIgnored && ((key, value) => onIgnored(endpoint, key, value)));
    } catch (e) {
      if (!(e instanceof CounterValueError)) throw e;
      throw new UnrepresentableCounterError({
        endpoint,
        scope,
        counter: e.counter,
        value: e.value,
        identity,
      });
    }
  }

  /** GET one endpoint, refusing (as a bug) any parameter the endpoint does not document. */
  #get<T>(
    name: EndpointName,
    params: QueryParams,
    schema: z.ZodType<T>,
    opts: RequestOptions,
  ): Promise<T> {
    const allowed: readonly string[] = ENDPOINTS[name].params;
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && !allowed.includes(key)) {
        throw new Error(`Bug: parameter "${key}" is not documented for "${name}"`);
      }
    }
    return this.#http.getJson(ENDPOINTS[name].path, params, schema, { signal: opts.signal });
  }
}

function rangeParams(range: DayRange): QueryParams {
  return { start_date: range.start, end_date: range.end };
}

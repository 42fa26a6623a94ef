/**
 * The credits and cost endpoints: `GET credit-usage-by-user` (credits per day, identity and
 * model) and `POST cost-analytics` (tokens, USD and credits per day and resource).
 *
 * Their contract comes from client implementations, not the official reference, so every
 * field is read defensively: credits and money are numbers or decimal strings, read as exact
 * {@link Decimal}s; token counts are numbers or digit strings. Both endpoints have their own
 * rate limit (30 a minute, {@link CREDITS_BUCKET}) and answer 403 or 404 when the enterprise
 * does not have them: that is {@link CreditsNotEnabledError}, which the sync turns into one
 * warning (the run goes on without credits).
 *
 * @module
 */
import * as z from "zod";
import { AuthError, ServiceError } from "../errors.ts";
import type { EndpointBucket } from "../http/pacing.ts";
import type { JsonGetter } from "../http/types.ts";
import { type CostPoint, CreditRecordList } from "../model/credits.ts";
import { chunkRange, type DayRange } from "../model/dates.ts";
import { CountError, Decimal, DecimalError, parseCount } from "../model/money.ts";
import type { Day } from "../model/types.ts";
import { printable } from "../text.ts";
import { type Page, paginate } from "./paginate.ts";
import { API_PREFIX, MAX_RANGE_DAYS, Metadata, Pagination } from "./schemas.ts";

/** The credits and cost endpoints. */
export const CREDIT_ENDPOINTS = {
  "credit-usage-by-user": {
    path: `${API_PREFIX}/credit-usage-by-user`,
    params: ["start_date", "end_date", "by_date", "by_model", "cursor", "page_size"],
    maxPageSize: 500,
  },
  "cost-analytics": {
    path: `${API_PREFIX}/cost-analytics`,
    params: [
      "start_date",
      "end_date",
      "granularity",
      "group_by_keys",
      "filters",
      "cursor",
      "page_size",
    ],
    maxPageSize: 1000,
  },
} as const;

/** The name of a credits or cost endpoint. */
export type CreditEndpointName = keyof typeof CREDIT_ENDPOINTS;

/** The pacing of both endpoints: 30 a minute, apart from the activity endpoints' 10. */
export const CREDITS_BUCKET: EndpointBucket = {
  paths: [CREDIT_ENDPOINTS["credit-usage-by-user"].path, CREDIT_ENDPOINTS["cost-analytics"].path],
  ratePerMinute: 30,
  burst: 10,
};

/** Model or resource name used when the service sent none. */
export const UNKNOWN_MODEL = "unknown";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");
/** A number or a decimal string; read exactly afterwards. */
const decimalLike = z.union([z.number(), z.string()]);

export const CreditUsageRecord = z.looseObject({
  date: day,
  model_name: z.string().nullish(),
  credits_consumed: decimalLike,
  user_email: z.string().min(1).nullish(),
  service_account_name: z.string().min(1).nullish(),
}).refine(
  (v) => (v.user_email ? 1 : 0) + (v.service_account_name ? 1 : 0) === 1,
  "each record must carry exactly one of user_email or service_account_name",
);
export const CreditUsageResponse = z.looseObject({
  records: z.array(CreditUsageRecord),
  pagination: Pagination.nullish(),
  metadata: Metadata.nullish(),
});
export type CreditUsageResponse = z.infer<typeof CreditUsageResponse>;

export const CostMetrics = z.looseObject({
  input_tokens: decimalLike.nullish(),
  output_tokens: decimalLike.nullish(),
  cache_read_tokens: decimalLike.nullish(),
  cache_write_tokens: decimalLike.nullish(),
  billed_amount_usd: decimalLike.nullish(),
  estimated_customer_cost_usd: decimalLike.nullish(),
  credits_consumed: decimalLike.nullish(),
});
export const CostDataPoint = z.looseObject({
  start_date: day,
  end_date: day.nullish(),
  cost_metrics: CostMetrics.nullish(),
  group_by_values: z.record(z.string(), z.unknown()).nullish(),
});
export const CostAnalyticsResponse = z.looseObject({
  data_points: z.array(CostDataPoint),
  pagination: Pagination.nullish(),
  metadata: z.looseObject({}).nullish(),
});
export type CostAnalyticsResponse = z.infer<typeof CostAnalyticsResponse>;

/** The endpoint is not enabled for this enterprise (it answered 403 or 404). */
export class CreditsNotEnabledError extends Error {
  override name = "CreditsNotEnabledError";
  constructor(readonly endpoint: CreditEndpointName, readonly status: number) {
    super(`"${CREDIT_ENDPOINTS[endpoint].path}" is not enabled for this enterprise (${status})`);
  }
}

/** What the credits client needs of the HTTP layer: a paced, retrying GET and POST. */
export interface JsonGetterPoster extends Pick<JsonGetter, "getJson"> {
  postJson<T>(
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
}

/** Options of a {@link CreditsClient}. */
export interface CreditsClientOptions {
  /** Page sizes to use instead of each endpoint's maximum. */
  readonly pageSizes?: Partial<Record<CreditEndpointName, number>>;
}

/** A request series the client sent: for the run's plan minimum. */
export interface CreditSeries {
  readonly endpoint: CreditEndpointName;
  readonly range: DayRange;
  /** Pages sent. */
  readonly pages: number;
  /** Items the pages held. */
  readonly items: number;
}

/** Options of a series of requests. */
export interface SeriesOptions {
  readonly signal?: AbortSignal;
  /** Told each ≤90-day chunk's pages and items (the run's plan minimum). */
  readonly onSeries?: (s: CreditSeries) => void;
}

/** The credits and cost endpoints over a paced, retrying HTTP client. */
export class CreditsClient {
  readonly #http: JsonGetterPoster;
  readonly #pageSizes: Record<CreditEndpointName, number>;

  constructor(http: JsonGetterPoster, options: CreditsClientOptions = {}) {
    this.#http = http;
    const size = (name: CreditEndpointName) => {
      const max = CREDIT_ENDPOINTS[name].maxPageSize;
      const n = options.pageSizes?.[name] ?? max;
      if (!Number.isInteger(n) || n < 1 || n > max) {
        throw new RangeError(`Invalid page size "${n}" for "${name}": expected 1 to ${max}`);
      }
      return n;
    };
    this.#pageSizes = {
      "credit-usage-by-user": size("credit-usage-by-user"),
      "cost-analytics": size("cost-analytics"),
    };
  }

  /**
   * Credits per day, identity and model over `range` (≤90-day chunks, pages of 500), each
   * day's records a compact {@link CreditRecordList}. Days without credits are absent.
   * `onSeries` is told each chunk's pages.
   */
  async creditUsage(
    range: DayRange,
    opts: SeriesOptions = {},
  ): Promise<Map<Day, CreditRecordList>> {
    const name = "credit-usage-by-user";
    const { path } = CREDIT_ENDPOINTS[name];
    const pageSize = this.#pageSizes[name];
    const out = new Map<Day, CreditRecordList>();
    const names = new Map<string, string>();
    await this.#byDay(name, range, opts, {
      fetchPage: async (chunk, cursor) => {
        const body = await this.#http.getJson(
          path,
          {
            start_date: chunk.start,
            end_date: chunk.end,
            by_date: "true",
            by_model: "true",
            cursor,
            page_size: pageSize,
          },
          CreditUsageResponse,
          { signal: opts.signal },
        );
        return { items: body.records, pagination: body.pagination };
      },
      dayOf: (r) => r.date,
      take: (r, day) => {
        const credits = readDecimal(path, day, "credits_consumed", r.credits_consumed);
        const model = modelOf(r.model_name);
        let list = out.get(day);
        if (!list) out.set(day, list = new CreditRecordList(names));
        if (r.user_email) list.push(r.user_email, "user", model, credits);
        else list.push(r.service_account_name as string, "service_account", model, credits);
      },
    });
    return out;
  }

  /**
   * Cost per day and resource over `range` (≤90-day requests, day granularity, pages of
   * 1000). Days without cost are absent.
   */
  async costByDay(range: DayRange, opts: SeriesOptions = {}): Promise<Map<Day, CostPoint[]>> {
    const name = "cost-analytics";
    const { path } = CREDIT_ENDPOINTS[name];
    const pageSize = this.#pageSizes[name];
    const out = new Map<Day, CostPoint[]>();
    await this.#byDay(name, range, opts, {
      fetchPage: async (chunk, cursor) => {
        const body = await this.#http.postJson(
          path,
          {
            start_date: chunk.start,
            end_date: chunk.end,
            granularity: "COST_ANALYTICS_TIME_GRANULARITY_DAY",
            group_by_keys: ["COST_ANALYTICS_GROUP_BY_RESOURCE"],
            ...(cursor === undefined ? {} : { cursor }),
            page_size: pageSize,
          },
          CostAnalyticsResponse,
          { signal: opts.signal },
        );
        return { items: body.data_points, pagination: body.pagination };
      },
      dayOf: (p) => p.start_date,
      take: (p, day) => {
        const point = costPoint(path, day, p);
        const list = out.get(day);
        if (list) list.push(point);
        else out.set(day, [point]);
      },
    });
    return out;
  }

  /**
   * One endpoint's items over `range`, each given to `take` with its day: a paginated series
   * per ≤90-day chunk (403/404 become {@link CreditsNotEnabledError}); items dated outside
   * their chunk are ignored.
   */
  async #byDay<I>(
    name: CreditEndpointName,
    range: DayRange,
    opts: SeriesOptions,
    series: {
      fetchPage: (chunk: DayRange, cursor: string | undefined) => Promise<Page<I>>;
      dayOf: (item: I) => Day;
      take: (item: I, day: Day) => void;
    },
  ): Promise<void> {
    for (const chunk of chunkRange(range, MAX_RANGE_DAYS)) {
      let pages = 0;
      const items = paginate({
        endpoint: CREDIT_ENDPOINTS[name].path,
        scope: `${chunk.start} to ${chunk.end}`,
        pageSize: this.#pageSizes[name],
        fetchPage: (cursor) => {
          pages++;
          return this.#call(name, () => series.fetchPage(chunk, cursor));
        },
      });
      let n = 0;
      for await (const item of items) {
        n++;
        const day = series.dayOf(item);
        if (day < chunk.start || day > chunk.end) continue;
        series.take(item, day);
      }
      opts.onSeries?.({ endpoint: name, range: chunk, pages, items: n });
    }
  }

  /** One request; 403 and 404 become {@link CreditsNotEnabledError}. */
  async #call<T>(name: CreditEndpointName, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (e) {
      if (e instanceof AuthError && e.status === 403) throw new CreditsNotEnabledError(name, 403);
      if (e instanceof ServiceError && e.details.status === 404) {
        throw new CreditsNotEnabledError(name, 404);
      }
      throw e;
    }
  }
}

function modelOf(name: string | null | undefined): string {
  return name ? name : UNKNOWN_MODEL;
}

function costPoint(path: string, d: Day, p: z.infer<typeof CostDataPoint>): CostPoint {
  const m = p.cost_metrics ?? {};
  const g = p.group_by_values ?? {};
  const text = (v: unknown) => typeof v === "string" && v !== "" ? v : undefined;
  const count = (field: keyof typeof m) => {
    const v = m[field];
    return v === undefined || v === null ? undefined : readCount(path, d, field, v);
  };
  const money = (field: keyof typeof m) => {
    const v = m[field];
    return v === undefined || v === null ? undefined : readDecimal(path, d, field, v);
  };
  const point: {
    -readonly [K in keyof CostPoint]: CostPoint[K];
  } = { resource: text(g.resource_display_name) ?? UNKNOWN_MODEL };
  const type = text(g.resource_type);
  if (type !== undefined) point.resourceType = type;
  const fields = [
    ["inputTokens", count("input_tokens")],
    ["outputTokens", count("output_tokens")],
    ["cacheReadTokens", count("cache_read_tokens")],
    ["cacheWriteTokens", count("cache_write_tokens")],
    ["billedUsd", money("billed_amount_usd")],
    ["estimatedCustomerCostUsd", money("estimated_customer_cost_usd")],
    ["credits", money("credits_consumed")],
  ] as const;
  for (const [key, value] of fields) {
    if (value !== undefined) (point as Record<string, unknown>)[key] = value;
  }
  return point;
}

/** An exact decimal of the service, or a `ServiceError` naming the field (exit 4). */
function readDecimal(path: string, d: Day, field: string, value: unknown): Decimal {
  try {
    const v = Decimal.parse(value);
    if (v.coefficient < 0n) throw new DecimalError(value, "expected 0 or more");
    return v;
  } catch (e) {
    if (!(e instanceof DecimalError)) throw e;
    throw new ServiceError(
      `Cannot read "${path}" for ${d}: "${field}" is not an amount (${
        printable(e.message)
      }); report it to Augment support`,
      { endpoint: path },
    );
  }
}

function readCount(path: string, d: Day, field: string, value: unknown): number {
  try {
    return parseCount(value);
  } catch (e) {
    if (!(e instanceof CountError)) throw e;
    throw new ServiceError(
      `Cannot read "${path}" for ${d}: "${field}" is not a token count (${
        printable(e.message)
      }); report it to Augment support`,
      { endpoint: path },
    );
  }
}

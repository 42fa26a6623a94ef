/**
 * The simulator's credits and cost endpoints, as the contract describes them:
 *
 * - `GET credit-usage-by-user` (`start_date`, `end_date`, `by_date`, `by_model`, `cursor`,
 *   `page_size` ≤ 500): one record per (day, identity, model), `credits_consumed` a JSON
 *   number or a decimal string (trailing zeros, many decimals, exponents: adversarial on
 *   purpose).
 * - `POST cost-analytics` (JSON body; ≤ 90 days; `page_size` ≤ 1000): per day and resource
 *   (the model) the four token kinds (some as strings), `billed_amount_usd`,
 *   `estimated_customer_cost_usd` (decimal strings) and `credits_consumed`, consistent with
 *   the credit records.
 *
 * The identities are those of the activity records: an identity has credits on a day when it
 * has activity records that day, in proportion to its messages. Credits come with about 90
 * minutes' lag: each (identity, model) of a day appears at a time of that day given by a hash,
 * plus the lag, so today (and yesterday shortly after midnight) is partial. Both endpoints
 * share a rate limit of their own (30 a minute), and the `creditsDisabled` / `costDisabled`
 * faults make them answer 404 as for an enterprise without them.
 *
 * @module
 */
import { CREDIT_ENDPOINTS } from "../augment/credits.ts";
import { addDays, dayOf, daysBetween, dayToEpochMs, eachDay, isDay } from "../model/dates.ts";
import { Decimal, sumDecimals } from "../model/money.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { identityKey, isPublished, type RecordSource } from "./dataset.ts";
import { hash32 } from "./prng.ts";
import { RateLimiter } from "./rate_limit.ts";
import { errorResponse, jsonResponse } from "./responses.ts";
import type { Faults } from "./types.ts";

const CREDIT_USAGE_PATH = CREDIT_ENDPOINTS["credit-usage-by-user"].path;
const COST_ANALYTICS_PATH = CREDIT_ENDPOINTS["cost-analytics"].path;

/** The rate limit of both endpoints, apart from the activity endpoints'. */
export const CREDITS_RATE_LIMIT = { perMinute: 30, burst: 10 } as const;

/** Lag of credits behind use. */
export const CREDITS_LAG_MS = 90 * 60_000;

/** The models credits are spent on. */
export const SIM_MODELS = ["claude-sonnet-4-5", "gpt-5", "claude-haiku-4-5"] as const;

/** USD billed per credit, and the estimated customer cost per credit. */
const USD_PER_CREDIT = Decimal.parse("0.001");
const ESTIMATED_PER_CREDIT = Decimal.parse("0.0012");

/** One credit record as the simulator holds it (before it is written on the wire). */
export interface SimCreditRecord {
  readonly date: string;
  readonly user_email?: string;
  readonly service_account_name?: string;
  readonly model_name: string;
  readonly credits: Decimal;
  /** Milliseconds since the epoch at which the record becomes visible. */
  readonly visibleAt: number;
}

class BadRequest extends Error {}

/** The full credit records of `day` (whether visible yet or not), in identity then model order. */
export function dayCredits(source: RecordSource, day: string): SimCreditRecord[] {
  const byIdentity = new Map<
    string,
    { id: { user_email?: string; service_account_name?: string }; messages: number }
  >();
  for (const r of source.day(day)) {
    const key = identityKey(r);
    let e = byIdentity.get(key);
    if (!e) {
      e = {
        id: r.user_email !== undefined
          ? { user_email: r.user_email }
          : { service_account_name: r.service_account_name },
        messages: 0,
      };
      byIdentity.set(key, e);
    }
    const m = r.metrics;
    e.messages += (m.chat_messages ?? 0) + (m.ide_agent_messages ?? 0) +
      (m.remote_agent_messages ?? 0) + (m.cli_agent_interactive_messages ?? 0) +
      (m.cli_agent_non_interactive_messages ?? 0) + (m.completions_accepted ?? 0);
  }
  const start = dayToEpochMs(day);
  const out: SimCreditRecord[] = [];
  for (const [key, e] of [...byIdentity].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    if (e.messages === 0) continue;
    const h = hash32(source.seed, "credits", key, day);
    const models = SIM_MODELS.filter((_, i) => i === h % 3 || (h >> 3) % 4 === i);
    for (const model of models) {
      const hm = hash32(source.seed, "credit", key, day, model);
      // A value with up to nine decimals: e.g. 12.5, 3.000000001, 0.1
      const units = BigInt(e.messages) * BigInt(1 + (hm % 997)) * 1_000_000n +
        BigInt((hm >>> 10) % 1000);
      out.push({
        date: day,
        ...e.id,
        model_name: model,
        credits: Decimal.fromUnits(units, 9),
        visibleAt: start + (hm % 86_400) * 1000 + CREDITS_LAG_MS,
      });
    }
  }
  return out;
}

/** `credits_consumed` on the wire: a JSON number when it is one exactly, else a decimal string in varied forms. */
export function wireCredits(value: Decimal, salt: number): number | string {
  const text = value.toString();
  switch (salt % 4) {
    case 0: {
      const n = Number(text);
      return String(n) === text ? n : text; // a number only when it reads back exactly
    }
    case 1:
      return value.toFixed(Math.max(value.scale, 1) + 2); // trailing zeros: "12.500"
    case 2:
      return value.isZero() ? "0E-9" : `${value.coefficient}E-${value.scale}`; // exponent form
    default:
      return text;
  }
}

/** The credits and cost endpoints of one simulator. */
export class CreditsEndpoints {
  /** Recent credit-usage lists, by query and minute. */
  readonly #lists = new Map<string, Record<string, unknown>[]>();
  readonly #limiter?: RateLimiter;

  constructor(
    readonly source: RecordSource,
    readonly now: () => number,
    rateLimit: boolean,
  ) {
    if (rateLimit) {
      this.#limiter = new RateLimiter(
        CREDITS_RATE_LIMIT.perMinute,
        CREDITS_RATE_LIMIT.burst,
        now,
      );
    }
  }

  /** Whether `path` is one of these endpoints. */
  static handles(path: string): boolean {
    return path === CREDIT_USAGE_PATH || path === COST_ANALYTICS_PATH;
  }

  /** Answers an authenticated request to one of these endpoints. */
  async answer(req: Request, url: URL, token: string, faults: Faults): Promise<Response> {
    const cost = url.pathname === COST_ANALYTICS_PATH;
    const method = cost ? "POST" : "GET";
    if (req.method !== method) {
      return errorResponse(405, "Unimplemented", `method "${req.method}" is not supported`, {
        allow: method,
      });
    }
    if (faults.creditsDisabled || (cost && faults.costDisabled)) {
      return errorResponse(404, "NotFound", "this endpoint is not enabled for the enterprise");
    }
    if (this.#limiter && !this.#limiter.take(token)) {
      return errorResponse(429, "ResourceExhausted", "rate limit exceeded");
    }
    try {
      const body = cost ? this.#cost(await readBody(req)) : this.#usage(url.searchParams);
      return jsonResponse(body);
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e;
      return errorResponse(400, "InvalidArgument", e.message);
    }
  }

  #visible(start: string, end: string): SimCreditRecord[] {
    const nowMs = this.now();
    const out: SimCreditRecord[] = [];
    for (const day of eachDay(start, end)) {
      const all = dayCredits(this.source, day);
      for (const r of all) if (isPublished(day, nowMs) || r.visibleAt <= nowMs) out.push(r);
    }
    return out;
  }

  #usage(params: URLSearchParams): Record<string, unknown> {
    const allowed: readonly string[] = CREDIT_ENDPOINTS["credit-usage-by-user"].params;
    for (const key of params.keys()) {
      if (!allowed.includes(key)) throw new BadRequest(`unknown parameter "${key}"`);
    }
    const { start, end } = this.#range(params.get("start_date"), params.get("end_date"), 730);
    const pageSize = pageSizeOf(params.get("page_size"), 500, 100);
    const byDate = params.get("by_date") === "true";
    const byModel = params.get("by_model") === "true";
    const fingerprint = fingerprintOf(
      CREDIT_USAGE_PATH,
      [...params].filter(([k]) => k !== "cursor"),
    );
    // The list of a query is made once a minute, not for every page (a large organisation's
    // list has a million records: remaking it per page made paging quadratic).
    const cacheKey = `${fingerprint}|${Math.floor(this.now() / 60_000)}`;
    const cached = this.#lists.get(cacheKey);
    const records = cached ?? this.#usageRecords(start, end, byDate, byModel);
    if (!cached) {
      this.#lists.set(cacheKey, records);
      while (this.#lists.size > 8) this.#lists.delete(this.#lists.keys().next().value!);
    }
    const p = page(records, params.get("cursor") ?? undefined, pageSize, fingerprint);
    return {
      records: p.items,
      pagination: p.pagination,
      metadata: { start_date: start, end_date: end, returned_record_count: p.items.length },
    };
  }

  /** The records of a credit-usage query, grouped as asked. */
  #usageRecords(
    start: string,
    end: string,
    byDate: boolean,
    byModel: boolean,
  ): Record<string, unknown>[] {
    // Without by_date / by_model the records are summed over days / models.
    const groups = new Map<string, SimCreditRecord[]>();
    for (const r of this.#visible(start, end)) {
      const key = `${identityKey(r)}|${byDate ? r.date : ""}|${byModel ? r.model_name : ""}`;
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    return [...groups.values()].map((g, i) => {
      const first = g[0];
      const credits = sumDecimals(g.map((r) => r.credits));
      return {
        ...(first.user_email !== undefined
          ? { user_email: first.user_email }
          : { service_account_name: first.service_account_name }),
        ...(byDate ? { date: first.date } : {}),
        ...(byModel ? { model_name: first.model_name } : {}),
        credits_consumed: wireCredits(credits, hash32(i, first.date, first.model_name)),
      };
    });
  }

  #cost(body: Record<string, unknown>): Record<string, unknown> {
    const allowed: readonly string[] = CREDIT_ENDPOINTS["cost-analytics"].params;
    for (const key of Object.keys(body)) {
      if (!allowed.includes(key)) throw new BadRequest(`unknown field "${key}"`);
    }
    const { start, end } = this.#range(body.start_date, body.end_date, 90);
    const pageSize = pageSizeOf(body.page_size, 1000, 100);
    const granularity = body.granularity ?? "COST_ANALYTICS_TIME_GRANULARITY_DAY";
    if (
      granularity !== "COST_ANALYTICS_TIME_GRANULARITY_DAY" &&
      granularity !== "COST_ANALYTICS_TIME_GRANULARITY_TOTAL"
    ) throw new BadRequest(`unknown granularity ${JSON.stringify(granularity)}`);
    const keys = body.group_by_keys ?? [];
    if (!Array.isArray(keys) || keys.some((k) => k !== "COST_ANALYTICS_GROUP_BY_RESOURCE")) {
      throw new BadRequest("group_by_keys: only COST_ANALYTICS_GROUP_BY_RESOURCE is simulated");
    }
    const byResource = keys.length > 0;
    const byDay = granularity === "COST_ANALYTICS_TIME_GRANULARITY_DAY";
    const { cursor: _cursor, ...rest } = body;
    const fingerprint = fingerprintOf(COST_ANALYTICS_PATH, Object.entries(rest).sort());
    const groups = new Map<string, SimCreditRecord[]>();
    for (const r of this.#visible(start, end)) {
      const key = `${byDay ? r.date : ""}|${byResource ? r.model_name : ""}`;
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    const points = [...groups.values()].map((g) => {
      const first = g[0];
      const credits = sumDecimals(g.map((r) => r.credits));
      // Tokens in proportion to the credits (whole tokens), some written as strings.
      const base = credits.coefficient / 10n ** BigInt(credits.scale);
      const h = hash32(first.date, first.model_name);
      const tokens = (factor: bigint) => {
        const n = base * factor;
        return h % 2 === 0 ? Number(n) : String(n);
      };
      return {
        start_date: byDay ? first.date : start,
        end_date: byDay ? first.date : end,
        cost_metrics: {
          input_tokens: tokens(900n),
          output_tokens: tokens(120n),
          cache_read_tokens: tokens(2400n),
          cache_write_tokens: tokens(300n),
          billed_amount_usd: times(credits, USD_PER_CREDIT).toString(),
          estimated_customer_cost_usd: times(credits, ESTIMATED_PER_CREDIT).toString(),
          credits_consumed: credits.toString(),
        },
        group_by_values: byResource
          ? { resource_display_name: first.model_name, resource_type: "MODEL" }
          : {},
      };
    });
    const p = page(
      points,
      typeof body.cursor === "string" ? body.cursor : undefined,
      pageSize,
      fingerprint,
    );
    return {
      data_points: p.items,
      pagination: p.pagination,
      metadata: { returned_data_point_count: p.items.length },
    };
  }

  #range(start: unknown, end: unknown, maxDays: number): { start: string; end: string } {
    if (typeof start !== "string" || !isDay(start)) {
      throw new BadRequest("start_date: expected YYYY-MM-DD");
    }
    if (typeof end !== "string" || !isDay(end)) {
      throw new BadRequest("end_date: expected YYYY-MM-DD");
    }
    if (end < start) throw new BadRequest("end_date is before start_date");
    if (daysBetween(start, end) + 1 > maxDays) {
      throw new BadRequest(`the range may span at most ${maxDays} days`);
    }
    const today = dayOf(this.now());
    if (end > today) throw new BadRequest("end_date is in the future");
    if (start < addDays(today, -730)) throw new BadRequest("start_date is more than 2 years ago");
    return { start, end };
  }
}

function times(a: Decimal, b: Decimal): Decimal {
  return Decimal.fromUnits(a.coefficient * b.coefficient, a.scale + b.scale);
}

async function readBody(req: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new BadRequest("the body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequest("the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function pageSizeOf(value: unknown, max: number, fallback: number): number {
  if (value === null || value === undefined) return fallback;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new BadRequest(`page_size must be from 1 to ${max}`);
  }
  return n;
}

function fingerprintOf(path: string, pairs: unknown[]): string {
  return hash32(path, JSON.stringify(pairs)).toString(36);
}

function page<T>(
  items: T[],
  cursor: string | undefined,
  size: number,
  fingerprint: string,
): { items: T[]; pagination: { next_cursor: string; has_more: boolean } } {
  let offset = 0;
  if (cursor !== undefined) {
    const decoded = decodeCursor(cursor, fingerprint);
    if ("error" in decoded) throw new BadRequest(decoded.error);
    if (decoded.offset > items.length) throw new BadRequest("invalid cursor");
    offset = decoded.offset;
  }
  const end = offset + size;
  const hasMore = end < items.length;
  return {
    items: items.slice(offset, end),
    pagination: { next_cursor: hasMore ? encodeCursor(end, fingerprint) : "", has_more: hasMore },
  };
}

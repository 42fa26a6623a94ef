/**
 * The simulator's request handler: routing, Bearer authentication, the per-token rate limit,
 * injected faults, strict parameters, and the five documented endpoints. Every body served
 * is checked against the shared envelope schemas first. The credits and cost endpoints are
 * answered by `credits.ts`.
 *
 * @module
 */
import type * as z from "zod";
import {
  DailyUsageResponse,
  DauCountResponse,
  DauResponse,
  EditorLanguageResponse,
  type EndpointName,
  ENDPOINTS,
  UserActivityResponse,
} from "../augment/schemas.ts";
import { dayOf, daysBetween } from "../model/dates.ts";
import { CreditsEndpoints } from "./credits.ts";
import { decodeCursor, encodeCursor, requestFingerprint } from "./cursor.ts";
import { PUBLICATION_DELAY_MS, RecordSource, ServedData, wireMetrics as wire } from "./dataset.ts";
import { InvalidArgument, parseQuery, type Query } from "./params.ts";
import { hash32 } from "./prng.ts";
import { RateLimiter } from "./rate_limit.ts";
import { errorResponse, jsonResponse, malformedResponse, resetResponse } from "./responses.ts";
import {
  type Faults,
  SIMULATOR_TOKEN,
  type SimulatorOptions,
  type SimulatorStats,
} from "./types.ts";

/** The simulator as a fetch-style handler, for `Deno.serve` or direct calls. */
export interface SimulatorHandler {
  /** Answers one request. */
  handler: (req: Request) => Promise<Response> | Response;
  /** Live statistics (the same object all along). */
  readonly stats: SimulatorStats;
  /** The faults in force; may be replaced at run time. */
  faults: Faults;
  /** Sets every statistic back to zero; the fault counters restart too. */
  resetStats(): void;
}

const SCHEMAS: Record<EndpointName, z.ZodType> = {
  "dau-count": DauCountResponse,
  "dau": DauResponse,
  "daily-usage": DailyUsageResponse,
  "user-activity": UserActivityResponse,
  "daily-user-activity-by-editor-language": EditorLanguageResponse,
};

const BY_PATH = new Map<string, EndpointName>(
  (Object.keys(ENDPOINTS) as EndpointName[]).map((name) => [ENDPOINTS[name].path, name]),
);

/** An RFC 3339 instant with nine fractional digits, like the service's `generated_at`. */
export function generatedAt(nowMs: number, salt: number): string {
  const nanos = String(hash32("ns", salt) % 1_000_000).padStart(6, "0");
  return new Date(nowMs).toISOString().replace("Z", `${nanos}Z`);
}

/** Whether the `every`-th fault fires on request number `n` (1-based). */
function fires(every: number | undefined, n: number): boolean {
  return every !== undefined && every > 0 && n % every === 0;
}

/** Creates the handler; nothing listens until it is given to a server. */
export function createSimulatorHandler(options: SimulatorOptions = {}): SimulatorHandler {
  const now = options.now ?? Date.now;
  const source = new RecordSource(options.seed ?? 1, options.users ?? 25);
  const tokens = new Set(options.tokens ?? [SIMULATOR_TOKEN]);
  const forbidden = new Set(options.forbiddenTokens ?? []);
  const rate = options.rateLimit === false
    ? undefined
    : options.rateLimit ?? { perMinute: 10, burst: 20 };
  let limiter = rate && new RateLimiter(rate.perMinute, rate.burst, now);
  const stats: SimulatorStats = { requests: 0, byEndpoint: {}, rateLimited: 0, faultsInjected: 0 };
  const lists = new ListCache();
  let credits = new CreditsEndpoints(source, now, rate !== undefined);

  const state: SimulatorHandler = {
    stats,
    faults: { ...options.faults },
    resetStats() {
      stats.requests = 0;
      stats.rateLimited = 0;
      stats.faultsInjected = 0;
      for (const k of Object.keys(stats.byEndpoint)) delete stats.byEndpoint[k];
      limiter = rate && new RateLimiter(rate.perMinute, rate.burst, now);
      credits = new CreditsEndpoints(source, now, rate !== undefined);
    },
    handler(req: Request): Response | Promise<Response> {
      const url = new URL(req.url);
      const path = url.pathname;
      stats.requests++;
      stats.byEndpoint[path] = (stats.byEndpoint[path] ?? 0) + 1;
      const n = stats.requests;
      const faults = state.faults;

      const endpoint = BY_PATH.get(path);
      const creditsPath = CreditsEndpoints.handles(path);
      if (!endpoint && !creditsPath) {
        return errorResponse(404, "NotFound", `no such endpoint "${path}"`);
      }
      if (!creditsPath && req.method !== "GET") {
        return errorResponse(405, "Unimplemented", `method "${req.method}" is not supported`, {
          allow: "GET",
        });
      }

      const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
      if (!auth) {
        return errorResponse(401, "Unauthenticated", "missing bearer token");
      }
      const token = auth[1];
      if (forbidden.has(token)) {
        return errorResponse(
          403,
          "PermissionDenied",
          "the service account is not permitted to read analytics",
        );
      }
      if (!tokens.has(token)) return errorResponse(401, "Unauthenticated", "invalid token");
      // Credits and cost: a rate limit of their own (see credits.ts).
      if (!endpoint) return credits.answer(req, url, token, faults);

      if (limiter && !limiter.take(token)) {
        stats.rateLimited++;
        const headers: Record<string, string> = {};
        if (faults.retryAfterSeconds !== undefined) {
          headers["retry-after"] = String(faults.retryAfterSeconds);
        }
        return errorResponse(429, "ResourceExhausted", "rate limit exceeded", headers);
      }

      if (fires(faults.serverErrorEvery, n)) {
        stats.faultsInjected++;
        return errorResponse(500, "Internal", "internal error");
      }

      const nowMs = now();
      let response: { status: number; body: unknown };
      try {
        const query = parseQuery(endpoint, url.searchParams, nowMs);
        const data = new ServedData(source, nowMs, faults);
        const fingerprint = requestFingerprint(path, url.searchParams);
        const body = answer(endpoint, query, data, fingerprint, faults, lists);
        (body.metadata as Record<string, unknown>).generated_at = generatedAt(nowMs, n);
        SCHEMAS[endpoint].parse(body);
        response = { status: 200, body };
      } catch (e) {
        if (!(e instanceof InvalidArgument)) throw e;
        response = {
          status: 400,
          body: { error: { code: "InvalidArgument", message: e.message } },
        };
      }

      if (fires(faults.resetEvery, n)) {
        stats.faultsInjected++;
        return resetResponse(JSON.stringify(response.body));
      }
      if (fires(faults.malformedEvery, n)) {
        stats.faultsInjected++;
        return malformedResponse(JSON.stringify(response.body));
      }
      return jsonResponse(response.body, response.status);
    },
  };
  return state;
}

/**
 * The whole (unpaged) answer lists of the paginated endpoints, kept for the few most recent
 * queries: every page of a query is then a slice of one list, as it is for the service, instead
 * of a recomputation (which made a 10 000-identity organisation slow to serve). Keyed by what
 * the list depends on: the query, the published days and the faults.
 */
class ListCache {
  /** Lists kept: more than the days a client fetches at once, so that none is computed twice. */
  static readonly SIZE = 16;
  readonly #lists = new Map<string, unknown[]>();

  get<T>(key: string, compute: () => T[]): T[] {
    let list = this.#lists.get(key) as T[] | undefined;
    if (list) {
      this.#lists.delete(key); // most recent last
    } else {
      list = compute();
      if (this.#lists.size >= ListCache.SIZE) {
        this.#lists.delete(this.#lists.keys().next().value as string);
      }
    }
    this.#lists.set(key, list);
    return list;
  }
}

/** The cache key of a query's whole list at `data.nowMs` under `faults`. */
function listKey(endpoint: EndpointName, query: Query, data: ServedData, faults: Faults): string {
  const which = query.kind === "range" ? `${query.start}..${query.end}` : query.date;
  // Which days are published changes only at the publication hour.
  const published = dayOf(data.nowMs - PUBLICATION_DELAY_MS);
  return `${endpoint}|${which}|${published}|${JSON.stringify(faults)}`;
}

function page<T>(
  items: T[],
  query: Query,
  endpoint: EndpointName,
  fingerprint: string,
  faults: Faults,
): { items: T[]; pagination: { next_cursor: string | null; has_more: boolean } } {
  const spec = ENDPOINTS[endpoint];
  const size = query.pageSize ?? ("defaultPageSize" in spec ? spec.defaultPageSize : items.length);
  let offset = 0;
  if (query.cursor !== undefined) {
    const decoded = decodeCursor(query.cursor, fingerprint);
    if ("error" in decoded) throw new InvalidArgument(decoded.error);
    if (decoded.offset > items.length && !faults.endlessCursor) {
      throw new InvalidArgument("invalid cursor");
    }
    offset = decoded.offset;
  }
  const end = offset + size;
  // Under `endlessCursor`, there is always more: empty pages, each with a new cursor.
  const hasMore = end < items.length || faults.endlessCursor === true;
  return {
    items: items.slice(offset, end),
    pagination: {
      next_cursor: hasMore ? encodeCursor(end, fingerprint) : faults.nullEndCursor ? null : "",
      has_more: hasMore,
    },
  };
}

function answer(
  endpoint: EndpointName,
  query: Query,
  data: ServedData,
  fingerprint: string,
  faults: Faults,
  lists: ListCache,
): Record<string, unknown> {
  const list = <T>(compute: () => T[]): T[] =>
    lists.get(listKey(endpoint, query, data, faults), compute);
  if (query.kind === "range") {
    const { start, end } = query;
    const meta = {
      effective_start_date: start,
      effective_end_date: end,
      total_days: daysBetween(start, end) + 1,
    };
    switch (endpoint) {
      case "dau-count":
        return { daily_active_user_counts: data.dauCounts(start, end), metadata: meta };
      case "daily-usage":
        return { daily_usage: data.dailyUsage(start, end), metadata: meta };
      case "user-activity": {
        const users = list(() => data.userActivity(start, end));
        const p = page(users, query, endpoint, fingerprint, faults);
        return {
          users: p.items,
          pagination: p.pagination,
          metadata: { ...meta, returned_user_count: p.items.length },
        };
      }
    }
  } else {
    const meta = { effective_date: query.date };
    if (endpoint === "dau") {
      const users = list(() => data.dauUsers(query.date));
      const p = page(users, query, endpoint, fingerprint, faults);
      return {
        users: p.items,
        pagination: p.pagination,
        metadata: { ...meta, returned_user_count: p.items.length },
      };
    }
    if (endpoint === "daily-user-activity-by-editor-language") {
      const date = query.date;
      const records = list(() =>
        data.records(date).map((r) => ({ ...r, metrics: wire(r.metrics, faults) }))
      );
      const p = page(records, query, endpoint, fingerprint, faults);
      return {
        records: p.items,
        pagination: p.pagination,
        metadata: { ...meta, returned_record_count: p.items.length },
      };
    }
  }
  throw new Error(`Simulator bug: endpoint "${endpoint}" answered with the wrong query kind`);
}

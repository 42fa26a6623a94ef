/**
 * The HTTP client: a paced, retrying JSON GET (and POST, for read-only queries) with the
 * Bearer token.
 *
 * Every attempt takes a pacing token first, from its endpoint's bucket (endpoints with a rate
 * limit of their own have their own bucket; see {@link EndpointBucket}), so requests made
 * concurrently never go faster than the rate; a 429 holds the whole bucket for its wait
 * (`Retry-After`, else the backoff), so the requests in flight share it. 429, 500, 502, 503, 504, connection failures and
 * time-outs are retried with exponential backoff (1, 2, 4, 8, 16 s, jittered; `Retry-After`
 * honoured when it asks for longer); a body that is not the expected JSON is retried once.
 * 401 and 403 become {@link AuthError}, everything else that fails {@link ServiceError}.
 * Messages name the endpoint path only (never the query string) and never the token.
 *
 * @module
 */
import type * as z from "zod";
import { AuthError, ServiceError } from "../errors.ts";
import { NAME, VERSION } from "../version.ts";
import { systemClock } from "./clock.ts";
import { BucketRouter, type EndpointBucket, TokenBucket } from "./pacing.ts";
import type { Clock, JsonGetter, QueryParams, RequestStats } from "./types.ts";
import { printable } from "../text.ts";

/** What `onRetry` is told before each retry. */
export interface RetryInfo {
  /** The endpoint path, without query string. */
  readonly endpoint: string;
  /** The number of the attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  /** How long the client waits before it, in milliseconds. */
  readonly delayMs: number;
  /** Why the previous attempt failed, e.g. `service error 503`. */
  readonly reason: string;
}

/** Options of an {@link HttpClient}. */
export interface HttpClientOptions {
  /** Base URL, e.g. `https://api.augmentcode.com` (a path prefix is kept). */
  readonly baseUrl: string;
  /** The Bearer token; never appears in any message. */
  readonly token: string;
  /** `User-Agent`; `augment-metrics/<version>` by default. */
  readonly userAgent?: string;
  /** Time-out of one attempt (answer and body), in milliseconds. */
  readonly timeoutMs: number;
  /** Retries allowed after the first attempt. */
  readonly maxRetries: number;
  /** Pacing: sustained requests per minute. */
  readonly ratePerMinute: number;
  /** Pacing: requests allowed at once. */
  readonly burst: number;
  /** Endpoints paced by buckets of their own instead (e.g. the credits endpoints). */
  readonly buckets?: readonly EndpointBucket[];
  /** Time source for pacing and backoff; the system clock by default. */
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for the jitter; `Math.random` by default. */
  readonly random?: () => number;
  /** Called before each retry (for logs). */
  readonly onRetry?: (info: RetryInfo) => void;
  /** What to do when the token is refused (401), naming where the token came from. */
  readonly refusedTokenHint?: string;
}

/** First backoff delay, in milliseconds. */
export const BACKOFF_BASE_MS = 1_000;
/** Longest backoff delay before jitter, in milliseconds (1, 2, 4, 8, 16 s, then 16 s). */
export const BACKOFF_MAX_MS = 16_000;
/** A `Retry-After` longer than this is not waited for: the request fails at once. */
export const MAX_RETRY_AFTER_MS = 600_000;
/** Statuses retried as transient faults. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * Backoff before retry number `retry` (1-based): 1, 2, 4, 8, 16 s (capped), times a jitter
 * factor between 0.75 and 1.25 (`random() = 0.5` gives the exact value).
 */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_BASE_MS * 2 ** (retry - 1), BACKOFF_MAX_MS);
  return Math.round(base * (0.75 + 0.5 * random()));
}

/**
 * Milliseconds a `Retry-After` value asks for: delta-seconds or an HTTP date (relative to
 * `nowMs`). `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Why one attempt failed in a way that may be retried. */
interface Transient {
  readonly kind: "status" | "timeout" | "network" | "malformed";
  readonly reason: string;
  readonly status?: number;
  readonly code?: string;
  readonly message?: string;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** Method and JSON body of a request. */
interface RequestInit_ {
  readonly method: "GET" | "POST";
  readonly body?: string;
}

type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly transient: Transient };

const TIMEOUT = Symbol("timeout");

/** A paced, retrying JSON GET against one service with one token. */
export class HttpClient implements JsonGetter {
  /** Requests, retries, 429s and requests per endpoint so far. */
  readonly stats: RequestStats = { requests: 0, retries: 0, rateLimited: 0, byEndpoint: {} };
  readonly #base: string;
  readonly #token: string;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #onRetry?: (info: RetryInfo) => void;
  readonly #refusedTokenHint: string;
  readonly #buckets: BucketRouter;

  constructor(options: HttpClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.#userAgent = options.userAgent ?? `${NAME}/${VERSION}`;
    this.#timeoutMs = options.timeoutMs;
    this.#maxRetries = Math.max(0, Math.floor(options.maxRetries));
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
    this.#refusedTokenHint = options.refusedTokenHint ??
      "check AUGMENT_API_TOKEN or run `augment-metrics auth login`";
    this.#buckets = new BucketRouter(
      new TokenBucket({
        ratePerMinute: options.ratePerMinute,
        burst: options.burst,
        clock: this.#clock,
      }),
      options.buckets,
      this.#clock,
    );
  }

  /** See {@link JsonGetter.getJson}. */
  async getJson<T>(
    path: string,
    params: QueryParams,
    schema: z.ZodType<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const url = new URL(this.#base + path);
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return await this.#request(url, { method: "GET" }, schema, options.signal);
  }

  /**
   * POST `body` as JSON to `path` — a read-only query such as `cost-analytics` — paced by the
   * endpoint's bucket, retried and validated like {@link getJson}.
   */
  async postJson<T>(
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const url = new URL(this.#base + path);
    const init = { method: "POST", body: JSON.stringify(body) } as const;
    return await this.#request(url, init, schema, options.signal);
  }

  /** The paced, retrying loop of one request. */
  async #request<T>(
    url: URL,
    init: RequestInit_,
    schema: z.ZodType<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const endpoint = url.pathname;
    const bucket = this.#buckets.bucketFor(endpoint);
    let malformedSeen = 0;
    for (let attempt = 1;; attempt++) {
      signal?.throwIfAborted();
      await bucket.take(signal);
      this.stats.requests++;
      this.stats.byEndpoint[endpoint] = (this.stats.byEndpoint[endpoint] ?? 0) + 1;
      if (attempt > 1) this.stats.retries++;

      const result = await this.#attempt(url, init, endpoint, schema, attempt, signal);
      if (result.ok) return result.value;
      const t = result.transient;
      if (t.kind === "malformed") malformedSeen++;

      const retriesLeft = attempt <= this.#maxRetries;
      if (!retriesLeft || malformedSeen > 1) throw this.#exhausted(endpoint, t, attempt);
      if (t.retryAfterMs !== undefined && t.retryAfterMs > MAX_RETRY_AFTER_MS) {
        throw this.#exhausted(endpoint, t, attempt);
      }
      const delayMs = Math.max(backoffMs(attempt, this.#random), t.retryAfterMs ?? 0);
      // The service's bucket is empty: every request of this bucket waits, not this one alone.
      if (t.status === 429) bucket.holdUntil(this.#clock.now() + delayMs);
      this.#onRetry?.({ endpoint, attempt: attempt + 1, delayMs, reason: t.reason });
      await this.#clock.sleep(delayMs, signal);
    }
  }

  /** One attempt: fetch, read the body within the time-out, classify the outcome. */
  async #attempt<T>(
    url: URL,
    init: RequestInit_,
    endpoint: string,
    schema: z.ZodType<T>,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt<T>> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(TIMEOUT), this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const res = await fetch(url, {
        method: init.method,
        headers: {
          "Authorization": `Bearer ${this.#token}`,
          "Accept": "application/json",
          "User-Agent": this.#userAgent,
          ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: init.body,
        redirect: "manual",
        signal: combined,
      });
      status = res.status;
      headers = res.headers;
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      // A host outside the permission set: not a network fault, never retried.
      if (err instanceof Deno.errors.NotCapable) throw err;
      if (timeout.signal.aborted) {
        return fail({
          kind: "timeout",
          reason: `no answer within ${formatSeconds(this.#timeoutMs)}`,
        });
      }
      return fail({
        kind: "network",
        reason: `connection failed (${this.#clean(describeError(err))})`,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }

    if (status >= 200 && status < 300) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return fail({ kind: "malformed", reason: describeNonJson(text, headers) });
      }
      const parsed = schema.safeParse(json);
      if (parsed.success) return { ok: true, value: parsed.data };
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "(body)";
      return fail({
        kind: "malformed",
        reason: `a body of an unexpected shape at "${where}": ${this.#clean(issue?.message ?? "")}`,
      });
    }

    const body = this.#errorBody(text);
    if (status === 401 || status === 403) throw this.#authError(endpoint, status, body);
    if (RETRY_STATUSES.has(status)) {
      if (status === 429) this.stats.rateLimited++;
      return fail({
        kind: "status",
        status,
        code: body.code,
        message: body.message,
        reason: status === 429
          ? "rate limited (429)"
          : `service error ${status}${describeBody(body)}`,
        retryAfterMs: parseRetryAfter(headers.get("retry-after"), this.#clock.now()),
      });
    }
    throw this.#statusError(endpoint, status, body, attempt, headers);
  }

  /** `code` and `message` of an error body, when it is one (cleaned of the token). */
  #errorBody(text: string): { code?: string; message?: string } {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {};
    }
    // `{"error": {"code": "InvalidArgument", "message": "..."}}` (CONTRACT.md); read by hand
    // so that this layer does not depend on the Analytics schemas above it.
    const error = isObject(json) ? json.error : undefined;
    if (!isObject(error)) return {};
    const { code, message } = error;
    return {
      code: typeof code === "string" ? this.#clean(code).slice(0, 80) : undefined,
      message: typeof message === "string" ? this.#clean(message).slice(0, 300) : undefined,
    };
  }

  #authError(endpoint: string, status: number, body: { code?: string; message?: string }) {
    const what = status === 401
      ? `the token was refused (401${describeBody(body)}); ${this.#refusedTokenHint}`
      : `the service account is not permitted (403${
        describeBody(body)
      }); ask an Enterprise admin to check its access to the Analytics API`;
    return new AuthError(`Cannot get "${endpoint}": ${what}`, status, body.code, endpoint);
  }

  #statusError(
    endpoint: string,
    status: number,
    body: { code?: string; message?: string },
    attempts: number,
    headers: Headers,
  ): ServiceError {
    let what: string;
    if (status === 400) {
      what = `the service rejected the request (400${
        describeBody(body)
      }); check the dates and options`;
    } else if (status === 404) {
      what = `not found (404${describeBody(body)}); check AUGMENT_API_BASE_URL`;
    } else if (status >= 300 && status < 400) {
      const to = headers.get("location");
      what = `the service redirected (${status}${
        to ? ` to "${this.#clean(stripQuery(to))}"` : ""
      }), which is not followed; check AUGMENT_API_BASE_URL`;
    } else {
      what = `unexpected answer (${status}${describeBody(body)}); try again later`;
    }
    return new ServiceError(`Cannot get "${endpoint}": ${what}`, {
      status,
      code: body.code,
      endpoint,
      attempts,
    });
  }

  /** The error after the last attempt allowed. */
  #exhausted(endpoint: string, t: Transient, attempts: number): ServiceError {
    const after = `after ${attempts} attempt${attempts === 1 ? "" : "s"}`;
    let advice: string;
    if (t.status === 429) {
      advice = t.retryAfterMs !== undefined && t.retryAfterMs > MAX_RETRY_AFTER_MS
        ? `the service asked to wait ${
          formatSeconds(t.retryAfterMs)
        }; wait and re-run, or lower AUGMENT_RATE_LIMIT_PER_MINUTE`
        : "wait a few minutes and re-run, or lower AUGMENT_RATE_LIMIT_PER_MINUTE";
    } else if (t.kind === "status") advice = "the service may be down; try again later";
    else if (t.kind === "timeout") {
      advice = "check the network, or raise AUGMENT_REQUEST_TIMEOUT_SECONDS";
    } else if (t.kind === "network") advice = "check the network and AUGMENT_API_BASE_URL";
    else advice = "check AUGMENT_API_BASE_URL and any proxy in between, or try again later";
    const reason = t.kind === "malformed" ? `the answer is ${t.reason}` : t.reason;
    return new ServiceError(`Cannot get "${endpoint}": ${reason} ${after}; ${advice}`, {
      status: t.status,
      code: t.code,
      endpoint,
      attempts,
      cause: t.cause,
    });
  }

  /** Text safe for a message: no token, no query strings, no control characters, one line. */
  #clean(text: string): string {
    let out = text;
    // Any real token is long; redacting a one-letter test token would garble the text.
    if (this.#token.length >= 8) {
      out = out.replaceAll(this.#token, "***");
      const enc = encodeURIComponent(this.#token);
      if (enc !== this.#token) out = out.replaceAll(enc, "***");
    }
    return printable(stripQuery(out)).replace(/\s+/g, " ").trim();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(transient: Transient): Attempt<never> {
  return { ok: false, transient };
}

/** Every URL in `text` reduced to its path (no query string, no credentials). */
function stripQuery(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s)"']+/g, (u) => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      return "<url>";
    }
  }).replace(/\?[^\s)"']*/g, "");
}

function describeBody(body: { code?: string; message?: string }): string {
  const code = body.code ? ` ${body.code}` : "";
  const message = body.message ? `: "${body.message}"` : "";
  return code + message;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}

function describeNonJson(text: string, headers: Headers): string {
  const type = headers.get("content-type") ?? "";
  const head = text.trimStart().slice(0, 20).toLowerCase();
  if (text.trim() === "") return "an empty body";
  if (type.includes("html") || head.startsWith("<!doctype") || head.startsWith("<html")) {
    return `an HTML page (${type || "no content type"}), not JSON`;
  }
  return `not valid JSON (${text.length} characters, truncated or corrupt)`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

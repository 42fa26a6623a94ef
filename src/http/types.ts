/**
 * The contract between the Analytics client and the HTTP layer: a paced, retrying JSON GET.
 *
 * @module
 */
import type * as z from "zod";

/** Time, injectable so pacing and backoff are tested in milliseconds without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (rejects with the signal's reason when aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What the HTTP layer did, for the run summary and the request-plan check. */
export interface RequestStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests that were retries of an earlier attempt. */
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /** Requests sent per endpoint path (e.g. `/analytics/v0/dau`), retries included. */
  byEndpoint: Record<string, number>;
}

/** Query parameters; `undefined` values are not sent. */
export type QueryParams = Record<string, string | number | undefined>;

/** A paced, retrying JSON GET against the configured base URL with the Bearer token. */
export interface JsonGetter {
  /**
   * GET `path` with `params`, validate the JSON body with `schema` and return it.
   * Throws `AuthError` (401/403), `ServiceError` (everything else that failed after retries),
   * or the signal's reason when aborted.
   */
  getJson<T>(
    path: string,
    params: QueryParams,
    schema: z.ZodType<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
  readonly stats: RequestStats;
}

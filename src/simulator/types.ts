/**
 * The simulator's public types: options, faults, statistics and the running server.
 *
 * @module
 */

/** The Bearer token the simulator accepts by default. */
export const SIMULATOR_TOKEN = "sim-augment-analytics-token-0000";

/** Misbehaviours of the real service, injected on purpose. Mutable at run time. */
export interface Faults {
  /** Every Nth request answers 500 `Internal`. */
  serverErrorEvery?: number;
  /** Every Nth request has its connection cut mid-response (the client sees a network error). */
  resetEvery?: number;
  /** Every Nth request answers 200 with a truncated, non-JSON body. */
  malformedEvery?: number;
  /** The last page carries `next_cursor: null` (else `""`). */
  nullEndCursor?: boolean;
  /** Editor and language names in lower case (default: the docs' casing, "VSCode", "Python"). */
  lowerCaseNames?: boolean;
  /** Omit `completions_suggested_lines_of_code` and every zero-valued counter. */
  missingCounters?: boolean;
  /** Add an undocumented counter (`next_edit_suggestions`), consistently in every endpoint. */
  unknownCounters?: boolean;
  /** 429 answers carry `Retry-After` with this many seconds. */
  retryAfterSeconds?: number;
  /**
   * `daily-usage` disagrees with the records it should sum: on days of the month divisible by
   * 5, `completions_count` is 1 higher; days of the month divisible by 7 are missing.
   */
  dailyUsageDrift?: boolean;
  /**
   * Every positive `completions_count` is sent as this value instead, by every endpoint that
   * sends counters (records, `daily-usage`, `user-activity`): a value no client can count
   * exactly (`1e308`, `2 ** 63`, the string `"9007199254740993"`), or a safe one whose sums are
   * not (`2 ** 52`).
   */
  bigCounters?: number | string;
  /**
   * Paginated lists never end: past the last item every page is empty, with `has_more: true`
   * and a fresh cursor (one that never repeats).
   */
  endlessCursor?: boolean;
  /** `credit-usage-by-user` and `cost-analytics` answer 404 (not enabled for the enterprise). */
  creditsDisabled?: boolean;
  /** `cost-analytics` alone answers 404. */
  costDisabled?: boolean;
}

/** How the simulator behaves. */
export interface SimulatorOptions {
  /** Seed of the synthetic data; default 1. */
  seed?: number;
  /** Number of identities, about 10% of them service accounts; default 25. */
  users?: number;
  /** Accepted Bearer tokens; default `[SIMULATOR_TOKEN]`. */
  tokens?: string[];
  /** Tokens known but not permitted: 403 `PermissionDenied`. */
  forbiddenTokens?: string[];
  /** Milliseconds since the epoch; "yesterday" (UTC) and publication derive from it. */
  now?: () => number;
  /** Token bucket per token; default `{perMinute: 10, burst: 20}`; `false` turns it off. */
  rateLimit?: { perMinute: number; burst: number } | false;
  /** Faults to inject; default none. */
  faults?: Faults;
  /**
   * Milliseconds each answer takes (a slow service); default 0. The rate limit counts a
   * request when it arrives, as the service's does; the answer leaves this much later.
   */
  latencyMs?: number;
}

/** What the simulator received. */
export interface SimulatorStats {
  /** Every request received, whatever its answer. */
  requests: number;
  /** Requests per path (e.g. `/analytics/v0/dau`). */
  byEndpoint: Record<string, number>;
  /** Requests answered 429. */
  rateLimited: number;
  /** Faults injected (500, reset, malformed). */
  faultsInjected: number;
}

/** A running simulator on loopback. */
export interface Simulator extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly stats: SimulatorStats;
  /** The most requests it was answering at once (since the last `resetStats`). */
  readonly maxInFlight: number;
  /** The faults in force; may be replaced at run time. */
  faults: Faults;
  /** Sets every statistic back to zero (the fault counters too). */
  resetStats(): void;
  /** Stops listening and closes open connections. */
  shutdown(): Promise<void>;
}

/** The metrics object of one record as generated: counter name → integer. */
export type SimMetrics = Record<string, number>;

/** The metrics object as sent: under the `bigCounters` fault a value may be a string. */
export type WireMetrics = Record<string, number | string>;

/** One editor-language record, in the wire shape of `daily-user-activity-by-editor-language`. */
export interface SimRecord {
  user_email?: string;
  service_account_name?: string;
  editor: string;
  language: string;
  metrics: SimMetrics;
}

/**
 * The server's own metrics in the Prometheus text exposition format (version 0.0.4): HTTP
 * requests by route and status with latency histograms, the history's size, and the outcome of
 * the last sync; credits and cost of the last 28 days where the history carries them.
 *
 * @module
 */
import { Decimal } from "../model/money.ts";

/** Latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What a sync reports when it ends (see `ServeOptions.sync`). */
export interface SyncReport {
  /** The newest day the history holds after the sync. */
  readonly newestDay?: string;
  /** Requests sent to the Analytics API, retries among them, and 429 answers. */
  readonly requests: number;
  readonly retries: number;
  readonly rateLimited: number;
  /** Anything worth a log line (days fetched, …). */
  readonly message?: string;
}

/** The outcome of the last sync, as `/readyz` and `/metrics` show it. */
export interface SyncState {
  /** When the last sync started and ended (ms), and whether it succeeded. */
  lastStartMs?: number;
  lastEndMs?: number;
  lastOk?: boolean;
  lastError?: string;
  lastSuccessMs?: number;
  lastReport?: SyncReport;
  running: boolean;
  ok: number;
  failed: number;
  /** When the next sync is planned (ms). */
  nextMs?: number;
}

function escapeLabel(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function num(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** Counters and histograms of HTTP requests. */
export class HttpMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  inFlight = 0;

  /** Records one answered request. */
  observe(route: string, status: number, seconds: number): void {
    const key = `${route}\u0000${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let h = this.#latency.get(route);
    if (!h) {
      h = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.#latency.set(route, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]) h.counts[i]++;
    }
    h.sum += seconds;
    h.count++;
  }

  /** Requests answered so far for `route` and `status`. */
  count(route: string, status: number): number {
    return this.#requests.get(`${route}\u0000${status}`) ?? 0;
  }

  lines(): string[] {
    const out: string[] = [
      "# HELP augment_serve_http_requests_total HTTP requests answered, by route and status.",
      "# TYPE augment_serve_http_requests_total counter",
    ];
    for (const [key, n] of [...this.#requests].sort()) {
      const [route, status] = key.split("\u0000");
      out.push(
        `augment_serve_http_requests_total{route="${escapeLabel(route)}",status="${status}"} ${n}`,
      );
    }
    out.push(
      "# HELP augment_serve_http_request_duration_seconds Time to answer a request (headers sent), by route.",
      "# TYPE augment_serve_http_request_duration_seconds histogram",
    );
    for (const [route, h] of [...this.#latency].sort()) {
      const r = escapeLabel(route);
      LATENCY_BUCKETS.forEach((b, i) => {
        out.push(
          `augment_serve_http_request_duration_seconds_bucket{route="${r}",le="${b}"} ${
            h.counts[i]
          }`,
        );
      });
      out.push(
        `augment_serve_http_request_duration_seconds_bucket{route="${r}",le="+Inf"} ${h.count}`,
        `augment_serve_http_request_duration_seconds_sum{route="${r}"} ${num(h.sum)}`,
        `augment_serve_http_request_duration_seconds_count{route="${r}"} ${h.count}`,
      );
    }
    out.push(
      "# HELP augment_serve_http_requests_in_flight Requests being answered.",
      "# TYPE augment_serve_http_requests_in_flight gauge",
      `augment_serve_http_requests_in_flight ${this.inFlight}`,
    );
    return out;
  }
}

/** A gauge line with its HELP and TYPE. */
export function gauge(name: string, help: string, value: number): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${num(value)}`];
}

/** A counter line with its HELP and TYPE (`name` ends in `_total`). */
export function counter(
  name: string,
  help: string,
  values: readonly { labels?: Record<string, string>; value: number }[],
): string[] {
  const out = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
  for (const { labels, value } of values) {
    const l = labels
      ? `{${Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`
      : "";
    out.push(`${name}${l} ${num(value)}`);
  }
  return out;
}

/** The sync lines of `/metrics`. */
export function syncLines(s: SyncState, configured: boolean): string[] {
  const r = s.lastReport;
  return [
    ...gauge(
      "augment_serve_sync_enabled",
      "1 when serve keeps the history fresh by itself (--sync / --sync-every).",
      configured ? 1 : 0,
    ),
    ...gauge(
      "augment_serve_sync_last_success_timestamp_seconds",
      "End of the last successful sync (Unix time; 0: none yet).",
      (s.lastSuccessMs ?? 0) / 1000,
    ),
    ...gauge(
      "augment_serve_sync_last_run_timestamp_seconds",
      "End of the last sync, successful or not (Unix time; 0: none yet).",
      (s.lastEndMs ?? 0) / 1000,
    ),
    ...gauge(
      "augment_serve_sync_last_ok",
      "1 when the last sync succeeded, 0 when it failed, -1 before the first.",
      s.lastOk === undefined ? -1 : s.lastOk ? 1 : 0,
    ),
    ...gauge(
      "augment_serve_sync_running",
      "1 while a sync runs.",
      s.running ? 1 : 0,
    ),
    ...gauge(
      "augment_serve_sync_last_duration_seconds",
      "Duration of the last sync.",
      s.lastStartMs !== undefined && s.lastEndMs !== undefined && s.lastEndMs >= s.lastStartMs
        ? (s.lastEndMs - s.lastStartMs) / 1000
        : 0,
    ),
    ...gauge(
      "augment_serve_sync_last_requests",
      "Analytics API requests of the last successful sync.",
      r?.requests ?? 0,
    ),
    ...gauge(
      "augment_serve_sync_last_retries",
      "Retried requests of the last successful sync.",
      r?.retries ?? 0,
    ),
    ...gauge(
      "augment_serve_sync_last_rate_limited",
      "429 answers met by the last successful sync.",
      r?.rateLimited ?? 0,
    ),
    ...counter("augment_serve_syncs_total", "Syncs run, by outcome.", [
      { labels: { outcome: "ok" }, value: s.ok },
      { labels: { outcome: "failed" }, value: s.failed },
    ]),
  ];
}

/**
 * Credits and cost of the 28 days ending at the newest stored day, from the entity rows'
 * `augment.credits` / `augment.cost` (summed exactly, shown as the nearest double): one gauge
 * each, in credits and in USD as the enterprise is billed; none when no day carries them.
 */
export function creditLines(rows: readonly Record<string, unknown>[]): string[] {
  let credits: Decimal | undefined;
  let billed: Decimal | undefined;
  let estimated: Decimal | undefined;
  const add = (sum: Decimal | undefined, v: unknown) => {
    if (typeof v !== "string") return sum;
    try {
      return (sum ?? Decimal.ZERO).plus(Decimal.parse(v));
    } catch {
      return sum;
    }
  };
  for (const row of rows) {
    const ext = row.augment as
      | { credits?: { total?: unknown }; cost?: Record<string, unknown> }
      | undefined;
    credits = add(credits, ext?.credits?.total);
    billed = add(billed, ext?.cost?.billed_amount_usd);
    estimated = add(estimated, ext?.cost?.estimated_customer_cost_usd);
  }
  const out: string[] = [];
  if (credits !== undefined) {
    out.push(...gauge(
      "augment_credits_used_28d",
      "Credits used in the 28 days ending at the newest stored day.",
      credits.toNumber(),
    ));
  }
  if (billed !== undefined) {
    out.push(...gauge(
      "augment_cost_billed_usd_28d",
      "USD billed in the 28 days ending at the newest stored day.",
      billed.toNumber(),
    ));
  }
  if (estimated !== undefined) {
    out.push(...gauge(
      "augment_cost_estimated_customer_usd_28d",
      "Estimated customer cost in USD, 28 days ending at the newest stored day.",
      estimated.toNumber(),
    ));
  }
  return out;
}

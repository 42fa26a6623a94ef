/**
 * The simulator's rate limit: one token bucket per Bearer token, refilled at `perMinute`
 * and holding at most `burst`, read against the injected clock.
 *
 * @module
 */

/** Per-token buckets. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perMinute: number,
    readonly burst: number,
    readonly now: () => number,
  ) {}

  /** Takes one token for `key`; `false` when the bucket is empty (answer 429). */
  take(key: string): boolean {
    const t = this.now();
    const b = this.#buckets.get(key) ?? { tokens: this.burst, at: t };
    const elapsed = Math.max(0, t - b.at);
    b.tokens = Math.min(this.burst, b.tokens + elapsed * this.perMinute / 60_000);
    b.at = t;
    this.#buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Milliseconds until `key` has a token again (0 when it has one now). */
  waitMs(key: string): number {
    const b = this.#buckets.get(key);
    if (!b || b.tokens >= 1) return 0;
    return Math.ceil((1 - b.tokens) * 60_000 / this.perMinute);
  }
}

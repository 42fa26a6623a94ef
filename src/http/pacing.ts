/**
 * Client-side pacing: a token bucket that lets `burst` requests go at once and then
 * `ratePerMinute`, so that a normal run never meets the service's 429.
 *
 * Implemented as a generic cell-rate algorithm: each `take` reserves the next free slot, so
 * concurrent callers are served first come, first served without busy waiting.
 *
 * The service's bucket starts when the first request *arrives*, which is later than it was
 * sent by that request's latency (the first one also pays for the connection). A paced request
 * that arrives faster than the first did would reach the service just before its token. Every
 * paced request therefore waits a fixed margin past the edge: the cost is that margin once
 * per run (the schedule itself does not shift), the gain is no self-inflicted 429. Tokens of
 * a full bucket (the burst) need no margin — the service's bucket was full too.
 *
 * @module
 */
import type { Clock } from "./types.ts";
import { systemClock } from "./clock.ts";

/** Options of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Sustained rate, in requests per minute (> 0). */
  readonly ratePerMinute: number;
  /** Requests allowed at once after an idle period (≥ 1). */
  readonly burst: number;
  /** Time source; the system clock by default. */
  readonly clock?: Clock;
  /**
   * Extra wait past the edge for paced requests, in ms; by default {@link defaultMarginMs}.
   */
  readonly marginMs?: number;
}

/**
 * The default safety margin: a quarter of the interval, at most one second — 1 s at the
 * service's 10 a minute (against a 6 s interval), 50 ms at 300 a minute.
 */
export function defaultMarginMs(ratePerMinute: number): number {
  return Math.min(1_000, 60_000 / ratePerMinute / 4);
}

/** A token bucket of `burst` tokens refilled at `ratePerMinute`. */
export class TokenBucket {
  readonly #interval: number;
  readonly #tolerance: number;
  readonly #margin: number;
  readonly #clock: Clock;
  /** Theoretical arrival time of the next request (ms since the epoch). */
  #tat = -Infinity;
  /** When the bucket was last seen full: tokens from then are used without a margin. */
  #fullAt = -Infinity;
  /** No token before this time (a 429 asked to wait): see {@link holdUntil}. */
  #heldUntil = -Infinity;

  constructor(options: TokenBucketOptions) {
    const { ratePerMinute, burst } = options;
    if (!(ratePerMinute > 0) || !Number.isFinite(ratePerMinute)) {
      throw new RangeError(`Invalid rate "${ratePerMinute}": expected a positive number`);
    }
    if (!Number.isInteger(burst) || burst < 1) {
      throw new RangeError(`Invalid burst "${burst}": expected a whole number of at least 1`);
    }
    this.#interval = 60_000 / ratePerMinute;
    this.#tolerance = (burst - 1) * this.#interval;
    const margin = options.marginMs ?? defaultMarginMs(ratePerMinute);
    if (!(margin >= 0) || !Number.isFinite(margin)) {
      throw new RangeError(`Invalid margin "${margin}": expected a number of ms, 0 or more`);
    }
    this.#margin = margin;
    this.#clock = options.clock ?? systemClock;
  }

  /** Milliseconds between two requests at the sustained rate. */
  get intervalMs(): number {
    return this.#interval;
  }

  /**
   * The service said to wait (a 429): no token is given before `atMs`, and from then on at
   * the sustained rate (the service's bucket is empty, so no burst). Requests already waiting
   * keep their turn after it; every request in flight shares the pause.
   */
  holdUntil(atMs: number): void {
    this.#tat = Math.max(this.#tat, atMs - this.#margin + this.#tolerance);
    this.#heldUntil = Math.max(this.#heldUntil, atMs);
  }

  /**
   * Waits until a token is free and takes it. Rejects with the signal's reason when aborted
   * (the reserved slot is then given back).
   */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      // Full (a margin ago, so that the service's bucket is full too): its tokens need no margin.
      if (this.#tat <= now - this.#margin) this.#fullAt = now;
      const tat = Math.max(this.#tat, now);
      const edge = tat - this.#tolerance;
      const allowedAt = edge <= this.#fullAt ? now : Math.max(now, edge + this.#margin);
      this.#tat = tat + this.#interval;
      const wait = allowedAt - now;
      if (wait <= 0) return;
      try {
        await this.#clock.sleep(wait, signal);
      } catch (err) {
        this.#tat -= this.#interval;
        throw err;
      }
      // A 429 held the bucket meanwhile: this turn is given up, a new one taken after the pause.
      if (this.#heldUntil <= this.#clock.now()) return;
    }
  }
}

/**
 * Endpoints with a rate limit of their own (the credits and cost endpoints: 30 a minute,
 * apart from the activity endpoints' 10): paced by a bucket of their own, so that their
 * requests neither wait for nor delay the others.
 */
export interface EndpointBucket {
  /** Endpoint paths (exact, without query string) that share this bucket. */
  readonly paths: readonly string[];
  /** Sustained rate, in requests per minute. */
  readonly ratePerMinute: number;
  /** Requests allowed at once. */
  readonly burst: number;
}

/** Which bucket paces which endpoint: listed paths their own, every other the default one. */
export class BucketRouter {
  readonly #default: TokenBucket;
  readonly #byPath = new Map<string, TokenBucket>();

  constructor(
    defaultBucket: TokenBucket,
    buckets: readonly EndpointBucket[] = [],
    clock: Clock = systemClock,
  ) {
    this.#default = defaultBucket;
    for (const spec of buckets) {
      const bucket = new TokenBucket({
        ratePerMinute: spec.ratePerMinute,
        burst: spec.burst,
        clock,
      });
      for (const path of spec.paths) {
        if (this.#byPath.has(path)) {
          throw new RangeError(`Invalid buckets: "${path}" is listed twice`);
        }
        this.#byPath.set(path, bucket);
      }
    }
  }

  /** The bucket of the endpoint `path`. */
  bucketFor(path: string): TokenBucket {
    return this.#byPath.get(path) ?? this.#default;
  }
}

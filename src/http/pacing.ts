/**
 * Client-side pacing: a token bucket that lets `burst` requests go at once and then exactly
 * `ratePerMinute`, so that a normal run never meets the service's 429.
 *
 * Implemented as a generic cell-rate algorithm: each `take` reserves the next free slot, so
 * concurrent callers are served first come, first served without busy waiting.
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
}

/** A token bucket of `burst` tokens refilled at `ratePerMinute`. */
export class TokenBucket {
  readonly #interval: number;
  readonly #tolerance: number;
  readonly #clock: Clock;
  /** Theoretical arrival time of the next request (ms since the epoch). */
  #tat = -Infinity;

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
    this.#clock = options.clock ?? systemClock;
  }

  /** Milliseconds between two requests at the sustained rate. */
  get intervalMs(): number {
    return this.#interval;
  }

  /**
   * Waits until a token is free and takes it. Rejects with the signal's reason when aborted
   * (the reserved slot is then given back).
   */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.#clock.now();
    const tat = Math.max(this.#tat, now);
    const allowedAt = Math.max(now, tat - this.#tolerance);
    this.#tat = tat + this.#interval;
    const wait = allowedAt - now;
    if (wait <= 0) return;
    try {
      await this.#clock.sleep(wait, signal);
    } catch (err) {
      this.#tat -= this.#interval;
      throw err;
    }
  }
}

/**
 * Bounded concurrency for the sync: several days and endpoints in flight at once, the pacer
 * still the only gate on the request rate (every request takes its token first, so running
 * more at once never sends faster than the rate; it only stops the service's latency from
 * wasting tokens).
 *
 * A failure or an abort stops the pool: no new item starts, the items in flight are aborted,
 * and the pool settles only after every one of them has — so nothing is written after the
 * caller has moved on (a day is written whole or not at all).
 *
 * @module
 */

/**
 * Days fetched at once. The pacer gates the rate; this only needs to cover the service's
 * latency (`latency ÷ pacing interval + 1` streams keep the pacer busy: 8 cover 1.4 s at
 * 300 a minute, 42 s at the service's 10 a minute) while bounding memory to 8 days of records.
 */
export const DAYS_IN_FLIGHT = 8;

/**
 * Identities whose records may be in flight at once (about 3.6 records each): a day's records
 * are held until its last page arrived, so a large organisation fetches fewer days at once
 * (two to three days of 10 000 identities, a few tens of megabytes) while a small one still
 * fetches {@link DAYS_IN_FLIGHT}.
 */
export const IDENTITIES_IN_FLIGHT = 25_000;

/**
 * A weighted gate: work takes units before it starts and gives them back when done, and
 * waits (in order of arrival) while the units in use would pass the capacity. A weight above
 * the capacity counts as the capacity, so that any work can run alone.
 */
export class WeightedGate {
  #inUse = 0;
  readonly #waiting: { weight: number; go: () => void }[] = [];

  constructor(readonly capacity: number) {}

  /** Units in use. */
  get inUse(): number {
    return this.#inUse;
  }

  /**
   * Waits for `weight` units and returns the function that gives them back (call it once).
   * Rejects with the signal's reason when `signal` aborts first.
   */
  async acquire(weight: number, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    const w = Math.max(0, Math.min(weight, this.capacity));
    if (this.#waiting.length > 0 || this.#inUse + w > this.capacity) {
      await new Promise<void>((resolve, reject) => {
        const entry = { weight: w, go: () => {} };
        const onAbort = () => {
          this.#waiting.splice(this.#waiting.indexOf(entry), 1);
          this.#wake();
          reject(signal!.reason);
        };
        entry.go = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiting.push(entry);
      });
    } else this.#inUse += w;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= w;
      this.#wake();
    };
  }

  /** Lets in the waiting work that now fits, in order. */
  #wake(): void {
    while (this.#waiting.length > 0 && this.#inUse + this.#waiting[0].weight <= this.capacity) {
      const next = this.#waiting.shift()!;
      this.#inUse += next.weight;
      next.go();
    }
  }
}

/**
 * Runs `work` on every item, at most `concurrency` at once, starting them in order. Rejects
 * with the first error (or the signal's reason when `signal` aborts) once every started item
 * has settled; the `signal` passed to `work` aborts when the pool stops.
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Invalid concurrency "${concurrency}": expected a whole number ≥ 1`);
  }
  signal?.throwIfAborted();
  const stop = new AbortController();
  const inner = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let failed = false;
  let firstError: unknown;
  let next = 0;
  const worker = async () => {
    while (!inner.aborted && next < items.length) {
      const item = items[next++];
      try {
        await work(item, inner);
      } catch (err) {
        if (!failed) {
          failed = true;
          firstError = err;
          stop.abort(err);
        }
        return;
      }
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, worker);
  await Promise.all(workers);
  if (signal?.aborted) throw signal.reason;
  if (failed) throw firstError;
}

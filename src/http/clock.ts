/**
 * Clocks: the real one, and a fake one whose `sleep` advances virtual time at once, so that
 * pacing and backoff are tested in milliseconds.
 *
 * @module
 */
import type { Clock } from "./types.ts";

/** The reason a sleep rejects with when its signal aborts without a reason of its own. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** Wall-clock time and real timers; `sleep` rejects at once with the signal's reason. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/**
 * A virtual clock for tests: `sleep(ms)` records `ms`, advances `now()` by it and resolves
 * immediately (or rejects with the signal's reason when the signal is already aborted).
 */
export class FakeClock implements Clock {
  #now: number;
  /** Every sleep requested, in order, in milliseconds. */
  readonly sleeps: number[] = [];

  /** Starts at `startMs` (default 0) milliseconds since the epoch. */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  /** The virtual time. */
  now(): number {
    return this.#now;
  }

  /** Moves the virtual time forward by `ms` without recording a sleep. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Records the sleep and advances virtual time by `ms` at once. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const d = Math.max(0, ms);
    this.sleeps.push(d);
    this.#now += d;
    return Promise.resolve();
  }

  /** Total virtual time slept, in milliseconds. */
  get slept(): number {
    return this.sleeps.reduce((a, b) => a + b, 0);
  }
}

/**
 * Keeps the history fresh while serving: runs the sync hook (the lead's locked export) on a
 * schedule — once at start, then daily after the service's publication hour, or every
 * DURATION — records each outcome for `/readyz` and `/metrics`, reloads the folder index after
 * a successful sync, and keeps serving the last good data after a failed one (retrying sooner).
 *
 * Time is injected ({@link SchedulerClock}) so tests drive a day of schedule in milliseconds.
 *
 * @module
 */
import type { SyncReport, SyncState } from "./metrics.ts";

/** When to sync. */
export type SyncSchedule =
  /** Every day at `hourUtc:minuteUtc` (UTC), after the service publishes the day before. */
  | { readonly kind: "daily"; readonly hourUtc: number; readonly minuteUtc: number }
  /** Every `ms` after the end of the previous sync. */
  | { readonly kind: "every"; readonly ms: number };

/** The sync hook: fetch what is new and render it; resolves with counts, rejects on failure. */
export type SyncFunction = (signal: AbortSignal) => Promise<SyncReport>;

/** Time, injected. */
export interface SchedulerClock {
  now(): number;
  /** Resolves after `ms`, or when `signal` aborts (then rejects or resolves: either is fine). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: SchedulerClock = {
  now: Date.now,
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

/** Publication margin of `--sync daily`: 03:15 UTC, a quarter of an hour after 03:00. */
export const DAILY_SYNC: SyncSchedule = { kind: "daily", hourUtc: 3, minuteUtc: 15 };

/** How soon a failed sync is tried again (at most: never later than the next planned one). */
export const RETRY_AFTER_FAILURE_MS = 15 * 60_000;

/** The first planned time strictly after `afterMs` (a failed sync retries sooner, see below). */
export function nextSyncAt(schedule: SyncSchedule, afterMs: number): number {
  if (schedule.kind === "every") return afterMs + schedule.ms;
  const d = new Date(afterMs);
  let t = Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth(),
    d.getUTCDate(),
    schedule.hourUtc,
    schedule.minuteUtc,
  );
  if (t <= afterMs) t += 86_400_000;
  return t;
}

/** Options of {@link SyncScheduler}. */
export interface SchedulerOptions {
  readonly sync: SyncFunction;
  readonly schedule: SyncSchedule;
  readonly clock: SchedulerClock;
  /** Called after a successful sync (reload the folder index). */
  readonly onSuccess: (report: SyncReport) => Promise<void>;
  readonly log: {
    info(message: string, data?: Record<string, unknown>): void;
    warn(message: string, data?: Record<string, unknown>): void;
  };
  /** Sync once at start (default true). */
  readonly atStart?: boolean;
}

/** Runs the sync hook on its schedule until {@link stop}. */
export class SyncScheduler {
  readonly state: SyncState = { running: false, ok: 0, failed: 0 };
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(private readonly o: SchedulerOptions) {}

  /** Starts the loop (once). */
  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    const { clock, schedule } = this.o;
    const signal = this.#stop.signal;
    let next = this.o.atStart === false ? nextSyncAt(schedule, clock.now()) : clock.now();
    while (!signal.aborted) {
      this.state.nextMs = next;
      const wait = next - clock.now();
      if (wait > 0) await clock.sleep(wait, signal).catch(() => {});
      if (signal.aborted) break;
      if (clock.now() < next) continue; // woken early
      const ok = await this.runOnce();
      if (signal.aborted) break;
      const planned = nextSyncAt(schedule, clock.now());
      next = ok ? planned : Math.min(planned, clock.now() + RETRY_AFTER_FAILURE_MS);
    }
    this.state.nextMs = undefined;
  }

  /** Runs the sync now and records the outcome; returns whether it succeeded. */
  async runOnce(): Promise<boolean> {
    const s = this.state;
    const { clock } = this.o;
    s.running = true;
    s.lastStartMs = clock.now();
    try {
      const report = await this.o.sync(this.#stop.signal);
      s.lastReport = report;
      await this.o.onSuccess(report);
      s.lastEndMs = clock.now();
      s.lastOk = true;
      s.lastError = undefined;
      s.lastSuccessMs = s.lastEndMs;
      s.ok++;
      this.o.log.info(
        `Sync done in ${((s.lastEndMs - s.lastStartMs) / 1000).toFixed(1)}s: ` +
          `${report.requests} requests${
            report.newestDay ? `, newest day "${report.newestDay}"` : ""
          }` +
          (report.message ? `; ${report.message}` : ""),
        {
          event: "sync",
          ok: true,
          requests: report.requests,
          retries: report.retries,
          rateLimited: report.rateLimited,
          newestDay: report.newestDay,
        },
      );
      return true;
    } catch (e) {
      s.lastEndMs = clock.now();
      s.lastOk = false;
      s.lastError = e instanceof Error ? e.message : String(e);
      s.failed++;
      if (!this.#stop.signal.aborted) {
        this.o.log.warn(
          `Sync failed: ${s.lastError}; still serving the last good data, next try planned`,
          { event: "sync", ok: false, error: s.lastError },
        );
      }
      return false;
    } finally {
      s.running = false;
    }
  }

  /** Stops the loop; a running sync is aborted (it stops at a day boundary) and awaited. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }
}

/**
 * The sync schedule of `serve`, driven by a fake clock: once at start, daily after the
 * publication hour or every DURATION, a failed sync retried sooner while the last good data is
 * served, `/readyz` and `/metrics` telling the outcome, and a running sync aborted on shutdown.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  DAILY_SYNC,
  nextSyncAt,
  RETRY_AFTER_FAILURE_MS,
  type SchedulerClock,
  SyncScheduler,
} from "../../src/serve/scheduler.ts";
import { startServe, type SyncReport } from "../../src/serve/server.ts";
import { writeOutputFolder } from "./_fixtures.ts";

/** A clock that moves only when told; sleepers wake in time order. */
class FakeClock implements SchedulerClock {
  #sleepers: { at: number; wake: () => void }[] = [];
  constructor(public ms: number) {}
  now = () => this.ms;
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const s = { at: this.ms + ms, wake: resolve };
      this.#sleepers.push(s);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
  /** Moves time forward to `to`, waking each sleeper at its time and letting it run. */
  async advanceTo(to: number): Promise<void> {
    for (;;) {
      await settle();
      this.#sleepers.sort((a, b) => a.at - b.at);
      const next = this.#sleepers[0];
      if (!next || next.at > to) break;
      this.#sleepers.shift();
      this.ms = next.at;
      next.wake();
    }
    this.ms = to;
    await settle();
  }
}

async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

const T = (iso: string) => Date.parse(iso);
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const REPORT: SyncReport = { requests: 3, retries: 1, rateLimited: 0, newestDay: "2026-02-10" };

Deno.test("nextSyncAt: daily at 03:15 UTC, strictly after; every N after the end", () => {
  equal(nextSyncAt(DAILY_SYNC, T("2026-03-01T02:00:00Z")), T("2026-03-01T03:15:00Z"));
  equal(nextSyncAt(DAILY_SYNC, T("2026-03-01T03:15:00Z")), T("2026-03-02T03:15:00Z"));
  equal(nextSyncAt(DAILY_SYNC, T("2026-03-01T23:59:00Z")), T("2026-03-02T03:15:00Z"));
  equal(nextSyncAt({ kind: "every", ms: 600_000 }, 1_000), 601_000);
});

Deno.test("SyncScheduler: syncs at start, then daily after publication; a failure retries 15 minutes later", async () => {
  const clock = new FakeClock(T("2026-03-01T10:00:00Z"));
  const runs: string[] = [];
  let fail = false;
  let reloads = 0;
  const s = new SyncScheduler({
    sync: () => {
      runs.push(new Date(clock.now()).toISOString());
      return fail ? Promise.reject(new Error("service said 503")) : Promise.resolve(REPORT);
    },
    schedule: DAILY_SYNC,
    clock,
    onSuccess: () => {
      reloads++;
      return Promise.resolve();
    },
    log: quiet,
  });
  s.start();
  await clock.advanceTo(T("2026-03-01T10:00:00Z"));
  deepEqual(runs, ["2026-03-01T10:00:00.000Z"]);
  equal(s.state.lastOk, true);
  equal(s.state.nextMs, T("2026-03-02T03:15:00Z"));
  fail = true;
  await clock.advanceTo(T("2026-03-02T03:40:00Z"));
  deepEqual(runs.slice(1), ["2026-03-02T03:15:00.000Z", "2026-03-02T03:30:00.000Z"]);
  equal(s.state.lastOk, false);
  equal(s.state.lastError, "service said 503");
  equal(s.state.failed, 2);
  equal(s.state.lastSuccessMs, T("2026-03-01T10:00:00Z"));
  equal(s.state.nextMs, T("2026-03-02T03:45:00Z"));
  fail = false;
  await clock.advanceTo(T("2026-03-02T03:45:00Z"));
  equal(s.state.lastOk, true);
  equal(s.state.ok, 2);
  equal(reloads, 2);
  equal(s.state.nextMs, T("2026-03-03T03:15:00Z"));
  equal(RETRY_AFTER_FAILURE_MS, 15 * 60_000);
  await s.stop();
});

Deno.test("SyncScheduler: --sync-every runs again DURATION after each end; stop aborts a running sync", async () => {
  const clock = new FakeClock(0);
  const starts: number[] = [];
  let aborted = false;
  let hang = false;
  const s = new SyncScheduler({
    sync: (signal) => {
      starts.push(clock.now());
      if (!hang) return Promise.resolve(REPORT);
      return new Promise((_, reject) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("stopped at a day boundary"));
        });
      });
    },
    schedule: { kind: "every", ms: 60_000 },
    clock,
    onSuccess: () => Promise.resolve(),
    log: quiet,
  });
  s.start();
  await clock.advanceTo(150_000);
  deepEqual(starts, [0, 60_000, 120_000]);
  hang = true;
  await clock.advanceTo(180_000);
  equal(s.state.running, true);
  await s.stop();
  ok(aborted);
  equal(s.state.running, false);
});

Deno.test("serve with a sync hook: the synced day is served; a failed sync keeps the data and /readyz says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serve-sync-" });
  try {
    await writeOutputFolder(dir, { start: "2026-01-01", end: "2026-02-09" });
    const clock = new FakeClock(T("2026-02-11T05:00:00Z"));
    let fail = false;
    await using s = await startServe({
      outputDir: dir,
      hostname: "127.0.0.1",
      port: 0,
      tokens: [],
      org: "acme",
      enterprise: "acme",
      log: quiet,
      pollMs: 0,
      clock,
      schedule: DAILY_SYNC,
      sync: async () => {
        if (fail) throw new Error("Analytics API unreachable");
        // The export: one more day, written the way export writes it.
        await writeOutputFolder(dir, { start: "2026-01-01", end: "2026-02-10" });
        return REPORT;
      },
    });
    const ready = async () => {
      const res = await fetch(`${s.url}/readyz`);
      return { status: res.status, body: await res.json() };
    };
    const latestEnd = async () =>
      (await (await fetch(
        `${s.url}/orgs/acme/copilot/metrics/reports/organization-28-day/latest`,
      )).json()).report_end_day;
    // The sync at start ran (fake clock at its start time) and reloaded the folder.
    for (let i = 0; i < 50 && s.syncState!.lastOk === undefined; i++) await settle();
    equal(s.syncState!.lastOk, true);
    equal(await latestEnd(), "2026-02-10");
    let r = await ready();
    equal(r.status, 200);
    equal(r.body.checks.fresh, true);
    // The next day's sync fails: the last good data is still served, /readyz is 503.
    fail = true;
    await clock.advanceTo(T("2026-02-12T03:15:00Z"));
    const state = s.syncState as { lastOk?: boolean };
    for (let i = 0; i < 50 && state.lastOk !== false; i++) await settle();
    equal(s.syncState!.lastOk, false);
    equal(await latestEnd(), "2026-02-10");
    r = await ready();
    equal(r.status, 503);
    deepEqual(r.body.checks, { data: true, fresh: false, sync: false });
    equal(r.body.sync.last_error, "Analytics API unreachable");
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    ok(metrics.includes("augment_serve_sync_last_ok 0"));
    ok(metrics.includes('augment_serve_syncs_total{outcome="failed"} 1'));
    ok(metrics.includes("augment_serve_sync_last_requests 3"));
    ok(
      metrics.includes(
        `augment_serve_sync_last_success_timestamp_seconds ${T("2026-02-11T05:00:00Z") / 1000}`,
      ),
    );
    await Deno.stat(join(dir, "daily", "2026-02-10", "users-1-day.ndjson"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

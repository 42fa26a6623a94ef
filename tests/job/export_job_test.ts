/**
 * The export job against the simulator over real HTTP: request counts, the local store,
 * resumption after an interruption, `--since-last` around the publication hour.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AnalyticsClient } from "../../src/augment/client.ts";
import { ALL_FORMATS } from "../../src/export/exporter.ts";
import { HttpClient } from "../../src/http/client.ts";
import {
  type ExportJobResult,
  planExport,
  resolveRange,
  runExport,
} from "../../src/job/export_job.ts";
import { type Reporter, silentReporter } from "../../src/job/reporter.ts";
import { eachDay } from "../../src/model/dates.ts";
import { generateDayRecords, SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { DayStore, StoreError } from "../../src/store/day_store.ts";
import { listFiles, withTempDir } from "../e2e/helpers.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const EL = "/analytics/v0/daily-user-activity-by-editor-language";
const RATE = { perMinute: 6000, burst: 20 };

interface Run {
  result: ExportJobResult;
  http: HttpClient;
}

async function exportRange(
  url: string,
  dir: string,
  range: { start: string; end: string },
  options: { refresh?: boolean; now?: number; reporter?: Reporter; signal?: AbortSignal } = {},
): Promise<Run> {
  const now = options.now ?? NOW;
  const http = new HttpClient({
    baseUrl: url,
    token: SIMULATOR_TOKEN,
    userAgent: "augment-metrics/test",
    timeoutMs: 10_000,
    maxRetries: 3,
    ratePerMinute: RATE.perMinute,
    burst: RATE.burst,
  });
  const client = new AnalyticsClient(http, { now: () => now });
  const store = await DayStore.open(join(dir, ".store"), url, now);
  const plan = await planExport(store, range, { refresh: options.refresh ?? false, nowMs: now });
  const result = await runExport({
    client,
    stats: http.stats,
    store,
    plan,
    outputDir: dir,
    formats: new Set(ALL_FORMATS),
    enterpriseId: "e1",
    now: () => now,
    signal: options.signal,
    reporter: options.reporter ?? silentReporter,
  });
  return { result, http };
}

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

Deno.test("a 28-day export makes exactly the planned minimum of requests, per endpoint", async () => {
  const users = 130;
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users });
  await withTempDir(async (dir) => {
    const range = { start: "2026-10-01", end: "2026-10-28" };
    const { result } = await exportRange(sim.url, dir, range);

    // Expected from the simulator's own data: pages of 100 per day, 250 per lookback day.
    let el = 0;
    const active = new Set<string>();
    for (const day of eachDay(range.start, range.end)) {
      const records = generateDayRecords(1, users, day);
      el += pages(records.length, 100);
      for (const r of records) active.add(r.user_email ?? `sa:${r.service_account_name}`);
    }
    let dau = 0;
    for (const day of eachDay("2026-09-04", "2026-09-30")) {
      const ids = new Set(
        generateDayRecords(1, users, day).map((r) => r.user_email ?? r.service_account_name),
      );
      dau += pages(ids.size, 250);
    }
    const expected = {
      "/analytics/v0/dau-count": 1,
      "/analytics/v0/daily-usage": 1,
      [EL]: el,
      "/analytics/v0/user-activity": pages(active.size, 100),
      "/analytics/v0/dau": dau,
    };
    assert.deepEqual(sim.stats.byEndpoint, expected);
    assert.equal(result.requests, Object.values(expected).reduce((a, b) => a + b, 0));
    assert.equal(result.minimum.requests, result.requests);
    assert.equal(result.retries, 0);
    assert.equal(result.rateLimited, 0);
  });
});

Deno.test("re-running a range makes no request; extending it fetches only the new days", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 20 });
  await withTempDir(async (dir) => {
    await exportRange(sim.url, dir, { start: "2026-10-01", end: "2026-10-28" });
    sim.resetStats();
    const again = await exportRange(sim.url, dir, { start: "2026-10-01", end: "2026-10-28" });
    assert.equal(sim.stats.requests, 0);
    assert.equal(again.result.daysFromStore, 28);

    const extended = await exportRange(sim.url, dir, { start: "2026-10-01", end: "2026-11-02" });
    assert.equal(extended.result.daysFetched, 5);
    assert.equal(sim.stats.byEndpoint[EL], 5); // 20 users: one page a day
    assert.equal(sim.stats.byEndpoint["/analytics/v0/dau-count"], 1);
    assert.equal(sim.stats.byEndpoint["/analytics/v0/dau"], undefined, "earlier days are stored");
    assert.equal(extended.result.requests, extended.result.minimum.requests);
  });
});

async function readOutputs(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) {
    if (f.startsWith(".store/") || f === "last_run.json") continue;
    out.set(f, (await Deno.readTextFile(join(dir, f))).replace(/"created_at":\s*"[^"]*"/g, ""));
  }
  return out;
}

Deno.test("a run interrupted mid-way loses no completed day and, resumed, writes what an uninterrupted run writes", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 30 });
  await withTempDir(async (dir) => {
    const range = { start: "2026-10-10", end: "2026-10-30" };
    const full = join(dir, "full");
    await exportRange(sim.url, full, range);

    const broken = join(dir, "broken");
    const controller = new AbortController();
    const stopper: Reporter = {
      ...silentReporter,
      progress(p) {
        if (p.phase === "fetch" && p.done === 6) controller.abort(new Error("interrupted"));
      },
    };
    await assert.rejects(() =>
      exportRange(sim.url, broken, range, { reporter: stopper, signal: controller.signal })
    );
    const kept = await (await DayStore.open(join(broken, ".store"), sim.url)).days();
    assert.equal(kept.length, 6);
    assert.ok(!(await listFiles(broken)).some((f) => f.endsWith(".tmp")), "no temporary file left");

    sim.resetStats();
    const resumed = await exportRange(sim.url, broken, range);
    assert.equal(resumed.result.daysFetched, 21 - 6);
    // The 15 range days left, then the 27 earlier days (in full: 30 identities fit one page a
    // day), which the interrupted run had not reached.
    const perDay = sim.stats.byEndpoint[EL];
    assert.equal(perDay, 15 + 27, "no completed day fetched twice");
    assert.equal(sim.stats.byEndpoint["/analytics/v0/dau"], undefined);

    assert.deepEqual(await readOutputs(broken), await readOutputs(full));
  });
});

Deno.test("--since-last fetches nothing before 03:00 UTC and the new day after", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 10 });
  await withTempDir(async (dir) => {
    const before = Date.parse("2026-11-20T02:59:00Z");
    const after = Date.parse("2026-11-20T03:00:00Z");
    const store = await DayStore.open(join(dir, ".store"), sim.url, before);
    // Store holds up to 11-18 (the newest published day at 02:59 on 11-20).
    const r1 = await resolveRange({ kind: "since-last" }, before, store);
    assert.deepEqual(r1, { start: "2026-10-22", end: "2026-11-18" });
    await exportRange(sim.url, dir, r1, { now: before });
    sim.resetStats();
    const r2 = await resolveRange({ kind: "since-last" }, before, store);
    const p2 = await planExport(store, r2, { refresh: false, nowMs: before });
    assert.deepEqual(p2.fetchDays, []);
    const r3 = await resolveRange({ kind: "since-last" }, after, store);
    assert.deepEqual(r3, { start: "2026-10-23", end: "2026-11-19" });
    const p3 = await planExport(store, r3, { refresh: false, nowMs: after });
    assert.deepEqual(p3.fetchDays, ["2026-11-19"]);
  });
});

Deno.test("--since-last after a long pause fetches every day since the newest stored day", async () => {
  await withTempDir(async (dir) => {
    const store = await DayStore.open(join(dir, ".store"), "http://127.0.0.1:1", NOW);
    await store.putDay({ day: "2026-08-01", records: [] }, NOW);
    const r = await resolveRange({ kind: "since-last" }, NOW, store);
    assert.deepEqual(r, { start: "2026-08-02", end: "2026-11-19" });
  });
});

Deno.test("a corrupted store file is reported, not used", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 5 });
  await withTempDir(async (dir) => {
    const range = { start: "2026-11-01", end: "2026-11-03" };
    await exportRange(sim.url, dir, range);
    await Deno.writeTextFile(join(dir, ".store", "days", "2026-11-02.ndjson"), "{not json\n");
    await assert.rejects(() => exportRange(sim.url, dir, range), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, /2026-11-02\.ndjson/);
      return true;
    });
  });
});

Deno.test("reconciliation: one warning line per day that differs, naming what differs; records kept", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    users: 30,
    faults: { dailyUsageDrift: true },
  });
  await withTempDir(async (dir) => {
    const lines: { message: string; data?: Record<string, unknown> }[] = [];
    const reporter: Reporter = {
      ...silentReporter,
      warn: (message, data) => lines.push({ message, data }),
    };
    const range = { start: "2026-10-01", end: "2026-10-15" };
    const { result } = await exportRange(sim.url, dir, range, { reporter });
    // Day of month ≡ 0 (mod 5): completions_count 1 higher; ≡ 0 (mod 7): no entry.
    assert.deepEqual(lines.map((l) => l.data?.day), [
      "2026-10-05",
      "2026-10-07",
      "2026-10-10",
      "2026-10-14",
      "2026-10-15",
    ]);
    const completions = (day: string) =>
      generateDayRecords(1, 30, day).reduce((n, r) => n + r.metrics.completions_count, 0);
    assert.equal(
      lines[0].message,
      `Day "2026-10-05": the per-user records and daily-usage differ: completions_count ` +
        `${completions("2026-10-05")} vs ${completions("2026-10-05") + 1}; ` +
        "the records are exported as they are",
    );
    assert.match(
      lines[1].message,
      /^Day "2026-10-07": daily-usage has no entry for the day, but the per-user records show activity \(([a-z_]+ \d+, ){4}and \d+ more\); the records are exported as they are$/,
    );
    assert.ok(lines[1].message.includes(`completions_count ${completions("2026-10-07")}`));
    assert.ok(lines.every((l) => !l.message.includes("\n")));
    const missing = result.export.warnings.filter((w) => w.day === "2026-10-07");
    assert.ok(missing.length > 4 && missing.every((w) => w.dailyUsage === null));
  });
});

Deno.test("a small organisation's first run fetches the earlier days in full, at no extra cost: monthly users exact", async () => {
  const users = 20; // every day fits one page of records
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users });
  await withTempDir(async (dir) => {
    const range = { start: "2026-10-01", end: "2026-10-28" };
    const first = join(dir, "first");
    const { result } = await exportRange(sim.url, first, range);
    assert.deepEqual(sim.stats.byEndpoint, {
      "/analytics/v0/dau-count": 1,
      "/analytics/v0/daily-usage": 1,
      [EL]: 28 + 27,
      "/analytics/v0/user-activity": 1,
    });
    assert.equal(result.requests, result.minimum.requests);
    assert.deepEqual(result.export.incompleteWindows, [], "nothing partial");
    const stored = await (await DayStore.open(join(first, ".store"), sim.url)).days();
    assert.equal(stored.length, 55, "the earlier days are kept in full");
    const plan = await planExport(await DayStore.open(join(first, ".store"), sim.url), {
      start: "2026-10-02",
      end: "2026-10-29",
    }, { refresh: false, nowMs: NOW });
    assert.equal(plan.lookbackFetch.length, 0, "a later range needs no earlier day again");

    // The same reports as a run that had every earlier day stored beforehand.
    const reference = join(dir, "reference");
    await exportRange(sim.url, reference, { start: "2026-09-04", end: "2026-09-30" });
    await exportRange(sim.url, reference, range);
    const report = "usage_metrics/enterprise-28-day_2026-10-01_to_2026-10-28.json";
    const read = async (d: string) =>
      (await Deno.readTextFile(join(d, report))).replace(/"created_at":\s*"[^"]*"/g, "");
    assert.equal(await read(first), await read(reference));
  });
});

/**
 * The export job against the simulator over real HTTP: request counts, the local store as the
 * one history (any sequence of runs gives fresh-folder answers), resumption after an
 * interruption, `--since-last` around the publication hour, the store's lock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AnalyticsClient } from "../../src/augment/client.ts";
import { BusyError, exitCodeOf } from "../../src/errors.ts";
import type { HttpClient } from "../../src/http/client.ts";
import {
  type ExportRangeResult,
  planExport,
  type RangeSpec,
  resolveRange,
} from "../../src/job/export_range.ts";
import { type Reporter, silentReporter } from "../../src/job/reporter.ts";
import { addDays, eachDay } from "../../src/model/dates.ts";
import { generateDayRecords, startSimulator } from "../../src/simulator/mod.ts";
import { DayStore, StoreError } from "../../src/store/day_store.ts";
import { lockStore } from "../../src/store/lock.ts";
import { mulberry32 } from "../../src/simulator/prng.ts";
import { exportFromSimulator, simulatorHttp } from "../_simulator_export.ts";
import { listFiles, withTempDir } from "../e2e/helpers.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const EL = "/analytics/v0/daily-user-activity-by-editor-language";

interface Run {
  result: ExportRangeResult;
  http: HttpClient;
}

/** One run, as the CLI makes it: lock, plan, sync, render. */
async function exportRange(
  url: string,
  dir: string,
  range: { start: string; end: string } | RangeSpec,
  options: {
    refresh?: boolean;
    now?: number;
    reporter?: Reporter;
    signal?: AbortSignal;
    dated?: boolean;
    waitMs?: number;
  } = {},
): Promise<Run> {
  const spec: RangeSpec = "kind" in range ? range : { kind: "explicit", ...range };
  return await exportFromSimulator({
    url,
    dir,
    now: options.now ?? NOW,
    http: simulatorHttp(url, { userAgent: "augment-metrics/test", maxRetries: 3 }),
    spec,
    dated: options.dated,
    refresh: options.refresh,
    waitMs: options.waitMs,
    signal: options.signal,
    reporter: options.reporter,
  });
}

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/** Pages of editor-language records the simulator serves over `start`..`end`. */
function elPages(users: number, start: string, end: string): number {
  let n = 0;
  for (const day of eachDay(start, end)) n += pages(generateDayRecords(1, users, day).length, 100);
  return n;
}

Deno.test("a 28-day export makes exactly the planned minimum of requests, per endpoint", async () => {
  const users = 130;
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users });
  await withTempDir(async (dir) => {
    const range = { start: "2026-10-01", end: "2026-10-28" };
    const { result } = await exportRange(sim.url, dir, range);
    // The range and the 27 days before it, in full; user-activity is derived from the records.
    const expected = {
      "/analytics/v0/dau-count": 1,
      "/analytics/v0/daily-usage": 1,
      [EL]: elPages(users, "2026-09-04", "2026-10-28"),
    };
    assert.deepEqual(sim.stats.byEndpoint, expected);
    assert.equal(result.requests, Object.values(expected).reduce((a, b) => a + b, 0));
    assert.equal(result.minimum.requests, result.requests);
    assert.equal(result.retries, 0);
    assert.equal(result.rateLimited, 0);
  });
});

Deno.test("re-running a range makes no request and writes no file; extending it fetches only the new days", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 20 });
  await withTempDir(async (dir) => {
    await exportRange(sim.url, dir, { start: "2026-10-01", end: "2026-10-28" });
    sim.resetStats();
    const again = await exportRange(sim.url, dir, { start: "2026-10-01", end: "2026-10-28" });
    assert.equal(sim.stats.requests, 0);
    assert.equal(again.result.daysFromStore, 28);
    assert.deepEqual(again.result.render.files, [], "nothing changed, nothing rewritten");

    const extended = await exportRange(sim.url, dir, { start: "2026-10-01", end: "2026-11-02" });
    assert.equal(extended.result.daysFetched, 5);
    assert.equal(sim.stats.byEndpoint[EL], 5); // 20 users: one page a day
    assert.equal(sim.stats.byEndpoint["/analytics/v0/dau-count"], 1);
    assert.equal(extended.result.requests, extended.result.minimum.requests);
    // Only the new days' files and latest/ were written.
    const written = new Set(
      extended.result.render.files.map((f) => f.split("/").slice(0, 2).join("/")),
    );
    assert.deepEqual(
      [...written].sort(),
      [...eachDay("2026-10-29", "2026-11-02")].map((d) => `daily/${d}`).concat([
        ".manifest.json",
        "latest/aggregated_metrics.json",
        "latest/copilot_metrics.json",
        "latest/copilot_usage.json",
        "latest/cost.csv",
        "latest/credits.csv",
        "latest/enterprise-28-day.json",
        "latest/metrics.csv",
        "latest/metrics_summary.csv",
        "latest/users-28-day.ndjson",
      ].filter((f) => f !== ".manifest.json")).sort(),
    );
  });
});

/** Every output but the store and the run summary, `created_at` removed. */
async function readOutputs(
  dir: string,
  only?: (f: string) => boolean,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) {
    if (f.startsWith(".store/") || f === "last_run.json" || f === ".manifest.json") continue;
    if (only && !only(f)) continue;
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
    // Days are fetched several at once: those complete when the run stopped are kept too.
    assert.ok(kept.length >= 6 && kept.length < 55, `${kept.length} days kept`);
    assert.ok(!(await listFiles(broken)).some((f) => f.endsWith(".tmp")), "no temporary file left");

    // Requests the interrupted run aborted may still reach the service after it stopped:
    // counted from when it has gone quiet.
    for (let n = -1; n !== sim.stats.requests;) {
      n = sim.stats.requests;
      await new Promise((r) => setTimeout(r, 200));
    }
    sim.resetStats();
    const resumed = await exportRange(sim.url, broken, range);
    // The range, latest/ (the 28 days ending 10-30) and the 27 days before: 55 days.
    assert.equal(resumed.result.daysFetched, 55 - kept.length);
    assert.equal(sim.stats.byEndpoint[EL], 55 - kept.length, "no completed day fetched twice");
    assert.deepEqual(await readOutputs(broken), await readOutputs(full));
  });
});

Deno.test("--since-last fetches nothing before 03:00 UTC and the new day after", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 10 });
  await withTempDir(async (dir) => {
    const before = Date.parse("2026-11-20T02:59:00Z");
    const after = Date.parse("2026-11-20T03:00:00Z");
    const first = await exportRange(sim.url, dir, { kind: "since-last" }, { now: before });
    // An empty store: the 28 days ending at the newest day published at 02:59 on 11-20.
    assert.deepEqual(first.result.range, { start: "2026-10-22", end: "2026-11-18" });
    const store = await DayStore.open(join(dir, ".store"), sim.url, before);
    assert.equal(await resolveRange({ kind: "since-last" }, before, store), undefined);
    sim.resetStats();
    const second = await exportRange(sim.url, dir, { kind: "since-last" }, { now: before });
    assert.equal(sim.stats.requests, 0);
    assert.equal(second.result.range, undefined);
    const r3 = await resolveRange({ kind: "since-last" }, after, store);
    assert.deepEqual(r3, { start: "2026-11-19", end: "2026-11-19" });
    const p3 = await planExport(store, r3, { refresh: false, nowMs: after });
    assert.deepEqual(p3.sync.fetchDays, ["2026-11-19"]);
    assert.deepEqual(p3.latest, { start: "2026-10-23", end: "2026-11-19" });
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
    await Deno.writeTextFile(join(dir, ".store", "days", "2026-11-02.day"), "{not json\n");
    await assert.rejects(() => exportRange(sim.url, dir, range), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, /2026-11-02\.day": its header is not valid JSON/);
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
    // Day of month ≡ 0 (mod 5): completions_count 1 higher; ≡ 0 (mod 7): no entry. The days
    // of latest/ (28 days ending 10-15) are the run's too.
    const warned = lines.map((l) => l.data?.day);
    assert.deepEqual(warned.filter((d) => String(d) >= "2026-10-01"), [
      "2026-10-05",
      "2026-10-07",
      "2026-10-10",
      "2026-10-14",
      "2026-10-15",
    ]);
    const completions = (day: string) =>
      generateDayRecords(1, 30, day).reduce((n, r) => n + r.metrics.completions_count, 0);
    const line = (day: string) => lines.find((l) => l.data?.day === day)!.message;
    assert.equal(
      line("2026-10-05"),
      `Day "2026-10-05": the per-user records and daily-usage differ: completions_count ` +
        `${completions("2026-10-05")} vs ${completions("2026-10-05") + 1}; ` +
        "the records are exported as they are",
    );
    assert.match(
      line("2026-10-07"),
      /^Day "2026-10-07": daily-usage has no entry for the day, but the per-user records show activity \(([a-z_]+ \d+, ){4}and \d+ more\); the records are exported as they are$/,
    );
    assert.ok(lines.every((l) => !l.message.includes("\n")));
    const missing = result.render.warnings.filter((w) => w.day === "2026-10-07");
    assert.ok(missing.length > 4 && missing.every((w) => w.dailyUsage === null));
    // Where records and daily-usage differ, the summary CSV's activity is the service's own.
    assert.equal(sim.stats.byEndpoint["/analytics/v0/user-activity"], 1);
    assert.equal(result.requests, result.minimum.requests);
  });
});

Deno.test("user-activity derived from stored records equals the service's, identity by identity", async () => {
  const users = 120;
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users });
  await withTempDir(async (dir) => {
    const range = { start: "2026-10-01", end: "2026-10-28" };
    await exportRange(sim.url, dir, range);
    assert.equal(sim.stats.byEndpoint["/analytics/v0/user-activity"], undefined);
    const http = simulatorHttp(sim.url);
    const client = new AnalyticsClient(http, { now: () => NOW });
    const served = new Map<string, string>();
    for await (const u of client.userActivity(range)) {
      const m = Object.entries(u.metrics).filter(([, v]) => v !== 0).sort();
      served.set(`${u.kind}:${u.identity}`, JSON.stringify([u.activeDays, m]));
    }
    const csv = (await Deno.readTextFile(join(dir, "latest", "metrics_summary.csv"))).trim()
      .split("\r\n");
    const header = csv[0].split(",");
    assert.equal(csv.length - 1, served.size);
    for (const row of csv.slice(1)) {
      const cells = row.split(",");
      const m = header.slice(3).map((k, i) => [k, Number(cells[i + 3])] as [string, number])
        .filter(([, v]) => v !== 0).sort();
      const kind = cells[1] === "user" ? "user" : "service_account";
      assert.equal(JSON.stringify([Number(cells[2]), m]), served.get(`${kind}:${cells[0]}`));
    }
  });
});

Deno.test("any sequence of ranges into one folder writes what each command writes into an empty folder", async () => {
  const users = 150; // two or more pages of records a day: larger than one page
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users });
  const rand = mulberry32(20261202);
  const first = "2026-06-01";
  const last = "2026-11-19";
  const span = Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000);
  await withTempDir(async (dir) => {
    for (let sequence = 0; sequence < 2; sequence++) {
      const shared = join(dir, `shared${sequence}`);
      for (let run = 0; run < 4; run++) {
        const length = 1 + Math.floor(rand() * (run === 2 ? 100 : 35));
        const start = addDays(first, Math.floor(rand() * (span - length)));
        const range = { start, end: addDays(start, length - 1) };
        const store = join(shared, ".store");
        const before = new Set(await (await DayStore.open(store, sim.url)).days());
        sim.resetStats();
        await exportRange(sim.url, shared, range, { dated: true });
        // No stored day is fetched again: the requests are the new days' pages, and the few.
        const added = (await (await DayStore.open(store, sim.url)).days())
          .filter((d) => !before.has(d));
        const newPages = added.reduce((n, d) => n + elPages(users, d, d), 0);
        assert.equal(sim.stats.byEndpoint[EL] ?? 0, newPages);
        const fresh = join(dir, `fresh${sequence}-${run}`);
        await exportRange(sim.url, fresh, range, { dated: true });
        const mine = (f: string) =>
          f.startsWith(`reports/${range.start}_to_${range.end}/`) ||
          [...eachDay(range.start, range.end)].some((d) => f.startsWith(`daily/${d}/`));
        const got = await readOutputs(shared, mine);
        assert.ok(got.size > 0);
        assert.deepEqual(got, await readOutputs(fresh, mine), `run ${run} of sequence ${sequence}`);
        await Deno.remove(fresh, { recursive: true });
      }
    }
  });
});

Deno.test("a daily --since-last cron works every day of a month for a 300-identity org and keeps one copy of each day", async () => {
  const users = 300;
  let now = Date.parse("2026-10-01T04:00:00Z");
  await using sim = await startSimulator({ now: () => now, rateLimit: false, users });
  await withTempDir(async (dir) => {
    await exportRange(sim.url, dir, { kind: "since-last" }, { now });
    for (let day = 1; day <= 30; day++) {
      now += 86_400_000;
      sim.resetStats();
      const { result } = await exportRange(sim.url, dir, { kind: "since-last" }, { now });
      const newDay = addDays(new Date(now).toISOString().slice(0, 10), -1);
      assert.deepEqual(result.range, { start: newDay, end: newDay });
      // The new day's own pages and the fixed few: nothing else.
      assert.deepEqual(sim.stats.byEndpoint, {
        "/analytics/v0/dau-count": 1,
        "/analytics/v0/daily-usage": 1,
        [EL]: elPages(users, newDay, newDay),
      });
    }
    const files = await listFiles(dir);
    const dayDirs = new Set(
      files.filter((f) => f.startsWith("daily/")).map((f) => f.split("/")[1]),
    );
    assert.equal(dayDirs.size, 28 + 30, "one folder a day: the first 28 and 30 more");
    assert.ok(
      files.every((f) => /^(daily|latest|\.store)\/|^\.manifest\.json$/.test(f)),
      files.join(),
    );
    // latest/ equals a fresh export of the same 28 days.
    const fresh = join(dir, "..", "fresh-month");
    await exportRange(sim.url, fresh, { kind: "last-28-days" }, { now });
    const latest = (f: string) => f.startsWith("latest/");
    assert.deepEqual(await readOutputs(dir, latest), await readOutputs(fresh, latest));
    await Deno.remove(fresh, { recursive: true });
  });
});

Deno.test("two runs at once: the second stops at once (exit 5), or with a wait makes no request", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 10 });
  await withTempDir(async (dir) => {
    const held = await lockStore(join(dir, ".store"), { command: "export" });
    try {
      await assert.rejects(
        () => exportRange(sim.url, dir, { kind: "last-28-days" }),
        (e: unknown) => {
          assert.ok(e instanceof BusyError);
          assert.equal(e.exitCode, 5);
          assert.match(e.message, new RegExp(`pid ${Deno.pid}`));
          return true;
        },
      );
      assert.equal(sim.stats.requests, 0);
    } finally {
      held.release();
    }
    // A run that holds the lock; a second one waits for it, then finds everything stored.
    const one = exportRange(sim.url, dir, { kind: "last-28-days" });
    await new Promise((r) => setTimeout(r, 5));
    const two = exportRange(sim.url, dir, { kind: "last-28-days" }, { waitMs: 60_000 });
    const [a, b] = await Promise.all([one, two]);
    assert.equal(a.result.requests + b.result.requests, sim.stats.requests);
    assert.ok(a.result.requests === 0 || b.result.requests === 0, "never both fetch");
  });
});

Deno.test("a store is bound to its service only after a request to it succeeded", async () => {
  await withTempDir(async (dir) => {
    // Nothing listens on this port: the run fails, and leaves no store behind it.
    const dead = "http://127.0.0.1:9";
    await assert.rejects(() => exportRange(dead, dir, { start: "2026-11-01", end: "2026-11-02" }));
    await assert.rejects(() => Deno.stat(join(dir, ".store", "store.json")), Deno.errors.NotFound);
    await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 5 });
    await exportRange(sim.url, dir, { start: "2026-11-01", end: "2026-11-02" });
    // Now bound: another service's URL is a configuration error (exit 2) with a hint.
    await assert.rejects(() => DayStore.open(join(dir, ".store"), dead), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.equal(exitCodeOf(e), 2);
      assert.match(e.message, /holds data from/);
      return true;
    });
  });
});

/**
 * Days and endpoints are fetched several at once, within the pacer: against a simulator that
 * answers late and enforces its rate limit, requests overlap, none is refused (429), the run
 * makes exactly the plan's minimum, and the files equal those fetched from a service with no
 * latency. An abort mid-run keeps only whole days.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Reporter, silentReporter } from "../../src/job/reporter.ts";
import { startSimulator } from "../../src/simulator/mod.ts";
import { DayStore } from "../../src/store/day_store.ts";
import { DAYS_IN_FLIGHT } from "../../src/sync/pool.ts";
import { viewsFor } from "../../src/views/registry.ts";
import { exportFromSimulator, simulatorHttp } from "../_simulator_export.ts";
import { withTempDir } from "../e2e/helpers.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const RATE = { perMinute: 1_200, burst: 10 };
const RANGE = { kind: "explicit", start: "2026-11-15", end: "2026-11-19" } as const;

async function exportTo(
  url: string,
  dir: string,
  o: { signal?: AbortSignal; reporter?: Reporter; identitiesInFlight?: number } = {},
) {
  const http = simulatorHttp(url, {
    userAgent: "augment-metrics/test",
    maxRetries: 3,
    ratePerMinute: RATE.perMinute,
    burst: RATE.burst,
  });
  const { result } = await exportFromSimulator({
    url,
    dir,
    now: NOW,
    http,
    storeKey: "test",
    spec: RANGE,
    views: viewsFor(["copilot", "csv"], { enterpriseId: "e1" }),
    signal: o.signal,
    reporter: o.reporter,
    identitiesInFlight: o.identitiesInFlight,
  });
  return result;
}

async function outputs(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) {
        if (e.name !== ".store") await walk(p);
      } else if (e.name !== "last_run.json") {
        out.set(p.slice(dir.length), await Deno.readTextFile(p));
      }
    }
  };
  await walk(dir);
  return out;
}

Deno.test("a slow service: requests overlap within the rate limit, no 429, the same files", async () => {
  await withTempDir(async (dir) => {
    {
      await using fast = await startSimulator({ now: () => NOW, rateLimit: false, users: 40 });
      await exportTo(fast.url, join(dir, "fast"));
    }
    // The service's clock runs in real time from NOW, so its bucket refills as the client's.
    const t0 = Date.now();
    await using slow = await startSimulator({
      now: () => NOW + Date.now() - t0,
      rateLimit: RATE,
      latencyMs: 100,
      users: 40,
    });
    const run = await exportTo(slow.url, join(dir, "slow"));
    assert.ok(slow.maxInFlight > 1, `requests overlapped (${slow.maxInFlight} at most)`);
    // The days in flight, and each 90-day window's dau-count and daily-usage.
    assert.ok(slow.maxInFlight <= DAYS_IN_FLIGHT + 2, `${slow.maxInFlight} at once`);
    assert.equal(slow.stats.rateLimited, 0, "no self-inflicted 429");
    assert.equal(run.rateLimited, 0);
    assert.equal(run.requests, slow.stats.requests);
    assert.equal(run.requests, run.minimum.requests);
    assert.deepEqual(await outputs(join(dir, "slow")), await outputs(join(dir, "fast")));
  });
});

Deno.test("days in flight are bounded by their identities: one large day at a time, the same files", async () => {
  await withTempDir(async (dir) => {
    {
      await using fast = await startSimulator({ now: () => NOW, rateLimit: false, users: 40 });
      await exportTo(fast.url, join(dir, "fast"));
    }
    await using slow = await startSimulator({
      now: () => NOW,
      rateLimit: false,
      latencyMs: 30,
      users: 40,
    });
    // Each day has about 40 identities: a budget of 40 lets one day in at a time.
    const run = await exportTo(slow.url, join(dir, "slow"), { identitiesInFlight: 40 });
    // One day's pages, beside the first window's dau-count and daily-usage.
    assert.ok(slow.maxInFlight <= 3, `${slow.maxInFlight} at once`);
    assert.equal(run.requests, run.minimum.requests);
    assert.deepEqual(await outputs(join(dir, "slow")), await outputs(join(dir, "fast")));
  });
});

Deno.test("an abort while several days are in flight keeps whole days only; resumed, the files equal a single run's", async () => {
  await withTempDir(async (dir) => {
    await using sim = await startSimulator({
      now: () => NOW,
      rateLimit: false,
      latencyMs: 20,
      users: 150, // several pages a day: a day in flight is part-way through its pages
    });
    const controller = new AbortController();
    const stopper: Reporter = {
      ...silentReporter,
      progress(p) {
        if (p.phase === "fetch" && p.done === 3) controller.abort(new Error("interrupted"));
      },
    };
    const target = join(dir, "out");
    await assert.rejects(
      () => exportTo(sim.url, target, { signal: controller.signal, reporter: stopper }),
      /interrupted/,
    );
    const store = await DayStore.open(join(target, ".store"), "test", NOW);
    const kept = await store.days();
    assert.ok(kept.length >= 3 && kept.length < 55, `${kept.length} days kept`);
    const requestsBefore = sim.stats.requests;
    const resumed = await exportTo(sim.url, target);
    // The 28 days of latest/ and the 27 before them.
    assert.equal(resumed.daysFetched, 55 - kept.length, "no kept day fetched again");
    assert.ok(sim.stats.requests > requestsBefore);
    // Every kept day was whole: the resumed folder equals one written in a single run.
    await exportTo(sim.url, join(dir, "single"));
    assert.deepEqual(await outputs(target), await outputs(join(dir, "single")));
  });
});

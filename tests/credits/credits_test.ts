/**
 * Credits and cost through the simulator over real HTTP: pagination, decimal strings read
 * exactly, the endpoints' own bucket, 404 (not enabled) as one warning and a successful run,
 * the lag (an unpublished day fetched again, a published one never), and the outputs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AnalyticsClient } from "../../src/augment/client.ts";
import { CREDITS_BUCKET, CreditsClient } from "../../src/augment/credits.ts";
import { HttpClient } from "../../src/http/client.ts";
import { type ExportRangeResult, type RangeSpec, runExport } from "../../src/job/export_range.ts";
import type { Reporter } from "../../src/job/reporter.ts";
import { eachDay } from "../../src/model/dates.ts";
import { Decimal, sumDecimals } from "../../src/model/money.ts";
import { dayCredits } from "../../src/simulator/credits.ts";
import { RecordSource } from "../../src/simulator/dataset.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { CreditsStore } from "../../src/store/credits_store.ts";
import { StoreError } from "../../src/errors.ts";
import { startServe } from "../../src/serve/server.ts";
import { RECHECK_NOT_ENABLED_MS } from "../../src/sync/credits.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import { viewsFor } from "../../src/views/registry.ts";
import { exportFromSimulator, simulatorHttp } from "../_simulator_export.ts";
import { withTempDir } from "../e2e/helpers.ts";
import { validate } from "../fixtures/schemas.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const CU = "/analytics/v0/credit-usage-by-user";
const CA = "/analytics/v0/cost-analytics";

/** An HTTP client; the credits bucket as shipped when `shippedBucket`, else fast. */
function http(url: string, ratePerMinute = 6000, shippedBucket = false): HttpClient {
  return new HttpClient({
    baseUrl: url,
    token: SIMULATOR_TOKEN,
    timeoutMs: 10_000,
    maxRetries: 3,
    ratePerMinute,
    burst: 20,
    buckets: [shippedBucket ? CREDITS_BUCKET : { ...CREDITS_BUCKET, ratePerMinute: 6000 }],
  });
}

interface Recorded extends Reporter {
  readonly warnings: string[];
}

function recorder(): Recorded {
  const warnings: string[] = [];
  return {
    warnings,
    progress() {},
    info() {},
    warn(m: string) {
      warnings.push(m);
    },
    debug() {},
  };
}

async function run(
  url: string,
  dir: string,
  spec: RangeSpec,
  now: number,
  reporter: Reporter = recorder(),
): Promise<ExportRangeResult> {
  const { result } = await exportFromSimulator({
    url,
    dir,
    now,
    spec,
    http: http(url),
    credits: true,
    reporter,
  });
  return result;
}

/** Σ credits per identity login on `day`, as the simulator holds them. */
function expectedCredits(users: number, day: string): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const r of dayCredits(new RecordSource(1, users), day)) {
    const login = (r.user_email ?? r.service_account_name)!;
    out.set(login, (out.get(login) ?? Decimal.ZERO).plus(r.credits));
  }
  return out;
}

async function userRows(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path);
  return text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

Deno.test("credit-usage-by-user: every page read, decimal strings exact, same records at any page size", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 60 });
  const range = { start: "2026-11-01", end: "2026-11-10" };
  const big = await new CreditsClient(http(sim.url)).creditUsage(range);
  sim.resetStats();
  const series: number[] = [];
  const small = await new CreditsClient(http(sim.url), {
    pageSizes: { "credit-usage-by-user": 7 },
  }).creditUsage(range, { onSeries: (s) => series.push(s.pages) });
  const all = [...small.values()].flatMap((l) => l.records());
  assert.ok(all.length > 50, `${all.length} records`);
  assert.equal(series[0], Math.ceil(all.length / 7), "every page followed, no more");
  assert.equal(sim.stats.byEndpoint[CU], Math.ceil(all.length / 7));
  assert.deepEqual(
    [...small].map(([d, rs]) => [d, rs.rows()]),
    [...big].map(([d, rs]) => [d, rs.rows()]),
  );
  // The sums are the simulator's exact values, whatever form each value was sent in.
  for (const day of eachDay(range.start, range.end)) {
    const got = new Map<string, Decimal>();
    for (const r of small.get(day)?.records() ?? []) {
      got.set(r.identity, (got.get(r.identity) ?? Decimal.ZERO).plus(r.credits));
    }
    const want = expectedCredits(60, day);
    assert.deepEqual(
      [...got].map(([k, v]) => [k, v.toString()]).sort(),
      [...want].map(([k, v]) => [k, v.toString()]).sort(),
    );
  }
});

Deno.test("cost-analytics: per day and resource, money exact, agrees with the credit records", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 30 });
  const range = { start: "2026-11-01", end: "2026-11-05" };
  const client = new CreditsClient(http(sim.url), { pageSizes: { "cost-analytics": 2 } });
  const cost = await client.costByDay(range);
  const credits = await client.creditUsage(range);
  for (const day of eachDay(range.start, range.end)) {
    const points = cost.get(day) ?? [];
    assert.ok(points.length >= 1, day);
    for (const p of points) {
      assert.equal(p.resourceType, "MODEL");
      assert.ok(Number.isSafeInteger(p.inputTokens) && Number.isSafeInteger(p.cacheReadTokens));
      assert.equal(
        p.billedUsd!.toString(),
        Decimal.fromUnits(p.credits!.coefficient, p.credits!.scale + 3).toString(),
        "billed = credits × 0.001, exactly",
      );
      const ofModel = (credits.get(day)?.records() ?? []).filter((r) => r.model === p.resource);
      assert.equal(p.credits!.toString(), sumDecimals(ofModel.map((r) => r.credits)).toString());
    }
  }
});

Deno.test("the credits endpoints have their own bucket: 30 a minute beside the activity endpoints' 10", async () => {
  await using sim = await startSimulator({ users: 5 }); // the real clock: its limiters refill
  const h = http(sim.url, 10, true);
  const client = new CreditsClient(h);
  // 12 requests in a row: within the credits bucket's burst of 10 plus 2 at 30 a minute.
  const t0 = performance.now();
  for (let i = 0; i < 12; i++) {
    await client.creditUsage({ start: "2026-11-01", end: "2026-11-01" });
  }
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(sim.stats.rateLimited, 0, "no 429");
  assert.ok(seconds < 8, `${seconds}s: paced at 30 a minute, not at 10`);
});

Deno.test("an export fetches credits with the activity, counts them in the plan minimum, and a re-run fetches none", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 20 });
  await withTempDir(async (dir) => {
    const spec: RangeSpec = { kind: "explicit", start: "2026-11-01", end: "2026-11-14" };
    const r = await run(sim.url, dir, spec, NOW);
    assert.ok(sim.stats.byEndpoint[CU] >= 1 && sim.stats.byEndpoint[CA] >= 1);
    assert.equal(r.requests, sim.stats.requests);
    assert.equal(r.minimum.requests, r.requests, "requests == plan minimum, credits included");
    assert.ok(r.minimum.items.some((i) => i.endpoint === "credit-usage-by-user"));

    // ai_credits_used: the identity's exact sum; every row valid against GitHub's schema.
    const day = "2026-11-03";
    const rows = await userRows(join(dir, "daily", day, "users-1-day.ndjson"));
    const want = expectedCredits(20, day);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.deepEqual(validate("copilot-usage-metrics-report-user.schema.json", row), []);
      const credits = want.get(row.user_login as string);
      assert.equal(row.ai_credits_used, credits ? credits.toNumber() : 0);
      const ext = (row.augment as { credits?: { total: string } }).credits;
      assert.equal(ext?.total, credits?.toString());
    }
    const entity = JSON.parse(
      await Deno.readTextFile(join(dir, "daily", day, "enterprise-1-day.json")),
    );
    assert.deepEqual(validate("copilot-usage-metrics-report-entity.schema.json", entity), []);
    const ext = entity.day_totals[0].augment;
    assert.equal(ext.credits.total, sumDecimals(want.values()).toString());
    assert.equal(ext.cost.credits_consumed, ext.credits.total);
    const b = JSON.parse(
      await Deno.readTextFile(join(dir, "daily", day, "copilot_metrics.json")),
    );
    assert.deepEqual(validate("copilot-metrics-day.schema.json", b), []);
    assert.equal(b.augment.credits.total, ext.credits.total);

    const latest = await userRows(join(dir, "latest", "users-28-day.ndjson"));
    for (const row of latest.slice(0, 50)) {
      assert.deepEqual(validate("copilot-usage-metrics-report-user.schema.json", row), []);
      assert.equal(typeof row.ai_credits_used, "number");
    }

    // CSV: one row per day, identity and model; exact amounts; cost per day and resource.
    const csv = (await Deno.readTextFile(join(dir, "latest", "credits.csv"))).trim().split("\r\n");
    assert.equal(csv[0], "day,identity,identity_kind,model,credits");
    const ofDay = csv.slice(1).map((l) => l.split(",")).filter((c) => c[0] === day);
    assert.equal(
      sumDecimals(ofDay.map((c) => Decimal.parse(c[4]))).toString(),
      sumDecimals(want.values()).toString(),
    );
    const cost = (await Deno.readTextFile(join(dir, "latest", "cost.csv"))).trim().split("\r\n");
    assert.match(cost[0], /^day,resource,resource_type,input_tokens,/);
    const costOfDay = cost.slice(1).map((l) => l.split(",")).filter((c) => c[0] === day);
    assert.equal(
      sumDecimals(costOfDay.map((c) => Decimal.parse(c[9]))).toString(),
      sumDecimals(want.values()).toString(),
    );

    sim.resetStats();
    const again = await run(sim.url, dir, spec, NOW);
    assert.equal(sim.stats.requests, 0, "credits of published days are never fetched twice");
    assert.equal(again.minimum.requests, 0);
  });
});

Deno.test("not enabled (404): one warning, the run succeeds without ai_credits_used, and asks again after a day", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    users: 10,
    faults: { creditsDisabled: true },
  });
  await withTempDir(async (dir) => {
    const spec: RangeSpec = { kind: "explicit", start: "2026-11-10", end: "2026-11-12" };
    const rep = recorder();
    const r = await run(sim.url, dir, spec, NOW, rep);
    const notEnabled = rep.warnings.filter((w) => /not enabled for this enterprise/.test(w));
    assert.equal(notEnabled.length, 2, rep.warnings.join("\n")); // credits, and cost
    assert.equal(sim.stats.byEndpoint[CU], 1);
    assert.equal(r.minimum.requests, r.requests);
    for (const row of await userRows(join(dir, "daily", "2026-11-11", "users-1-day.ndjson"))) {
      assert.ok(!("ai_credits_used" in row), "unknown credits are absent, never 0");
    }

    // Within a day: not asked again.
    sim.resetStats();
    const spec2: RangeSpec = { kind: "explicit", start: "2026-11-13", end: "2026-11-13" };
    const rep2 = recorder();
    await run(sim.url, dir, spec2, NOW + 3_600_000, rep2);
    assert.equal(sim.stats.byEndpoint[CU], undefined);
    assert.equal(rep2.warnings.filter((w) => /not enabled/.test(w)).length, 0);

    // Enabled meanwhile; a day later the credits arrive for the days shown.
    sim.faults = {};
    sim.resetStats();
    const later = NOW + RECHECK_NOT_ENABLED_MS + 1000;
    await run(sim.url, dir, spec2, later);
    assert.ok(sim.stats.byEndpoint[CU] >= 1);
    const store = new CreditsStore(join(dir, ".store"));
    assert.equal(await store.notEnabledAt("credit-usage-by-user"), undefined);
    assert.ok((await store.days("usage")).has("2026-11-13"));
    const rows = await userRows(join(dir, "daily", "2026-11-13", "users-1-day.ndjson"));
    assert.ok(rows.every((row) => typeof row.ai_credits_used === "number"));
  });
});

Deno.test("lag: an unpublished day's credits are used but not kept, fetched again; a published day is not", async () => {
  // 01:00 UTC: yesterday (11-19) is not published yet; its credits are partial.
  const early = Date.parse("2026-11-20T01:00:00Z");
  let simNow = early;
  await using sim = await startSimulator({ now: () => simNow, rateLimit: false, users: 15 });
  await withTempDir(async (dir) => {
    const spec: RangeSpec = { kind: "explicit", start: "2026-11-18", end: "2026-11-19" };
    await run(sim.url, dir, spec, early);
    const store = new CreditsStore(join(dir, ".store"));
    assert.ok((await store.days("usage")).has("2026-11-18"));
    assert.ok(!(await store.days("usage")).has("2026-11-19"), "not final: not kept");

    sim.resetStats();
    const later = Date.parse("2026-11-20T04:00:00Z");
    simNow = later;
    const s2 = await run(sim.url, dir, spec, later);
    assert.equal(sim.stats.byEndpoint[CU], 1, "the unpublished day only, once");
    assert.equal(s2.minimum.requests, s2.requests);
    const kept = await new CreditsStore(join(dir, ".store")).usage("2026-11-19");
    const want = expectedCredits(15, "2026-11-19");
    assert.equal(
      sumDecimals(kept!.map((r) => r.credits)).toString(),
      sumDecimals(want.values()).toString(),
      "the full day once published",
    );
  });
});

Deno.test("HTML report: the credits section by day, by model and top users; none without credits", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 12 });
  await withTempDir(async (dir) => {
    const spec: RangeSpec = { kind: "explicit", start: "2026-11-12", end: "2026-11-14" };
    const h = http(sim.url);
    const client = new AnalyticsClient(h, { now: () => NOW });
    client.credits = new CreditsClient(h);
    const options = {
      client,
      stats: h.stats,
      storeDir: join(dir, ".store"),
      storeKey: sim.url,
      out: new OutputDir(dir),
      spec,
      views: viewsFor(["html"], { enterpriseId: "e1", aggregate: false }),
      enterpriseId: "e1",
      now: () => NOW,
      reporter: recorder(),
    };
    await runExport(options);
    const html = await Deno.readTextFile(join(dir, "latest", "report.html"));
    const total = sumDecimals(
      [...eachDay("2026-10-18", "2026-11-14")].flatMap((d) =>
        dayCredits(new RecordSource(1, 12), d).map((r) => r.credits)
      ),
    );
    assert.match(html, /<section id="credits"/);
    assert.match(html, new RegExp(`data-metric="credits_total" data-v="${total}"`));
    assert.match(html, /id="credits-by-model"/);
    assert.match(html, /id="credits-top-users"/);

    await withTempDir(async (other) => {
      const h2 = http(sim.url);
      const plain = new AnalyticsClient(h2, { now: () => NOW }); // no credits client
      await runExport({
        ...options,
        client: plain,
        stats: h2.stats,
        storeDir: join(other, ".store"),
        out: new OutputDir(other),
      });
      const page = await Deno.readTextFile(join(other, "latest", "report.html"));
      assert.doesNotMatch(page, /id="credits"/);
    });
  });
});

Deno.test("serve /metrics: credits and USD of the last 28 days, as exported", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 10 });
  await withTempDir(async (dir) => {
    const spec: RangeSpec = { kind: "explicit", start: "2026-11-10", end: "2026-11-12" };
    await run(sim.url, dir, spec, NOW);
    const logs: string[] = [];
    const log = {
      info: (m: string) => logs.push(m),
      warn: (m: string) => logs.push(m),
      error: (m: string) => logs.push(m),
    };
    await using s = await startServe({
      outputDir: dir,
      hostname: "127.0.0.1",
      port: 0,
      tokens: ["t-0123456789abcdef"],
      org: "acme",
      enterprise: "e1",
      log,
      pollMs: 0,
    });
    const text = await (await fetch(`${s.url}/metrics`)).text();
    let credits = Decimal.ZERO;
    for (const d of eachDay("2026-10-16", "2026-11-12")) {
      for (const r of dayCredits(new RecordSource(1, 10), d)) credits = credits.plus(r.credits);
    }
    const line = text.split("\n").find((l) => l.startsWith("augment_credits_used_28d "));
    assert.equal(line, `augment_credits_used_28d ${credits.toNumber()}`);
    assert.match(text, /^augment_cost_billed_usd_28d [0-9.e-]+$/m);
  });
});

Deno.test("a credits endpoint that keeps failing is one warning: the export succeeds, the days are asked again next run", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 8 });
  // In front of the simulator: credit-usage-by-user answers 500, everything else is passed on.
  let failing = true;
  const front = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (failing && url.pathname === CU) {
      return Response.json({ error: { code: "Internal", message: "boom" } }, { status: 500 });
    }
    const init: RequestInit = { method: req.method, headers: req.headers };
    if (req.method === "POST") init.body = await req.text();
    return await fetch(`${sim.url}${url.pathname}${url.search}`, init);
  });
  try {
    const base = `http://127.0.0.1:${front.addr.port}`;
    await withTempDir(async (dir) => {
      const spec: RangeSpec = { kind: "explicit", start: "2026-11-10", end: "2026-11-11" };
      // A run through the failing front, a fresh client each time (as each CLI run has).
      const runOnce = async (reporter: Reporter) =>
        (await exportFromSimulator({
          url: base,
          dir,
          now: NOW,
          spec,
          http: simulatorHttp(base, { buckets: [{ ...CREDITS_BUCKET, ratePerMinute: 6000 }] }),
          credits: true,
          reporter,
        })).result;
      const rep = recorder();
      const r = await runOnce(rep);
      const failed = rep.warnings.filter((w) => /^Credits could not be read/.test(w));
      assert.equal(failed.length, 1, rep.warnings.join("\n"));
      assert.equal(r.minimum.requests, r.requests);
      const store = new CreditsStore(join(dir, ".store"));
      assert.equal((await store.days("usage")).size, 0);
      assert.ok((await store.days("cost")).size > 0, "cost went on");
      const rows = await userRows(join(dir, "daily", "2026-11-11", "users-1-day.ndjson"));
      assert.ok(rows.every((row) => !("ai_credits_used" in row)));
      assert.equal(await store.notEnabledAt("credit-usage-by-user"), undefined);

      // The next run asks again, and gets them.
      failing = false;
      await runOnce(recorder());
      assert.ok((await new CreditsStore(join(dir, ".store")).days("usage")).has("2026-11-11"));
      const again = await userRows(join(dir, "daily", "2026-11-11", "users-1-day.ndjson"));
      assert.ok(again.every((row) => typeof row.ai_credits_used === "number"));
    });
  } finally {
    failing = false;
    await front.shutdown();
  }
});

Deno.test("stored credits: records read back exactly; a damaged record is a store error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new CreditsStore(dir);
    const records = [
      { identity: "a@example.com", kind: "user" as const, model: "m1", credits: "12.5" },
      { identity: "ci", kind: "service_account" as const, model: "unknown", credits: "0" },
      {
        identity: "b@example.com",
        kind: "user" as const,
        model: 'q"',
        credits: "9007199254740993.25",
      },
    ].map((r) => ({ ...r, credits: Decimal.parse(r.credits) }));
    await store.putUsage("2026-11-01", records, Date.parse("2026-11-03T00:00:00Z"));
    const back = await new CreditsStore(dir).usage("2026-11-01");
    assert.deepEqual(
      back?.map((r) => [r.identity, r.kind, r.model, r.credits.toString()]),
      records.map((r) => [r.identity, r.kind, r.model, r.credits.toString()]),
    );
    const path = join(dir, "credits", "usage", "2026-11-01.json");
    const good = await Deno.readTextFile(path);
    for (
      const bad of [
        good.replace('"service_account"', '"robot"'),
        good.replace('"12.5"', '"12.5e3"'),
        good.replace('"12.5"', "12.5"),
        good.replace('["ci",', '["ci","extra",'),
      ]
    ) {
      assert.notEqual(bad, good);
      await Deno.writeTextFile(path, bad);
      await assert.rejects(
        () => new CreditsStore(dir).usage("2026-11-01"),
        (e: unknown) => e instanceof StoreError && e.message.includes("2026-11-01.json"),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

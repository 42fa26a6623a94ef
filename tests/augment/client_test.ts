/**
 * The Analytics client against the built-in simulator over real HTTP: every endpoint and
 * envelope, pagination edge cases, each injected fault, auth failures and the date rules.
 * Pacing and backoff run on a fake clock shared with the simulator's rate limit, so they
 * cost no real time.
 */
import assert from "node:assert/strict";
import { AnalyticsClient, type AnalyticsClientOptions } from "../../src/augment/client.ts";
import { type EndpointName, ENDPOINTS } from "../../src/augment/schemas.ts";
import { AuthError, UsageError } from "../../src/errors.ts";
import { FakeClock } from "../../src/http/clock.ts";
import { HttpClient } from "../../src/http/client.ts";
import { addDays, type DayRange, eachDay } from "../../src/model/dates.ts";
import { addCounters, type Counters, emptyCounters } from "../../src/model/metrics.ts";
import type { ActivityRecord, Day, Identity, UserActivity } from "../../src/model/types.ts";
import {
  type Faults,
  type Simulator,
  SIMULATOR_TOKEN,
  startSimulator,
} from "../../src/simulator/mod.ts";
import { RecordingGetter } from "./_recording_getter.ts";

/** 2026-03-18 12:00 UTC: yesterday is 2026-03-17, published at 02:00 today. */
const NOW = Date.UTC(2026, 2, 18, 12);
const YESTERDAY = "2026-03-17";
const RANGE: DayRange = { start: "2026-03-04", end: YESTERDAY };
const DAYS: Day[] = ["2026-03-09", "2026-03-14", YESTERDAY];

interface Setup {
  faults?: Faults;
  users?: number;
  token?: string;
  forbiddenTokens?: string[];
  rateLimit?: { perMinute: number; burst: number } | false;
  retryAfterSeconds?: number;
  ratePerMinute?: number;
  burst?: number;
  pageSizes?: AnalyticsClientOptions["pageSizes"];
}

interface Env extends AsyncDisposable {
  sim: Simulator;
  http: HttpClient;
  calls: RecordingGetter;
  client: AnalyticsClient;
  clock: FakeClock;
}

/**
 * A simulator whose clock is the client's fake clock (its rate limit and the client's pacing
 * agree on time), and a client paced like production: 10 a minute, burst 20.
 */
async function setup(o: Setup = {}): Promise<Env> {
  const clock = new FakeClock(NOW);
  const sim = await startSimulator({
    now: () => clock.now(),
    users: o.users ?? 30,
    seed: 7,
    rateLimit: o.rateLimit ?? { perMinute: 10, burst: 20 },
    forbiddenTokens: o.forbiddenTokens,
    faults: o.faults,
  });
  const http = new HttpClient({
    baseUrl: sim.url,
    token: o.token ?? SIMULATOR_TOKEN,
    timeoutMs: 5_000,
    maxRetries: 5,
    ratePerMinute: o.ratePerMinute ?? 10,
    burst: o.burst ?? 20,
    clock,
    random: () => 0.5,
  });
  const calls = new RecordingGetter(http);
  const client = new AnalyticsClient(calls, { now: () => NOW, pageSizes: o.pageSizes });
  return { sim, http, calls, client, clock, [Symbol.asyncDispose]: () => sim.shutdown() };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Everything the client can fetch, for comparing runs. */
interface Snapshot {
  dauCount: [Day, number][];
  usage: [Day, Counters][];
  dau: Identity[];
  activity: UserActivity[];
  records: ActivityRecord[];
}

async function snapshot(client: AnalyticsClient): Promise<Snapshot> {
  const records: ActivityRecord[] = [];
  for (const d of DAYS) records.push(...await client.dayRecords(d));
  return {
    dauCount: [...await client.dauCount(RANGE)],
    usage: [...await client.dailyUsage(RANGE)],
    dau: await collect(client.dau(YESTERDAY)),
    activity: await collect(client.userActivity(RANGE)),
    records,
  };
}

let baseline: Snapshot | undefined;
async function faultFree(): Promise<Snapshot> {
  if (!baseline) {
    await using env = await setup();
    baseline = await snapshot(env.client);
  }
  return baseline;
}

/** Checks that every call sent only documented parameters, at the maximum page size. */
function assertDocumentedParams(calls: RecordingGetter): void {
  assert.ok(calls.calls.length > 0);
  for (const { path, params } of calls.calls) {
    const name = (Object.keys(ENDPOINTS) as EndpointName[]).find((n) => ENDPOINTS[n].path === path);
    assert.ok(name, `undocumented path ${path}`);
    const spec = ENDPOINTS[name];
    const allowed: readonly string[] = spec.params;
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue;
      assert.ok(allowed.includes(key), `"${key}" sent to ${name}`);
    }
    if (spec.paged) assert.equal(params.page_size, spec.maxPageSize);
  }
}

Deno.test("a fault-free run reads every endpoint into the model, without a 429", async () => {
  await using env = await setup();
  const snap = await snapshot(env.client);
  baseline ??= snap;

  assert.equal(snap.dauCount.length, 14);
  assert.deepEqual(snap.dauCount.map(([d]) => d), [...eachDay(RANGE.start, RANGE.end)]);
  assert.ok(snap.dauCount.some(([, n]) => n > 0));
  assert.ok(snap.usage.length > 0);
  for (const [, c] of snap.usage) assert.ok(c.total_messages >= 0 && "chat_messages" in c);

  // dau of yesterday agrees with dau-count and with the identities of its records.
  const dauCount = new Map(snap.dauCount).get(YESTERDAY);
  assert.equal(snap.dau.length, dauCount);
  const recIds = new Set(
    snap.records.filter((r) => r.day === YESTERDAY).map((r) => `${r.kind}:${r.identity}`),
  );
  assert.deepEqual(new Set(snap.dau.map((i) => `${i.kind}:${i.name}`)), recIds);
  assert.ok(snap.dau.some((i) => i.kind === "service_account"), "service accounts kept");
  assert.ok(snap.dau.some((i) => i.kind === "user"));

  // Records: every day asked for, names as the docs write them, every counter present.
  assert.deepEqual([...new Set(snap.records.map((r) => r.day))], DAYS);
  for (const r of snap.records) {
    assert.ok(r.editor.length > 0 && r.language.length > 0);
    assert.equal(typeof r.metrics.completions_suggested_lines_of_code, "number");
  }
  assert.ok(snap.records.some((r) => /[A-Z]/.test(r.editor)));

  // daily-usage of a day is the sum of its records.
  const sum = emptyCounters();
  for (const r of snap.records.filter((r) => r.day === YESTERDAY)) addCounters(sum, r.metrics);
  assert.deepEqual(new Map(snap.usage).get(YESTERDAY), sum);

  // user-activity: active identities with their active days in range.
  assert.ok(snap.activity.length >= snap.dau.length);
  for (const u of snap.activity) assert.ok(u.activeDays >= 1 && u.activeDays <= 14);

  assertDocumentedParams(env.calls);
  assert.equal(env.sim.stats.rateLimited, 0);
  assert.equal(env.http.stats.rateLimited, 0);
  assert.equal(env.http.stats.retries, 0);
  assert.equal(env.http.stats.requests, env.sim.stats.requests);
  assert.deepEqual(env.http.stats.byEndpoint, env.sim.stats.byEndpoint);
});

Deno.test("pacing at 10 a minute, burst 20 never meets the simulator's 429 over 60 requests", async () => {
  await using env = await setup({ users: 5 });
  const start = addDays(YESTERDAY, -59);
  for (const d of eachDay(start, YESTERDAY)) await env.client.dayRecords(d);
  assert.equal(env.sim.stats.requests, 60);
  assert.equal(env.sim.stats.rateLimited, 0);
  // The floor, plus the pacing's 1 s safety margin once.
  assert.equal(env.clock.now() - NOW, (60 - 20) * 6_000 + 1_000);
});

Deno.test("a client paced faster than the service recovers from 429s with Retry-After", async () => {
  await using env = await setup({
    users: 5,
    ratePerMinute: 6_000,
    burst: 100,
    faults: { retryAfterSeconds: 6 },
  });
  const start = addDays(YESTERDAY, -24);
  const got = [];
  for (const d of eachDay(start, YESTERDAY)) got.push(await env.client.dayRecords(d));
  assert.equal(got.length, 25);
  assert.ok(env.sim.stats.rateLimited > 0);
  assert.equal(env.http.stats.rateLimited, env.sim.stats.rateLimited);
  assert.ok(env.clock.sleeps.includes(6_000));
});

Deno.test("ranges over 90 days are fetched in 90-day chunks and user-activity is summed", async () => {
  await using env = await setup({ users: 6 });
  const range = { start: addDays(YESTERDAY, -99), end: YESTERDAY };
  const counts = await env.client.dauCount(range);
  const usage = await env.client.dailyUsage(range);
  const activity = await collect(env.client.userActivity(range));
  const chunkParams = env.calls.calls
    .filter((c) => c.path === ENDPOINTS["dau-count"].path)
    .map((c) => [c.params.start_date, c.params.end_date]);
  assert.deepEqual(chunkParams, [
    [range.start, addDays(range.start, 89)],
    [addDays(range.start, 90), range.end],
  ]);
  assert.equal(counts.size, 100);
  assert.equal(env.sim.stats.byEndpoint[ENDPOINTS["daily-usage"].path], 2);
  assert.equal(env.sim.stats.byEndpoint[ENDPOINTS["user-activity"].path], 2);

  // The summed user-activity equals what the day-by-day records say.
  const expected = new Map<string, { days: number; metrics: Counters }>();
  const usageFromRecords = new Map<Day, Counters>();
  for (const day of eachDay(range.start, range.end)) {
    const seen = new Set<string>();
    for (const r of await env.client.dayRecords(day)) {
      const key = `${r.kind}:${r.identity}`;
      const e = expected.get(key) ?? { days: 0, metrics: emptyCounters() };
      if (!seen.has(key)) e.days++;
      seen.add(key);
      addCounters(e.metrics, r.metrics);
      expected.set(key, e);
      addCounters(
        usageFromRecords.get(day) ?? usageFromRecords.set(day, emptyCounters()).get(day)!,
        r.metrics,
      );
    }
  }
  assert.deepEqual(
    new Map(
      activity.map((u) => [`${u.kind}:${u.identity}`, { days: u.activeDays, metrics: u.metrics }]),
    ),
    expected,
  );
  assert.deepEqual(usage, usageFromRecords);
});

Deno.test("dau() at 250 a page reads a small organisation in a single page", async () => {
  await using env = await setup();
  const ids = await collect(env.client.dau(YESTERDAY));
  assert.ok(ids.length > 0 && ids.length <= 250);
  assert.equal(env.sim.stats.requests, 1);
  assert.equal(env.calls.calls[0].params.page_size, 250);
});

Deno.test("pagination at an exact multiple of the page size asks for no empty extra page", async () => {
  const base = await faultFree();
  const n = base.dau.length;
  const divisor = [2, 3, 5, 7, 11, 13].find((p) => n % p === 0 && p < n) ?? 1;
  const size = n / divisor;
  await using env = await setup({ pageSizes: { dau: size } });
  const ids = await collect(env.client.dau(YESTERDAY));
  assert.deepEqual(ids, base.dau);
  assert.equal(env.sim.stats.requests, divisor);
});

Deno.test("pagination over many small pages gives the same records as one big page", async () => {
  const base = await faultFree();
  await using env = await setup({
    pageSizes: { "daily-user-activity-by-editor-language": 7, "user-activity": 4 },
  });
  const records: ActivityRecord[] = [];
  for (const d of DAYS) records.push(...await env.client.dayRecords(d));
  assert.deepEqual(records, base.records);
  assert.deepEqual(await collect(env.client.userActivity(RANGE)), base.activity);
  const pages = env.sim.stats.byEndpoint[ENDPOINTS["daily-user-activity-by-editor-language"].path];
  const expectedPages = DAYS.reduce(
    (n, d) => n + Math.max(1, Math.ceil(base.records.filter((r) => r.day === d).length / 7)),
    0,
  );
  assert.equal(pages, expectedPages);
});

for (
  const [name, faults] of [
    ["a 500 every 3rd request", { serverErrorEvery: 3 }],
    ["a connection reset every 4th request", { resetEvery: 4 }],
    ["a truncated body every 5th request", { malformedEvery: 5 }],
    ["all three faults at once", { serverErrorEvery: 3, resetEvery: 4, malformedEvery: 5 }],
  ] as [string, Faults][]
) {
  Deno.test(`the client recovers from ${name} with results identical to a fault-free run`, async () => {
    const base = await faultFree();
    await using env = await setup({ faults });
    assert.deepEqual(await snapshot(env.client), base);
    assert.ok(env.sim.stats.faultsInjected > 0);
    assert.equal(env.http.stats.retries, env.sim.stats.faultsInjected);
    assert.equal(env.sim.stats.rateLimited, 0);
  });
}

Deno.test("a null end cursor ends pagination like an empty one, over many pages", async () => {
  const base = await faultFree();
  const pageSizes = {
    "dau": 4,
    "user-activity": 4,
    "daily-user-activity-by-editor-language": 7,
  };
  await using env = await setup({ faults: { nullEndCursor: true }, pageSizes });
  assert.deepEqual(await snapshot(env.client), base);
  await using plain = await setup({ pageSizes });
  await snapshot(plain.client);
  assert.deepEqual(env.sim.stats.byEndpoint, plain.sim.stats.byEndpoint);
  assert.ok(env.sim.stats.byEndpoint[ENDPOINTS.dau.path] > 1);
});

Deno.test("missing counters read as 0: results identical to a fault-free run", async () => {
  // The fault drops every zero counter (read back as 0: identical) and, like the documented
  // examples, `completions_suggested_lines_of_code` whatever its value (then 0).
  const base = await faultFree();
  await using env = await setup({ faults: { missingCounters: true } });
  const noSuggested = (c: Counters): Counters => ({ ...c, completions_suggested_lines_of_code: 0 });
  assert.deepEqual(await snapshot(env.client), {
    ...base,
    usage: base.usage.map(([d, c]) => [d, noSuggested(c)]),
    activity: base.activity.map((u) => ({ ...u, metrics: noSuggested(u.metrics) })),
    records: base.records.map((r) => ({ ...r, metrics: noSuggested(r.metrics) })),
  });
  assert.ok(base.records.some((r) => r.metrics.completions_suggested_lines_of_code > 0));
});

Deno.test("lower-case editor and language names are kept as received", async () => {
  const base = await faultFree();
  await using env = await setup({ faults: { lowerCaseNames: true } });
  const snap = await snapshot(env.client);
  assert.deepEqual(
    snap.records,
    base.records.map((r) => ({
      ...r,
      editor: r.editor.toLowerCase(),
      language: r.language.toLowerCase(),
    })),
  );
  assert.deepEqual({ ...snap, records: [] }, { ...base, records: [] });
});

Deno.test("unknown counters are kept alongside the documented ones", async () => {
  const base = await faultFree();
  await using env = await setup({ faults: { unknownCounters: true } });
  const snap = await snapshot(env.client);
  const strip = (c: Counters) => {
    const { next_edit_suggestions: _, ...rest } = c;
    return rest;
  };
  assert.ok(snap.records.every((r) => typeof r.metrics.next_edit_suggestions === "number"));
  assert.ok(snap.usage.every(([, c]) => typeof c.next_edit_suggestions === "number"));
  assert.deepEqual(snap.records.map((r) => strip(r.metrics)), base.records.map((r) => r.metrics));
});

Deno.test("an unknown token fails once with AuthError 401 and no retry", async () => {
  await using env = await setup({ token: "not-a-known-token-000" });
  await assert.rejects(env.client.dauCount(RANGE), (err) => {
    assert.ok(err instanceof AuthError);
    assert.equal(err.status, 401);
    assert.equal(err.code, "Unauthenticated");
    assert.ok(!String(err).includes("not-a-known-token-000"));
    return true;
  });
  assert.equal(env.sim.stats.requests, 1);
});

Deno.test("a forbidden token fails once with AuthError 403 and no retry", async () => {
  const token = "forbidden-token-0001";
  await using env = await setup({ token, forbiddenTokens: [token] });
  await assert.rejects(collect(env.client.dau(YESTERDAY)), (err) => {
    assert.ok(err instanceof AuthError);
    assert.equal(err.status, 403);
    assert.equal(err.code, "PermissionDenied");
    assert.equal(err.endpoint, ENDPOINTS.dau.path);
    return true;
  });
  assert.equal(env.sim.stats.requests, 1);
});

Deno.test("date rules are refused before any request", async () => {
  await using env = await setup();
  const today = addDays(YESTERDAY, 1);
  const refusals: (() => Promise<unknown>)[] = [
    () => env.client.dauCount({ start: RANGE.start, end: today }),
    () => env.client.dailyUsage({ start: "2026-03-10", end: "2026-03-01" }),
    () => collect(env.client.userActivity({ start: "2023-01-01", end: "2023-02-01" })),
    () => collect(env.client.dau("2026-3-1")),
    () => env.client.dayRecords(today),
    () => collect(env.client.editorLanguageRecords("2026-02-30")),
  ];
  for (const call of refusals) await assert.rejects(call(), UsageError);
  assert.equal(env.sim.stats.requests, 0);
  assert.equal(env.http.stats.requests, 0);
});

Deno.test("an aborted signal stops a paginated read before any request", async () => {
  await using env = await setup();
  const ac = new AbortController();
  ac.abort(new Error("interrupted"));
  await assert.rejects(env.client.dayRecords(YESTERDAY, { signal: ac.signal }), {
    message: "interrupted",
  });
  assert.equal(env.sim.stats.requests, 0);
});

Deno.test("a page size above the endpoint's maximum is refused when the client is built", async () => {
  await using env = await setup();
  assert.throws(
    () => new AnalyticsClient(env.http, { pageSizes: { dau: 251 } }),
    /Invalid page size "251" for "dau": expected 1 to 250/,
  );
});

/** The five endpoints over real HTTP: envelopes, self-consistency and pagination. */
import assert from "node:assert/strict";
import {
  DailyUsageResponse,
  DauCountResponse,
  DauResponse,
  EditorLanguageResponse,
  UserActivityResponse,
} from "../../src/augment/schemas.ts";
import { eachDay } from "../../src/model/dates.ts";
import { generateDayRecords, type SimRecord, startSimulator } from "../../src/simulator/mod.ts";
import { allPages, get, NOW } from "./_helpers.ts";

const EL = "daily-user-activity-by-editor-language";
const idOf = (r: { user_email?: string; service_account_name?: string }) =>
  r.user_email !== undefined ? `u:${r.user_email}` : `s:${r.service_account_name}`;

function sum(records: { metrics: Record<string, number> }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    for (const [k, v] of Object.entries(r.metrics)) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

Deno.test("every endpoint answers an envelope its shared schema accepts, with metadata", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  const range = { start_date: "2026-11-01", end_date: "2026-11-10" };
  const cases = [
    ["dau-count", range, DauCountResponse],
    ["daily-usage", range, DailyUsageResponse],
    ["user-activity", range, UserActivityResponse],
    ["dau", { date: "2026-11-05" }, DauResponse],
    [EL, { date: "2026-11-05" }, EditorLanguageResponse],
  ] as const;
  for (const [endpoint, params, schema] of cases) {
    const r = await get(sim.url, endpoint, params);
    assert.equal(r.status, 200, endpoint);
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    schema.parse(r.body);
    const meta = r.body.metadata;
    assert.match(meta.generated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.equal(meta.generated_at.slice(0, 19), "2026-11-20T12:00:00");
    if ("date" in params) {
      assert.equal(meta.effective_date, "2026-11-05");
    } else {
      assert.equal(meta.effective_start_date, "2026-11-01");
      assert.equal(meta.effective_end_date, "2026-11-10");
      assert.equal(meta.total_days, 10);
    }
  }
});

Deno.test("editor-language records of a day are exactly generateDayRecords() of that day", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, seed: 3, users: 40 });
  const { items } = await allPages(sim.url, EL, "records", { date: "2026-11-04" }, 10);
  assert.deepEqual(items, generateDayRecords(3, 40, "2026-11-04"));
});

Deno.test("daily-usage is the sum of each day's records; days without records are omitted", async () => {
  // Two identities, so some days have no activity at all.
  const users = 2;
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users });
  const days = [...eachDay("2026-09-01", "2026-10-15")];
  const r = await get(sim.url, "daily-usage", { start_date: days[0], end_date: days.at(-1)! });
  assert.equal(r.status, 200);
  const expected = days
    .map((date) => ({ date, records: generateDayRecords(1, users, date) }))
    .filter((d) => d.records.length > 0)
    .map((d) => ({ date: d.date, metrics: sum(d.records) }));
  assert.ok(expected.length < days.length, "some days are empty");
  assert.deepEqual(r.body.daily_usage, expected);
});

Deno.test("user-activity sums each identity over the range with active_days", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 30 });
  const days = [...eachDay("2026-10-01", "2026-10-20")];
  const { items } = await allPages(sim.url, "user-activity", "users", {
    start_date: days[0],
    end_date: days.at(-1)!,
    page_size: 7,
  }, 10);
  const byId = new Map<string, SimRecord[]>();
  const activeDays = new Map<string, Set<string>>();
  for (const day of days) {
    for (const r of generateDayRecords(1, 30, day)) {
      byId.set(idOf(r), [...(byId.get(idOf(r)) ?? []), r]);
      activeDays.set(idOf(r), (activeDays.get(idOf(r)) ?? new Set()).add(day));
    }
  }
  assert.equal(items.length, byId.size);
  assert.equal(new Set(items.map(idOf)).size, items.length, "each identity once");
  for (const u of items) {
    assert.deepEqual(u.metrics, sum(byId.get(idOf(u))!), idOf(u));
    assert.equal(u.active_days, activeDays.get(idOf(u))!.size);
  }
  assert.ok(items.some((u) => u.service_account_name), "service accounts kept");
});

Deno.test("dau lists and dau-count counts the distinct identities of each day", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 30 });
  const r = await get(sim.url, "dau-count", { start_date: "2026-10-01", end_date: "2026-10-14" });
  assert.equal(r.body.daily_active_user_counts.length, 14);
  for (const { date, user_count } of r.body.daily_active_user_counts) {
    const expected = new Set(generateDayRecords(1, 30, date).map(idOf));
    assert.equal(user_count, expected.size, date);
    const dau = await get(sim.url, "dau", { date });
    assert.deepEqual(new Set(dau.body.users.map(idOf)), expected);
    assert.equal(dau.body.users.length, expected.size);
    for (const u of dau.body.users) assert.deepEqual(Object.keys(u).length, 1, "identity only");
  }
});

Deno.test("dau-count includes a day without activity with user_count 0", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 1 });
  const r = await get(sim.url, "dau-count", { start_date: "2026-09-01", end_date: "2026-10-30" });
  const counts = r.body.daily_active_user_counts;
  assert.equal(counts.length, 60);
  assert.ok(counts.some((c: { user_count: number }) => c.user_count === 0));
});

Deno.test("pagination walks many pages with a bounded count, each item once, empty end cursor", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 200 });
  const expected = generateDayRecords(1, 200, "2026-11-10");
  assert.ok(expected.length > 150);
  const { items, pages } = await allPages(sim.url, EL, "records", {
    date: "2026-11-10",
    page_size: 7,
  }, Math.ceil(expected.length / 7));
  assert.equal(pages, Math.ceil(expected.length / 7));
  assert.deepEqual(items, expected);
  assert.equal(sim.stats.requests, pages);

  let cursor = "";
  for (let i = 0; i < pages; i++) {
    const r = await get(sim.url, EL, {
      date: "2026-11-10",
      page_size: 7,
      ...(cursor && { cursor }),
    });
    assert.equal(r.body.metadata.returned_record_count, r.body.records.length);
    assert.equal(r.body.pagination.has_more, i < pages - 1);
    cursor = r.body.pagination.next_cursor;
    if (i < pages - 1) assert.match(cursor, /^[A-Za-z0-9+/=]+$/, "base64");
  }
  assert.equal(cursor, "", "next_cursor is empty on the last page");
});

Deno.test("default page sizes are 100 for dau and 50 for the others", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 400 });
  const dau = await get(sim.url, "dau", { date: "2026-11-10" });
  assert.equal(dau.body.users.length, 100);
  const el = await get(sim.url, EL, { date: "2026-11-10" });
  assert.equal(el.body.records.length, 50);
  const ua = await get(sim.url, "user-activity", {});
  assert.equal(ua.body.users.length, 50);
  const max = await get(sim.url, "dau", { date: "2026-11-10", page_size: 250 });
  assert.equal(max.body.users.length, 250);
});

Deno.test("a cursor used with other parameters or forged is refused with 400", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 60 });
  const first = await get(sim.url, EL, { date: "2026-11-10", page_size: 5 });
  const cursor = first.body.pagination.next_cursor;
  const again = await get(sim.url, EL, { date: "2026-11-10", page_size: 5, cursor });
  assert.equal(again.status, 200);
  for (
    const params of [
      { date: "2026-11-09", page_size: 5, cursor },
      { date: "2026-11-10", page_size: 6, cursor },
      { date: "2026-11-10", page_size: 5, cursor: "not-a-cursor" },
      { date: "2026-11-10", page_size: 5, cursor: btoa('{"offset":99999}') },
    ]
  ) {
    const r = await get(sim.url, EL, params);
    assert.equal(r.status, 400, JSON.stringify(params));
    assert.equal(r.body.error.code, "InvalidArgument");
    assert.match(r.body.error.message, /cursor/);
  }
  const dau = await get(sim.url, "dau", { date: "2026-11-10", page_size: 5, cursor });
  assert.equal(dau.status, 400, "a cursor of another endpoint");
});

Deno.test("stats count every request by path, unknown paths included, and reset", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  await get(sim.url, "dau", {});
  await get(sim.url, "dau", {}, null);
  await get(sim.url, "dau-count", {});
  const unknown = await fetch(`${sim.url}/analytics/v0/nope`);
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, "NotFound");
  assert.deepEqual(sim.stats, {
    requests: 4,
    byEndpoint: {
      "/analytics/v0/dau": 2,
      "/analytics/v0/dau-count": 1,
      "/analytics/v0/nope": 1,
    },
    rateLimited: 0,
    faultsInjected: 0,
  });
  const stats = sim.stats;
  sim.resetStats();
  assert.equal(stats, sim.stats, "the same object");
  assert.deepEqual(sim.stats, { requests: 0, byEndpoint: {}, rateLimited: 0, faultsInjected: 0 });
});

Deno.test("a request other than GET is refused with an error body", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  const r = await fetch(`${sim.url}/analytics/v0/dau`, { method: "POST", body: "{}" });
  assert.equal(r.status, 405);
  assert.ok((await r.json()).error.code);
});

/** Strict parameters: every 400 case, and the documented date defaults. */
import assert from "node:assert/strict";
import { startSimulator } from "../../src/simulator/mod.ts";
import { get, NOW } from "./_helpers.ts";

const EL = "daily-user-activity-by-editor-language";

Deno.test("each invalid request answers 400 InvalidArgument with a message", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  const cases: [string, Record<string, string | number>, RegExp][] = [
    ["dau", { limit: 10 }, /unknown parameter "limit"/],
    ["dau-count", { page_size: 10 }, /unknown parameter "page_size"/],
    ["daily-usage", { date: "2026-11-01" }, /unknown parameter "date"/],
    [EL, { start_date: "2026-11-01" }, /unknown parameter "start_date"/],
    ["dau", { page_size: 251 }, /page_size 251 exceeds the maximum of 250/],
    ["user-activity", { page_size: 101 }, /maximum of 100/],
    [EL, { page_size: 101 }, /maximum of 100/],
    [EL, { page_size: 0 }, /positive integer/],
    [EL, { page_size: -5 }, /positive integer/],
    [EL, { page_size: "ten" }, /positive integer/],
    [EL, { page_size: "2.5" }, /positive integer/],
    [EL, { date: "2026-11-5" }, /invalid date "2026-11-5"/],
    [EL, { date: "2026-02-30" }, /invalid date/],
    ["dau-count", { start_date: "20261101", end_date: "2026-11-10" }, /invalid start_date/],
    ["dau-count", { start_date: "2026-11-01", end_date: "11/10/2026" }, /invalid end_date/],
    [EL, { date: "2026-11-20" }, /date cannot be later than yesterday \(UTC\)/],
    ["dau", { date: "2027-01-01" }, /later than yesterday/],
    [
      "daily-usage",
      { start_date: "2026-11-01", end_date: "2026-11-20" },
      /^end_date cannot be later than yesterday \(UTC\)$/,
    ],
    ["dau-count", { end_date: "2026-11-20" }, /end_date cannot be later than yesterday/],
    ["dau-count", { start_date: "2026-11-20" }, /start_date cannot be later than yesterday/],
    [
      "user-activity",
      { start_date: "2026-11-10", end_date: "2026-11-01" },
      /start_date cannot be later than end_date/,
    ],
    ["dau-count", { start_date: "2026-08-01", end_date: "2026-10-30" }, /90 days/],
    ["dau-count", { start_date: "2024-11-19", end_date: "2024-11-30" }, /earlier than 2024-11-20/],
    [EL, { date: "2024-11-19" }, /earlier than 2024-11-20/],
  ];
  for (const [endpoint, params, message] of cases) {
    const r = await get(sim.url, endpoint, params);
    const what = `${endpoint} ${JSON.stringify(params)}`;
    assert.equal(r.status, 400, what);
    assert.deepEqual(Object.keys(r.body), ["error"], what);
    assert.equal(r.body.error.code, "InvalidArgument", what);
    assert.match(r.body.error.message, message, what);
  }
});

Deno.test("a parameter given twice is refused with 400", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  const r = await fetch(`${sim.url}/analytics/v0/dau?date=2026-11-01&date=2026-11-02`, {
    headers: { authorization: "Bearer sim-augment-analytics-token-0000" },
  });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error.message, /more than once/);
});

Deno.test("the limits themselves are accepted: 90 days, 2 years back, max page sizes", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 3 });
  const ok: [string, Record<string, string | number>][] = [
    ["dau-count", { start_date: "2026-08-22", end_date: "2026-11-19" }],
    ["dau-count", { start_date: "2024-11-20", end_date: "2024-11-20" }],
    [EL, { date: "2024-11-20", page_size: 100 }],
    ["dau", { date: "2026-11-19", page_size: 250 }],
    ["user-activity", { page_size: 100 }],
  ];
  for (const [endpoint, params] of ok) {
    const r = await get(sim.url, endpoint, params);
    assert.equal(r.status, 200, `${endpoint} ${JSON.stringify(params)}: ${JSON.stringify(r.body)}`);
  }
});

Deno.test("range defaults: last 7 days to yesterday, 7 from start_date capped, 7 ending on end_date", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 3 });
  const cases: [Record<string, string>, string, string, number][] = [
    [{}, "2026-11-13", "2026-11-19", 7],
    [{ start_date: "2026-10-01" }, "2026-10-01", "2026-10-07", 7],
    [{ start_date: "2026-11-16" }, "2026-11-16", "2026-11-19", 4],
    [{ end_date: "2026-10-10" }, "2026-10-04", "2026-10-10", 7],
  ];
  for (const endpoint of ["dau-count", "daily-usage", "user-activity"]) {
    for (const [params, start, end, days] of cases) {
      const r = await get(sim.url, endpoint, params);
      assert.equal(r.status, 200);
      assert.equal(r.body.metadata.effective_start_date, start, `${endpoint} ${params}`);
      assert.equal(r.body.metadata.effective_end_date, end);
      assert.equal(r.body.metadata.total_days, days);
    }
  }
  const counts = await get(sim.url, "dau-count", { start_date: "2026-11-16" });
  assert.deepEqual(
    counts.body.daily_active_user_counts.map((c: { date: string }) => c.date),
    ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"],
  );
});

Deno.test("single-date endpoints default to yesterday (UTC)", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 3 });
  for (const endpoint of ["dau", EL]) {
    const r = await get(sim.url, endpoint, {});
    assert.equal(r.status, 200);
    assert.equal(r.body.metadata.effective_date, "2026-11-19");
  }
});

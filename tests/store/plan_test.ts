import assert from "node:assert/strict";
import { buildPlan, coverDays, pacedSeconds } from "../../src/store/plan.ts";
import { eachDay } from "../../src/model/dates.ts";

const days = (a: string, b: string) => [...eachDay(a, b)];

Deno.test("buildPlan for 28 days and their 27 earlier days counts every page at the maximum size", () => {
  const plan = buildPlan({
    fetchDays: days("2026-09-04", "2026-10-28"),
    recordsOn: () => 450, // 5 pages of 100
  });
  const by = Object.fromEntries(plan.items.map((i) => [i.endpoint, i.requests]));
  assert.deepEqual(by, {
    "dau-count": 1,
    "daily-usage": 1,
    "daily-user-activity-by-editor-language": 55 * 5,
  });
  assert.equal(plan.requests, 1 + 1 + 275);
  assert.equal(plan.exact, true);
});

Deno.test("buildPlan covers the fetched days with the fewest 90-day windows, gaps cost nothing", () => {
  const plan = buildPlan({
    fetchDays: [...days("2026-01-01", "2026-01-05"), ...days("2026-06-01", "2026-06-30")],
  });
  const by = Object.fromEntries(plan.items.map((i) => [i.endpoint, i]));
  // 181 days from first to last, but two clusters: one window each
  assert.equal(by["dau-count"].requests, 2);
  assert.equal(by["daily-usage"].requests, 2);
  assert.equal(by["daily-user-activity-by-editor-language"].requests, 35);
  assert.equal(plan.exact, false);
});

Deno.test("buildPlan counts user-activity pages per 90-day chunk of each range fetched", () => {
  const plan = buildPlan({
    fetchDays: [],
    userActivity: [
      { range: { start: "2026-10-01", end: "2026-10-28" }, identities: 230 },
      { range: { start: "2026-01-01", end: "2026-06-30" }, identities: 50 },
    ],
  });
  const ua = plan.items.find((i) => i.endpoint === "user-activity")!;
  assert.equal(ua.series, 1 + 3);
  assert.equal(ua.requests, 3 + 3);
});

Deno.test("buildPlan needs no request when nothing is to be fetched", () => {
  const plan = buildPlan({
    fetchDays: [],
  });
  assert.equal(plan.requests, 0);
  assert.deepEqual(plan.items, []);
});

Deno.test("a day with no records still costs one request", () => {
  const plan = buildPlan({
    fetchDays: ["2026-10-01"],
    recordsOn: () => 0,
  });
  assert.equal(plan.requests, 3);
});

Deno.test("pacedSeconds: the burst is free, then one request per 60/rate seconds", () => {
  assert.equal(pacedSeconds(20, 10, 20), 0);
  assert.equal(pacedSeconds(100, 10, 20), 480);
  assert.equal(pacedSeconds(320, 300, 20), 60);
});

Deno.test("coverDays splits a long run of days into 90-day windows", () => {
  assert.deepEqual(coverDays(days("2026-01-01", "2026-06-30")), [
    { start: "2026-01-01", end: "2026-03-31" },
    { start: "2026-04-01", end: "2026-06-29" },
    { start: "2026-06-30", end: "2026-06-30" },
  ]);
  assert.deepEqual(coverDays(["2026-01-01", "2026-03-31", "2026-04-01"]), [
    { start: "2026-01-01", end: "2026-03-31" },
    { start: "2026-04-01", end: "2026-04-01" },
  ]);
  assert.deepEqual(coverDays([]), []);
});

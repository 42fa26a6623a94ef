import assert from "node:assert/strict";
import { buildPlan, coverDays, pacedSeconds } from "../../src/store/plan.ts";
import { eachDay } from "../../src/model/dates.ts";

const days = (a: string, b: string) => [...eachDay(a, b)];

Deno.test("buildPlan for 28 days of a 300-identity org counts every page at the maximum size", () => {
  const plan = buildPlan({
    range: { start: "2026-10-01", end: "2026-10-28" },
    fetchDays: days("2026-10-01", "2026-10-28"),
    lookbackDays: days("2026-09-04", "2026-09-30"),
    userActivity: true,
    recordsOn: () => 450, // 5 pages of 100
    identitiesOn: () => 300, // 2 pages of 250
    identitiesIn: () => 320, // 4 pages of 100
  });
  const by = Object.fromEntries(plan.items.map((i) => [i.endpoint, i.requests]));
  assert.deepEqual(by, {
    "dau-count": 1,
    "daily-usage": 1,
    "daily-user-activity-by-editor-language": 28 * 5,
    "user-activity": 4,
    "dau": 27 * 2,
  });
  assert.equal(plan.requests, 1 + 1 + 140 + 4 + 54);
  assert.equal(plan.exact, true);
});

Deno.test("buildPlan covers the fetched days with the fewest 90-day windows, gaps cost nothing", () => {
  const plan = buildPlan({
    range: { start: "2026-01-01", end: "2026-06-30" },
    fetchDays: [...days("2026-01-01", "2026-01-05"), ...days("2026-06-01", "2026-06-30")],
    lookbackDays: [],
    userActivity: true,
  });
  const by = Object.fromEntries(plan.items.map((i) => [i.endpoint, i]));
  // 181 days from first to last, but two clusters: one window each
  assert.equal(by["dau-count"].requests, 2);
  assert.equal(by["daily-usage"].requests, 2);
  assert.equal(by["daily-user-activity-by-editor-language"].requests, 35);
  assert.equal(by["user-activity"].series, 3);
  assert.equal(plan.exact, false);
});

Deno.test("buildPlan counts earlier days fetched in full as editor-language pages, in the same windows", () => {
  const plan = buildPlan({
    range: { start: "2026-10-01", end: "2026-10-28" },
    fetchDays: days("2026-10-01", "2026-10-28"),
    lookbackDays: [],
    lookbackRecordDays: days("2026-09-04", "2026-09-30"),
    userActivity: true,
    recordsOn: () => 40,
    identitiesIn: () => 30,
  });
  const by = Object.fromEntries(plan.items.map((i) => [i.endpoint, i]));
  assert.equal(by["dau-count"].requests, 1, "55 days: still one window");
  assert.equal(by["daily-usage"].requests, 1);
  assert.equal(by["daily-user-activity-by-editor-language"].series, 55);
  assert.equal(by["daily-user-activity-by-editor-language"].requests, 55);
  assert.equal(by["dau"], undefined);
  // As many requests as with dau for the earlier days (one page each either way).
  const withDau = buildPlan({
    range: { start: "2026-10-01", end: "2026-10-28" },
    fetchDays: days("2026-10-01", "2026-10-28"),
    lookbackDays: days("2026-09-04", "2026-09-30"),
    userActivity: true,
    recordsOn: () => 40,
    identitiesOn: () => 25,
    identitiesIn: () => 30,
  });
  assert.equal(plan.requests, withDau.requests);
});

Deno.test("buildPlan needs no request when nothing is to be fetched", () => {
  const plan = buildPlan({
    range: { start: "2026-10-01", end: "2026-10-28" },
    fetchDays: [],
    lookbackDays: [],
    userActivity: false,
  });
  assert.equal(plan.requests, 0);
  assert.deepEqual(plan.items, []);
});

Deno.test("a day with no records still costs one request", () => {
  const plan = buildPlan({
    range: { start: "2026-10-01", end: "2026-10-01" },
    fetchDays: ["2026-10-01"],
    lookbackDays: [],
    userActivity: false,
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

/** Publication: a day appears at 02:00 UTC the next day, and is final from then on. */
import assert from "node:assert/strict";
import { generateDayRecords, startSimulator } from "../../src/simulator/mod.ts";
import { get } from "./_helpers.ts";

const EL = "daily-user-activity-by-editor-language";

Deno.test("yesterday is empty before 02:00 UTC and complete from 02:00 UTC", async () => {
  let now = Date.parse("2026-11-20T01:59:59.999Z");
  await using sim = await startSimulator({ now: () => now, rateLimit: false, users: 20 });
  const expected = generateDayRecords(1, 20, "2026-11-19");
  assert.ok(expected.length > 0);

  const early = await get(sim.url, EL, { date: "2026-11-19" });
  assert.equal(early.status, 200);
  assert.deepEqual(early.body.records, []);
  assert.equal(early.body.pagination.has_more, false);
  assert.equal((await get(sim.url, "dau", { date: "2026-11-19" })).body.users.length, 0);
  const usage = await get(sim.url, "daily-usage", {});
  assert.equal(usage.body.metadata.effective_end_date, "2026-11-19");
  assert.ok(!usage.body.daily_usage.some((d: { date: string }) => d.date === "2026-11-19"));
  const counts = await get(sim.url, "dau-count", {});
  assert.deepEqual(counts.body.daily_active_user_counts.at(-1), {
    date: "2026-11-19",
    user_count: 0,
  });
  // The day before yesterday is published.
  assert.ok((await get(sim.url, EL, { date: "2026-11-18" })).body.records.length > 0);

  now = Date.parse("2026-11-20T02:00:00Z");
  const late = await get(sim.url, EL, { date: "2026-11-19", page_size: 100 });
  assert.deepEqual(late.body.records, expected.slice(0, 100));
  const lateCounts = await get(sim.url, "dau-count", {});
  assert.ok(lateCounts.body.daily_active_user_counts.at(-1).user_count > 0);
});

Deno.test("just after midnight UTC the newest queryable day moves and today is refused", async () => {
  let now = Date.parse("2026-11-20T23:59:59Z");
  await using sim = await startSimulator({ now: () => now, rateLimit: false, users: 5 });
  assert.equal((await get(sim.url, EL, { date: "2026-11-20" })).status, 400);
  now = Date.parse("2026-11-21T00:00:00Z");
  const r = await get(sim.url, EL, { date: "2026-11-20" });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.records, [], "not yet published");
  assert.equal((await get(sim.url, EL, { date: "2026-11-21" })).status, 400);
});

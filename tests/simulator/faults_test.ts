/** Injected faults: each fires at the right request and is counted. */
import assert from "node:assert/strict";
import { KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import {
  generateDayRecords,
  SIMULATOR_TOKEN,
  startSimulator,
  UNKNOWN_COUNTER,
} from "../../src/simulator/mod.ts";
import { allPages, get, NOW } from "./_helpers.ts";

const EL = "daily-user-activity-by-editor-language";
const AUTH = { authorization: `Bearer ${SIMULATOR_TOKEN}` };

/** Fetches and reads the body; "network" when either fails. */
async function attempt(url: string): Promise<{ status: number; text: string } | "network"> {
  try {
    const res = await fetch(`${url}/analytics/v0/dau-count`, { headers: AUTH });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    assert.ok(e instanceof TypeError, String(e));
    return "network";
  }
}

Deno.test("serverErrorEvery: 3 answers 500 Internal on requests 3, 6 and 9 only", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { serverErrorEvery: 3 },
  });
  const statuses = [];
  for (let i = 1; i <= 9; i++) statuses.push((await get(sim.url, "dau-count", {})).status);
  assert.deepEqual(statuses, [200, 200, 500, 200, 200, 500, 200, 200, 500]);
  const r = await get(sim.url, "dau-count", {});
  assert.equal(r.status, 200);
  sim.faults = { serverErrorEvery: 1 };
  const failed = await get(sim.url, "dau-count", {});
  assert.deepEqual(failed.body.error.code, "Internal");
  assert.equal(sim.stats.faultsInjected, 4);
});

Deno.test("resetEvery: 2 cuts the connection of every second request mid-response", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { resetEvery: 2 },
  });
  const results = [];
  for (let i = 1; i <= 4; i++) results.push(await attempt(sim.url));
  assert.notEqual(results[0], "network");
  assert.equal(results[1], "network");
  assert.notEqual(results[2], "network");
  assert.equal(results[3], "network");
  assert.equal(sim.stats.faultsInjected, 2);
  assert.equal(sim.stats.requests, 4);
});

Deno.test("malformedEvery: 2 answers 200 with a truncated, non-JSON body on even requests", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { malformedEvery: 2 },
  });
  for (let i = 1; i <= 4; i++) {
    const r = await attempt(sim.url);
    assert.ok(r !== "network");
    assert.equal(r.status, 200);
    if (i % 2 === 0) {
      assert.throws(() => JSON.parse(r.text), SyntaxError);
      assert.ok(r.text.length > 0);
    } else {
      JSON.parse(r.text);
    }
  }
  assert.equal(sim.stats.faultsInjected, 2);
});

Deno.test("faults can be changed at run time and are off by default", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  assert.deepEqual(sim.faults, {});
  assert.equal((await get(sim.url, "dau", {})).status, 200);
  sim.faults = { serverErrorEvery: 1 };
  assert.equal((await get(sim.url, "dau", {})).status, 500);
  sim.faults = {};
  assert.equal((await get(sim.url, "dau", {})).status, 200);
});

Deno.test("nullEndCursor: the last page carries next_cursor null", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    users: 30,
    faults: { nullEndCursor: true },
  });
  const first = await get(sim.url, EL, { date: "2026-11-10", page_size: 5 });
  assert.equal(typeof first.body.pagination.next_cursor, "string");
  const last = await get(sim.url, EL, { date: "2026-11-10", page_size: 100 });
  assert.deepEqual(last.body.pagination, { next_cursor: null, has_more: false });
});

Deno.test("lowerCaseNames: editor and language names arrive in lower case", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { lowerCaseNames: true },
  });
  const { items } = await allPages(sim.url, EL, "records", { date: "2026-11-10" }, 5);
  const expected = generateDayRecords(1, 25, "2026-11-10");
  assert.deepEqual(
    items.map((r) => [r.editor, r.language]),
    expected.map((r) => [r.editor.toLowerCase(), r.language.toLowerCase()]),
  );
  assert.ok(items.some((r) => r.editor === "vscode"));
});

Deno.test("missingCounters: zero counters and suggested lines are omitted everywhere", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { missingCounters: true },
  });
  const el = await allPages(sim.url, EL, "records", { date: "2026-11-10" }, 5);
  const usage = await get(sim.url, "daily-usage", {});
  const ua = await allPages(sim.url, "user-activity", "users", {}, 5);
  const all = [...el.items, ...usage.body.daily_usage, ...ua.items];
  for (const { metrics } of all) {
    assert.ok(!("completions_suggested_lines_of_code" in metrics));
    assert.ok(Object.values(metrics).every((v) => v !== 0));
  }
  // Nothing else is lost: the served record equals the generated one without its zeros.
  const expected = generateDayRecords(1, 25, "2026-11-10");
  el.items.forEach((r, i) => {
    for (const k of KNOWN_COUNTERS) {
      if (k === "completions_suggested_lines_of_code") continue;
      assert.equal(r.metrics[k] ?? 0, expected[i].metrics[k]);
    }
  });
  assert.ok(el.items.some((r) => Object.keys(r.metrics).length < 15), "some counters dropped");
});

Deno.test("unknownCounters: an undocumented counter appears consistently in every endpoint", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { unknownCounters: true },
  });
  const days = ["2026-11-13", "2026-11-14", "2026-11-15"];
  let perDay = 0;
  const byId = new Map<string, number>();
  for (const date of days) {
    const { items } = await allPages(sim.url, EL, "records", { date }, 5);
    assert.ok(items.every((r) => typeof r.metrics[UNKNOWN_COUNTER] === "number"));
    const daySum = items.reduce((s, r) => s + r.metrics[UNKNOWN_COUNTER], 0);
    const usage = await get(sim.url, "daily-usage", { start_date: date, end_date: date });
    assert.equal(usage.body.daily_usage[0].metrics[UNKNOWN_COUNTER], daySum, date);
    perDay += daySum;
    for (const r of items) {
      const id = r.user_email ?? r.service_account_name;
      byId.set(id, (byId.get(id) ?? 0) + r.metrics[UNKNOWN_COUNTER]);
    }
  }
  assert.ok(perDay > 0);
  const ua = await allPages(sim.url, "user-activity", "users", {
    start_date: days[0],
    end_date: days[2],
  }, 5);
  for (const u of ua.items) {
    assert.equal(u.metrics[UNKNOWN_COUNTER], byId.get(u.user_email ?? u.service_account_name));
  }
});

Deno.test("a fault changed at run time applies to the very next page of the same query", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  const query = { date: "2026-11-10", page_size: 100 };
  const plain = await get(sim.url, EL, query);
  assert.ok(plain.body.records.some((r: { editor: string }) => r.editor === "VSCode"));
  sim.faults = { lowerCaseNames: true };
  const lower = await get(sim.url, EL, query);
  assert.equal(lower.body.records.length, plain.body.records.length);
  assert.ok(
    lower.body.records.every((r: { editor: string }) => r.editor === r.editor.toLowerCase()),
  );
  sim.faults = {};
  assert.deepEqual((await get(sim.url, EL, query)).body.records, plain.body.records);
});

Deno.test("dailyUsageDrift: daily-usage is 1 off on days ≡ 0 (mod 5) and missing on days ≡ 0 (mod 7)", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 30 });
  const query = { start_date: "2026-10-01", end_date: "2026-10-31" };
  const plain = (await get(sim.url, "daily-usage", query)).body.daily_usage as {
    date: string;
    metrics: Record<string, number>;
  }[];
  sim.faults = { dailyUsageDrift: true };
  const drift = (await get(sim.url, "daily-usage", query)).body.daily_usage as typeof plain;
  const byDate = new Map(drift.map((d) => [d.date, d.metrics]));
  for (const d of plain) {
    const dom = Number(d.date.slice(8));
    if (dom % 7 === 0) {
      assert.ok(!byDate.has(d.date), `${d.date} missing`);
      continue;
    }
    const expected = dom % 5 === 0
      ? { ...d.metrics, completions_count: d.metrics.completions_count + 1 }
      : d.metrics;
    assert.deepEqual(byDate.get(d.date), expected, d.date);
  }
});

Deno.test("bigCounters: every positive completions_count is sent as the value, in every endpoint", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { bigCounters: 1e308 },
  });
  const res = await fetch(`${sim.url}/analytics/v0/${EL}?date=2026-11-10&page_size=100`, {
    headers: AUTH,
  });
  const text = await res.text();
  assert.equal(res.status, 200);
  assert.match(text, /"completions_count":1e\+308/);
  const records = JSON.parse(text).records;
  const expected = generateDayRecords(1, 25, "2026-11-10");
  records.forEach((r: { metrics: Record<string, number> }, i: number) => {
    const sent = expected[i].metrics.completions_count;
    assert.equal(r.metrics.completions_count, sent > 0 ? 1e308 : 0);
    assert.equal(r.metrics.chat_messages, expected[i].metrics.chat_messages);
  });
  assert.ok(expected.some((r) => r.metrics.completions_count === 0), "zeros stay zeros");
  const usage = await get(sim.url, "daily-usage", {});
  assert.ok(
    usage.body.daily_usage.every((d: { metrics: Record<string, number> }) =>
      d.metrics.completions_count === 1e308
    ),
  );
  sim.faults = { bigCounters: "9007199254740993" };
  const ua = await get(sim.url, "user-activity", { page_size: 100 });
  assert.ok(
    ua.body.users.some((u: { metrics: Record<string, unknown> }) =>
      u.metrics.completions_count === "9007199254740993"
    ),
  );
});

Deno.test("endlessCursor: past the last item, empty pages with has_more and new cursors", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    faults: { endlessCursor: true },
  });
  const params = { date: "2026-11-10", page_size: 100 };
  const cursors = new Set<string>();
  let cursor: string | undefined;
  const items = [];
  for (let page = 0; page < 12; page++) {
    const r = await get(sim.url, EL, cursor ? { ...params, cursor } : params);
    assert.equal(r.status, 200);
    assert.equal(r.body.pagination.has_more, true);
    cursor = r.body.pagination.next_cursor as string;
    assert.ok(cursor && !cursors.has(cursor), "a new cursor every page");
    cursors.add(cursor);
    items.push(...r.body.records);
  }
  assert.equal(items.length, generateDayRecords(1, 25, "2026-11-10").length);
  const dau = await get(sim.url, "dau", { date: "2026-11-10" });
  assert.equal(dau.body.pagination.has_more, true);
});

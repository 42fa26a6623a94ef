import assert from "node:assert/strict";
import { analyzeDay, identitySets } from "../../src/copilot/mod.ts";
import { dayColumns, withDayFields } from "../../src/model/day_columns.ts";
import type { DayData } from "../../src/model/types.ts";
import { DayStore } from "../../src/store/day_store.ts";
import { RangeAccumulator } from "../../src/views/accumulator.ts";
import { dayTables } from "../../src/views/tables/rows.ts";
import { prng, randomDay, rec } from "../copilot/_helpers.ts";

const BASE = "http://127.0.0.1:9";

/** The same day as plain records (what a day fetched in this run looks like). */
function plain(d: DayData): DayData {
  return { day: d.day, records: [...d.records], dauCount: d.dauCount, usage: d.usage };
}

function sets(d: DayData) {
  const s = identitySets(d);
  return { active: [...s.active], chat: [...s.chat], agent: [...s.agent] };
}

async function stored(days: DayData[], fn: (store: DayStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const store = await DayStore.open(dir, BASE, Date.parse("2026-11-20T00:00:00Z"));
    for (const d of days) await store.putDay(d, Date.parse("2026-11-20T00:00:00Z"));
    await fn(store);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("A stored day analysed from its columns equals its analysis from records, in every field and order", async () => {
  const rnd = prng(20261120);
  const days: DayData[] = [];
  for (let i = 0; i < 40; i++) {
    days.push(randomDay(rnd, `2026-10-${String(1 + (i % 28)).padStart(2, "0")}`));
  }
  // Unknown counters that are fractional, missing in some records, and 0 in others.
  const D = "2026-10-30";
  days.push({
    day: D,
    records: [
      rec("a@x.com", "VSCode", "Python", { completions_count: 3, credits_x: 0.1 }, "user", D),
      rec(
        "a@x.com",
        "vscode",
        "python",
        { chat_messages: 1, credits_x: 0.2, other_y: 0 },
        "user",
        D,
      ),
      rec("a@x.com", "cli", "go", { cli_agent_non_interactive_messages: 2 }, "service_account", D),
      rec("b@x.com", "JetBrains", "PYTHON", { ide_agent_messages: 1, credits_x: 0.7 }, "user", D),
      rec("c@x.com", "vscode", "Go", {}, "user", D),
    ],
  });
  const unique = new Map(days.map((d) => [d.day, d]));
  await stored([...unique.values()], async (store) => {
    for (const day of unique.keys()) {
      const fromStore = (await store.getDay(day))!;
      assert.ok(dayColumns(fromStore), "a stored day carries its columns");
      const sets1 = sets(fromStore);
      const a1 = analyzeDay(fromStore);
      const records = plain(fromStore);
      assert.equal(dayColumns(records), undefined);
      assert.deepEqual(sets1, sets(records), day);
      assert.deepEqual(a1, analyzeDay(records), day);
      assert.deepEqual(records, plain(unique.get(day)!), day);
    }
  });
});

Deno.test("withDayFields() adds fields to a stored day and keeps its columns and records", async () => {
  const rnd = prng(7);
  let day = randomDay(rnd, "2026-10-05");
  while (day.records.length === 0) day = randomDay(rnd, "2026-10-05");
  await stored([day], async (store) => {
    const fromStore = (await store.getDay(day.day))!;
    const credits = { day: day.day, records: [] };
    const more = withDayFields(fromStore, { credits });
    assert.equal(more.credits, credits);
    assert.equal(fromStore.credits, undefined);
    assert.equal(dayColumns(more), dayColumns(fromStore));
    assert.deepEqual(more.records, day.records);
    assert.equal(more.records, fromStore.records, "the records are made once");
    // A copy that replaces the records drops the columns: its records are what is analysed.
    const renamed = { ...more, records: more.records.map((r) => ({ ...r, identity: "x" })) };
    assert.equal(dayColumns(renamed), undefined);
    const active = [...identitySets(renamed).active];
    assert.ok(active.length > 0);
    for (const key of active) assert.match(key, /:x$/);
  });
});

Deno.test("The warehouse tables of a stored day, from its columns, equal those from its records", async () => {
  const rnd = prng(99);
  const days: DayData[] = [];
  for (let i = 1; i <= 20; i++) {
    const day = `2026-09-${String(i).padStart(2, "0")}`;
    const d = randomDay(rnd, day);
    // Two records of one key (summed into one row), and an undocumented counter.
    days.push({
      ...d,
      records: [
        ...d.records,
        rec("dup@x.com", "VSCode", "Go", { completions_count: 1, extra_z: 0.5 }, "user", day),
        rec("dup@x.com", "VSCode", "Go", { completions_count: 2 }, "user", day),
      ],
    });
  }
  await stored(days, async (store) => {
    const fromColumns = new RangeAccumulator({ enterpriseId: "e" });
    const fromRecords = new RangeAccumulator({ enterpriseId: "e" });
    for (const d of days) {
      const fromStore = (await store.getDay(d.day))!;
      const meta = { final: true, fingerprint: "f" };
      const t1 = dayTables(fromColumns.day(fromStore, meta).facts);
      assert.ok(dayColumns(fromStore));
      const t2 = dayTables(fromRecords.day(plain(fromStore), meta).facts);
      assert.deepEqual(t1, t2, d.day);
    }
  });
});

/**
 * The seats file's last editor: the editor (lower case) whose records' counters sum highest on
 * the identity's last day, the first in `editor,sum` order on a tie; the same whether the day
 * comes from the store's columns or from records (random days with ties, case variants, a user
 * and a service account of one name, unknown counters).
 */
import assert from "node:assert/strict";
import { eachDay } from "../../src/model/dates.ts";
import type { ActivityRecord, DayData } from "../../src/model/types.ts";
import { ColumnPool, DayStore } from "../../src/store/day_store.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import { type DaySource, render } from "../../src/views/render.ts";
import { SeatsView } from "../../src/views/seats.ts";
import { prng, rec } from "../copilot/_helpers.ts";

const START = "2026-03-01";
const END = "2026-03-08";
const EDITORS = ["VSCode", "vscode", "JetBrains", "vim", "vim b", "Vim", "cli"];

function makeDay(day: string, rnd: () => number): DayData {
  const records: ActivityRecord[] = [];
  for (let p = 0; p < 30; p++) {
    if (rnd() < 0.3) continue;
    const name = p % 10 === 9 ? "shared" : `u${p}@example.com`;
    const kind = p % 10 === 9 && p > 10 ? "service_account" : "user";
    for (const editor of EDITORS) {
      if (rnd() < 0.6) continue;
      // Small values: ties between editors are common.
      const m: Record<string, number> = { completions_count: Math.floor(rnd() * 3) };
      if (rnd() < 0.3) m.future_counter = Math.floor(rnd() * 2);
      records.push(rec(name, editor, rnd() < 0.5 ? "go" : "python", m, kind, day));
    }
  }
  return { day, records };
}

/** The expected last editor per login, from the records. */
function expected(days: DayData[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of days) {
    const scores = new Map<string, Map<string, number>>();
    for (const r of d.records) {
      const e = scores.get(r.identity) ?? new Map<string, number>();
      let n = 0;
      for (const v of Object.values(r.metrics)) n += v;
      e.set(r.editor.toLowerCase(), (e.get(r.editor.toLowerCase()) ?? 0) + n);
      scores.set(r.identity, e);
    }
    for (const [login, e] of scores) {
      const max = Math.max(...e.values());
      const keys = [...e].filter(([, n]) => n === max).map(([ed, n]) => [`${ed},${n}`, ed]);
      keys.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
      out.set(login, keys[0][1]);
    }
  }
  return out;
}

async function seatsOf(source: DaySource, dir: string): Promise<string> {
  await render({
    out: new OutputDir(dir),
    views: [new SeatsView()],
    source,
    days: [...eachDay(START, END)],
    targets: [{ name: "latest", dir: "latest", range: { start: START, end: END } }],
    enterpriseId: "ent",
    createdAt: "2026-03-09T00:00:00.000Z",
    oldest: START,
  });
  return await Deno.readTextFile(`${dir}/latest/seats_latest.json`);
}

Deno.test("seats: the last editor is the same from the store's columns and from records", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rnd = prng(9);
    const days = [...eachDay(START, END)].map((d) => makeDay(d, rnd));
    const store = await DayStore.open(`${dir}/store`, "http://127.0.0.1:9", Date.parse(END));
    for (const d of days) await store.putDay(d, Date.parse("2026-03-20T00:00:00Z"));
    const info = () => Promise.resolve({ version: "1", counters: [], final: true });
    const pool = new ColumnPool();
    const fromStore = await seatsOf({
      info,
      get: async (day) => (await store.getDay(day, { pool }))!,
      release: (day) => pool.release(day),
    }, `${dir}/a`);
    const fromRecords = await seatsOf({
      info,
      get: (day) => Promise.resolve(days.find((d) => d.day === day)!),
    }, `${dir}/b`);
    assert.equal(fromStore, fromRecords);
    // Written a seat at a time, it is exactly the pretty-printed JSON of itself.
    assert.equal(fromStore, JSON.stringify(JSON.parse(fromStore), null, 2) + "\n");
    const seats = JSON.parse(fromStore).seats as {
      assignee: { login: string };
      last_activity_editor: string;
    }[];
    const want = expected(days);
    assert.equal(seats.length, want.size);
    for (const s of seats) {
      assert.equal(s.last_activity_editor, want.get(s.assignee.login), s.assignee.login);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("seats: a range without identities writes an empty, pretty-printed seats file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const text = await seatsOf({
      info: () => Promise.resolve({ version: "1", counters: [], final: true }),
      get: (day) => Promise.resolve({ day, records: [] }),
    }, dir);
    assert.equal(text, JSON.stringify(JSON.parse(text), null, 2) + "\n");
    assert.equal(JSON.parse(text).total_seats, 0);
    assert.deepEqual(JSON.parse(text).seats, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The CSV view's identity rows (`metrics.csv`, per day and over a range), written as bytes
 * straight from the sums, equal rows made here cell by cell with `csvRow` from the records:
 * names that need quoting, neutralising or are not ASCII, days with and without unknown
 * counters (their columns empty on the days that lack them), large counters.
 */
import assert from "node:assert/strict";
import { csvRow } from "../../src/export/csv.ts";
import { addDays, eachDay } from "../../src/model/dates.ts";
import { isKnownCounter, KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import type { ActivityRecord, DayData } from "../../src/model/types.ts";
import { CsvView } from "../../src/views/csv.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import { type DaySource, render } from "../../src/views/render.ts";
import { prng, rec } from "../copilot/_helpers.ts";

const NAMES = [
  "ann@example.com",
  '=HYPERLINK("x")',
  "comma, inc",
  'quote"d',
  "+plus",
  "-minus",
  "@at",
  "ünïcödé",
  "日本語",
  "line\nbreak",
  "svc-1",
];

function makeDay(day: string, rnd: () => number, unknown: boolean): DayData {
  const records: ActivityRecord[] = [];
  for (const name of NAMES) {
    if (rnd() < 0.2) continue;
    for (const editor of ["vscode", "jetbrains", "cli"]) {
      if (rnd() < 0.4) continue;
      const m: Record<string, number> = {};
      for (const k of KNOWN_COUNTERS) if (rnd() < 0.5) m[k] = Math.floor(rnd() * 1000);
      if (name === "svc-1" && editor === "vscode") m.completions_count = 2 ** 40 + day.length;
      if (unknown && rnd() < 0.5) m.future_counter = 1 + Math.floor(rnd() * 9);
      records.push(
        rec(name, editor, "python", m, name.startsWith("svc") ? "service_account" : "user", day),
      );
    }
  }
  return { day, records };
}

/** The expected rows of a day under `extra` columns, from the records, sorted. */
function expectedRows(d: DayData, extra: readonly string[]): string[] {
  const sums = new Map<string, { identity: string; kind: string; m: Record<string, number> }>();
  for (const r of d.records) {
    const key = `${r.kind}:${r.identity}`;
    const e = sums.get(key) ?? { identity: r.identity, kind: r.kind, m: {} };
    for (const [k, v] of Object.entries(r.metrics)) e.m[k] = (e.m[k] ?? 0) + v;
    sums.set(key, e);
  }
  return [...sums.values()].map((e) =>
    csvRow([
      d.day,
      e.identity,
      e.kind,
      ...KNOWN_COUNTERS.map((k) => e.m[k] ?? 0),
      ...extra.map((k) => e.m[k]),
    ])
  ).sort();
}

/** A CSV file's header and its rows, sorted (a quoted name may hold a line break). */
function rowsOf(text: string): { header: string; rows: string[] } {
  const lines = text.split(/(?<=\r\n)/);
  return { header: lines[0], rows: lines.slice(1).sort() };
}

Deno.test("CSV identity rows written from the sums equal rows made cell by cell", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rnd = prng(3);
    const end = "2026-03-10";
    const start = addDays(end, -9);
    const days = new Map<string, DayData>();
    for (const d of eachDay(start, end)) days.set(d, makeDay(d, rnd, d >= "2026-03-06"));
    const counters = (d: DayData) => {
      const s = new Set<string>();
      for (const r of d.records) for (const k in r.metrics) s.add(k);
      return [...s];
    };
    const source: DaySource = {
      info: (day) =>
        Promise.resolve(
          days.has(day)
            ? { version: "v1", counters: counters(days.get(day)!), final: true }
            : undefined,
        ),
      get: (day) => Promise.resolve(days.get(day)!),
    };
    await render({
      out: new OutputDir(dir),
      views: [new CsvView(false)],
      source,
      days: [...days.keys()],
      targets: [{ name: "latest", dir: "latest", range: { start, end } }],
      enterpriseId: "ent",
      createdAt: "2026-03-11T00:00:00.000Z",
      oldest: start,
    });
    const latest = rowsOf(await Deno.readTextFile(`${dir}/latest/metrics.csv`));
    assert.ok(latest.header.endsWith(",future_counter\r\n"), latest.header);
    const allRows: string[] = [];
    let quoted = 0;
    for (const [day, d] of days) {
      const extra = counters(d).filter((k) => !isKnownCounter(k)).sort();
      const file = rowsOf(await Deno.readTextFile(`${dir}/daily/${day}/metrics.csv`));
      assert.equal(file.header.endsWith(extra.length ? ",future_counter\r\n" : "_code\r\n"), true);
      assert.deepEqual(file.rows, expectedRows(d, extra), day);
      allRows.push(...expectedRows(d, ["future_counter"]));
      quoted += file.rows.filter((r) => r.includes('"')).length;
    }
    assert.deepEqual(latest.rows, allRows.sort());
    assert.ok(quoted > 10, "rows with quoted names were written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

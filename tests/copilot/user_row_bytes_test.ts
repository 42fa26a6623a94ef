/**
 * User rows written as bytes (`UserRows.write`, the users files' path) equal
 * `JSON.stringify(UserRows.row(…))` byte for byte: over hundreds of random days, with names
 * that need escaping or are not ASCII, large counters, unknown counters, CLI activity, credits
 * and 28-day periods.
 */
import assert from "node:assert/strict";
import { analyzeDay, UserRows } from "../../src/copilot/mod.ts";
import { JsonBytes } from "../../src/copilot/json_bytes.ts";
import { KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import { Decimal } from "../../src/model/money.ts";
import type { ActivityRecord, DayData } from "../../src/model/types.ts";
import { prng, randomDay, rec } from "./_helpers.ts";

const decoder = new TextDecoder();

/** Every row of the day both ways, compared as text (the bytes are UTF-8 of the text). */
function assertSameRows(rows: UserRows, label: string): number {
  const out = new JsonBytes(64); // small: the buffer must grow mid-row
  let n = 0;
  for (const identity of rows.analysis.identities) {
    out.reset();
    rows.write(identity, out);
    const expected = JSON.stringify(rows.row(identity));
    assert.equal(decoder.decode(out.view()), expected, `${label}: ${identity.key}`);
    assert.deepEqual(out.view(), new TextEncoder().encode(expected));
    n++;
  }
  return n;
}

const NAMES = [
  'quote"d@example.com',
  "back\\slash",
  "tab\there",
  "new\nline",
  "\u0000nul",
  "ünïcödé@example.com",
  "日本語",
  "emoji 😀",
  "lone \ud800 surrogate",
  "",
  "=cmd|' /C calc'!A0",
  "\u007f del",
];
const ODD_EDITORS = ["Vim\u2028", 'Ed"it', "CLI", "cli", "\\"];
const ODD_LANGUAGES = ["C#", "F\u00e9", 'q"', "", "\u0001"];

/** A day with odd names and counters from 0 to 2^53 − 1. */
function oddDay(rnd: () => number, day: string): DayData {
  const records: ActivityRecord[] = [];
  const big = [0, 1, 9, 10, 99, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER];
  for (const name of NAMES) {
    for (let i = 0; i < 3; i++) {
      const m: Record<string, number> = {};
      for (const k of KNOWN_COUNTERS) {
        if (rnd() < 0.5) m[k] = big[Math.floor(rnd() * 5)] + Math.floor(rnd() * 3);
      }
      // One counter per record may be large (sums stay below 2^53).
      if (rnd() < 0.3) {
        m[KNOWN_COUNTERS[Math.floor(rnd() * 16)]] = big[5 + Math.floor(rnd() * 3)];
      }
      const editor = ODD_EDITORS[Math.floor(rnd() * ODD_EDITORS.length)];
      const language = ODD_LANGUAGES[Math.floor(rnd() * ODD_LANGUAGES.length)];
      records.push(
        rec(name, editor, language, m, rnd() < 0.3 ? "service_account" : "user", day),
      );
    }
  }
  return { day, records };
}

function creditsOf(data: DayData, rnd: () => number) {
  const out = new Map<string, { total: Decimal; byModel: Map<string, Decimal> }>();
  for (const r of data.records) {
    if (rnd() < 0.4) continue;
    const key = `${r.kind}:${r.identity}`;
    const amount = Decimal.parse(`${Math.floor(rnd() * 1000)}.${Math.floor(rnd() * 100)}`);
    const model = ["claude-sonnet", 'mo"del', "gpt-5"][Math.floor(rnd() * 3)];
    const e = out.get(key) ?? { total: Decimal.ZERO, byModel: new Map() };
    e.total = e.total.plus(amount);
    e.byModel.set(model, (e.byModel.get(model) ?? Decimal.ZERO).plus(amount));
    out.set(key, e);
  }
  return out;
}

Deno.test("user rows as bytes equal JSON.stringify of the rows, for 300 random days", () => {
  const rnd = prng(7);
  let rows = 0;
  for (let i = 0; i < 300; i++) {
    const data = randomDay(rnd, "2026-04-25");
    const a = analyzeDay(data);
    rows += assertSameRows(new UserRows(a, "ent"), `day ${i}`);
    if (i % 3 === 0) {
      const period = { startDay: "2026-03-29", endDay: "2026-04-25" };
      rows += assertSameRows(new UserRows(a, "ent", period, creditsOf(data, rnd)), `day ${i}+`);
    }
  }
  assert.ok(rows > 3000, `only ${rows} rows compared`);
});

Deno.test("user rows as bytes: names that need escaping, non-ASCII, large counters, credits", () => {
  const rnd = prng(11);
  for (let i = 0; i < 50; i++) {
    const data = oddDay(rnd, "2026-05-01");
    const a = analyzeDay(data);
    assertSameRows(new UserRows(a, 'ent"\u00e9'), `odd day ${i}`);
    assertSameRows(
      new UserRows(
        a,
        "ent",
        { startDay: "2026-04-04", endDay: "2026-05-01" },
        creditsOf(data, rnd),
      ),
      `odd day ${i} with credits`,
    );
    // Credits known, but none for anybody: every row says 0.
    assertSameRows(new UserRows(a, "ent", undefined, new Map()), `odd day ${i}, no credits`);
  }
});

Deno.test("JsonBytes numbers and strings equal JSON.stringify's", () => {
  const out = new JsonBytes(1);
  const numbers = [
    0,
    -0,
    1,
    7,
    10,
    123456789,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 53 - 1,
    -5,
    0.5,
    1e21,
    12.25,
  ];
  const rnd = prng(5);
  for (let i = 0; i < 20000; i++) numbers.push(Math.floor(rnd() * 2 ** (1 + (i % 53))));
  for (const n of numbers) {
    out.reset();
    out.num(n);
    assert.equal(decoder.decode(out.view()), JSON.stringify(n), String(n));
  }
  for (const s of [...NAMES, ...ODD_EDITORS, ...ODD_LANGUAGES, "~", " ", "\u0080"]) {
    out.reset();
    out.str(s);
    assert.equal(decoder.decode(out.view()), JSON.stringify(s), JSON.stringify(s));
  }
});

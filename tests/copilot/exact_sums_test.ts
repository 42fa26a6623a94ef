/**
 * Sums stay exact: a day's (or a range's) sum that passes 2^53 − 1 stops the conversion with a
 * `CounterOverflowError` (exit 4) naming the counter, the day and the identity; up to 2^53 − 1
 * every number is written exactly.
 */
import assert from "node:assert/strict";
import {
  analyzeDay,
  checkRangeTotals,
  CounterOverflowError,
  toEntityDayTotal,
  toMetricsDay,
  toUserRows,
} from "../../src/copilot/mod.ts";
import { exitCodeOf } from "../../src/errors.ts";
import type { ActivityRecord } from "../../src/model/types.ts";
import { RangeAccumulator } from "../../src/views/accumulator.ts";
import { rec } from "./_helpers.ts";

const DAY = "2026-04-25";
const HALF = 2 ** 52;
const MAX = Number.MAX_SAFE_INTEGER;
const W = { weekly: 2, monthly: 2, monthlyChat: 1, monthlyAgent: 1, complete: true };

function overflow(records: ActivityRecord[]): CounterOverflowError {
  try {
    analyzeDay({ day: DAY, records });
  } catch (e) {
    assert.ok(e instanceof CounterOverflowError, String(e));
    assert.equal(exitCodeOf(e), 4);
    assert.equal(e.where.scope, DAY);
    assert.ok(!e.message.includes("\n"));
    return e;
  }
  assert.fail("analyzeDay() accepted a sum beyond 2^53 − 1");
}

Deno.test("analyzeDay() names the counter and the identity whose own sum passes 2^53 − 1", () => {
  const e = overflow([
    rec("small@x.com", "VSCode", "Go", { completions_count: 1 }),
    rec("big@x.com", "VSCode", "Go", { completions_count: HALF }),
    rec("big@x.com", "JetBrains", "Rust", { completions_count: HALF }),
  ]);
  assert.equal(e.where.counter, "completions_count");
  assert.equal(e.where.identity, "big@x.com");
  assert.equal(
    e.message,
    `Cannot add up counter "completions_count" for ${DAY}: the total of "big@x.com" passes ` +
      `${MAX}, beyond what this tool can add exactly; the service sent counts too large to be ` +
      `real: report it to Augment support`,
  );
});

Deno.test("analyzeDay() names no identity when only the day's total passes 2^53 − 1", () => {
  const e = overflow([
    rec("a@x.com", "VSCode", "Go", { chat_messages: HALF }),
    rec("b@x.com", "VSCode", "Go", { chat_messages: HALF }),
  ]);
  assert.equal(e.where.counter, "chat_messages");
  assert.equal(e.where.identity, undefined);
  assert.match(e.message, /the total of all identities passes/);
});

Deno.test("analyzeDay() checks the Copilot fields summed from several counters", () => {
  const e = overflow([
    rec("a@x.com", "VSCode", "Go", { chat_messages: HALF, ide_agent_messages: HALF }),
  ]);
  assert.equal(e.where.counter, "user_initiated_interaction_count");
  assert.equal(e.where.identity, "a@x.com");
  assert.match(e.message, /^Cannot add up "user_initiated_interaction_count" \(chat, agent/);
  const lines = overflow([
    rec("a@x.com", "CLI", "", { cli_agent_interactive_lines_of_code: HALF }),
    rec("b@x.com", "VSCode", "Go", { completions_lines_of_code: HALF }),
  ]);
  assert.equal(lines.where.counter, "loc_added_sum");
});

Deno.test("analyzeDay() checks unknown counters too", () => {
  const e = overflow([
    rec("a@x.com", "VSCode", "Go", { next_edit_suggestions: HALF }),
    rec("a@x.com", "VSCode", "Python", { next_edit_suggestions: HALF }),
  ]);
  assert.equal(e.where.counter, "next_edit_suggestions");
  assert.equal(e.where.identity, "a@x.com");
});

Deno.test("a day that sums to exactly 2^53 − 1 is written exactly in every format", () => {
  const a = analyzeDay({
    day: DAY,
    records: [
      rec("a@x.com", "VSCode", "Go", { completions_count: HALF, chat_messages: 1 }),
      rec("b@x.com", "JetBrains", "Go", { completions_count: HALF - 1 }),
    ],
  });
  const c = toEntityDayTotal(a, W, "e");
  assert.equal(c.code_generation_activity_count, MAX);
  const b = toMetricsDay(a);
  assert.equal(b.augment.metrics.completions_count, MAX);
  const text = JSON.stringify([c, b, toUserRows(a, "e")]);
  assert.match(text, /"code_generation_activity_count":9007199254740991/);
  // The only null is the one the schema asks for (no custom model).
  const nulls = text.match(/"[a-z_]+":null/g) ?? [];
  assert.ok(nulls.every((n) => n === '"custom_model_training_date":null'), String(nulls));
  assert.doesNotMatch(text, /Infinity|e\+/);
});

Deno.test("checkRangeTotals() passes 2^53 − 1 and stops above it, naming counter and range", () => {
  checkRangeTotals({ chat_messages: MAX, completions_count: 0 }, "2026-01-01 to 2026-03-31");
  assert.throws(
    () => checkRangeTotals({ chat_messages: 1, x: HALF * 2 }, "2026-01-01 to 2026-03-31"),
    (e) => {
      assert.ok(e instanceof CounterOverflowError);
      assert.equal(exitCodeOf(e), 4);
      assert.deepEqual(e.where, { counter: "x", scope: "2026-01-01 to 2026-03-31" });
      assert.match(e.message, /^Cannot add up counter "x" for 2026-01-01 to 2026-03-31: /);
      return true;
    },
  );
  assert.throws(() => checkRangeTotals({ a: Infinity }, "r"), CounterOverflowError);
  assert.throws(() => checkRangeTotals({ a: NaN }, "r"), CounterOverflowError);
});

Deno.test("a range whose days each sum exactly but whose total passes 2^53 − 1 stops its report", () => {
  const range = { start: "2026-04-24", end: DAY };
  const target = { name: "latest", dir: "latest", range, extraCounters: [] };
  const acc = new RangeAccumulator({ enterpriseId: "e", targets: [target] });
  const meta = { final: true, fingerprint: "f" };
  const first = acc.day({
    day: range.start,
    records: [rec("a@x.com", "VSCode", "Go", { chat_messages: HALF }, "user", range.start)],
  }, meta);
  assert.equal(first.facts.entityRow.user_initiated_interaction_count, HALF);
  assert.throws(
    () =>
      acc.day({
        day: DAY,
        records: [rec("b@x.com", "VSCode", "Go", { chat_messages: HALF }, "user", DAY)],
      }, meta),
    (e) => {
      assert.ok(e instanceof CounterOverflowError);
      assert.equal(exitCodeOf(e), 4);
      assert.deepEqual(e.where, { counter: "chat_messages", scope: `${range.start} to ${DAY}` });
      return true;
    },
  );
});

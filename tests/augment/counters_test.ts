/** `parseCounters()`: what the service may send as a counter, and what stops the run. */
import assert from "node:assert/strict";
import { CounterValueError, emptyCounters, parseCounters } from "../../src/model/metrics.ts";

Deno.test("parseCounters() reads numbers and decimal strings up to 2^53 − 1", () => {
  const c = parseCounters({
    chat_messages: 3,
    completions_count: "12",
    completions_accepted: " 4 ",
    total_messages: Number.MAX_SAFE_INTEGER,
    total_tool_calls: "9007199254740991",
    ide_agent_messages: "1e3",
    next_edit_suggestions: 2.5,
    credits: "0.25",
    remote_agent_messages: null,
  });
  assert.deepEqual(c, {
    ...emptyCounters(),
    chat_messages: 3,
    completions_count: 12,
    completions_accepted: 4,
    total_messages: Number.MAX_SAFE_INTEGER,
    total_tool_calls: Number.MAX_SAFE_INTEGER,
    ide_agent_messages: 1000,
    next_edit_suggestions: 2.5,
    credits: 0.25,
  });
});

Deno.test("parseCounters() reports words, booleans and objects and does not count them", () => {
  const ignored: [string, unknown][] = [];
  const c = parseCounters(
    { chat_messages: "many", total_messages: true, x: { n: 1 }, completions_count: "" },
    (k, v) => ignored.push([k, v]),
  );
  assert.deepEqual(c, emptyCounters());
  assert.deepEqual(ignored.map(([k]) => k), [
    "chat_messages",
    "total_messages",
    "x",
    "completions_count",
  ]);
});

for (
  const [what, metrics, counter] of [
    ["a value beyond 2^53 − 1", { completions_count: 2 ** 53 }, "completions_count"],
    ["2^63", { chat_messages: 2 ** 63 }, "chat_messages"],
    ["1e308", { total_messages: 1e308 }, "total_messages"],
    ["Infinity", { total_messages: Infinity }, "total_messages"],
    ["NaN", { total_messages: NaN }, "total_messages"],
    ["a negative count", { ide_agent_messages: -1 }, "ide_agent_messages"],
    ["a decimal string beyond 2^53 − 1", { chat_messages: "9007199254740993" }, "chat_messages"],
    ["a decimal string of 1e400", { chat_messages: "1e400" }, "chat_messages"],
    ["a fraction in a documented counter", { completions_accepted: 1.5 }, "completions_accepted"],
    ["an unknown counter beyond 2^53 − 1", { future: 2 ** 60 }, "future"],
    ["a negative unknown counter", { future: -0.5 }, "future"],
  ] as [string, Record<string, unknown>, string][]
) {
  Deno.test(`parseCounters() throws CounterValueError for ${what}`, () => {
    assert.throws(() => parseCounters({ chat_messages: 1, ...metrics }), (e) => {
      assert.ok(e instanceof CounterValueError);
      assert.ok(e instanceof RangeError);
      assert.equal(e.counter, counter);
      assert.equal(e.value, metrics[counter]);
      assert.match(e.message, new RegExp(`^Counter "${counter}" is .*: expected a whole number`));
      return true;
    });
  });
}

/**
 * Counters the tool cannot count exactly, end to end: the simulator sends them (`bigCounters`),
 * the client refuses them with one line naming the endpoint, day, counter, identity and value
 * (exit 4), and sums that pass 2^53 − 1 stop the conversion the same way. Never Infinity, null
 * or a rounded number in an output.
 */
import assert from "node:assert/strict";
import { AnalyticsClient, UnrepresentableCounterError } from "../../src/augment/client.ts";
import { ENDPOINTS } from "../../src/augment/schemas.ts";
import { analyzeDay, CounterOverflowError, toEntityDayTotal } from "../../src/copilot/mod.ts";
import { exitCodeOf, ServiceError } from "../../src/errors.ts";
import { FakeClock } from "../../src/http/clock.ts";
import { HttpClient } from "../../src/http/client.ts";
import { addDays } from "../../src/model/dates.ts";
import { type Faults, SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { json, scriptedServer, text } from "../http/_scripted_server.ts";

const NOW = Date.UTC(2026, 2, 18, 12);
const YESTERDAY = "2026-03-17";
const EL = ENDPOINTS["daily-user-activity-by-editor-language"].path;

function clientOf(baseUrl: string): AnalyticsClient {
  const http = new HttpClient({
    baseUrl,
    token: SIMULATOR_TOKEN,
    timeoutMs: 5_000,
    maxRetries: 1,
    ratePerMinute: 60_000,
    burst: 1_000,
    clock: new FakeClock(NOW),
    random: () => 0.5,
  });
  return new AnalyticsClient(http, { now: () => NOW });
}

async function simulator(faults: Faults, users = 12) {
  const sim = await startSimulator({ now: () => NOW, users, seed: 3, rateLimit: false, faults });
  return { sim, client: clientOf(sim.url), [Symbol.asyncDispose]: () => sim.shutdown() };
}

/** Asserts `err` is the one-line refusal of an unrepresentable value; returns its message. */
function refusal(err: unknown, endpoint: string, scope: string, value: string): string {
  assert.ok(err instanceof UnrepresentableCounterError, String(err));
  assert.ok(err instanceof ServiceError);
  assert.equal(exitCodeOf(err), 4);
  assert.equal(err.where.endpoint, endpoint);
  assert.equal(err.where.counter, "completions_count");
  assert.ok(err.message.startsWith(`Cannot read "${endpoint}" for ${scope}: `), err.message);
  assert.ok(err.message.includes(`counter "completions_count"`), err.message);
  assert.ok(err.message.includes(` is ${value}, `), err.message);
  assert.ok(err.message.includes("cannot represent exactly"), err.message);
  assert.ok(!err.message.includes("\n"));
  return err.message;
}

for (
  const [label, value, shown] of [
    ["1e308", 1e308, "1e+308"],
    ["2^63", 2 ** 63, "9223372036854776000"],
    ["2^53 (one past the safe integers)", 2 ** 53, "9007199254740992"],
    ["a decimal string beyond 2^53", "9007199254740993", '"9007199254740993"'],
  ] as [string, number | string, string][]
) {
  Deno.test(`dayRecords() refuses a counter of ${label} naming endpoint, day, counter, identity and value`, async () => {
    await using env = await simulator({ bigCounters: value });
    const err = await env.client.dayRecords(YESTERDAY).then(() => undefined, (e) => e);
    const message = refusal(err, EL, YESTERDAY, shown);
    const identity = (err as UnrepresentableCounterError).where.identity;
    assert.ok(identity, "the identity is named");
    assert.ok(message.includes(`of "${identity}"`), message);
  });
}

Deno.test("dailyUsage() and userActivity() refuse an unrepresentable counter too", async () => {
  await using env = await simulator({ bigCounters: 1e308 });
  const range = { start: addDays(YESTERDAY, -2), end: YESTERDAY };
  const usage = await env.client.dailyUsage(range).then(() => undefined, (e) => e);
  const day = (usage as UnrepresentableCounterError).where?.scope;
  assert.ok(day && day >= range.start && day <= range.end, String(usage));
  refusal(usage, ENDPOINTS["daily-usage"].path, day, "1e+308");
  assert.equal((usage as UnrepresentableCounterError).where.identity, undefined);

  const activity = await env.client.userActivity(range).next().then(() => undefined, (e) => e);
  refusal(activity, ENDPOINTS["user-activity"].path, `${range.start} to ${range.end}`, "1e+308");
});

Deno.test("user-activity summed over 90-day chunks stops when a sum passes 2^53 − 1", async () => {
  // Each chunk sends 2^52 (a safe integer) for a user's completions; two chunks make 2^53.
  await using env = await simulator({ bigCounters: 2 ** 52 }, 4);
  const range = { start: addDays(YESTERDAY, -99), end: YESTERDAY };
  const err = await (async () => {
    for await (const _ of env.client.userActivity(range)) { /* drain */ }
  })().then(() => undefined, (e) => e);
  refusal(
    err,
    ENDPOINTS["user-activity"].path,
    `${range.start} to ${range.end}`,
    "9007199254740992",
  );
});

Deno.test("records of safe counters whose day sum passes 2^53 − 1 stop the conversion (exit 4)", async () => {
  // Every record sends 2^52 completions: each one is exact, their day's sum is not.
  await using env = await simulator({ bigCounters: 2 ** 52 });
  const records = await env.client.dayRecords(YESTERDAY);
  const big = records.filter((r) => r.metrics.completions_count > 0);
  assert.ok(big.length >= 2, "the day has several records with completions");
  assert.throws(
    () => analyzeDay({ day: YESTERDAY, records }),
    (err) => {
      assert.ok(err instanceof CounterOverflowError);
      assert.equal(exitCodeOf(err), 4);
      assert.equal(err.where.counter, "completions_count");
      assert.equal(err.where.scope, YESTERDAY);
      assert.match(
        err.message,
        /^Cannot add up counter "completions_count" for 2026-03-17: the total of .* passes 9007199254740991, beyond what this tool can add exactly/,
      );
      return true;
    },
  );
  // One record of 2^52 alone converts exactly: nothing rounded, nothing Infinity or null.
  const one = analyzeDay({ day: YESTERDAY, records: [big[0]] });
  const row = toEntityDayTotal(
    one,
    { weekly: 1, monthly: 1, monthlyChat: 0, monthlyAgent: 0, complete: true },
    "e",
  );
  assert.equal(row.code_generation_activity_count, 2 ** 52);
  assert.match(JSON.stringify(row), /"code_generation_activity_count":4503599627370496/);
  assert.doesNotMatch(JSON.stringify(row), /null|Infinity/);
});

Deno.test("a JSON number too large for a double, or a negative count, is refused at ingest", async () => {
  const body = (metrics: string) =>
    `{"records":[{"user_email":"a@x.io","editor":"VSCode","language":"Go","metrics":${metrics}}],` +
    `"pagination":{"next_cursor":null,"has_more":false}}`;
  const server = scriptedServer([
    text(body(`{"chat_messages":1e400}`), 200, { "content-type": "application/json" }),
    text(body(`{"ide_agent_messages":-3}`), 200, { "content-type": "application/json" }),
    json({
      records: [{
        user_email: "a@x.io",
        editor: "VSCode",
        language: "Go",
        metrics: { completions_count: 2.5 },
      }],
      pagination: { next_cursor: null, has_more: false },
    }),
  ]);
  await using _ = server;
  const client = clientOf(server.url);
  for (
    const [counter, shown] of [["chat_messages", "Infinity"], ["ide_agent_messages", "-3"], [
      "completions_count",
      "2.5",
    ]]
  ) {
    await assert.rejects(client.dayRecords("2026-03-14"), (err) => {
      assert.ok(err instanceof UnrepresentableCounterError);
      assert.equal(err.where.counter, counter);
      assert.equal(err.where.identity, "a@x.io");
      assert.ok(err.message.includes(`is ${shown}, `), err.message);
      return true;
    });
  }
});

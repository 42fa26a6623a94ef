/**
 * The Analytics client against scripted answers: envelope variants the contract allows and
 * the simulator may not produce (null editor, string counters, odd metadata).
 */
import assert from "node:assert/strict";
import { AnalyticsClient } from "../../src/augment/client.ts";
import { ServiceError } from "../../src/errors.ts";
import { FakeClock } from "../../src/http/clock.ts";
import { HttpClient } from "../../src/http/client.ts";
import { emptyCounters } from "../../src/model/metrics.ts";
import { json, scriptedServer, type Step } from "../http/_scripted_server.ts";

const NOW = Date.UTC(2026, 2, 15, 12);

function setup(steps: Step[]) {
  const server = scriptedServer(steps);
  const http = new HttpClient({
    baseUrl: server.url,
    token: "test-token-123456",
    timeoutMs: 2_000,
    maxRetries: 2,
    ratePerMinute: 600,
    burst: 100,
    clock: new FakeClock(NOW),
    random: () => 0.5,
  });
  const client = new AnalyticsClient(http, { now: () => NOW });
  return { server, http, client };
}

Deno.test("editorLanguageRecords() keeps names as received and fills missing ones with Unknown", async () => {
  const { server, client } = setup([json({
    records: [
      { user_email: "a@x.io", editor: "vscode", language: "python", metrics: { chat_messages: 2 } },
      { service_account_name: "ci-bot", editor: null, metrics: null },
      {
        user_email: "b@x.io",
        editor: "",
        language: "Rust",
        metrics: { chat_messages: "3", x_new: 1 },
      },
    ],
    pagination: { next_cursor: null, has_more: false },
    metadata: { date: "2026-03-14" },
  })]);
  await using _ = server;
  const records = await client.dayRecords("2026-03-14");
  assert.deepEqual(records, [
    {
      day: "2026-03-14",
      identity: "a@x.io",
      kind: "user",
      editor: "vscode",
      language: "python",
      metrics: { ...emptyCounters(), chat_messages: 2 },
    },
    {
      day: "2026-03-14",
      identity: "ci-bot",
      kind: "service_account",
      editor: "Unknown",
      language: "Unknown",
      metrics: emptyCounters(),
    },
    {
      day: "2026-03-14",
      identity: "b@x.io",
      kind: "user",
      editor: "Unknown",
      language: "Rust",
      metrics: { ...emptyCounters(), chat_messages: 3, x_new: 1 },
    },
  ]);
  const q = server.requests[0].url.searchParams;
  assert.equal(q.get("date"), "2026-03-14");
  assert.equal(q.get("page_size"), "100");
  assert.equal(q.get("cursor"), null);
});

Deno.test("dauCount() and dailyUsage() keep only the requested days, in order", async () => {
  const { server, client } = setup([
    json({
      daily_active_user_counts: [
        { date: "2026-03-13", user_count: 4 },
        { date: "2026-03-12", user_count: 3 },
        { date: "2026-03-01", user_count: 99 },
      ],
    }),
    json({
      daily_usage: [{ date: "2026-03-13", metrics: { total_messages: 5 } }],
      metadata: { effective_start_date: "2026-03-12", effective_end_date: "2026-03-13" },
    }),
  ]);
  await using _ = server;
  const range = { start: "2026-03-12", end: "2026-03-13" };
  assert.deepEqual([...await client.dauCount(range)], [["2026-03-12", 3], ["2026-03-13", 4]]);
  const usage = await client.dailyUsage(range);
  assert.deepEqual([...usage.keys()], ["2026-03-13"]);
  assert.equal(usage.get("2026-03-13")?.total_messages, 5);
  assert.equal(usage.get("2026-03-13")?.chat_messages, 0);
});

Deno.test("dau() fails with a ServiceError when the service repeats a cursor", async () => {
  const page = (c: string) =>
    json({ users: [{ user_email: `${c}@x.io` }], pagination: { next_cursor: c, has_more: true } });
  const { server, client } = setup([page("A"), page("B"), page("A")]);
  await using _ = server;
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const id of client.dau("2026-03-14")) seen.push(id.name);
    })(),
    (err) => err instanceof ServiceError && /same cursor twice/.test(err.message),
  );
  assert.equal(server.requests.length, 3);
  assert.deepEqual(server.requests.map((r) => r.url.searchParams.get("cursor")), [
    null,
    "A",
    "B",
  ]);
});

Deno.test("a record with both identities is a malformed body, retried once then reported", async () => {
  const { server, client } = setup([json({
    users: [{ user_email: "a@x.io", service_account_name: "bot" }],
    pagination: { next_cursor: null, has_more: false },
  })]);
  await using _ = server;
  await assert.rejects(
    client.userActivity({ start: "2026-03-01", end: "2026-03-14" }).next(),
    (err) => err instanceof ServiceError && /exactly one of user_email/.test(err.message),
  );
  assert.equal(server.requests.length, 2);
});

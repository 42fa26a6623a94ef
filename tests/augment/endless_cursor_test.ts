/**
 * A cursor that never repeats but never ends (the simulator's `endlessCursor`): the client
 * follows it only as far as the service's own counts allow, then stops with one line naming
 * the endpoint, the day and the page count (exit 4).
 */
import assert from "node:assert/strict";
import { AnalyticsClient, ITEMS_PER_IDENTITY } from "../../src/augment/client.ts";
import { PAGE_MARGIN } from "../../src/augment/paginate.ts";
import { ENDPOINTS } from "../../src/augment/schemas.ts";
import { exitCodeOf, ServiceError } from "../../src/errors.ts";
import { FakeClock } from "../../src/http/clock.ts";
import { HttpClient } from "../../src/http/client.ts";
import { addDays } from "../../src/model/dates.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";

const NOW = Date.UTC(2026, 2, 18, 12);
const YESTERDAY = "2026-03-17";

async function setup() {
  const sim = await startSimulator({
    now: () => NOW,
    users: 20,
    seed: 5,
    rateLimit: false,
    faults: { endlessCursor: true },
  });
  const http = new HttpClient({
    baseUrl: sim.url,
    token: SIMULATOR_TOKEN,
    timeoutMs: 5_000,
    maxRetries: 0,
    ratePerMinute: 60_000,
    burst: 1_000,
    clock: new FakeClock(NOW),
    random: () => 0.5,
  });
  return {
    sim,
    client: new AnalyticsClient(http, { now: () => NOW }),
    [Symbol.asyncDispose]: () => sim.shutdown(),
  };
}

/** The error of `run`, checked as the one-line refusal of too many pages. */
async function tooManyPages(
  run: () => Promise<unknown>,
  endpoint: string,
  scope: string,
  pages: number,
  basis: string,
): Promise<void> {
  const err = await run().then(() => undefined, (e) => e);
  assert.ok(err instanceof ServiceError, String(err));
  assert.equal(exitCodeOf(err), 4);
  assert.equal(
    err.message,
    `Cannot page through "${endpoint}" for ${scope}: the service still had more after ` +
      `${pages} pages, more than the ${pages} pages its own counts imply (${basis}); try ` +
      `again later, or report it if it persists`,
  );
}

Deno.test("dayRecords() with the day's dau-count stops an endless cursor at ceil(n × 64 / 100) + 5 pages", async () => {
  await using env = await setup();
  const n = (await env.client.dauCount({ start: YESTERDAY, end: YESTERDAY })).get(YESTERDAY)!;
  assert.ok(n > 0);
  const path = ENDPOINTS["daily-user-activity-by-editor-language"].path;
  const pages =
    Math.ceil((n * ITEMS_PER_IDENTITY["daily-user-activity-by-editor-language"]) / 100) +
    PAGE_MARGIN;
  env.sim.resetStats();
  await tooManyPages(
    () => env.client.dayRecords(YESTERDAY, { expectedIdentities: n }),
    path,
    YESTERDAY,
    pages,
    `${n} active identities`,
  );
  assert.equal(env.sim.stats.byEndpoint[path], pages);
});

Deno.test("dau() and userActivity() stop an endless cursor at their own sizes", async () => {
  await using env = await setup();
  const counts = await env.client.dauCount({ start: addDays(YESTERDAY, -6), end: YESTERDAY });
  const n = counts.get(YESTERDAY)!;
  env.sim.resetStats();
  await tooManyPages(
    async () => {
      for await (const _ of env.client.dau(YESTERDAY, { expectedIdentities: n })) { /* drain */ }
    },
    ENDPOINTS.dau.path,
    YESTERDAY,
    Math.ceil(n / 250) + PAGE_MARGIN,
    `${n} active identities`,
  );
  assert.equal(env.sim.stats.byEndpoint[ENDPOINTS.dau.path], Math.ceil(n / 250) + PAGE_MARGIN);

  // For a range, an upper bound on its distinct identities: the sum of its daily counts.
  const sum = [...counts.values()].reduce((a, b) => a + b, 0);
  const range = { start: addDays(YESTERDAY, -6), end: YESTERDAY };
  await tooManyPages(
    async () => {
      for await (const _ of env.client.userActivity(range, { expectedIdentities: sum })) {
        /* drain */
      }
    },
    ENDPOINTS["user-activity"].path,
    `${range.start} to ${range.end}`,
    Math.ceil(sum / 100) + PAGE_MARGIN,
    `${sum} active identities`,
  );
});

Deno.test("without an endless cursor the bound changes nothing: every record is read", async () => {
  await using env = await setup();
  env.sim.faults = {};
  const n = (await env.client.dauCount({ start: YESTERDAY, end: YESTERDAY })).get(YESTERDAY)!;
  const bounded = await env.client.dayRecords(YESTERDAY, { expectedIdentities: n });
  assert.deepEqual(bounded, await env.client.dayRecords(YESTERDAY));
  assert.equal(new Set(bounded.map((r) => `${r.kind}:${r.identity}`)).size, n);
});

/** Bearer authentication and the per-token rate limit, with an injected clock. */
import assert from "node:assert/strict";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { get, NOW } from "./_helpers.ts";

Deno.test("a missing, malformed or unknown token answers 401 Unauthenticated", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
  for (const token of [null, "wrong-token", ""]) {
    const r = await get(sim.url, "dau", {}, token);
    assert.equal(r.status, 401, String(token));
    assert.equal(r.body.error.code, "Unauthenticated");
    assert.ok(r.body.error.message);
  }
  const basic = await fetch(`${sim.url}/analytics/v0/dau`, {
    headers: { authorization: `Basic ${SIMULATOR_TOKEN}` },
  });
  assert.equal(basic.status, 401);
  await basic.body?.cancel();
});

Deno.test("a forbidden token answers 403 PermissionDenied; other accepted tokens work", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: false,
    tokens: ["token-a", "token-b"],
    forbiddenTokens: ["token-c"],
  });
  const denied = await get(sim.url, "dau", {}, "token-c");
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, "PermissionDenied");
  assert.ok(!JSON.stringify(denied.body).includes("token-c"), "no token in the answer");
  assert.equal((await get(sim.url, "dau", {}, "token-a")).status, 200);
  assert.equal((await get(sim.url, "dau", {}, "token-b")).status, 200);
  assert.equal((await get(sim.url, "dau", {}, SIMULATOR_TOKEN)).status, 401, "not in tokens");
});

Deno.test("the rate limit answers 429 after the burst and refills at perMinute", async () => {
  let now = NOW;
  await using sim = await startSimulator({
    now: () => now,
    rateLimit: { perMinute: 10, burst: 20 },
  });
  for (let i = 0; i < 20; i++) assert.equal((await get(sim.url, "dau-count", {})).status, 200);
  const limited = await get(sim.url, "dau-count", {});
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error.code, "ResourceExhausted");
  assert.equal(limited.headers.get("retry-after"), null, "no Retry-After unless asked");
  assert.equal(sim.stats.rateLimited, 1);

  now += 5_999; // not yet one token (10 a minute = one per 6 s)
  assert.equal((await get(sim.url, "dau-count", {})).status, 429);
  now += 1;
  assert.equal((await get(sim.url, "dau-count", {})).status, 200);
  assert.equal((await get(sim.url, "dau-count", {})).status, 429);
  now += 60_000;
  for (let i = 0; i < 10; i++) assert.equal((await get(sim.url, "dau-count", {})).status, 200);
  assert.equal((await get(sim.url, "dau-count", {})).status, 429);
  assert.equal(sim.stats.rateLimited, 4);
  assert.equal(sim.stats.requests, 35);
});

Deno.test("each token has its own bucket; a 429 carries Retry-After when the fault says so", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    tokens: ["token-a", "token-b"],
    rateLimit: { perMinute: 10, burst: 2 },
    faults: { retryAfterSeconds: 7 },
  });
  assert.equal((await get(sim.url, "dau", {}, "token-a")).status, 200);
  assert.equal((await get(sim.url, "dau", {}, "token-a")).status, 200);
  const limited = await get(sim.url, "dau", {}, "token-a");
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "7");
  assert.equal((await get(sim.url, "dau", {}, "token-b")).status, 200);
});

Deno.test("rateLimit false never answers 429", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 2 });
  for (let i = 0; i < 40; i++) assert.equal((await get(sim.url, "dau-count", {})).status, 200);
});

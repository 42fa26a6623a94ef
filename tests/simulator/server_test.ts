/** Starting and stopping: `startSimulator`, `serveForever`, and the bare handler. */
import assert from "node:assert/strict";
import {
  createSimulatorHandler,
  serveForever,
  SIMULATOR_TOKEN,
  startSimulator,
} from "../../src/simulator/mod.ts";
import { get, NOW } from "./_helpers.ts";

Deno.test("startSimulator() listens on 127.0.0.1 and frees the port when disposed", async () => {
  let url: string;
  {
    await using sim = await startSimulator({ now: () => NOW, rateLimit: false });
    url = sim.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(url, `http://127.0.0.1:${sim.port}`);
    assert.equal((await get(url, "dau", {})).status, 200);
  }
  await assert.rejects(() => fetch(`${url}/analytics/v0/dau`), TypeError);
});

Deno.test("serveForever() serves on the given port until shut down, twice is harmless", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const sim = await serveForever({ port, now: () => NOW, rateLimit: false });
  try {
    assert.equal(sim.port, port);
    assert.equal((await get(sim.url, "dau-count", {})).status, 200);
  } finally {
    await sim.shutdown();
    await sim.shutdown();
  }
});

Deno.test("createSimulatorHandler() answers requests without a server", async () => {
  const sim = createSimulatorHandler({ now: () => NOW, rateLimit: false, users: 4 });
  const res = await sim.handler(
    new Request("http://sim.test/analytics/v0/dau-count?start_date=2026-11-01", {
      headers: { authorization: `Bearer ${SIMULATOR_TOKEN}` },
    }),
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.metadata.effective_end_date, "2026-11-07");
  assert.equal(sim.stats.requests, 1);
});

Deno.test("startSimulator({latencyMs}) answers late, counts requests on arrival, and reports how many it answered at once", async () => {
  await using sim = await startSimulator({
    now: () => NOW,
    rateLimit: { perMinute: 60, burst: 3 },
    latencyMs: 200,
  });
  const statuses = await Promise.all(
    [1, 2, 3, 4].map(async () => (await get(sim.url, "dau-count", {})).status),
  );
  // The fourth arrived while the first three were still being answered: the bucket was empty.
  assert.deepEqual(statuses.sort(), [200, 200, 200, 429]);
  assert.equal(sim.maxInFlight, 4);
  sim.resetStats();
  assert.equal(sim.maxInFlight, 0);
  const started = performance.now();
  await get(sim.url, "dau-count", {});
  assert.ok(performance.now() - started >= 190, "the answer waited for the latency");
  assert.throws(() => startSimulator({ latencyMs: -1 }), RangeError);
});

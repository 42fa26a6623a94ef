import assert from "node:assert/strict";
import { forEachConcurrent, WeightedGate } from "../../src/sync/pool.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

Deno.test("forEachConcurrent runs every item, never more than the limit at once, starting in order", async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  await forEachConcurrent([...Array(20).keys()], 3, async (i) => {
    started.push(i);
    running++;
    most = Math.max(most, running);
    await tick();
    running--;
  });
  assert.deepEqual(started, [...Array(20).keys()]);
  assert.equal(most, 3);
});

Deno.test("forEachConcurrent: a failure aborts the items in flight, starts no other, and rejects once all settled", async () => {
  const settled: number[] = [];
  const started: number[] = [];
  const boom = new Error("boom");
  await assert.rejects(
    () =>
      forEachConcurrent([...Array(10).keys()], 4, async (i, signal) => {
        started.push(i);
        if (i === 1) throw boom;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5_000);
          signal.addEventListener("abort", () => {
            clearTimeout(t);
            resolve();
          });
        });
        settled.push(i);
      }),
    (e) => e === boom,
  );
  assert.deepEqual(started, [0, 1, 2, 3]);
  assert.deepEqual(settled.sort(), [0, 2, 3], "every started item settled before the rejection");
});

Deno.test("forEachConcurrent rejects with the caller's abort reason", async () => {
  const controller = new AbortController();
  const reason = new Error("stopped");
  await assert.rejects(
    () =>
      forEachConcurrent([1, 2, 3], 2, async (i, signal) => {
        if (i === 2) controller.abort(reason);
        await tick();
        signal.throwIfAborted();
      }, controller.signal),
    (e) => e === reason,
  );
  await assert.rejects(() => forEachConcurrent([1], 0, async () => {}), RangeError);
});

Deno.test("WeightedGate: work waits while its weight would pass the capacity, in order of arrival", async () => {
  const gate = new WeightedGate(10);
  const order: string[] = [];
  let peak = 0;
  const run = async (name: string, weight: number, ms: number) => {
    const release = await gate.acquire(weight);
    peak = Math.max(peak, gate.inUse);
    order.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    release();
    release(); // a second call gives nothing back twice
  };
  await Promise.all([
    run("a", 6, 30),
    run("b", 6, 5), // waits for a
    run("c", 1, 5), // arrived after b: waits behind it, though it would fit
    run("d", 50, 5), // above the capacity: runs alone
  ]);
  assert.deepEqual(order, ["start a", "start b", "start c", "start d"]);
  assert.ok(peak <= 10, `peak ${peak}`);
  assert.equal(gate.inUse, 0);
});

Deno.test("WeightedGate: an abort while waiting rejects with its reason and lets the next in", async () => {
  const gate = new WeightedGate(4);
  const release = await gate.acquire(3);
  const controller = new AbortController();
  const waiting = gate.acquire(3, controller.signal);
  const after = gate.acquire(1);
  controller.abort(new Error("stopped"));
  await assert.rejects(waiting, /stopped/);
  (await after)(); // fits beside the first once the aborted one left the queue
  release();
  assert.equal(gate.inUse, 0);
});

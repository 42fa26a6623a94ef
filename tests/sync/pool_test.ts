import assert from "node:assert/strict";
import { forEachConcurrent } from "../../src/sync/pool.ts";

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

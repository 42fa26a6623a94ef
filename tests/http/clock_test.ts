import assert from "node:assert/strict";
import { FakeClock, systemClock } from "../../src/http/clock.ts";

Deno.test("FakeClock.sleep() advances virtual time at once and records each sleep", async () => {
  const clock = new FakeClock(1_000);
  await clock.sleep(500);
  await clock.sleep(250);
  assert.equal(clock.now(), 1_750);
  assert.deepEqual(clock.sleeps, [500, 250]);
  assert.equal(clock.slept, 750);
  clock.advance(50);
  assert.equal(clock.now(), 1_800);
  assert.deepEqual(clock.sleeps, [500, 250]);
});

Deno.test("FakeClock.sleep() rejects with the reason when the signal is already aborted", async () => {
  const clock = new FakeClock();
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assert.rejects(clock.sleep(1_000, ac.signal), { message: "stop" });
  assert.equal(clock.now(), 0);
  assert.deepEqual(clock.sleeps, []);
});

Deno.test("systemClock.sleep() resolves after a short real delay", async () => {
  const t0 = performance.now();
  await systemClock.sleep(5);
  assert.ok(performance.now() - t0 >= 4);
  assert.ok(Math.abs(systemClock.now() - Date.now()) < 1_000);
});

Deno.test("systemClock.sleep() rejects at once when aborted mid-sleep", async () => {
  const ac = new AbortController();
  const t0 = performance.now();
  setTimeout(() => ac.abort(new Error("interrupted")), 10);
  await assert.rejects(systemClock.sleep(60_000, ac.signal), { message: "interrupted" });
  assert.ok(performance.now() - t0 < 1_000);
});

import assert from "node:assert/strict";
import { FakeClock } from "../../src/http/clock.ts";
import { defaultMarginMs, TokenBucket } from "../../src/http/pacing.ts";

async function takeTimes(bucket: TokenBucket, clock: FakeClock, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await bucket.take();
    times.push(clock.now());
  }
  return times;
}

Deno.test("TokenBucket.take() lets the burst go at once, then exactly one per interval", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ ratePerMinute: 10, burst: 20, clock, marginMs: 0 });
  const times = await takeTimes(bucket, clock, 40);
  assert.deepEqual(times.slice(0, 20), Array(20).fill(0));
  assert.deepEqual(times.slice(20), Array.from({ length: 20 }, (_, i) => (i + 1) * 6_000));
  assert.equal(clock.now(), (40 - 20) * 6_000);
  assert.equal(clock.sleeps.length, 20);
  assert.ok(clock.sleeps.every((s) => s === 6_000));
});

Deno.test("TokenBucket.take() never allows more than burst + rate in any minute", async () => {
  const clock = new FakeClock(1_700_000_000_000);
  const bucket = new TokenBucket({ ratePerMinute: 10, burst: 20, clock, marginMs: 0 });
  const times = await takeTimes(bucket, clock, 100);
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= times[i] && t < times[i] + 60_000).length;
    assert.ok(inWindow <= 30, `window at ${i} holds ${inWindow}`);
  }
});

Deno.test("TokenBucket.take() refills at the rate while idle, up to the burst", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ ratePerMinute: 10, burst: 20, clock, marginMs: 0 });
  await takeTimes(bucket, clock, 20);
  clock.advance(60_000); // one minute idle: 10 tokens back
  const t = clock.now();
  const times = await takeTimes(bucket, clock, 11);
  assert.deepEqual(times.slice(0, 10), Array(10).fill(t));
  assert.equal(times[10], t + 6_000);

  clock.advance(3_600_000); // an hour idle: the bucket holds the burst only
  const t2 = clock.now();
  const after = await takeTimes(bucket, clock, 21);
  assert.deepEqual(after.slice(0, 20), Array(20).fill(t2));
  assert.equal(after[20], t2 + 6_000);
});

Deno.test("TokenBucket.take() serves concurrent callers in order, one per interval", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ ratePerMinute: 60, burst: 1, clock, marginMs: 0 });
  await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
  // The fake clock advances during each sleep, so the third taker (reserved for t = 2 s) only
  // waits the remaining second: three requests span exactly two intervals.
  assert.deepEqual(clock.sleeps, [1_000, 1_000]);
  assert.equal(clock.now(), 2_000);
});

Deno.test("TokenBucket.take() rejects when aborted and gives the slot back", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ ratePerMinute: 60, burst: 1, clock, marginMs: 0 });
  await bucket.take();
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assert.rejects(bucket.take(ac.signal), { message: "stop" });
  await bucket.take();
  assert.deepEqual(clock.sleeps, [1_000]);
});

Deno.test("TokenBucket paces a margin past the edge, once: the schedule does not drift", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ ratePerMinute: 10, burst: 20, clock });
  const times = await takeTimes(bucket, clock, 40);
  // The burst still goes at once; every paced request is 1 s (the default margin at 10 a
  // minute) past its edge, and the 40th is 1 s late, not 20 s.
  assert.deepEqual(times.slice(0, 20), Array(20).fill(0));
  assert.deepEqual(times.slice(20), Array.from({ length: 20 }, (_, i) => (i + 1) * 6_000 + 1_000));
  assert.deepEqual(clock.sleeps, [7_000, ...Array(19).fill(6_000)]);
});

Deno.test("TokenBucket's default margin is a quarter interval, at most 1 s", async () => {
  assert.equal(defaultMarginMs(10), 1_000);
  assert.equal(defaultMarginMs(300), 50);
  assert.equal(defaultMarginMs(6_000), 2.5);
  // With a burst of 1, the first request goes at once and the second waits interval + margin.
  const clock = new FakeClock();
  const bucket = new TokenBucket({ ratePerMinute: 60, burst: 1, clock });
  await takeTimes(bucket, clock, 2);
  assert.deepEqual(clock.sleeps, [1_250]);
});

Deno.test("TokenBucket refuses a rate or burst that cannot pace", () => {
  const clock = new FakeClock();
  assert.throws(() => new TokenBucket({ ratePerMinute: 0, burst: 20, clock }), RangeError);
  assert.throws(() => new TokenBucket({ ratePerMinute: 10, burst: 0, clock }), RangeError);
  assert.throws(() => new TokenBucket({ ratePerMinute: NaN, burst: 1, clock }), RangeError);
  assert.throws(
    () => new TokenBucket({ ratePerMinute: 10, burst: 1, clock, marginMs: -1 }),
    RangeError,
  );
});

Deno.test("TokenBucket.holdUntil(): no token before the pause ends, then the rate without a burst", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ ratePerMinute: 60, burst: 5, clock, marginMs: 0 });
  await takeTimes(bucket, clock, 2);
  bucket.holdUntil(10_000);
  const times = await takeTimes(bucket, clock, 3);
  assert.deepEqual(times, [10_000, 11_000, 12_000]);
});

/** A fake clock that runs `during` inside the next sleep (another request's 429 meanwhile). */
class InterruptedClock extends FakeClock {
  during?: () => void;
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const f = this.during;
    this.during = undefined;
    f?.();
    return super.sleep(ms, signal);
  }
}

Deno.test("TokenBucket.holdUntil(): a request already waiting for its turn waits for the pause too", async () => {
  const clock = new InterruptedClock();
  const bucket = new TokenBucket({ ratePerMinute: 60, burst: 1, clock, marginMs: 0 });
  await bucket.take(); // t = 0
  clock.during = () => bucket.holdUntil(5_000);
  await bucket.take(); // its turn was t = 1 s; the pause moves it to 5 s
  assert.equal(clock.now(), 5_000);
  assert.deepEqual(clock.sleeps, [1_000, 4_000]);
  await bucket.take();
  assert.equal(clock.now(), 6_000, "then one per interval");
});

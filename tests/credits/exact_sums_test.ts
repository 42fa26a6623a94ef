/**
 * Exact sums of credits and money on adversarial decimals: whatever form each value takes on
 * the wire (JSON number, trailing zeros, exponent), the client reads it exactly, the store
 * keeps it exactly, and every output sum equals the sum of integer units.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { CreditUsageResponse } from "../../src/augment/credits.ts";
import { Decimal, sumDecimals } from "../../src/model/money.ts";
import { wireCredits } from "../../src/simulator/credits.ts";
import { CreditsStore } from "../../src/store/credits_store.ts";
import { withTempDir } from "../e2e/helpers.ts";
import { costExtension, creditsByIdentity, dayCreditsTotal } from "../../src/views/credits.ts";
import type { CreditRecord } from "../../src/model/credits.ts";

/** Adversarial amounts: units at scales 0..12, including the classic 0.1 + 0.2. */
const amount = fc.record({
  units: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  scale: fc.integer({ min: 0, max: 12 }),
  salt: fc.nat(),
});

Deno.test("credits in any wire form sum exactly: Σ parsed = Σ of integer units", () => {
  fc.assert(
    fc.property(fc.array(amount, { minLength: 1, maxLength: 60 }), (xs) => {
      // The wire body, through JSON text and the response schema.
      const body = JSON.parse(JSON.stringify({
        records: xs.map((x, i) => ({
          date: "2026-11-01",
          user_email: `u${i % 5}@example.com`,
          model_name: i % 2 ? "gpt-5" : "claude-sonnet-4-5",
          credits_consumed: wireCredits(Decimal.fromUnits(x.units, x.scale), x.salt),
        })),
      }));
      const parsed = CreditUsageResponse.parse(body);
      const got = sumDecimals(parsed.records.map((r) => Decimal.parse(r.credits_consumed)));
      // Independent model: integer units at the largest scale.
      const scale = Math.max(...xs.map((x) => x.scale));
      const units = xs.reduce((s, x) => s + x.units * 10n ** BigInt(scale - x.scale), 0n);
      assert.equal(got.toString(), Decimal.fromUnits(units, scale).toString());
    }),
    { numRuns: 300 },
  );
});

Deno.test("0.1 + 0.2 credits are 0.3, per identity, per model and per day", () => {
  const records: CreditRecord[] = [
    { identity: "a@x", kind: "user", model: "m1", credits: Decimal.parse(0.1) },
    { identity: "a@x", kind: "user", model: "m1", credits: Decimal.parse("0.2") },
    { identity: "b@x", kind: "user", model: "m2", credits: Decimal.parse("1E-9") },
  ];
  const c = { day: "2026-11-01", records };
  assert.equal(creditsByIdentity(c).get("user:a@x")!.total.toString(), "0.3");
  assert.equal(dayCreditsTotal(c)!.total.toString(), "0.300000001");
  assert.equal(dayCreditsTotal(c)!.byModel.get("m1")!.toString(), "0.3");
  const cost = costExtension({
    day: "2026-11-01",
    cost: [
      { resource: "m1", billedUsd: Decimal.parse("0.1"), credits: Decimal.parse("0.1") },
      { resource: "m2", billedUsd: Decimal.parse("0.2") },
    ],
  })!;
  assert.equal(cost.billed_amount_usd, "0.3");
  assert.equal(cost.credits_consumed, undefined, "a resource without credits: the sum is unknown");
});

Deno.test("the store keeps amounts exactly", async () => {
  await withTempDir(async (dir) => {
    await fc.assert(
      fc.asyncProperty(fc.array(amount, { minLength: 0, maxLength: 20 }), async (xs) => {
        const store = new CreditsStore(dir);
        const records: CreditRecord[] = xs.map((x, i) => ({
          identity: `svc-${i}`,
          kind: "service_account",
          model: "m",
          credits: Decimal.fromUnits(x.units, x.scale),
        }));
        await store.putUsage("2026-11-01", records, Date.parse("2026-11-03T00:00:00Z"));
        const back = await new CreditsStore(dir).usage("2026-11-01");
        assert.deepEqual(
          back!.map((r) => r.credits.toString()),
          records.map((r) => r.credits.toString()),
        );
      }),
      { numRuns: 50 },
    );
  });
});

Deno.test("retention: the credits and cost of days before the cut-off go, the others stay", async () => {
  await withTempDir(async (dir) => {
    const store = new CreditsStore(dir);
    const at = Date.parse("2026-11-20T00:00:00Z");
    for (const d of ["2026-11-01", "2026-11-02", "2026-11-03"]) {
      await store.putUsage(d, [], at);
      await store.putCost(d, [], at);
    }
    assert.equal(await store.prune({ daysBefore: "2026-11-03", dryRun: true }), 4);
    assert.equal((await new CreditsStore(dir).days("usage")).size, 3, "a dry run removes nothing");
    assert.equal(await store.prune({ daysBefore: "2026-11-03" }), 4);
    const after = new CreditsStore(dir);
    assert.deepEqual([...await after.days("usage")], ["2026-11-03"]);
    assert.deepEqual([...await after.days("cost")], ["2026-11-03"]);
  });
});

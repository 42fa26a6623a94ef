import assert from "node:assert/strict";
import {
  newestQueryableDay,
  oldestQueryableDay,
  validateDay,
  validateRange,
} from "../../src/augment/dates.ts";
import { EXIT, UsageError } from "../../src/errors.ts";

const NOW = Date.UTC(2026, 2, 15, 1, 30); // 2026-03-15 01:30 UTC

Deno.test("newestQueryableDay() is yesterday in UTC, whatever the hour", () => {
  assert.equal(newestQueryableDay(NOW), "2026-03-14");
  assert.equal(newestQueryableDay(Date.UTC(2026, 2, 15, 23, 59, 59)), "2026-03-14");
  assert.equal(newestQueryableDay(Date.UTC(2026, 0, 1)), "2025-12-31");
});

Deno.test("oldestQueryableDay() is 730 days before today", () => {
  assert.equal(oldestQueryableDay(NOW), "2024-03-15");
});

Deno.test("validateRange() accepts yesterday, the oldest day and ranges over 90 days", () => {
  validateRange({ start: "2026-03-14", end: "2026-03-14" }, NOW);
  validateRange({ start: "2024-03-15", end: "2026-03-14" }, NOW);
  validateDay("2024-03-15", NOW);
});

function usage(fn: () => void, pattern: RegExp): UsageError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.exitCode, EXIT.usage);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail("expected a UsageError");
}

Deno.test("validateRange() refuses days not written YYYY-MM-DD or not real", () => {
  usage(() => validateRange({ start: "2026-3-01", end: "2026-03-02" }, NOW), /"2026-3-01"/);
  usage(() => validateRange({ start: "2026-03-01", end: "2026-02-30" }, NOW), /"2026-02-30"/);
  usage(() => validateDay("yesterday", NOW), /^Invalid date "yesterday": expected .*YYYY-MM-DD/);
});

Deno.test("validateRange() refuses an end before the start", () => {
  usage(
    () => validateRange({ start: "2026-03-10", end: "2026-03-01" }, NOW),
    /^Invalid range "2026-03-10" to "2026-03-01": the end is before the start/,
  );
});

Deno.test("validateRange() refuses today and later, naming the newest allowed day", () => {
  const err = usage(
    () => validateRange({ start: "2026-03-01", end: "2026-03-15" }, NOW),
    /^Cannot query "2026-03-15": the newest day the service answers is "2026-03-14"/,
  );
  assert.match(err.hint ?? "", /2026-03-14/);
  usage(() => validateDay("2027-01-01", NOW), /"2026-03-14"/);
});

Deno.test("validateRange() refuses a day more than 730 days back", () => {
  usage(
    () => validateRange({ start: "2024-03-14", end: "2024-04-01" }, NOW),
    /^Cannot query "2024-03-14": .*730 days back, to "2024-03-15"/,
  );
  usage(() => validateDay("2020-01-01", NOW), /730 days/);
});

import assert from "node:assert/strict";
import { join, resolve, sep } from "node:path";
import { OutputLayout, overlaps, reportWindow } from "../../src/export/layout.ts";
import { listFiles } from "./helpers.ts";

const RANGE = { start: "2026-03-01", end: "2026-03-31" };

Deno.test("OutputLayout names every file from the range's days", () => {
  const L = new OutputLayout("out", RANGE);
  assert.equal(L.root, resolve("out"));
  assert.equal(
    L.dailyExport("2026-03-02"),
    "daily_exports_2026-03-01_to_2026-03-31/metrics_2026-03-02.json",
  );
  assert.equal(L.copilotMetrics(), "copilot_metrics_2026-03-01_to_2026-03-31.json");
  assert.equal(L.copilotUsage(), "copilot_usage_2026-03-01_to_2026-03-31.json");
  assert.equal(L.csv(), "metrics_20260301_to_20260331.csv");
  assert.equal(L.csvSummary(), "metrics_summary_20260301_to_20260331.csv");
  assert.equal(L.csvDetail(), "metrics_detail_20260301_to_20260331.csv");
  assert.equal(L.aggregated(), "aggregated_metrics_20260301_to_20260331.json");
  assert.equal(L.enterprise1Day("2026-03-05"), "usage_metrics/enterprise-1-day_2026-03-05.json");
  assert.equal(L.users1Day("2026-03-05"), "usage_metrics/users-1-day_2026-03-05.ndjson");
  const w = reportWindow(RANGE);
  assert.deepEqual(w, { start: "2026-03-04", end: "2026-03-31" });
  assert.equal(
    L.enterprise28Day(w),
    "usage_metrics/enterprise-28-day_2026-03-04_to_2026-03-31.json",
  );
  assert.equal(L.users28Day(w), "usage_metrics/users-28-day_2026-03-04_to_2026-03-31.ndjson");
});

Deno.test("reportWindow() is the last 28 days, or the whole range when shorter", () => {
  assert.deepEqual(reportWindow({ start: "2026-03-10", end: "2026-03-14" }), {
    start: "2026-03-10",
    end: "2026-03-14",
  });
  assert.deepEqual(reportWindow({ start: "2026-02-01", end: "2026-02-28" }), {
    start: "2026-02-01",
    end: "2026-02-28",
  });
  assert.deepEqual(reportWindow({ start: "2025-12-20", end: "2026-01-20" }), {
    start: "2025-12-24",
    end: "2026-01-20",
  });
  assert.ok(
    overlaps({ start: "2026-01-01", end: "2026-01-05" }, {
      start: "2026-01-05",
      end: "2026-01-09",
    }),
  );
  assert.ok(
    !overlaps({ start: "2026-01-01", end: "2026-01-05" }, {
      start: "2026-01-06",
      end: "2026-01-09",
    }),
  );
});

Deno.test("OutputLayout refuses invalid days and ranges", () => {
  assert.throws(
    () => new OutputLayout("out", { start: "../../etc", end: "2026-03-01" }),
    RangeError,
  );
  assert.throws(
    () => new OutputLayout("out", { start: "2026-02-30", end: "2026-03-01" }),
    RangeError,
  );
  assert.throws(
    () => new OutputLayout("out", { start: "2026-03-02", end: "2026-03-01" }),
    RangeError,
  );
  const L = new OutputLayout("out", RANGE);
  assert.throws(() => L.dailyExport("2026-03-01/../../x"), RangeError);
  assert.throws(() => L.users1Day("20260301"), RangeError);
});

Deno.test("OutputLayout.abs() never leaves the output directory", () => {
  const L = new OutputLayout("out", RANGE);
  assert.equal(L.abs("usage_metrics/x.json"), join(resolve("out"), "usage_metrics", "x.json"));
  for (const bad of ["../x", "a/../../x", "/etc/passwd", "", ".", "a//b", "usage_metrics/.."]) {
    assert.throws(() => L.abs(bad), /outside the output directory/, bad);
  }
  for (const rel of [L.csv(), L.dailyExport("2026-03-09"), L.users28Day(reportWindow(RANGE))]) {
    assert.ok(L.abs(rel).startsWith(L.root + sep));
  }
});

Deno.test("removeOverlapping28Day() removes only overlapping files of our exact pattern and kind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "layout_test_" });
  try {
    const L = new OutputLayout(dir, RANGE);
    const keep = reportWindow(RANGE); // 2026-03-04 .. 2026-03-31
    const um = join(dir, "usage_metrics");
    await Deno.mkdir(um);
    const files = [
      "enterprise-28-day_2026-03-04_to_2026-03-31.json", // our own: kept
      "enterprise-28-day_2026-02-10_to_2026-03-09.json", // overlaps: removed
      "enterprise-28-day_2026-01-01_to_2026-01-28.json", // before: kept
      "users-28-day_2026-02-10_to_2026-03-09.ndjson", // overlaps: removed
      "users-28-day_2026-02-10_to_2026-03-09.json", // not our users pattern: kept
      "enterprise-28-day_2026-02-10_to_2026-03-09.json.bak", // kept
      "my-enterprise-28-day_2026-02-10_to_2026-03-09.json", // kept
      "enterprise-28-day_2026-02-30_to_2026-03-09.json", // invalid day: kept
      "enterprise-1-day_2026-03-05.json", // 1-day: kept
    ];
    for (const f of files) await Deno.writeTextFile(join(um, f), "{}");
    await Deno.mkdir(join(um, "enterprise-28-day_2026-03-01_to_2026-03-28.json")); // a folder: kept
    assert.deepEqual(await L.removeOverlapping28Day("enterprise", keep), [
      "usage_metrics/enterprise-28-day_2026-02-10_to_2026-03-09.json",
    ]);
    assert.deepEqual(await L.removeOverlapping28Day("users", keep), [
      "usage_metrics/users-28-day_2026-02-10_to_2026-03-09.ndjson",
    ]);
    const removed = new Set([
      "enterprise-28-day_2026-02-10_to_2026-03-09.json",
      "users-28-day_2026-02-10_to_2026-03-09.ndjson",
    ]);
    assert.deepEqual(
      await listFiles(dir),
      files.filter((f) => !removed.has(f)).map((f) => `usage_metrics/${f}`).sort(),
    );
    assert.ok(
      (await Deno.stat(join(um, "enterprise-28-day_2026-03-01_to_2026-03-28.json"))).isDirectory,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeOverlapping28Day() does nothing when usage_metrics/ does not exist", async () => {
  const dir = await Deno.makeTempDir({ prefix: "layout_test_" });
  try {
    assert.deepEqual(
      await new OutputLayout(dir, RANGE).removeOverlapping28Day("users", reportWindow(RANGE)),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeStaleTemporaryFiles() removes only old temporary files of our outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "layout_test_" });
  try {
    const L = new OutputLayout(dir, RANGE);
    await Deno.mkdir(join(dir, "usage_metrics"));
    await Deno.mkdir(join(dir, L.dailyExportsDir()));
    await Deno.mkdir(join(dir, "daily_exports_2026-01-01_to_2026-01-28"));
    const old = [
      ".metrics_20260301_to_20260331.csv.k3j2h1.tmp",
      "usage_metrics/.users-1-day_2026-03-05.ndjson.abc123.tmp",
      `${L.dailyExportsDir()}/.metrics_2026-03-02.json.zz9.tmp`,
      // An older range's folder, and a compression that was killed.
      "daily_exports_2026-01-01_to_2026-01-28/.metrics_2026-01-02.json.gz.q1w2.tmp",
      "usage_metrics/.enterprise-1-day_2026-01-05.json.gz.e3r4.tmp",
    ];
    const kept = [
      ".copilot_metrics_2026-03-01_to_2026-03-31.json.fresh1.tmp", // young: a live run's
      ".notes.txt.abc.tmp", // not one of our outputs
      "metrics_20260301_to_20260331.csv", // a real output
      ".env",
    ];
    for (const f of [...old, ...kept]) await Deno.writeTextFile(join(dir, f), "x");
    const twoHoursAgo = new Date(Date.now() - 7_200_000);
    for (const f of [...old, ".notes.txt.abc.tmp"]) {
      await Deno.utime(join(dir, f), twoHoursAgo, twoHoursAgo);
    }
    assert.deepEqual(await L.removeStaleTemporaryFiles(), [...old].sort());
    assert.deepEqual(await listFiles(dir), [...kept].sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { removeStaleTemporaryFiles } from "../../src/export/layout.ts";
import { listFiles } from "./helpers.ts";

Deno.test("removeStaleTemporaryFiles() removes only old temporary files of our outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "layout_test_" });
  try {
    await Deno.mkdir(join(dir, "usage_metrics"));
    await Deno.mkdir(join(dir, "daily_exports_2026-03-01_to_2026-03-31"));
    await Deno.mkdir(join(dir, "daily", "2026-03-04"), { recursive: true });
    await Deno.mkdir(join(dir, "latest"));
    await Deno.mkdir(join(dir, "daily_exports_2026-01-01_to_2026-01-28"));
    const old = [
      ".metrics_20260301_to_20260331.csv.k3j2h1.tmp",
      "usage_metrics/.users-1-day_2026-03-05.ndjson.abc123.tmp",
      "daily_exports_2026-03-01_to_2026-03-31/.metrics_2026-03-02.json.zz9.tmp",
      "daily/2026-03-04/.users-1-day.ndjson.x1y2.tmp",
      "latest/.copilot_metrics.json.a1b2.tmp",
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
    assert.deepEqual(await removeStaleTemporaryFiles(dir), [...old].sort());
    assert.deepEqual(await listFiles(dir), [...kept].sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

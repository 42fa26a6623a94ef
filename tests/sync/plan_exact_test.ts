/**
 * The plan's minimum equals the requests a run makes, for every range length: 1, 28, 90 and
 * 91 days (one and two `dau-count` windows), 365 and 730 days (`user-activity` over several
 * 90-day chunks, each paged by its own identities). Against the simulator over real HTTP,
 * with `daily-usage` drifting from the records so that `user-activity` is fetched.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AnalyticsClient } from "../../src/augment/client.ts";
import { newestPublishedDay } from "../../src/augment/dates.ts";
import { HttpClient } from "../../src/http/client.ts";
import { runExport } from "../../src/job/export_range.ts";
import { silentReporter } from "../../src/job/reporter.ts";
import { addDays } from "../../src/model/dates.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import { viewsFor } from "../../src/views/registry.ts";
import { withTempDir } from "../e2e/helpers.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");

for (const days of [1, 28, 90, 91, 365, 730]) {
  Deno.test(`a ${days}-day range makes exactly the plan's minimum of requests`, async () => {
    await using sim = await startSimulator({
      now: () => NOW,
      rateLimit: false,
      // Over 100 identities: user-activity chunks of a long range need different page counts.
      users: 140,
      faults: { dailyUsageDrift: true },
    });
    await withTempDir(async (dir) => {
      const end = newestPublishedDay(NOW);
      const start = addDays(end, -(days - 1));
      const http = new HttpClient({
        baseUrl: sim.url,
        token: SIMULATOR_TOKEN,
        userAgent: "augment-metrics/test",
        timeoutMs: 10_000,
        maxRetries: 0,
        ratePerMinute: 600_000,
        burst: 100,
      });
      const client = new AnalyticsClient(http, { now: () => NOW });
      const result = await runExport({
        client,
        stats: http.stats,
        storeDir: join(dir, ".store"),
        storeKey: sim.url,
        out: new OutputDir(dir),
        spec: { kind: "explicit", start, end },
        // The CSV summary of a dated range is what asks for user-activity over the range.
        views: viewsFor(["csv"], { enterpriseId: "e1" }),
        enterpriseId: "e1",
        dated: true,
        now: () => NOW,
        reporter: silentReporter,
      });
      assert.equal(sim.stats.requests, result.requests, "every request counted");
      assert.equal(result.retries, 0);
      if (days >= 365) {
        assert.ok(
          (sim.stats.byEndpoint["/analytics/v0/user-activity"] ?? 0) > 2,
          "user-activity over several chunks",
        );
      }
      const byEndpoint = Object.fromEntries(
        result.minimum.items.map((i) => [`/analytics/v0/${i.endpoint}`, i.requests]),
      );
      assert.deepEqual(byEndpoint, sim.stats.byEndpoint);
      assert.equal(result.minimum.requests, result.requests);
    });
  });
}

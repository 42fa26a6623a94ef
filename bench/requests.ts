/**
 * Request benchmark: a 300-identity organisation over 28 days, the simulator enforcing a
 * scaled-up rate limit (300/min, burst 20) and the client paced at the same rate. Measures
 * requests made against the plan's minimum, wall time against the pacing floor
 * ((requests − burst) ÷ rate), 429s, and a second run's requests.
 */
import { join } from "node:path";
import { AnalyticsClient } from "../src/augment/client.ts";
import { HttpClient } from "../src/http/client.ts";
import { runExport } from "../src/job/export_range.ts";
import { silentReporter } from "../src/job/reporter.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../src/simulator/mod.ts";
import { DEFAULT_FORMATS } from "../src/views/formats.ts";
import { OutputDir } from "../src/views/output_dir.ts";
import { viewsFor } from "../src/views/registry.ts";
import { pacedSeconds } from "../src/store/plan.ts";
import type { BenchTable } from "./conversion.ts";

const T0 = Date.now();
/** A fixed day, with real time passing (the simulator's rate limit refills with it). */
const now = () => Date.parse("2026-11-20T12:00:00Z") + (Date.now() - T0);
const RATE = { perMinute: 300, burst: 20 };

async function once(url: string, dir: string) {
  const http = new HttpClient({
    baseUrl: url,
    token: SIMULATOR_TOKEN,
    timeoutMs: 30_000,
    maxRetries: 5,
    ratePerMinute: RATE.perMinute,
    burst: RATE.burst,
  });
  const client = new AnalyticsClient(http, { now });
  const started = performance.now();
  const result = await runExport({
    client,
    stats: http.stats,
    storeDir: join(dir, ".store"),
    storeKey: url,
    out: new OutputDir(dir),
    spec: { kind: "explicit", start: "2026-10-23", end: "2026-11-19" },
    views: viewsFor(DEFAULT_FORMATS, { enterpriseId: "bench" }),
    enterpriseId: "bench",
    now,
    reporter: silentReporter,
  });
  return { result, seconds: (performance.now() - started) / 1000 };
}

/** Runs the request benchmark and returns its table. */
export async function requestBench(users = 300): Promise<BenchTable> {
  const dir = await Deno.makeTempDir({ prefix: "augment-metrics-bench-" });
  try {
    await using sim = await startSimulator({ users, rateLimit: RATE, now });
    // Pacing is measured against the real clock, the simulator's bucket too.
    const first = await once(sim.url, dir);
    const limited = sim.stats.rateLimited;
    sim.resetStats();
    const second = await once(sim.url, dir);
    const r = first.result;
    const floor = pacedSeconds(r.requests, RATE.perMinute, RATE.burst);
    return {
      title:
        `Requests: ${users} identities × 28 days, rate ${RATE.perMinute}/min, burst ${RATE.burst}`,
      header: ["measure", "value", "target"],
      rows: [
        ["requests made", String(r.requests), `= plan minimum`],
        ["plan minimum", String(r.minimum.requests), ""],
        ["wall time (s)", first.seconds.toFixed(1), `≤ ${(floor * 1.05).toFixed(1)}`],
        ["floor (requests − burst) ÷ rate (s)", floor.toFixed(1), ""],
        ["wall ÷ floor", floor > 0 ? (first.seconds / floor).toFixed(3) : "-", "≤ 1.05"],
        ["429 answers", String(limited), "0"],
        ["second run: requests", String(sim.stats.requests), "0"],
        ["second run: wall time (s)", second.seconds.toFixed(1), ""],
      ],
      numeric: new Set([1]),
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

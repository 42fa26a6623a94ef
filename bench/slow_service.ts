/**
 * Slow-service benchmark: the simulator answering every request 500 ms late, enforcing
 * 300 a minute with a burst of 20, the client paced the same; 300 identities over 28 days.
 * Requests run concurrently as far as the pacer admits, so the wall time stays near the
 * pacing floor ((requests − burst) ÷ rate) instead of growing with the latency. Checks that
 * no 429 is self-inflicted and that the files equal those of a run against a service with no
 * latency (sha256 of every exported file).
 */
import { join, relative } from "node:path";
import { AnalyticsClient } from "../src/augment/client.ts";
import { HttpClient } from "../src/http/client.ts";
import { runExport } from "../src/job/export_range.ts";
import { type Reporter, silentReporter } from "../src/job/reporter.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../src/simulator/mod.ts";
import { pacedSeconds } from "../src/store/plan.ts";
import { DEFAULT_FORMATS } from "../src/views/formats.ts";
import { OutputDir } from "../src/views/output_dir.ts";
import { viewsFor } from "../src/views/registry.ts";
import type { BenchTable } from "./conversion.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const T0 = Date.now();
/** The service's clock: the fixed day with real time passing (its rate limit refills with it). */
const serviceNow = () => NOW + (Date.now() - T0);
const RATE = { perMinute: 300, burst: 20 };
const LATENCY_MS = 500;
const RANGE = { kind: "explicit", start: "2026-10-23", end: "2026-11-19" } as const;

/** One export into `dir`; the run's own clock is fixed, so two runs write the same files. */
async function exportOnce(url: string, dir: string, paced: boolean) {
  const http = new HttpClient({
    baseUrl: url,
    token: SIMULATOR_TOKEN,
    timeoutMs: 30_000,
    maxRetries: 5,
    ratePerMinute: paced ? RATE.perMinute : 600_000,
    burst: paced ? RATE.burst : 1_000,
  });
  const client = new AnalyticsClient(http, { now: () => NOW });
  const started = performance.now();
  // Fetching ends where rendering starts (the views are made from the store, no request).
  let fetched: number | undefined;
  const reporter: Reporter = {
    ...silentReporter,
    progress(p) {
      if (p.phase !== "fetch") fetched ??= performance.now();
    },
  };
  const result = await runExport({
    client,
    stats: http.stats,
    storeDir: join(dir, ".store"),
    storeKey: "bench",
    out: new OutputDir(dir),
    spec: RANGE,
    views: viewsFor(DEFAULT_FORMATS, { enterpriseId: "bench" }),
    enterpriseId: "bench",
    now: () => NOW,
    reporter,
  });
  const end = performance.now();
  return {
    result,
    seconds: (end - started) / 1000,
    fetchSeconds: ((fetched ?? end) - started) / 1000,
  };
}

/** sha256 of every exported file (the store and the run's own record left out). */
async function digest(dir: string): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) {
        if (e.name !== ".store") await walk(p);
      } else if (e.name !== "last_run.json") files.push(p);
    }
  };
  await walk(dir);
  const lines: string[] = [];
  for (const f of files.sort()) {
    const hash = await crypto.subtle.digest("SHA-256", await Deno.readFile(f));
    lines.push(`${relative(dir, f)} ${hex(hash)}`);
  }
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines.join("\n"))));
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs the slow-service benchmark and returns its table. */
export async function slowServiceBench(users = 300): Promise<BenchTable> {
  const dir = await Deno.makeTempDir({ prefix: "augment-metrics-bench-" });
  try {
    // The reference: a service with no latency and no rate limit.
    let reference: string;
    {
      await using sim = await startSimulator({ users, rateLimit: false, now: serviceNow });
      await exportOnce(sim.url, join(dir, "reference"), false);
      reference = await digest(join(dir, "reference"));
    }
    await using sim = await startSimulator({
      users,
      rateLimit: RATE,
      latencyMs: LATENCY_MS,
      now: serviceNow,
    });
    const slow = await exportOnce(sim.url, join(dir, "slow"), true);
    const r = slow.result;
    const floor = pacedSeconds(r.requests, RATE.perMinute, RATE.burst);
    const same = (await digest(join(dir, "slow"))) === reference;
    return {
      title: `Slow service: ${users} identities × 28 days, ${LATENCY_MS} ms latency, ` +
        `rate ${RATE.perMinute}/min, burst ${RATE.burst}`,
      header: ["measure", "value", "target"],
      rows: [
        ["requests made", String(r.requests), "= plan minimum"],
        ["plan minimum", String(r.minimum.requests), ""],
        ["floor (requests − burst) ÷ rate (s)", floor.toFixed(1), ""],
        [
          "wall time of the fetching (s)",
          slow.fetchSeconds.toFixed(1),
          `≤ ${(floor * 1.1).toFixed(1)}`,
        ],
        [
          "fetching wall ÷ floor",
          floor > 0 ? (slow.fetchSeconds / floor).toFixed(3) : "-",
          "≤ 1.1",
        ],
        ["wall time of the whole run, files written (s)", slow.seconds.toFixed(1), ""],
        [
          "one request at a time: at least requests × latency (s)",
          (r.requests * LATENCY_MS / 1000).toFixed(1),
          "",
        ],
        ["429 answers (service's count)", String(sim.stats.rateLimited), "0"],
        ["files equal to a run with no latency (sha256)", same ? "yes" : "NO", "yes"],
      ],
      numeric: new Set([1]),
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

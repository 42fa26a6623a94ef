/**
 * `serve` under load: requests per second and p50/p99 latency of the 28-day entity report (its
 * signed download) and of the legacy metrics endpoint, with concurrent loopback clients, against
 * the bundle run as users run it (its own process, the binary's permissions), over an output
 * folder of a 10 000-identity organisation written by the real views. RSS of the server before
 * and after the load. Bounded: a fixed time per scenario.
 *
 * Targets (issue #11): ≥ 1 000 requests/s for a cached report, p99 ≤ 50 ms, RSS flat.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addDays, eachDay } from "../src/model/dates.ts";
import { permissionFlags } from "../src/permissions.ts";
import { OutputDir } from "../src/views/output_dir.ts";
import { viewsFor } from "../src/views/registry.ts";
import { render } from "../src/views/render.ts";
import { type BenchTable, generateBenchDay } from "./conversion.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = join(ROOT, "dist", "augment-metrics.js");
const TOKEN = "bench-client-token-0123456789abcdef";

/** What one scenario measured. */
export interface LoadResult {
  readonly name: string;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly bytes: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** `clients` loops fetching `url` for `seconds`, each request read to its end. */
export async function load(
  name: string,
  url: string,
  headers: HeadersInit,
  clients: number,
  seconds: number,
  expectStatus = 200,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      try {
        const res = await fetch(url, { headers });
        const body = await res.arrayBuffer();
        if (res.status !== expectStatus) errors++;
        bytes += body.byteLength;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    seconds: elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    bytes,
  };
}

function rssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Runs the section: writes the folder, starts `serve`, loads it. */
export async function serveBench(
  o: { identities?: number; days?: number; clients?: number; seconds?: number } = {},
): Promise<BenchTable> {
  const identities = o.identities ?? 10_000;
  const days = o.days ?? 28;
  const clients = o.clients ?? 16;
  const seconds = o.seconds ?? 3;
  await Deno.stat(BUNDLE).catch(() => {
    throw new Error(`${BUNDLE} is missing: run "deno task bundle" first`);
  });
  const dir = await Deno.makeTempDir({ prefix: "bench_serve_" });
  const end = "2026-03-28";
  const range = { start: addDays(end, -(days - 1)), end };
  try {
    await render({
      out: new OutputDir(dir),
      views: viewsFor(["copilot", "usage-metrics"], { enterpriseId: "bench", aggregate: false }),
      source: {
        info: () => Promise.resolve({ version: "bench", counters: [], final: true }),
        get: (day) => Promise.resolve(generateBenchDay(day, identities)),
      },
      days: [...eachDay(range.start, range.end)],
      targets: [{ name: "latest", dir: "latest", range }],
      enterpriseId: "bench",
      createdAt: "2026-03-29T04:00:00.000Z",
      oldest: range.start,
    });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...permissionFlags(),
        BUNDLE,
        "serve",
        "--listen",
        "127.0.0.1:0",
        "-o",
        dir,
        "--no-access-log",
      ],
      env: { HOME: dir, AUGMENT_SERVE_TOKENS: TOKEN, NO_COLOR: "1" },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      let base: string | undefined;
      while (!base) {
        const { value, done } = await out.read();
        if (done) throw new Error(`serve did not start: ${text}`);
        text += value;
        base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      }
      out.releaseLock();
      child.stdout.cancel().catch(() => {});
      const auth = { authorization: `Bearer ${TOKEN}` };
      const links = await (await fetch(
        `${base}/orgs/augment/copilot/metrics/reports/organization-28-day/latest`,
        { headers: auth },
      )).json();
      const entityUrl = links.download_links[0] as string;
      const legacyUrl = `${base}/orgs/augment/copilot/metrics`;
      // Warm the caches (the first request renders).
      for (const u of [entityUrl, legacyUrl]) {
        await (await fetch(u, { headers: auth })).arrayBuffer();
      }
      const rssBefore = rssOf(child.pid);
      const reportUrl = `${base}/orgs/augment/copilot/metrics/reports/organization-28-day/latest`;
      const etag = (await fetch(entityUrl).then(async (r) => {
        await r.arrayBuffer();
        return r.headers.get("etag");
      }))!;
      const results = [
        await load("28-day entity report endpoint (links)", reportUrl, auth, clients, seconds),
        await load(
          "28-day entity report download, If-None-Match (304)",
          entityUrl,
          { "if-none-match": etag },
          clients,
          seconds,
          304,
        ),
        await load("28-day entity report download (full body)", entityUrl, {}, clients, seconds),
        await load(
          "28-day entity report download, gzip",
          entityUrl,
          { "accept-encoding": "gzip" },
          clients,
          seconds,
        ),
        await load("legacy /copilot/metrics (28 days)", legacyUrl, auth, clients, seconds),
        await load(
          "legacy /copilot/metrics?per_page=7",
          `${legacyUrl}?per_page=7`,
          auth,
          clients,
          seconds,
        ),
      ];
      const rssAfter = rssOf(child.pid);
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      return {
        title: `serve: ${clients} concurrent loopback clients, ${seconds}s each, ` +
          `${identities} identities × ${days} days`,
        header: ["scenario", "requests/s", "p50 ms", "p99 ms", "errors", "KB/request"],
        rows: results.map((r) => [
          r.name,
          (r.requests / r.seconds).toFixed(0),
          r.p50Ms.toFixed(1),
          r.p99Ms.toFixed(1),
          String(r.errors),
          (r.bytes / Math.max(1, r.requests) / 1024).toFixed(1),
        ]),
        numeric: new Set([1, 2, 3, 4, 5]),
        notes: [
          `server RSS before the load ${mb(rssBefore)} MB, after ${mb(rssAfter)} MB`,
          "targets: ≥ 1000 requests/s for a cached report, p99 ≤ 50 ms, RSS flat",
          "server and clients share the machine's 2 cores (the clients' fetch costs CPU too)",
        ],
      };
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { formatTable } = await import("../scripts/bench.ts");
  console.log(formatTable(await serveBench()));
}

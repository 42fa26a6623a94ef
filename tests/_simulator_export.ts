/**
 * An export from the simulator as the CLI runs one, for tests that need a filled output folder
 * and store: the HTTP client, the Analytics client (and its credits client), `runExport` with
 * the default formats, enterprise `e1`, the store in `<dir>/.store`. Each test overrides what it
 * exercises.
 *
 * @module
 */
import { join } from "node:path";
import { AnalyticsClient } from "../src/augment/client.ts";
import { CreditsClient } from "../src/augment/credits.ts";
import { HttpClient, type HttpClientOptions } from "../src/http/client.ts";
import { runExport, type RunOptions } from "../src/job/export_range.ts";
import { silentReporter } from "../src/job/reporter.ts";
import { SIMULATOR_TOKEN } from "../src/simulator/mod.ts";
import { DEFAULT_FORMATS } from "../src/views/formats.ts";
import { OutputDir } from "../src/views/output_dir.ts";
import { viewsFor } from "../src/views/registry.ts";

/** An HTTP client to the simulator at `url`: no retries, 6000 requests a minute, burst 20. */
export function simulatorHttp(url: string, o: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    baseUrl: url,
    token: SIMULATOR_TOKEN,
    userAgent: "t",
    timeoutMs: 10_000,
    maxRetries: 0,
    ratePerMinute: 6000,
    burst: 20,
    ...o,
  });
}

/** What {@link exportFromSimulator} takes: the run's options, every one but these defaulted. */
export interface SimulatorExport extends Partial<Omit<RunOptions, "client" | "stats" | "now">> {
  readonly url: string;
  readonly dir: string;
  readonly now: number;
  /** The HTTP client (default: {@link simulatorHttp} of `url`). */
  readonly http?: HttpClient;
  /** Fetch credits and cost too, as the CLI connects (default: no). */
  readonly credits?: boolean;
}

/** Exports from the simulator into `dir`; returns the run's result and the HTTP client. */
export async function exportFromSimulator(o: SimulatorExport) {
  const { url, dir, now, http = simulatorHttp(url), credits, ...given } = o;
  // An option given as `undefined` keeps its default.
  const options = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const client = new AnalyticsClient(http, { now: () => now });
  if (credits) client.credits = new CreditsClient(http);
  const result = await runExport({
    client,
    stats: http.stats,
    storeDir: join(dir, ".store"),
    storeKey: url,
    out: new OutputDir(dir),
    spec: { kind: "last-28-days" },
    views: viewsFor(DEFAULT_FORMATS, { enterpriseId: "e1" }),
    enterpriseId: "e1",
    now: () => now,
    reporter: silentReporter,
    ...options,
  });
  return { result, http };
}

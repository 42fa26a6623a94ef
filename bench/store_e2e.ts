/**
 * The whole CLI on a million records: a store holding 10 000 identities' generated days (the
 * 28 days of `latest/` and the 27 before them, in full: about 36 000 records a day), then
 * `augment-metrics export` run as users run it (the bundle, the binary's permissions, its own
 * process) with 0 requests, to the default formats and to every format. Wall time (median of
 * the runs) and peak RSS (the process's high-water mark, `VmHWM`, read by a wrapper).
 *
 * Targets (default formats): ≤ 6 s and ≤ 250 MB.
 *
 * `deno run -A bench/store_e2e.ts [--keep DIR]` keeps the generated store in DIR between runs.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { addDays, eachDay } from "../src/model/dates.ts";
import { runFlags } from "../src/permissions.ts";
import { CreditsStore } from "../src/store/credits_store.ts";
import { DayStore } from "../src/store/day_store.ts";
import { FORMATS } from "../src/views/formats.ts";
import { type BenchTable, generateBenchDay, median } from "./conversion.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = join(ROOT, "dist", "augment-metrics.js");
/** Not contacted: every day is in the store. */
const BASE_URL = "http://127.0.0.1:9";
const END = "2026-03-28";
const NOW = "2026-03-29T12:00:00Z";
const MB = 1024 * 1024;

/** Writes the store (unless `dir` already holds it) and returns its records. */
export async function prepareStore(dir: string, identities = 10_000): Promise<number> {
  const marker = join(dir, "records.txt");
  try {
    return Number(await Deno.readTextFile(marker));
  } catch {
    // not there yet
  }
  const store = await DayStore.open(join(dir, ".store"), BASE_URL, Date.parse(NOW));
  // No credits or cost that day: held, so that the run asks for nothing.
  const credits = new CreditsStore(join(dir, ".store"));
  let records = 0;
  for (const day of eachDay(addDays(END, -54), END)) {
    const data = generateBenchDay(day, identities);
    records += day >= addDays(END, -27) ? data.records.length : 0;
    await store.putDay(data, Date.parse(NOW));
    await credits.putUsage(day, [], Date.parse(NOW));
    await credits.putCost(day, [], Date.parse(NOW));
  }
  await Deno.writeTextFile(marker, String(records));
  return records;
}

interface CliRun {
  readonly seconds: number;
  /** User and system CPU time: steadier than wall time on a busy machine. */
  readonly cpuSeconds: number;
  readonly peakBytes: number;
}

/** One export through the CLI; the peak RSS is the child's `VmHWM` (via /usr/bin/time). */
async function exportOnce(dir: string, formats: readonly string[]): Promise<CliRun> {
  const out = join(dir, "out");
  await Deno.remove(out, { recursive: true }).catch(() => {});
  const args = [
    "-f",
    "%U %S %M",
    Deno.execPath(),
    "run",
    ...runFlags(),
    BUNDLE,
    "--quiet",
    "--now",
    NOW,
    "export",
    "--last-28-days",
    "-o",
    out,
    "--store-dir",
    join(dir, ".store"),
    "--format",
    formats.join(","),
  ];
  const t = performance.now();
  const r = await new Deno.Command("/usr/bin/time", {
    args,
    env: { AUGMENT_API_TOKEN: "bench-token-not-used-0123456789", AUGMENT_API_BASE_URL: BASE_URL },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t) / 1000;
  const err = new TextDecoder().decode(r.stderr).trim().split("\n");
  if (!r.success) throw new Error(`export failed (${r.code}): ${err.join("\n")}`);
  const summary = JSON.parse(await Deno.readTextFile(join(out, "last_run.json")));
  if (summary.requests !== 0) throw new Error(`the export made ${summary.requests} requests`);
  const [user, sys, kb] = (err.at(-1) ?? "").split(" ").map(Number);
  return { seconds, cpuSeconds: user + sys, peakBytes: kb * 1024 };
}

/** The end-to-end section of `deno task bench`. */
export async function storeE2eBench(runs = 3, keep?: string): Promise<BenchTable> {
  const dir = keep ?? await Deno.makeTempDir({ prefix: "bench_store_e2e_" });
  try {
    const records = await prepareStore(dir);
    const rows: string[][] = [];
    const scenarios: [string, readonly string[]][] = [
      ["default formats", ["copilot", "usage-metrics", "legacy-usage", "csv"]],
      ["every format", FORMATS],
    ];
    for (const [name, formats] of scenarios) {
      const results: CliRun[] = [];
      for (let i = 0; i < runs; i++) results.push(await exportOnce(dir, formats));
      rows.push([
        name,
        String(records),
        median(results.map((r) => r.seconds)).toFixed(1),
        median(results.map((r) => r.cpuSeconds)).toFixed(1),
        (Math.max(...results.map((r) => r.peakBytes)) / MB).toFixed(0),
        name === "default formats" ? "≤ 6 s, ≤ 250 MB" : "",
      ]);
    }
    return {
      title:
        `The CLI from the store, 0 requests: 10 000 identities × 28 days (and the 27 days before ` +
        `them, in full); median of ${runs} runs, max peak RSS`,
      header: ["formats", "records", "seconds", "CPU seconds", "peak RSS MB", "target"],
      rows,
      numeric: new Set([1, 2, 3, 4]),
    };
  } finally {
    if (!keep) await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { keep: { type: "string" }, runs: { type: "string" } },
  });
  // Not through scripts/bench.ts, which imports this module: printed here.
  const { table } = await import("../src/cli/output.ts");
  const t = await storeE2eBench(Number(values.runs ?? 3), values.keep);
  console.log(`${t.title}\n\n${table([t.header, ...t.rows], t.numeric ?? new Set())}`);
}

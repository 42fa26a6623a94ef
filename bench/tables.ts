/**
 * Warehouse tables benchmark: about 1 M activity rows (10 000 identities × 28 days, the
 * conversion benchmark's seeded generator, one day at a time) through the views to the
 * Parquet tables, the NDJSON tables, and, for comparison, the JSON formats (Format B + C).
 * Each scenario runs in its own subprocess so that its peak RSS is its own.
 *
 *   deno run --allow-all --v8-flags=--expose-gc bench/tables.ts --format parquet   # one, JSON
 *   deno task bench tables                                                        # the table
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { addDays, eachDay } from "../src/model/dates.ts";
import { OutputDir } from "../src/views/output_dir.ts";
import { viewsFor } from "../src/views/registry.ts";
import { render } from "../src/views/render.ts";
import { ndjsonTablesView, parquetTablesView } from "../src/views/tables.ts";
import type { View } from "../src/views/view.ts";
import { type BenchTable, generatedHistory, median } from "./conversion.ts";
import { V8_FLAGS } from "../src/permissions.ts";

/** What a scenario writes. */
const SCENARIOS = {
  parquet: () => [parquetTablesView()],
  "ndjson-tables": () => [ndjsonTablesView()],
  "json (B + C)": () =>
    viewsFor(["copilot", "usage-metrics"], { enterpriseId: "bench", aggregate: false }),
} as const satisfies Record<string, () => View[]>;
type Scenario = keyof typeof SCENARIOS;

/** What one scenario measured. */
export interface TablesResult {
  readonly scenario: string;
  readonly days: number;
  readonly records: number;
  /** Seconds in the views (`render`), generation excluded. */
  readonly seconds: number;
  /** Highest `Deno.memoryUsage().rss`, sampled every 10 ms and after each day, bytes. */
  readonly peakRss: number;
  readonly outputBytes: number;
  readonly files: number;
}

async function dirBytes(dir: string): Promise<number> {
  let bytes = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    bytes += e.isDirectory ? await dirBytes(p) : (await Deno.stat(p)).size;
  }
  return bytes;
}

/** Runs one scenario in this process: `days` days ending on 2026-03-28. */
export async function runTables(
  scenario: Scenario,
  days = 28,
  identities = 10_000,
): Promise<TablesResult> {
  (globalThis as { gc?: () => void }).gc?.();
  let peakRss = Deno.memoryUsage().rss;
  const sample = () => {
    const rss = Deno.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
  };
  const timer = setInterval(sample, 10);
  const dir = await Deno.makeTempDir({ prefix: "bench_tables_" });
  const end = "2026-03-28";
  const range = { start: addDays(end, -(days - 1)), end };
  const history = generatedHistory(range, identities, sample);
  try {
    const source = history.source;
    const started = performance.now();
    const result = await render({
      out: new OutputDir(dir),
      views: SCENARIOS[scenario](),
      source,
      days: [...eachDay(range.start, range.end)],
      targets: scenario.startsWith("json") ? [{ name: "latest", dir: "latest", range }] : [],
      enterpriseId: "bench",
      createdAt: "2026-03-29T04:00:00.000Z",
      oldest: range.start,
    });
    const seconds = (performance.now() - started - history.generateMs) / 1000;
    sample();
    return {
      scenario,
      days,
      records: history.records,
      seconds,
      peakRss,
      outputBytes: await dirBytes(dir),
      files: result.files.length,
    };
  } finally {
    clearInterval(timer);
    await Deno.remove(dir, { recursive: true });
  }
}

async function runSubprocess(scenario: Scenario, days: number, identities: number) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      // The program's own V8 settings (as the binary runs), and gc() for the bench.
      `--v8-flags=${[...V8_FLAGS, "--expose-gc"].join(",")}`,
      fileURLToPath(import.meta.url),
      "--format",
      scenario,
      "--days",
      String(days),
      "--identities",
      String(identities),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`Tables benchmark "${scenario}" failed (exit ${out.code})`);
  return JSON.parse(
    new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!,
  ) as TablesResult;
}

const MB = 1024 * 1024;

/**
 * The tables section of `deno task bench`: Parquet, NDJSON tables and JSON, 28 days, each
 * `runs` times in turn (one of each, then again: a busy moment of the machine falls on all of
 * them), the median of each's time and peak memory (a single run's peak moves by ±10 MB with
 * when the collector runs).
 */
export async function tablesBench(
  days = 28,
  identities = 10_000,
  runs = 3,
): Promise<BenchTable> {
  const scenarios = Object.keys(SCENARIOS) as Scenario[];
  const results = new Map<Scenario, TablesResult[]>(scenarios.map((s) => [s, []]));
  for (let i = 0; i < runs; i++) {
    for (const s of scenarios) results.get(s)!.push(await runSubprocess(s, days, identities));
  }
  const rows = scenarios.map((s) => {
    const rs = results.get(s)!;
    const r = rs[0];
    const seconds = median(rs.map((x) => x.seconds));
    return [
      r.scenario,
      String(r.records),
      seconds.toFixed(2),
      Math.round(r.records / seconds).toLocaleString("en-US"),
      (median(rs.map((x) => x.peakRss)) / MB).toFixed(0),
      (Math.max(...rs.map((x) => x.peakRss)) / MB).toFixed(0),
      (r.outputBytes / MB).toFixed(1),
      String(r.files),
    ];
  });
  return {
    title: `Warehouse tables: ${identities} identities × ${days} days through the views, ` +
      `median of ${runs} runs`,
    header: [
      "format",
      "records",
      "seconds",
      "records/s",
      "peak RSS MB",
      "max peak MB",
      "output MB",
      "files",
    ],
    rows,
    numeric: new Set([1, 2, 3, 4, 5, 6, 7]),
    notes: [
      "seconds: render (generation excluded); json writes the daily files and latest/",
      "target: parquet ≤ 2× the json time, and no more peak memory",
    ],
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      format: { type: "string" },
      days: { type: "string", default: "28" },
      identities: { type: "string", default: "10000" },
      runs: { type: "string", default: "3" },
    },
  });
  if (values.format === undefined) {
    // Not scripts/bench.ts's formatter: it imports this module (a cycle that never resolves).
    const t = await tablesBench(
      Number(values.days),
      Number(values.identities),
      Number(values.runs),
    );
    const widths = t.header.map((h, c) => Math.max(h.length, ...t.rows.map((r) => r[c].length)));
    console.log(t.title);
    for (const r of [t.header, ...t.rows]) {
      console.log(
        r.map((v, c) => c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c])).join("  "),
      );
    }
    for (const n of t.notes ?? []) console.log(n);
  } else {
    if (!(values.format in SCENARIOS)) {
      console.error(`Unknown scenario "${values.format}": choose from ${Object.keys(SCENARIOS)}`);
      Deno.exit(2);
    }
    const r = await runTables(
      values.format as Scenario,
      Number(values.days),
      Number(values.identities),
    );
    console.log(JSON.stringify(r));
  }
}

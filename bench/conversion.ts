/**
 * Conversion benchmark: about 1 M editor-language records (≈10 000 identities × 28 days,
 * seeded, generated day by day — never all in memory) through the views (`render`) to Format B
 * + Format C + CSV in a temporary folder. Each scenario (7, 14, 28 days) runs in its own
 * subprocess so that its peak RSS is its own: memory should be flat in the number of days.
 *
 *   deno run --allow-all --v8-flags=--expose-gc bench/conversion.ts --days 28   # one scenario, JSON
 *   deno task bench conversion                                                  # the table
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { OutputDir } from "../src/views/output_dir.ts";
import { viewsFor } from "../src/views/registry.ts";
import { type DaySource, render } from "../src/views/render.ts";
import { addDays, eachDay } from "../src/model/dates.ts";
import { addCounters, type Counters, emptyCounters } from "../src/model/metrics.ts";
import type { ActivityRecord, Day, DayData, IdentityKind } from "../src/model/types.ts";
import { mulberry32 as prng } from "../src/simulator/prng.ts";
import { V8_FLAGS } from "../src/permissions.ts";

/** The middle value of `xs` (the upper one of the two middle values when even). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** A table of results, as every section of `scripts/bench.ts` returns. */
export interface BenchTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Columns to right-align (numbers). */
  readonly numeric?: ReadonlySet<number>;
  readonly notes?: readonly string[];
}

/** What one scenario measured. */
export interface ConversionResult {
  readonly days: number;
  readonly identities: number;
  readonly records: number;
  /** Seconds spent in the exporter (`addDay` + `finish`), generation excluded. */
  readonly exportSeconds: number;
  /** Seconds of the whole scenario, generation included. */
  readonly totalSeconds: number;
  /** Highest `Deno.memoryUsage().rss` sampled (every 10 ms and after each day), bytes. */
  readonly peakRss: number;
  /** The kernel's peak resident set (`VmHWM`), bytes, when the system reports it. */
  readonly vmHwm?: number;
  /** Bytes written to the output folder. */
  readonly outputBytes: number;
  readonly files: number;
}

const EDITORS = ["VSCode", "JetBrains", "Vim", "Neovim", "Cursor"];
const LANGUAGES = [
  "Python",
  "TypeScript",
  "JavaScript",
  "Go",
  "Rust",
  "Java",
  "Kotlin",
  "C++",
  "C#",
  "Ruby",
  "PHP",
  "Swift",
  "Scala",
  "SQL",
  "Shell",
  "YAML",
  "Markdown",
  "HTML",
  "CSS",
  "unknown",
];

/** An identity of the generated organisation: 5 % service accounts. */
function identityOf(i: number): { name: string; kind: IdentityKind } {
  return i % 20 === 19
    ? { name: `svc-pipeline-${i}`, kind: "service_account" }
    : { name: `user${i}@example.com`, kind: "user" };
}

/** Counters of one generated record: each feature is used with its own probability. */
function generateCounters(rand: () => number): Counters {
  const m = emptyCounters() as Record<string, number>;
  const n = (max: number) => 1 + Math.floor(rand() * max);
  if (rand() < 0.75) {
    m.completions_count = n(60);
    m.completions_accepted = Math.floor(m.completions_count * rand() * 0.5);
    m.completions_suggested_lines_of_code = m.completions_count * n(3);
    m.completions_lines_of_code = Math.floor(m.completions_suggested_lines_of_code * rand() * 0.5);
  }
  if (rand() < 0.25) m.chat_messages = n(20);
  if (rand() < 0.2) {
    m.ide_agent_messages = n(30);
    m.ide_agent_lines_of_code = n(400);
  }
  if (rand() < 0.03) {
    m.remote_agent_messages = n(10);
    m.remote_agent_lines_of_code = n(800);
  }
  if (rand() < 0.04) {
    m.cli_agent_interactive_messages = n(15);
    m.cli_agent_interactive_lines_of_code = n(200);
  }
  if (rand() < 0.02) {
    m.cli_agent_non_interactive_messages = n(50);
    m.cli_agent_non_interactive_lines_of_code = n(500);
  }
  m.total_messages = m.chat_messages + m.ide_agent_messages + m.remote_agent_messages +
    m.cli_agent_interactive_messages + m.cli_agent_non_interactive_messages;
  m.total_tool_calls = (m.total_messages - m.chat_messages) * n(4);
  m.total_modified_lines_of_code = m.completions_lines_of_code + m.ide_agent_lines_of_code +
    m.remote_agent_lines_of_code + m.cli_agent_interactive_lines_of_code +
    m.cli_agent_non_interactive_lines_of_code;
  return m as Counters;
}

/**
 * One generated day: each identity is active with probability 0.8, on 1–8 (editor, language)
 * pairs (4.5 on average; mostly one editor), so about 36 000 records a day for 10 000
 * identities. Per record, completions are used with probability 0.75, chat 0.25, the IDE
 * agent 0.2, the Remote Agent 0.03 and the CLI agent 0.06.
 */
export function generateBenchDay(day: Day, identities: number, seed = 1): DayData {
  const rand = prng(seed * 1_000_003 + Number(day.replaceAll("-", "")));
  const records: ActivityRecord[] = [];
  const usage = emptyCounters();
  let active = 0;
  for (let i = 0; i < identities; i++) {
    if (rand() >= 0.8) continue;
    active++;
    const id = identityOf(i);
    const pairs = 1 + Math.floor(rand() * 8);
    const editor = EDITORS[Math.floor(rand() * EDITORS.length)];
    const first = Math.floor(rand() * LANGUAGES.length);
    for (let p = 0; p < pairs; p++) {
      const metrics = generateCounters(rand);
      records.push({
        day,
        identity: id.name,
        kind: id.kind,
        editor: p % 4 === 3 ? EDITORS[(p + i) % EDITORS.length] : editor,
        language: LANGUAGES[(first + p) % LANGUAGES.length],
        metrics,
      });
      addCounters(usage, metrics);
    }
  }
  return { day, records, dauCount: active, usage };
}

function vmHwm(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function dirBytes(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) {
      const sub = await dirBytes(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += (await Deno.stat(p)).size;
      files++;
    }
  }
  return { bytes, files };
}

/**
 * A history of generated days over `range` (nothing else is held), counting the records it
 * hands out and the time spent generating them, which a benchmark leaves out of its own.
 */
export function generatedHistory(
  range: { start: Day; end: Day },
  identities: number,
  onDay: () => void = () => {},
): { source: DaySource; readonly records: number; readonly generateMs: number } {
  const h = {
    records: 0,
    generateMs: 0,
    source: {
      info: (day: Day) =>
        Promise.resolve(
          day >= range.start && day <= range.end
            ? { version: "bench", counters: [], final: true }
            : undefined,
        ),
      get: (day: Day) => {
        const t = performance.now();
        const data = generateBenchDay(day, identities);
        h.records += data.records.length;
        h.generateMs += performance.now() - t;
        onDay();
        return Promise.resolve(data);
      },
    } as DaySource,
  };
  return h;
}

/** Runs one scenario in this process: `days` days ending on 2026-03-28. */
export async function runConversion(days: number, identities = 10_000): Promise<ConversionResult> {
  (globalThis as { gc?: () => void }).gc?.();
  let peakRss = Deno.memoryUsage().rss;
  const sample = () => {
    const rss = Deno.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
  };
  const timer = setInterval(sample, 10);
  const outputDir = await Deno.makeTempDir({ prefix: "bench_conversion_" });
  const end = "2026-03-28";
  const range = { start: addDays(end, -(days - 1)), end };
  const started = performance.now();
  let exportMs = 0;
  let records = 0;
  try {
    // The history: days generated on demand (generation time is left out of the export's).
    const history = generatedHistory(range, identities, sample);
    const source = history.source;
    const result = await render({
      out: new OutputDir(outputDir),
      views: viewsFor(["copilot", "usage-metrics", "csv"], {
        enterpriseId: "bench-enterprise",
        aggregate: false,
      }),
      source,
      days: [...eachDay(range.start, range.end)],
      targets: [{ name: "latest", dir: "latest", range }],
      enterpriseId: "bench-enterprise",
      createdAt: "2026-03-29T04:00:00.000Z",
      oldest: range.start,
    });
    exportMs = performance.now() - started - history.generateMs;
    records = history.records;
    sample();
    const totalSeconds = (performance.now() - started) / 1000;
    const { bytes } = await dirBytes(outputDir);
    return {
      days,
      identities: result.targets[0]?.identities ?? 0,
      records,
      exportSeconds: exportMs / 1000,
      totalSeconds,
      peakRss,
      vmHwm: vmHwm(),
      outputBytes: bytes,
      files: result.files.length,
    };
  } finally {
    clearInterval(timer);
    await Deno.remove(outputDir, { recursive: true });
  }
}

/** Runs one scenario in a subprocess (so that its peak RSS is its own). */
export async function runConversionSubprocess(
  days: number,
  identities = 10_000,
): Promise<ConversionResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      // The program's own V8 settings (as the binary runs), and gc() for the bench.
      `--v8-flags=${[...V8_FLAGS, "--expose-gc"].join(",")}`,
      fileURLToPath(import.meta.url),
      "--days",
      String(days),
      "--identities",
      String(identities),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`Benchmark scenario of ${days} days failed (exit ${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

const MB = 1024 * 1024;

/** The conversion section of `deno task bench`: 7, 14 and 28 days, one subprocess each. */
export async function conversionBench(
  scenarios: readonly number[] = [7, 14, 28],
  identities = 10_000,
): Promise<BenchTable> {
  const rows: string[][] = [];
  for (const days of scenarios) {
    const r = await runConversionSubprocess(days, identities);
    rows.push([
      String(r.days),
      String(r.records),
      String(r.identities),
      r.exportSeconds.toFixed(2),
      Math.round(r.records / r.exportSeconds).toLocaleString("en-US"),
      (r.peakRss / MB).toFixed(0),
      r.vmHwm === undefined ? "-" : (r.vmHwm / MB).toFixed(0),
      (r.outputBytes / MB).toFixed(0),
    ]);
  }
  return {
    title: `Conversion: ${identities} identities, B + C + CSV through the views`,
    header: [
      "days",
      "records",
      "identities",
      "seconds",
      "records/s",
      "peak RSS MB",
      "VmHWM MB",
      "output MB",
    ],
    rows,
    numeric: new Set([0, 1, 2, 3, 4, 5, 6, 7]),
    notes: [
      "seconds: render (generation excluded); peak RSS sampled every 10 ms and after each day",
      "targets: 28 days ≤ 10 s and ≤ 300 MB on 2 cores; RSS should be flat in the number of days",
    ],
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      days: { type: "string", default: "28" },
      identities: { type: "string", default: "10000" },
    },
  });
  const result = await runConversion(Number(values.days), Number(values.identities));
  console.log(JSON.stringify(result));
}

/**
 * Large-organisation benchmark: the real CLI (the bundle, under the binary's permissions) in a
 * subprocess exports 28 days of a 10 000-identity organisation from the simulator (served by
 * this process, without a rate limit; the client paced at its maximum, 6000 a minute). Measures
 * the CLI's peak memory — the kernel's high-water mark (`VmHWM`), read while it runs — and its
 * requests against the plan's minimum, and a second run against the same store.
 *
 *   deno task bench large-org
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runFlags } from "../src/permissions.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../src/simulator/mod.ts";
import type { BenchTable } from "./conversion.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = join(ROOT, "dist", "augment-metrics.js");
const NOW = "2026-11-20T12:00:00Z";
const RANGE = { start: "2026-10-23", end: "2026-11-19" };

/** What one CLI run measured. */
interface CliRun {
  readonly seconds: number;
  /** Peak resident set of the CLI process, bytes (0 when the system does not tell). */
  readonly peakRss: number;
  /** The run's `last_run.json`. */
  readonly summary: { requests: number; planned_minimum_requests: number };
}

/** The kernel's high-water mark of `pid`'s resident set, bytes; 0 when unknown. */
async function vmHwm(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0; // not Linux, or already gone
  }
}

async function exportOnce(url: string, dir: string): Promise<CliRun> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...runFlags(),
      BUNDLE,
      "export",
      "--start-date",
      RANGE.start,
      "--end-date",
      RANGE.end,
      "--output-dir",
      join(dir, "out"),
      "--now",
      NOW,
    ],
    env: {
      AUGMENT_API_BASE_URL: url,
      AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
      AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
      AUGMENT_RATE_LIMIT_BURST: "100",
      AUGMENT_CREDITS_RATE_LIMIT_PER_MINUTE: "6000",
      HOME: dir,
      NO_COLOR: "1",
    },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await vmHwm(child.pid));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  running = false;
  await sampler;
  const seconds = (performance.now() - started) / 1000;
  if (!status.success) {
    throw new Error(`the export failed (exit ${status.code}): ${stderr.trim().split("\n").at(-1)}`);
  }
  const summary = JSON.parse(await Deno.readTextFile(join(dir, "out", "last_run.json")));
  return { seconds, peakRss: peak, summary };
}

const mb = (bytes: number) => bytes > 0 ? `${Math.round(bytes / 2 ** 20)} MB` : "n/a";

/** Runs the large-organisation benchmark and returns its table. */
export async function largeOrgBench(users = 10_000): Promise<BenchTable> {
  await Deno.stat(BUNDLE).catch(() => {
    throw new Error(`${BUNDLE} is missing: run "deno task bundle" first`);
  });
  const dir = await Deno.makeTempDir({ prefix: "augment-metrics-bench-" });
  try {
    await using sim = await startSimulator({ users, rateLimit: false, now: () => Date.parse(NOW) });
    const first = await exportOnce(sim.url, dir);
    sim.resetStats();
    const second = await exportOnce(sim.url, dir);
    return {
      title: `Large organisation: ${users} identities × 28 days, the CLI in a subprocess`,
      header: ["measure", "first run", "second run", "target"],
      rows: [
        ["requests made", String(first.summary.requests), String(second.summary.requests), ""],
        ["plan minimum", String(first.summary.planned_minimum_requests), "", "= requests made"],
        ["wall time (s)", first.seconds.toFixed(1), second.seconds.toFixed(1), ""],
        ["peak RSS", mb(first.peakRss), mb(second.peakRss), "≤ 250 MB"],
      ],
      numeric: new Set([1, 2]),
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

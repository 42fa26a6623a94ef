/**
 * `augment-metrics demo`: the simulator on a free loopback port, and the real export of the
 * last 28 days from it — no token, no network beyond loopback.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { loadSettings } from "../config/settings.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../simulator/mod.ts";
import { exportCommand } from "./export.ts";
import type { CommandContext } from "./context.ts";
import { table } from "./output.ts";

/** Options of `demo`. */
export interface DemoFlags {
  outputDir?: string;
  users?: number;
  seed?: number;
}

/** The demo's simulator and client both allow this rate, so the demo takes seconds. */
const DEMO_RATE = { perMinute: 1200, burst: 20 };
const DEMO_SETTINGS = { ratePerMinute: DEMO_RATE.perMinute, burst: DEMO_RATE.burst };

interface DayTotal {
  day: string;
  daily_active_users: number;
  weekly_active_users: number;
  monthly_active_users: number;
  user_initiated_interaction_count: number;
  loc_added_sum: number;
  totals_by_feature: {
    feature: string;
    code_generation_activity_count: number;
    code_acceptance_activity_count: number;
  }[];
}

/** Runs the demo. */
export async function demoCommand(flags: DemoFlags, ctx: CommandContext): Promise<void> {
  const outputDir = resolve(flags.outputDir ?? join("data", "demo"));
  // The demo reads no environment and no .env: it is the same for everyone.
  const loaded = await loadSettings({ env: () => undefined, cwd: outputDir });
  await using sim = await startSimulator({
    hostname: "127.0.0.1",
    port: 0,
    seed: flags.seed ?? 1,
    users: flags.users ?? 25,
    now: ctx.now,
    rateLimit: DEMO_RATE,
  });
  ctx.output.info(
    `Simulator on ${sim.url} (${flags.users ?? 25} identities, seed ${flags.seed ?? 1})`,
  );
  const result = await exportCommand(
    { last28Days: true, outputDir },
    ctx,
    {
      loaded: { ...loaded, settings: { ...loaded.settings, baseUrl: sim.url, ...DEMO_SETTINGS } },
      connect: { baseUrl: sim.url, token: SIMULATOR_TOKEN, ...DEMO_SETTINGS },
      // The port changes on every run; the data does not.
      storeKey: `simulator:seed=${flags.seed ?? 1},users=${flags.users ?? 25}`,
    },
  );
  if (!result) return;
  // The 28-day report of latest/, written by this run or an earlier one (a re-run writes none).
  const report = join("latest", "enterprise-28-day.json");
  const doc = JSON.parse(await Deno.readTextFile(join(outputDir, report))) as {
    day_totals: DayTotal[];
  };
  ctx.output.result(
    "\n" + headline(doc.day_totals) +
      `\nOpen ${
        join(outputDir, report)
      } in a Copilot metrics tool, or see the README's output layout.`,
  );
}

/** The headline numbers of a 28-day entity report, as a small table. */
export function headline(days: readonly DayTotal[]): string {
  const sum = (f: (d: DayTotal) => number) => days.reduce((s, d) => s + f(d), 0);
  const feature = (d: DayTotal, name: string) =>
    d.totals_by_feature.find((f) => f.feature === name);
  const shown = sum((d) => feature(d, "code_completion")?.code_generation_activity_count ?? 0);
  const accepted = sum((d) => feature(d, "code_completion")?.code_acceptance_activity_count ?? 0);
  const last = days.at(-1);
  const peak = Math.max(0, ...days.map((d) => d.daily_active_users));
  const avg = days.length ? sum((d) => d.daily_active_users) / days.length : 0;
  const rows = [
    ["metric", "value"],
    ["days", String(days.length)],
    ["daily active users (average / peak)", `${avg.toFixed(1)} / ${peak}`],
    [
      `weekly / monthly active users (${last?.day ?? "-"})`,
      `${last?.weekly_active_users ?? 0} / ${last?.monthly_active_users ?? 0}`,
    ],
    ["completions shown / accepted", `${shown} / ${accepted}`],
    ["acceptance rate", shown ? `${(100 * accepted / shown).toFixed(1)}%` : "-"],
    ["chat and agent interactions", String(sum((d) => d.user_initiated_interaction_count))],
    ["lines added", String(sum((d) => d.loc_added_sum))],
  ];
  return table(rows, new Set([1]));
}

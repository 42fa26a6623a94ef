/**
 * Output folders for the serve tests, written by the real views (`render()` over generated
 * days), exactly as `export` writes them: `daily/<day>/…` and `latest/…`, plus a dated copy.
 *
 * @module
 */
import { join } from "node:path";
import type { DayRange } from "../../src/model/dates.ts";
import { eachDay } from "../../src/model/dates.ts";
import type { Day } from "../../src/model/types.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import { viewsFor } from "../../src/views/registry.ts";
import { render, type RenderResult } from "../../src/views/render.ts";
import { generateDay } from "../export/helpers.ts";

/** The enterprise id of the fixtures. */
export const ENTERPRISE_ID = "acme-enterprise";
/** `created_at` of the fixtures' reports. */
export const CREATED_AT = "2026-03-02T04:00:00.000Z";

/** Renders `days` of generated data into `dir` (per-day files, `latest/`, dated copies of `dated`);
 * the folders of the days in `skip` are removed afterwards. */
export async function writeOutputFolder(
  dir: string,
  range: DayRange,
  options: { dated?: DayRange[]; more?: number; createdAt?: string; skip?: Day[] } = {},
): Promise<RenderResult> {
  const held = (day: Day) => day >= range.start && day <= range.end;
  const result = await render({
    out: new OutputDir(dir),
    views: viewsFor(["copilot", "usage-metrics"], {
      enterpriseId: ENTERPRISE_ID,
      aggregate: false,
    }),
    source: {
      info: (day) =>
        Promise.resolve(held(day) ? { version: `v-${day}`, counters: [], final: true } : undefined),
      get: (day) => Promise.resolve(generateDay(day, { more: options.more ?? 4 })),
    },
    days: [...eachDay(range.start, range.end)].filter(held),
    targets: [
      { name: "latest", dir: "latest", range: { start: range.start, end: range.end } },
      ...(options.dated ?? []).map((r) => ({
        name: `${r.start}_to_${r.end}`,
        dir: `reports/${r.start}_to_${r.end}`,
        range: r,
      })),
    ],
    enterpriseId: ENTERPRISE_ID,
    createdAt: options.createdAt ?? CREATED_AT,
    oldest: range.start,
    force: true,
  });
  // A day the service had no data for: its folder is missing.
  for (const day of options.skip ?? []) {
    await Deno.remove(join(dir, "daily", day), { recursive: true });
  }
  return result;
}

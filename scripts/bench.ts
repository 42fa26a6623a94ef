/**
 * `deno task bench [section...]`: runs the benchmark sections (all by default) and prints one
 * table each. A section is a function returning a {@link BenchTable}; add one to {@link SECTIONS}.
 *
 * @module
 */
import { type BenchTable, conversionBench } from "../bench/conversion.ts";
import { largeOrgBench } from "../bench/large_org.ts";
import { requestBench } from "../bench/requests.ts";
import { serveBench } from "../bench/serve.ts";
import { slowServiceBench } from "../bench/slow_service.ts";
import { startupBench } from "../bench/startup.ts";
import { storeE2eBench } from "../bench/store_e2e.ts";
import { tablesBench } from "../bench/tables.ts";
import { table } from "../src/cli/output.ts";

export type { BenchTable };

/** A named benchmark section. */
export interface BenchSection {
  readonly name: string;
  readonly run: () => Promise<BenchTable>;
}

/** Every section, in the order they run. */
export const SECTIONS: readonly BenchSection[] = [
  { name: "startup", run: () => startupBench() },
  { name: "requests", run: () => requestBench() },
  { name: "slow-service", run: () => slowServiceBench() },
  { name: "large-org", run: () => largeOrgBench() },
  { name: "conversion", run: () => conversionBench() },
  { name: "store-e2e", run: () => storeE2eBench() },
  { name: "tables", run: () => tablesBench() },
  { name: "serve", run: () => serveBench() },
];

/** A table as text: title, aligned columns, notes. */
export function formatTable(t: BenchTable): string {
  const body = table([t.header, ...t.rows], t.numeric ?? new Set());
  const notes = (t.notes ?? []).map((n) => `  ${n}\n`).join("");
  return `${t.title}\n\n${body}${notes ? "\n" + notes : ""}`;
}

if (import.meta.main) {
  const wanted = Deno.args.length > 0 ? new Set(Deno.args) : undefined;
  const unknown = [...(wanted ?? [])].filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark section "${unknown[0]}": choose from ${
        SECTIONS.map((s) => `"${s.name}"`).join(", ")
      }`,
    );
    Deno.exit(2);
  }
  for (const section of SECTIONS) {
    if (wanted && !wanted.has(section.name)) continue;
    console.log(formatTable(await section.run()));
  }
}

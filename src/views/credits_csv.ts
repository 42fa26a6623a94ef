/**
 * Credits and cost as CSV (with `--format csv`), per range target (`latest/`, dated copies):
 *
 * - `credits.csv`: `day, identity, identity_kind, model, credits` — one row per day, identity
 *   and model, from `credit-usage-by-user`;
 * - `cost.csv`: `day, resource, resource_type, input_tokens, output_tokens, cache_read_tokens,
 *   cache_write_tokens, billed_amount_usd, estimated_customer_cost_usd, credits_consumed` — one
 *   row per day and resource, from `cost-analytics`.
 *
 * Amounts are exact decimal strings. A day whose credits or cost are unknown (the endpoint not
 * enabled) has no rows; a field the service did not send is an empty cell. RFC 4180 quoting and
 * formula neutralisation as every CSV file of the tool (`export/csv.ts`).
 *
 * @module
 */
import { type CsvCell, csvRow } from "../export/csv.ts";
import type { Day } from "../model/types.ts";
import { FileView } from "./file_view.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { paths } from "./writer.ts";

const CREDITS = "credits.csv";
const COST = "cost.csv";

/** The header of `credits.csv`. */
export const CREDITS_COLUMNS = ["day", "identity", "identity_kind", "model", "credits"] as const;

/** The header of `cost.csv`. */
export const COST_COLUMNS = [
  "day",
  "resource",
  "resource_type",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "billed_amount_usd",
  "estimated_customer_cost_usd",
  "credits_consumed",
] as const;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `credits.csv` and `cost.csv` of each range target. */
export class CreditsCsvView extends FileView {
  readonly name = "credits-csv";
  readonly optionsKey = "credits-csv/1";

  dayFiles(_day: Day): readonly string[] {
    return [];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return [paths.targetFile(target, CREDITS), paths.targetFile(target, COST)];
  }

  protected async writeDay(f: DayFacts, _perDay: boolean): Promise<void> {
    const c = f.data.credits;
    for (const t of f.targets) {
      const credits = await this.files.stream(
        paths.targetFile(t, CREDITS),
        (file) => file.write(csvRow([...CREDITS_COLUMNS])),
      );
      const cost = await this.files.stream(
        paths.targetFile(t, COST),
        (file) => file.write(csvRow([...COST_COLUMNS])),
      );
      let text = "";
      const records = [...(c?.records ?? [])].sort((x, y) =>
        cmp(x.identity, y.identity) || cmp(x.kind, y.kind) || cmp(x.model, y.model)
      );
      for (const r of records) {
        text += csvRow([f.day, r.identity, r.kind, r.model, r.credits.toString()]);
      }
      credits.write(text);
      text = "";
      for (const p of [...(c?.cost ?? [])].sort((x, y) => cmp(x.resource, y.resource))) {
        const cells: CsvCell[] = [
          f.day,
          p.resource,
          p.resourceType ?? "",
          p.inputTokens ?? "",
          p.outputTokens ?? "",
          p.cacheReadTokens ?? "",
          p.cacheWriteTokens ?? "",
          p.billedUsd?.toString() ?? "",
          p.estimatedCustomerCostUsd?.toString() ?? "",
          p.credits?.toString() ?? "",
        ];
        text += csvRow(cells);
      }
      cost.write(text);
    }
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const t = r.target;
    for (const [name, columns] of [[CREDITS, CREDITS_COLUMNS], [COST, COST_COLUMNS]] as const) {
      const rel = paths.targetFile(t, name);
      await this.files.stream(rel, (f) => f.write(csvRow([...columns])));
      await this.files.commitStream(rel);
    }
  }
}

/**
 * Credits and cost as warehouse tables, beside the activity tables (`--format parquet`,
 * `--format ndjson-tables`), one file per table per day:
 *
 * ```
 * tables/credits/day=YYYY-MM-DD/part-0.parquet    identity, identity_kind, model, credits
 * tables/cost/day=YYYY-MM-DD/part-0.parquet       resource, resource_type, four token counts, USD, credits
 * tables/{credits,cost}/_schema.json
 * ```
 *
 * (`tables-ndjson/…/part-0.ndjson` for NDJSON.) Amounts are exact decimal strings (`STRING`
 * columns: cast them, e.g. `CAST(credits AS DECIMAL(38, 12))`, where the warehouse needs a
 * number); token counts are `INT64`, null where the service sent none. A day whose credits or cost
 * are unknown (the endpoint not enabled) has a file without rows, like a day without any.
 *
 * @module
 */
import { ByteWriter, parquetWrite } from "hyparquet-writer";
import type { Day } from "../model/types.ts";
import { NAME, VERSION } from "../version.ts";
import { FileView } from "./file_view.ts";
import { parquetSchema } from "./tables/encode.ts";
import { type Column, PARTITION_COLUMN, SCHEMA_VERSION_KEY, TABLE_KEY } from "./tables/schema.ts";
import type { TablesFormat } from "./tables.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { pretty } from "./writer.ts";

const ROOT: Readonly<Record<TablesFormat, { dir: string; file: string }>> = {
  parquet: { dir: "tables", file: "part-0.parquet" },
  ndjson: { dir: "tables-ndjson", file: "part-0.ndjson" },
};

/** The relative path of a credits table's file of `day` (beside the activity tables). */
export function creditTableFile(format: TablesFormat, table: CreditTableName, day: Day): string {
  return `${ROOT[format].dir}/${table}/day=${day}/${ROOT[format].file}`;
}

/** The relative path of a credits table's `_schema.json`. */
export function creditSchemaPath(format: TablesFormat, table: CreditTableName): string {
  return `${ROOT[format].dir}/${table}/_schema.json`;
}

/** The credits tables, in the order they are written. */
export const CREDIT_TABLE_NAMES = ["credits", "cost"] as const;
export type CreditTableName = typeof CREDIT_TABLE_NAMES[number];

/** Version of these tables' columns. */
export const CREDIT_TABLES_SCHEMA_VERSION = 1;

const col = (name: string, type: Column["type"], nullable: boolean, description: string) => ({
  name,
  type,
  nullable,
  description,
});

/** The columns of each table (the partition column `day` is in the path). */
export const CREDIT_TABLE_COLUMNS: Readonly<Record<CreditTableName, readonly Column[]>> = {
  credits: [
    col("identity", "STRING", false, "E-mail or service-account name, exactly as received"),
    col("identity_kind", "STRING", false, "`user` (an e-mail) or `service_account`"),
    col("model", "STRING", false, "The model's name as received (`unknown` when none was sent)"),
    col("credits", "STRING", false, "Credits consumed, an exact decimal"),
  ],
  cost: [
    col("resource", "STRING", false, "`resource_display_name` (`unknown` when none was sent)"),
    col("resource_type", "STRING", true, "`resource_type`, null when not sent"),
    col("input_tokens", "INT64", true, "Input tokens, null when not sent"),
    col("output_tokens", "INT64", true, "Output tokens, null when not sent"),
    col("cache_read_tokens", "INT64", true, "Cache-read tokens, null when not sent"),
    col("cache_write_tokens", "INT64", true, "Cache-write tokens, null when not sent"),
    col("billed_amount_usd", "STRING", true, "USD billed, an exact decimal; null when not sent"),
    col(
      "estimated_customer_cost_usd",
      "STRING",
      true,
      "Estimated customer cost in USD, an exact decimal; null when not sent",
    ),
    col("credits_consumed", "STRING", true, "Credits, an exact decimal; null when not sent"),
  ],
};

const GRAIN: Readonly<Record<CreditTableName, string>> = {
  credits: "one row per day × identity × model (`credit-usage-by-user`)",
  cost: "one row per day × resource (`cost-analytics`, grouped by resource)",
};

/** The rows of a day's table, column by column. */
function columnsOf(table: CreditTableName, f: DayFacts): unknown[][] {
  const c = f.data.credits;
  if (table === "credits") {
    const rs = [...(c?.records ?? [])].sort((x, y) =>
      cmp(x.identity, y.identity) || cmp(x.kind, y.kind) || cmp(x.model, y.model)
    );
    return [
      rs.map((r) => r.identity),
      rs.map((r) => r.kind),
      rs.map((r) => r.model),
      rs.map((r) => r.credits.toString()),
    ];
  }
  const ps = [...(c?.cost ?? [])].sort((x, y) => cmp(x.resource, y.resource));
  return [
    ps.map((p) => p.resource),
    ps.map((p) => p.resourceType ?? null),
    ps.map((p) => p.inputTokens ?? null),
    ps.map((p) => p.outputTokens ?? null),
    ps.map((p) => p.cacheReadTokens ?? null),
    ps.map((p) => p.cacheWriteTokens ?? null),
    ps.map((p) => p.billedUsd?.toString() ?? null),
    ps.map((p) => p.estimatedCustomerCostUsd?.toString() ?? null),
    ps.map((p) => p.credits?.toString() ?? null),
  ];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeParquet(table: CreditTableName, data: unknown[][]): Uint8Array {
  const columns = CREDIT_TABLE_COLUMNS[table];
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: columns.map((c, i) => ({
      name: c.name,
      data: c.type === "INT64"
        ? data[i].map((v) => v === null ? null : BigInt(v as number))
        : data[i] as string[],
    })),
    schema: parquetSchema(columns),
    codec: "SNAPPY",
    statistics: true,
    kvMetadata: [
      { key: SCHEMA_VERSION_KEY, value: String(CREDIT_TABLES_SCHEMA_VERSION) },
      { key: TABLE_KEY, value: table },
    ],
    createdBy: `${NAME} version ${VERSION}`,
  });
  return new Uint8Array(writer.getBuffer());
}

function encodeNdjson(table: CreditTableName, data: unknown[][]): string {
  const columns = CREDIT_TABLE_COLUMNS[table];
  const rows = data[0]?.length ?? 0;
  let text = "";
  for (let r = 0; r < rows; r++) {
    const row: Record<string, unknown> = {};
    columns.forEach((c, i) => row[c.name] = data[i][r]);
    text += JSON.stringify(row) + "\n";
  }
  return text;
}

/** The `_schema.json` of a credits table. */
export function creditSchemaFile(table: CreditTableName, format: TablesFormat): unknown {
  return {
    table,
    format,
    schema_version: CREDIT_TABLES_SCHEMA_VERSION,
    grain: GRAIN[table],
    partition: PARTITION_COLUMN,
    columns: CREDIT_TABLE_COLUMNS[table],
  };
}

/** The credits and cost tables in one file format. */
export class CreditsTablesView extends FileView {
  readonly name: string;
  readonly optionsKey: string;
  #wroteDays = false;

  constructor(readonly format: TablesFormat) {
    super();
    this.name = `credits-tables-${format}`;
    this.optionsKey = `credits-tables/${format}/${CREDIT_TABLES_SCHEMA_VERSION}`;
  }

  dayFiles(day: Day): readonly string[] {
    return CREDIT_TABLE_NAMES.map((t) => creditTableFile(this.format, t, day));
  }

  targetFiles(_target: RangeTarget): readonly string[] {
    return [];
  }

  protected async writeDay(f: DayFacts, perDay: boolean): Promise<void> {
    if (!perDay) return;
    for (const table of CREDIT_TABLE_NAMES) {
      const data = columnsOf(table, f);
      const file = await this.files.dayFile(creditTableFile(this.format, table, f.day));
      if (this.format === "parquet") file.writeBytes(encodeParquet(table, data));
      else file.write(encodeNdjson(table, data));
    }
    this.#wroteDays = true;
  }

  finishTarget(_facts: RangeFacts): Promise<void> {
    return Promise.resolve();
  }

  /** Commits the days, then writes each missing `_schema.json`. */
  override async close(): Promise<string[]> {
    await this.files.settle();
    if (this.#wroteDays) {
      for (const table of CREDIT_TABLE_NAMES) {
        const rel = creditSchemaPath(this.format, table);
        try {
          await Deno.stat(this.ctx.out.abs(rel));
          continue;
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
        await this.files.write(rel, pretty(creditSchemaFile(table, this.format)));
      }
    }
    return await super.close();
  }
}

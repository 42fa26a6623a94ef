/**
 * Warehouse tables (`--format parquet`, `--format ndjson-tables`): the history as three
 * Hive-partitioned tables, one file per table per day, that Athena, BigQuery, Trino, Spark and
 * DuckDB query where they lie:
 *
 * ```
 * tables/<table>/day=YYYY-MM-DD/part-0.parquet          (--format parquet)
 * tables/<table>/_schema.json
 * tables-ndjson/<table>/day=YYYY-MM-DD/part-0.ndjson    (--format ndjson-tables)
 * tables-ndjson/<table>/_schema.json
 * ```
 *
 * Tables: `activity` (one row per day × identity × editor × language), `user_day` (per day ×
 * identity) and `org_day` (per day); columns in `tables/schema.ts`. The NDJSON tables hold the
 * same rows under their own root, so that a table's location holds files of one format only.
 *
 * A day's files are written only when the renderer says the day changed (`perDay`), and depend
 * on that day alone: their extra columns are the day's own unknown counters (older days keep
 * the columns they had; read with `union_by_name`). `_schema.json` lists every column of the
 * table's files so far, and is rewritten only when that list grows. There are no range files.
 *
 * @module
 */
import * as z from "zod";
import type { Day } from "../model/types.ts";
import { FileView } from "./file_view.ts";
import { encodeNdjson, encodeParquet } from "./tables/encode.ts";
import { dayTables, releaseDayTables } from "./tables/rows.ts";
import {
  KEY_COLUMNS,
  KNOWN_COUNTER_COLUMNS,
  schemaFile,
  TABLE_NAMES,
  type TableName,
  TABLES_SCHEMA_VERSION,
} from "./tables/schema.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { pretty } from "./writer.ts";

/** The file format of a {@link TablesView}. */
export type TablesFormat = "parquet" | "ndjson";

/** Where each format's tables go, and each file's name. */
const LAYOUT: Readonly<Record<TablesFormat, { root: string; file: string; view: string }>> = {
  parquet: { root: "tables", file: "part-0.parquet", view: "parquet" },
  ndjson: { root: "tables-ndjson", file: "part-0.ndjson", view: "ndjson-tables" },
};

/** The relative path of a table's file of `day`. */
export function tableFile(format: TablesFormat, table: TableName, day: Day): string {
  const l = LAYOUT[format];
  return `${l.root}/${table}/day=${day}/${l.file}`;
}

/** The relative path of a table's `_schema.json`. */
export function schemaPath(format: TablesFormat, table: TableName): string {
  return `${LAYOUT[format].root}/${table}/_schema.json`;
}

const SchemaColumns = z.object({ columns: z.array(z.object({ name: z.string() })) });

/**
 * The unknown-counter columns of an existing `_schema.json`: undefined when there is none, null
 * when it cannot be read as one (it is then written again).
 */
async function existingExtra(path: string, table: TableName): Promise<string[] | null | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  let parsed;
  try {
    parsed = SchemaColumns.safeParse(JSON.parse(text));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const fixed = new Set([...KEY_COLUMNS[table], ...KNOWN_COUNTER_COLUMNS].map((c) => c.name));
  return parsed.data.columns.map((c) => c.name).filter((n) => !fixed.has(n));
}

/** The warehouse tables in one file format. */
export class TablesView extends FileView {
  readonly name: string;
  readonly optionsKey: string;
  /** Unknown counters of the days written in this pass. */
  readonly #extra = new Set<string>();
  #wroteDays = false;

  constructor(readonly format: TablesFormat) {
    super();
    this.name = LAYOUT[format].view;
    this.optionsKey = `tables/${format}/${TABLES_SCHEMA_VERSION}`;
  }

  dayFiles(day: Day): readonly string[] {
    return TABLE_NAMES.map((t) => tableFile(this.format, t, day));
  }

  targetFiles(_target: RangeTarget): readonly string[] {
    return [];
  }

  protected async writeDay(f: DayFacts, perDay: boolean): Promise<void> {
    if (!perDay) return;
    const tables = dayTables(f);
    for (const name of TABLE_NAMES) {
      const t = tables[name];
      const file = await this.files.dayFile(tableFile(this.format, name, f.day));
      if (this.format === "parquet") {
        file.writeBytes(encodeParquet(t));
        await file.ready();
      } else {
        for (const chunk of encodeNdjson(t)) {
          file.writeBytes(chunk);
          await file.ready();
        }
      }
    }
    for (const e of tables.extra) this.#extra.add(e);
    this.#wroteDays = true;
  }

  /** The day's tables are written by every view that writes them: their memory is reused. */
  dayDone(f: DayFacts): void {
    releaseDayTables(f);
  }

  finishTarget(_facts: RangeFacts): Promise<void> {
    return Promise.resolve();
  }

  /** Commits the days, then writes each `_schema.json` that is missing or lacks a column. */
  override async close(): Promise<string[]> {
    await this.files.settle();
    for (const table of TABLE_NAMES) {
      const rel = schemaPath(this.format, table);
      const path = this.ctx.out.abs(rel);
      const known = await existingExtra(path, table);
      if (known === undefined && !this.#wroteDays) continue;
      const extra = new Set([...(known ?? []), ...this.#extra]);
      if (known && extra.size === known.length) continue;
      await this.files.write(rel, pretty(schemaFile(table, this.format, [...extra].sort())));
    }
    return await super.close();
  }
}

/** `--format parquet`: the tables as Parquet under `tables/`. */
export function parquetTablesView(): TablesView {
  return new TablesView("parquet");
}

/** `--format ndjson-tables`: the same tables as NDJSON under `tables-ndjson/`. */
export function ndjsonTablesView(): TablesView {
  return new TablesView("ndjson");
}

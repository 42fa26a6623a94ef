/**
 * The warehouse tables' columns: names, fixed types and meanings, one definition shared by the
 * Parquet and NDJSON encoders, `_schema.json` and the README's DDL.
 *
 * `day` is the partition column: it is in the path (`day=YYYY-MM-DD`), not in the files
 * (BigQuery refuses a Hive partition key that is also a column of the files).
 *
 * @module
 */
import { KNOWN_COUNTERS } from "../../model/metrics.ts";

/**
 * Version of the tables' schema, in each file's key-value metadata and in `_schema.json`:
 * raised when a column changes type or meaning, or is removed (an added column keeps it).
 */
export const TABLES_SCHEMA_VERSION = 1;

/** The key of the schema version in a Parquet file's key-value metadata. */
export const SCHEMA_VERSION_KEY = "augment_metrics.schema_version";

/** The key of the table name in a Parquet file's key-value metadata. */
export const TABLE_KEY = "augment_metrics.table";

/** The tables, in the order they are written. */
export const TABLE_NAMES = ["activity", "user_day", "org_day"] as const;
export type TableName = typeof TABLE_NAMES[number];

/**
 * A column's type: `STRING` is UTF-8 (Parquet `BYTE_ARRAY` / `UTF8`), `INT64` a signed 64-bit
 * integer, `DOUBLE` a 64-bit float, `LIST<STRING>` a list of UTF-8 strings (Parquet's
 * three-level `LIST`), `DATE` days since 1970-01-01 (the partition column only).
 */
export type ColumnType = "DATE" | "STRING" | "INT64" | "DOUBLE" | "BOOLEAN" | "LIST<STRING>";

/** One column of a table. */
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** Whether the column may hold null. */
  readonly nullable: boolean;
  readonly description: string;
}

/** The partition column of every table. */
export const PARTITION_COLUMN: Column = {
  name: "day",
  type: "DATE",
  nullable: false,
  description: "The UTC day (the partition: in the path `day=YYYY-MM-DD`, not in the files)",
};

const str = (name: string, description: string): Column => ({
  name,
  type: "STRING",
  nullable: false,
  description,
});
const int = (name: string, description: string, nullable = false): Column => ({
  name,
  type: "INT64",
  nullable,
  description,
});
const bool = (name: string, description: string): Column => ({
  name,
  type: "BOOLEAN",
  nullable: false,
  description,
});
const list = (name: string, description: string): Column => ({
  name,
  type: "LIST<STRING>",
  nullable: false,
  description,
});

/** The sixteen documented counters: `INT64`, never null (a counter the service omits is 0). */
export const KNOWN_COUNTER_COLUMNS: readonly Column[] = KNOWN_COUNTERS.map((name) =>
  int(name, `Augment counter "${name}"`)
);

/**
 * A counter the Augment API sent that this version does not document: `DOUBLE` (the API does
 * not say what a future counter holds, and a fraction must not be lost; every whole number up
 * to 2^53 − 1 is exact), null where the service did not send it.
 */
export function unknownCounterColumn(name: string): Column {
  return {
    name,
    type: "DOUBLE",
    nullable: true,
    description:
      `Augment counter "${name}", not documented: null where the service did not send it`,
  };
}

const IDENTITY = str("identity", "E-mail or service-account name, exactly as received");
const IDENTITY_KIND = str("identity_kind", "`user` (an e-mail) or `service_account`");

/** The columns before the counters, per table. */
export const KEY_COLUMNS: Readonly<Record<TableName, readonly Column[]>> = {
  activity: [
    IDENTITY,
    IDENTITY_KIND,
    str("editor", "Editor name exactly as received (case kept)"),
    str("language", "Language name exactly as received (case kept)"),
  ],
  user_day: [
    IDENTITY,
    IDENTITY_KIND,
    bool("used_chat", "Chat or IDE-agent messages > 0 (GitHub's chat users)"),
    bool("used_agent", "IDE or Remote agent messages > 0 (`used_agent` of the Copilot user rows)"),
    bool("used_cli", "Any CLI agent counter > 0"),
    list("editors", "Distinct editor names of the identity's rows in `activity`, sorted"),
    list("languages", "Distinct language names of the identity's rows in `activity`, sorted"),
    int("editor_count", "Number of `editors`"),
    int("language_count", "Number of `languages`"),
  ],
  org_day: [
    str("enterprise_id", "The `enterprise_id` of the Copilot reports"),
    int(
      "daily_active_users",
      "Copilot `daily_active_users`: `dau-count` when reported, else identities with a record",
    ),
    int("weekly_active_users", "Copilot `weekly_active_users`: distinct identities, 7 days"),
    int("monthly_active_users", "Copilot `monthly_active_users`: distinct identities, 28 days"),
    int("monthly_active_chat_users", "Copilot `monthly_active_chat_users`, 28 days"),
    int("monthly_active_agent_users", "Copilot `monthly_active_agent_users`, 28 days"),
    int("daily_active_cli_users", "Copilot `daily_active_cli_users`"),
    bool(
      "window_complete",
      "All 28 days of the window were held: otherwise weekly/monthly are lower bounds",
    ),
    int("dau_count", "The service's `dau-count` for the day; null when not reported", true),
    int("identities", "Distinct identities with a record"),
    int("service_accounts", "Distinct service accounts with a record"),
    str(
      "daily_usage_status",
      "`match`: the records add up to `daily-usage`; `differs`: they do not; `missing`: " +
        "the service sent no `daily-usage` for the day",
    ),
    list(
      "daily_usage_differs",
      "The counters whose records' sum differs from `daily-usage` (empty unless `differs`)",
    ),
    bool("final", "The day was published (false: fetched before publication, provisional)"),
  ],
};

/** What each table's row is, for `_schema.json` and the README. */
export const TABLE_GRAIN: Readonly<Record<TableName, string>> = {
  activity: "one row per (day, identity, identity_kind, editor, language): the records",
  user_day: "one row per (day, identity, identity_kind): the identity's records summed",
  org_day: "one row per day: the organisation's actives, totals and reconciliation",
};

/** The columns of a table's files: keys, the sixteen counters, then `extra` (sorted). */
export function columnsOf(table: TableName, extra: readonly string[]): Column[] {
  return [...KEY_COLUMNS[table], ...KNOWN_COUNTER_COLUMNS, ...extra.map(unknownCounterColumn)];
}

/** `tables/<table>/_schema.json`: the table's columns over every file written so far. */
export interface SchemaFile {
  readonly table: TableName;
  readonly format: "parquet" | "ndjson";
  readonly schema_version: number;
  readonly grain: string;
  readonly partition: Column;
  readonly columns: readonly Column[];
}

/** The `_schema.json` of a table whose files hold the unknown counters `extra`. */
export function schemaFile(
  table: TableName,
  format: "parquet" | "ndjson",
  extra: readonly string[],
): SchemaFile {
  return {
    table,
    format,
    schema_version: TABLES_SCHEMA_VERSION,
    grain: TABLE_GRAIN[table],
    partition: PARTITION_COLUMN,
    columns: columnsOf(table, extra),
  };
}

/**
 * The `--format` names (no imports: the CLI reads these at start-up without loading a view).
 *
 * @module
 */

/** The `--format` names, in the order views are written. */
export const FORMATS = [
  "copilot",
  "usage-metrics",
  "legacy-usage",
  "csv",
  "html",
  "parquet",
  "ndjson-tables",
  "seats",
] as const;
export type Format = typeof FORMATS[number];

/** The formats written when `--format` is not given: every Copilot format and the CSV. */
export const DEFAULT_FORMATS: readonly Format[] = [
  "copilot",
  "usage-metrics",
  "legacy-usage",
  "csv",
];

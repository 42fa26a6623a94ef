/**
 * RFC 4180 CSV cells and rows, with spreadsheet formula neutralisation.
 *
 * Hand-rolled rather than `csv-stringify`: the rules fit in a few lines, text and number cells
 * must be told apart anyway (only text is neutralised, `csv-stringify` has no such notion), and
 * on 300 000 rows of 19 cells it was measured about 10× faster (0.12 s against 1.1 s for
 * `csv-stringify/sync` in chunks of 1 000 rows with `quoted_match: /[\r\n]/`), with
 * byte-identical output on rows that need no neutralising.
 *
 * @module
 */

/** A CSV cell: text is neutralised and quoted as needed; a number is written as a number. */
export type CsvCell = string | number | null | undefined;

/** The line end of every row (RFC 4180). */
export const CRLF = "\r\n";

const DANGEROUS_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Neutralises text a spreadsheet would run as a formula: a value starting with `=`, `+`, `-`,
 * `@`, tab or CR gets a leading `'` (OWASP's recommendation). Other text is returned as is.
 */
export function neutralizeFormula(text: string): string {
  return DANGEROUS_START.test(text) ? "'" + text : text;
}

/** A text cell: neutralised, then quoted when it holds `,` `"` CR or LF (quotes doubled). */
export function csvText(text: string): string {
  const s = neutralizeFormula(text);
  return NEEDS_QUOTES.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

/** A number cell, exactly as JavaScript prints the number (never neutralised: `-3` stays). */
export function csvNumber(n: number): string {
  return String(n);
}

/** One row with its CRLF: strings are text cells, numbers are numbers, null/undefined empty. */
export function csvRow(cells: readonly CsvCell[]): string {
  let out = "";
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += ",";
    const v = cells[i];
    if (typeof v === "number") out += csvNumber(v);
    else if (typeof v === "string") out += csvText(v);
  }
  return out + CRLF;
}

/**
 * CSV (`--format csv`): RFC 4180, formula-neutralised (`export/csv.ts`). Per day, in
 * `daily/<day>/`: `metrics.csv` (one row per identity) and, with `--csv-detail`,
 * `metrics_detail.csv` (one row per identity × editor × language); their extra columns are
 * the day's own unknown counters, so a day's file depends on that day alone. Per range target:
 * the same two over the range (extra columns: the range's unknown counters), and
 * `metrics_summary.csv` (one row per identity over the range, with `active_days`).
 *
 * @module
 */
import { JsonBytes } from "../copilot/json_bytes.ts";
import { type CsvCell, csvRow, csvText } from "../export/csv.ts";
import { isKnownCounter, KNOWN_COUNTERS } from "../model/metrics.ts";
import type { ActivityRecord, Day } from "../model/types.ts";
import { FileView } from "./file_view.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { paths } from "./writer.ts";

const ROWS = "metrics.csv";
const DETAIL = "metrics_detail.csv";
const SUMMARY = "metrics_summary.csv";

/** Counter cells in column order; a counter missing from `extra` is a bug. */
function counterCells(
  c: Readonly<Record<string, number>>,
  extra: readonly string[],
  where: () => string,
): CsvCell[] {
  for (const k in c) {
    if (!isKnownCounter(k) && !extra.includes(k)) {
      throw new Error(`Cannot write the CSV row of ${where()}: counter "${k}" has no column`);
    }
  }
  const cells: CsvCell[] = [];
  for (const k of KNOWN_COUNTERS) cells.push(c[k] ?? 0);
  for (const k of extra) cells.push(c[k]);
  return cells;
}

function header(keys: readonly string[], extra: readonly string[]): string {
  return csvRow([...keys, ...KNOWN_COUNTERS, ...extra]);
}

const ROW_KEYS = ["day", "identity", "identity_kind"];
const DETAIL_KEYS = ["day", "identity", "identity_kind", "editor", "language"];

function compareRecords(x: ActivityRecord, y: ActivityRecord): number {
  return cmp(x.identity, y.identity) || cmp(x.kind, y.kind) || cmp(x.editor, y.editor) ||
    cmp(x.language, y.language);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** CSV files, per day and per range. */
export class CsvView extends FileView {
  readonly name = "csv";
  readonly optionsKey: string;

  constructor(readonly detail: boolean) {
    super();
    this.optionsKey = `csv/1/${detail ? "detail" : "rows"}`;
  }

  dayFiles(day: Day): readonly string[] {
    return [paths.dayFile(day, ROWS), ...(this.detail ? [paths.dayFile(day, DETAIL)] : [])];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return [ROWS, SUMMARY, ...(this.detail ? [DETAIL] : [])].map((n) =>
      paths.targetFile(target, n)
    );
  }

  /** The bytes of {@link rows}, reused day after day. */
  readonly #bytes = new JsonBytes(1 << 20);

  /**
   * The day's rows (one per identity) under `extra` columns, as UTF-8: valid until the next
   * call. A day without unknown counters (the usual day) is written straight from the sums;
   * one with them goes cell by cell through {@link counterCells}, which checks each has a column.
   */
  #rows(f: DayFacts, extra: readonly string[]): Uint8Array {
    const out = this.#bytes;
    out.reset();
    const a = f.analysis;
    if (Object.keys(a.totals).length !== KNOWN_COUNTERS.length) {
      for (const i of a.identities) {
        const cells = counterCells(i.counters, extra, () => `"${i.name}" on "${f.day}"`);
        out.text(csvRow([f.day, i.name, i.kind, ...cells]));
      }
      return out.view();
    }
    const day = csvText(f.day);
    const kinds = new Map<string, string>();
    for (const i of a.identities) {
      out.text(day);
      out.byte(0x2c);
      out.text(csvText(i.name));
      out.byte(0x2c);
      let kind = kinds.get(i.kind);
      if (kind === undefined) kinds.set(i.kind, kind = csvText(i.kind));
      out.text(kind);
      const s = i.sums;
      for (let k = 0; k < KNOWN_COUNTERS.length; k++) {
        out.byte(0x2c);
        out.num(s[k]);
      }
      for (let e = 0; e < extra.length; e++) out.byte(0x2c); // no unknown counter: empty
      out.byte(0x0d);
      out.byte(0x0a);
    }
    return out.view();
  }

  #detailRows(f: DayFacts, extra: readonly string[]): string {
    let text = "";
    for (const r of [...f.data.records].sort(compareRecords)) {
      const cells = counterCells(r.metrics, extra, () => `"${r.identity}" on "${r.day}"`);
      text += csvRow([r.day, r.identity, r.kind, r.editor, r.language, ...cells]);
    }
    return text;
  }

  protected async writeDay(f: DayFacts, perDay: boolean): Promise<void> {
    // The rows made last, and the columns they were made for: shared by files with the same.
    let rows: Uint8Array | undefined;
    let rowsExtra: readonly string[] = [];
    const rowsFor = (extra: readonly string[]) => {
      if (rows === undefined || !sameNames(extra, rowsExtra)) {
        rows = this.#rows(f, extra);
        rowsExtra = extra;
      }
      return rows;
    };
    if (perDay) {
      const extra = Object.keys(f.analysis.totals).filter((k) => !isKnownCounter(k)).sort();
      const file = await this.files.dayFile(paths.dayFile(f.day, ROWS), header(ROW_KEYS, extra));
      file.writeBytes(rowsFor(extra));
      if (this.detail) {
        await this.files.dayFile(
          paths.dayFile(f.day, DETAIL),
          header(DETAIL_KEYS, extra) + this.#detailRows(f, extra),
        );
      }
    }
    for (const t of f.targets) {
      const extra = t.extraCounters;
      const file = await this.files.stream(
        paths.targetFile(t, ROWS),
        (file) => file.write(header(ROW_KEYS, extra)),
      );
      file.writeBytes(rowsFor(extra));
      if (this.detail) {
        const detail = await this.files.stream(
          paths.targetFile(t, DETAIL),
          (file) => file.write(header(DETAIL_KEYS, extra)),
        );
        detail.write(this.#detailRows(f, extra));
      }
    }
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const t = r.target;
    const extra = t.extraCounters;
    for (const name of [ROWS, ...(this.detail ? [DETAIL] : [])]) {
      const keys = name === ROWS ? ROW_KEYS : DETAIL_KEYS;
      await this.files.stream(paths.targetFile(t, name), (f) => f.write(header(keys, extra)));
      await this.files.commitStream(paths.targetFile(t, name));
    }
    let text = header(["identity", "identity_kind", "active_days"], extra);
    for (const u of r.userActivity) {
      const cells = counterCells(u.metrics, extra, () => `"${u.identity}" over the range`);
      text += csvRow([u.identity, u.kind, u.activeDays, ...cells]);
    }
    await this.files.write(paths.targetFile(t, SUMMARY), text);
  }
}

/**
 * The day-by-day exporter: converts each day as it arrives, writes that day's files at once,
 * and streams the range files (arrays, CSVs, the 28-day users file) through temporary files
 * that are committed only by {@link Exporter.finish} — a failed run leaves the previous good
 * files. Memory does not grow with the number of days: only the identity ids of the 28-day
 * window, the ≤28 entity day rows of the 28-day report and the distinct identities of the
 * range are kept.
 *
 * Throughput: each day is analysed in the same buffers ({@link DayAnalyzer}); user rows, by
 * far the largest output, are made, serialised and encoded one at a time and written to both
 * users files as bytes; files are written in the background (`AtomicFile`), with the range
 * files fsynced day by day, so that the disk works while the next rows are made.
 *
 * @module
 */
import {
  ActiveWindow,
  type DayAnalysis,
  DayAnalyzer,
  type EntityDayTotal,
  toEntityDayTotal,
  toEntityReport,
  toLegacyUsageDay,
  toMetricsDay,
  UserRows,
} from "../copilot/mod.ts";
import { UsageError } from "../errors.ts";
import { addDays, type DayRange, daysBetween } from "../model/dates.ts";
import { type Counters, isKnownCounter, KNOWN_COUNTERS } from "../model/metrics.ts";
import type { ActivityRecord, Day, DayData, Identity, UserActivity } from "../model/types.ts";
import { AtomicFile, writeFileAtomic } from "./atomic.ts";
import { type CsvCell, csvRow } from "./csv.ts";
import { OutputLayout, REPORT_DAYS, reportWindow, USAGE_METRICS_DIR } from "./layout.ts";

/** The output formats a run can write (`--format`). */
export type Format = "copilot" | "usage-metrics" | "legacy-usage" | "csv";

/** Every format, the default. */
export const ALL_FORMATS: readonly Format[] = ["copilot", "usage-metrics", "legacy-usage", "csv"];

/** What to write, and where. */
export interface ExportOptions {
  readonly outputDir: string;
  readonly range: DayRange;
  readonly formats: ReadonlySet<Format>;
  /** The `enterprise_id` of the usage-metrics reports (a setting; never invented here). */
  readonly enterpriseId: string;
  /** ISO time of the run, injected (`created_at` of the reports). */
  readonly createdAt: string;
  /**
   * The union of the unknown counter names of every day and of `user-activity`, known before
   * writing so that the CSV headers are fixed; each becomes its own column.
   */
  readonly extraCounters: readonly string[];
  /** Also write one CSV row per (day, identity, editor, language). */
  readonly csvDetail?: boolean;
  /** Write `aggregated_metrics_*.json` (default true). */
  readonly aggregate?: boolean;
}

/** A day whose per-user records do not add up to the service's `daily-usage` counters. */
export interface ReconciliationWarning {
  readonly day: Day;
  readonly counter: string;
  /** Σ of the counter over the day's records (0 when the day has no record). */
  readonly records: number;
  /** The `daily-usage` value; `null` when the service sent no `daily-usage` entry for the day. */
  readonly dailyUsage: number | null;
}

/** What an export wrote. */
export interface ExportResult {
  /** Files written, relative to the output directory (`/`-separated), sorted. */
  readonly files: string[];
  /** Days exported. */
  readonly days: number;
  /** Distinct identities with a record in the range. */
  readonly identities: number;
  readonly warnings: ReconciliationWarning[];
  /** Days whose 28-day window held days known only by identity (no chat/agent sets). */
  readonly incompleteWindows: Day[];
}

const CSV_COUNTER_HEADER: readonly string[] = KNOWN_COUNTERS;

/** User rows written between waits for the disk (`AtomicFile.ready`): ~1.8 MB of each file. */
const USER_ROWS_PER_WAIT = 512;

/** Indents a pretty-printed JSON value one level (JSON strings hold no raw newline). */
function indent(json: string): string {
  return "  " + json.replaceAll("\n", "\n  ");
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Encodes lines of text as UTF-8 into one reused buffer (grown as needed). */
class LineEncoder {
  readonly #encoder = new TextEncoder();
  #buffer = new Uint8Array(64 * 1024);

  /** The UTF-8 of `text` and a line feed; valid until the next call. */
  encode(text: string): Uint8Array {
    for (;;) {
      const { read, written } = this.#encoder.encodeInto(text, this.#buffer);
      if (read === text.length && written < this.#buffer.length) {
        this.#buffer[written] = 0x0a;
        return this.#buffer.subarray(0, written + 1);
      }
      this.#buffer = new Uint8Array(Math.max(2 * this.#buffer.length, 3 * text.length + 1));
    }
  }
}

/** A JSON array written one element at a time. */
class JsonArrayStream {
  #first = true;
  constructor(readonly file: AtomicFile) {
    file.write("[");
  }
  /** Adds an element given as pretty-printed JSON. */
  add(json: string): void {
    this.file.write((this.#first ? "\n" : ",\n") + indent(json));
    this.#first = false;
  }
  end(): void {
    this.file.write(this.#first ? "]\n" : "\n]\n");
  }
}

/** Writes every format of an export range, day by day. */
export class Exporter {
  readonly #o: ExportOptions;
  readonly #layout: OutputLayout;
  readonly #window = new ActiveWindow();
  /** Analyses each day in the same buffers: an analysis is used up within its day. */
  readonly #analyzer = new DayAnalyzer();
  readonly #report: DayRange;
  readonly #extra: readonly string[];
  readonly #extraSet: ReadonlySet<string>;
  readonly #needEntity: boolean;

  #lastLookback: Day | undefined;
  /** Lookback days known only by identity: windows containing them are incomplete. */
  readonly #identityOnlyDays: Day[] = [];
  #next: Day;
  #opened = false;
  #closed = false;

  #copilot: JsonArrayStream | undefined;
  #legacy: JsonArrayStream | undefined;
  #csv: AtomicFile | undefined;
  #detail: AtomicFile | undefined;
  #users28: AtomicFile | undefined;
  readonly #open = new Set<AtomicFile>();
  readonly #lines = new LineEncoder();
  /** `{"report_start_day":…,"report_end_day":…,` in UTF-8: how a 28-day user row starts. */
  readonly #periodKeys: Uint8Array;
  /** The current day's files, committed by `#commitToday`. */
  readonly #today: { file: AtomicFile; rel: string }[] = [];
  #pending: Promise<void> | undefined;

  readonly #files = new Set<string>();
  readonly #entityRows: EntityDayTotal[] = [];
  readonly #identities = new Set<string>();
  readonly #serviceAccounts = new Set<string>();
  /**
   * Range totals of the documented counters, in `KNOWN_COUNTERS` order. Summed in a
   * Float64Array rather than with `addCounters` into a `Counters` object: a total beyond the
   * small-integer range would make V8 box that field in every `Counters` object of the
   * process, every record's metrics included.
   */
  readonly #totalSums = new Float64Array(KNOWN_COUNTERS.length);
  /** Range totals of the unknown counters, in order of first appearance. */
  readonly #totalUnknown: Record<string, number> = {};
  readonly #warnings: ReconciliationWarning[] = [];
  readonly #incomplete: Day[] = [];
  #days = 0;

  constructor(options: ExportOptions) {
    this.#o = options;
    this.#layout = new OutputLayout(options.outputDir, options.range);
    this.#report = reportWindow(options.range);
    this.#next = options.range.start;
    this.#periodKeys = new TextEncoder().encode(
      `{"report_start_day":${JSON.stringify(this.#report.start)},"report_end_day":${
        JSON.stringify(this.#report.end)
      },`,
    );
    this.#needEntity = options.formats.has("usage-metrics") || options.aggregate !== false;
    if (this.#needEntity && !/^[^\p{Cc}]+$/u.test(options.enterpriseId)) {
      throw new UsageError(
        "Cannot write usage-metrics reports: the enterprise id is empty or has control characters",
        "set AUGMENT_ENTERPRISE_ID or --enterprise-id",
      );
    }
    const extra = [...new Set(options.extraCounters)].filter((n) => !isKnownCounter(n));
    this.#extra = extra;
    this.#extraSet = new Set(extra);
    for (const f of options.formats) {
      if (!ALL_FORMATS.includes(f)) {
        throw new UsageError(`Unknown format "${f}"`, `choose from ${ALL_FORMATS.join(", ")}`);
      }
    }
  }

  #checkLookback(day: Day): void {
    if (this.#opened || this.#closed) {
      throw new Error(`Lookback day "${day}" given after the range's first day`);
    }
    if (day >= this.#o.range.start) {
      throw new Error(
        `Lookback day "${day}" is not before the range start "${this.#o.range.start}"`,
      );
    }
    if (this.#lastLookback !== undefined && day <= this.#lastLookback) {
      throw new Error(`Lookback day "${day}" given after "${this.#lastLookback}": out of order`);
    }
    this.#lastLookback = day;
  }

  /**
   * A day before the range (up to 27), with its full data (from the local store), for the
   * weekly and monthly windows. In day order, before {@link addDay}.
   */
  addLookbackDay(day: DayData): void {
    this.#checkLookback(day.day);
    const a = this.#analyzer.analyze(day);
    this.#window.add(day.day, {
      active: a.activeIdentities,
      chat: a.chatIdentities,
      agent: a.agentIdentities,
    });
  }

  /**
   * A day before the range known only by its identities (the `dau` endpoint): monthly chat
   * and agent users of windows containing it are lower bounds. In day order, before
   * {@link addDay}.
   */
  addLookbackIdentities(day: Day, identities: Iterable<Identity>): void {
    this.#checkLookback(day);
    const active = new Set<string>();
    for (const i of identities) active.add(`${i.kind}:${i.name}`);
    this.#window.add(day, { active }, false);
    this.#identityOnlyDays.push(day);
  }

  async #openStreams(): Promise<void> {
    this.#opened = true;
    const { formats } = this.#o;
    const L = this.#layout;
    await Deno.mkdir(L.root, { recursive: true });
    await L.removeStaleTemporaryFiles();
    if (formats.has("copilot")) await Deno.mkdir(L.abs(L.dailyExportsDir()), { recursive: true });
    if (formats.has("usage-metrics")) {
      await Deno.mkdir(L.abs(USAGE_METRICS_DIR), { recursive: true });
    }
    const open = async (rel: string): Promise<AtomicFile> => {
      const f = await AtomicFile.create(L.abs(rel));
      this.#open.add(f);
      return f;
    };
    if (formats.has("copilot")) this.#copilot = new JsonArrayStream(await open(L.copilotMetrics()));
    if (formats.has("legacy-usage")) {
      this.#legacy = new JsonArrayStream(await open(L.copilotUsage()));
    }
    if (formats.has("csv")) {
      this.#csv = await open(L.csv());
      this.#csv.write(
        csvRow(["day", "identity", "identity_kind", ...CSV_COUNTER_HEADER, ...this.#extra]),
      );
      if (this.#o.csvDetail) {
        this.#detail = await open(L.csvDetail());
        this.#detail.write(
          csvRow([
            "day",
            "identity",
            "identity_kind",
            "editor",
            "language",
            ...CSV_COUNTER_HEADER,
            ...this.#extra,
          ]),
        );
      }
    }
    if (formats.has("usage-metrics")) this.#users28 = await open(L.users28Day(this.#report));
  }

  /** Counter cells in CSV column order; an unknown counter missing from `extraCounters` is a bug. */
  #counterCells(c: Readonly<Record<string, number>>, where: () => string): CsvCell[] {
    for (const k in c) {
      if (!isKnownCounter(k) && !this.#extraSet.has(k)) {
        throw new Error(
          `Cannot write the CSV row of ${where()}: counter "${k}" is not among the extra ` +
            `counters given to the exporter`,
        );
      }
    }
    const cells: CsvCell[] = [];
    for (const k of KNOWN_COUNTERS) cells.push(c[k] ?? 0);
    for (const k of this.#extra) cells.push(c[k]);
    return cells;
  }

  async #write(rel: string, text: string): Promise<void> {
    await writeFileAtomic(this.#layout.abs(rel), text);
    this.#files.add(rel);
  }

  /** A file of the current day, committed once the next day is converted (see `addDay`). */
  async #dayFile(rel: string, text?: string): Promise<AtomicFile> {
    const file = await AtomicFile.create(this.#layout.abs(rel));
    this.#open.add(file);
    this.#today.push({ file, rel });
    if (text !== undefined) file.write(text);
    return file;
  }

  /**
   * Commits the current day's files in the background: their fsync overlaps the next day's
   * conversion. The previous day's commits are awaited first, so at most one day is pending.
   */
  async #commitToday(): Promise<void> {
    await this.#settle();
    const today = this.#today.splice(0);
    const commits = (async () => {
      for (const { file, rel } of today) {
        await file.commit();
        this.#open.delete(file);
        this.#files.add(rel);
      }
    })();
    commits.catch(() => {}); // observed by #settle
    this.#pending = commits;
  }

  /** The files written over the whole range, committed by `finish`. */
  #rangeFiles(): AtomicFile[] {
    const files = [this.#copilot?.file, this.#legacy?.file, this.#csv, this.#detail, this.#users28];
    return files.filter((f) => f !== undefined);
  }

  /** Waits for the pending day's commits; rethrows their error. */
  async #settle(): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    await pending;
  }

  /**
   * Each day of the range, in order: converts it and writes that day's files at once; the
   * range files receive the day's part.
   */
  async addDay(day: DayData): Promise<void> {
    if (this.#closed) throw new Error(`Day "${day.day}" given after the export was closed`);
    if (day.day !== this.#next || day.day > this.#o.range.end) {
      throw new Error(`Day "${day.day}" given out of order: expected "${this.#next}"`);
    }
    if (!this.#opened) await this.#openStreams();
    this.#next = addDays(day.day, 1);
    this.#days++;

    const { formats, enterpriseId, createdAt } = this.#o;
    const L = this.#layout;
    const a = this.#analyzer.analyze(day);
    for (const k of a.activeIdentities) this.#identities.add(k);
    for (const i of a.identities) {
      if (i.kind === "service_account") this.#serviceAccounts.add(i.key);
    }
    this.#addTotals(a);
    this.#reconcile(a);
    this.#window.add(day.day, {
      active: a.activeIdentities,
      chat: a.chatIdentities,
      agent: a.agentIdentities,
    });
    if (this.#identityOnlyDays.some((d) => daysBetween(d, day.day) < REPORT_DAYS)) {
      this.#incomplete.push(day.day);
    }

    if (formats.has("copilot")) {
      const json = JSON.stringify(toMetricsDay(a), null, 2);
      await this.#dayFile(L.dailyExport(day.day), json + "\n");
      this.#copilot!.add(json);
    }
    if (formats.has("legacy-usage")) {
      this.#legacy!.add(JSON.stringify(toLegacyUsageDay(a), null, 2));
    }
    if (this.#needEntity) {
      const row = toEntityDayTotal(a, this.#window.counts(day.day), enterpriseId);
      if (day.day >= this.#report.start) this.#entityRows.push(row);
      if (formats.has("usage-metrics")) {
        const report = toEntityReport([row], {
          startDay: day.day,
          endDay: day.day,
          enterpriseId,
          createdAt,
        });
        await this.#dayFile(L.enterprise1Day(day.day), pretty(report));
      }
    }
    if (formats.has("usage-metrics")) await this.#writeUsers(a);
    if (this.#csv) this.#writeCsv(a);
    if (this.#detail) this.#writeDetail(day);
    // The day's part of the range files goes to the disk in the background, fsync included, so
    // that `finish` has only the last day's to wait for.
    for (const f of this.#rangeFiles()) {
      f.syncInBackground();
      await f.ready();
    }
    await this.#commitToday();
  }

  /**
   * The day's users file, and the day's part of the 28-day users file. Each row is made,
   * serialised and encoded once, and dropped at once (rows held in batches live long enough
   * for V8 to allocate them all in the old generation); a 28-day line is the same bytes with
   * `report_start_day` and `report_end_day` first, which is what `toUserRows(a, id, period)`
   * returns (a test holds the two byte-identical).
   */
  async #writeUsers(a: DayAnalysis): Promise<void> {
    const file = await this.#dayFile(this.#layout.users1Day(a.day));
    const users28 = a.day >= this.#report.start ? this.#users28 : undefined;
    const rows = new UserRows(a, this.#o.enterpriseId);
    for (let i = 0; i < a.identities.length; i++) {
      const line = this.#lines.encode(JSON.stringify(rows.row(a.identities[i]))); // `{…}\n`
      file.writeBytes(line);
      if (users28 !== undefined) {
        users28.writeBytes(this.#periodKeys);
        users28.writeBytes(line.subarray(1));
      }
      if ((i + 1) % USER_ROWS_PER_WAIT === 0) {
        await file.ready();
        await users28?.ready();
      }
    }
  }

  #writeCsv(a: DayAnalysis): void {
    for (const i of a.identities) {
      const counters = this.#counterCells(i.counters, () => `"${i.name}" on "${a.day}"`);
      this.#csv!.write(csvRow([a.day, i.name, i.kind, ...counters]));
    }
  }

  #writeDetail(day: DayData): void {
    const detail = this.#detail!;
    for (const r of [...day.records].sort(compareRecords)) {
      const counters = this.#counterCells(r.metrics, () => `"${r.identity}" on "${r.day}"`);
      detail.write(csvRow([r.day, r.identity, r.kind, r.editor, r.language, ...counters]));
    }
  }

  /** Adds a day's totals to the range's, in day order (as `addCounters` would). */
  #addTotals(a: DayAnalysis): void {
    for (let k = 0; k < this.#totalSums.length; k++) this.#totalSums[k] += a.totalSums[k];
    const totals: Readonly<Record<string, number>> = a.totals;
    for (const name in totals) {
      if (!isKnownCounter(name)) {
        this.#totalUnknown[name] = (this.#totalUnknown[name] ?? 0) + totals[name];
      }
    }
  }

  /**
   * The range's totals: the documented counters in order, then the unknown ones (in an object
   * of its own kind, for the reason given at `#totalSums`).
   */
  #totals(): Counters {
    const totals: Record<string, number> = {};
    KNOWN_COUNTERS.forEach((name, k) => totals[name] = this.#totalSums[k]);
    return Object.assign(totals, this.#totalUnknown) as Counters;
  }

  /**
   * Σ record counters against `daily-usage`, every counter; a counter missing on one side counts
   * as 0 there. A day without a `daily-usage` entry is reported with `dailyUsage: null`.
   */
  #reconcile(a: DayAnalysis): void {
    const usage: Readonly<Record<string, number>> = a.usage ?? {};
    const totals: Readonly<Record<string, number>> = a.totals;
    const names = new Set([...Object.keys(totals), ...Object.keys(usage)]);
    for (
      const counter of [
        ...KNOWN_COUNTERS,
        ...[...names].filter((n) => !isKnownCounter(n)).sort(),
      ]
    ) {
      if (!names.has(counter)) continue;
      const records = totals[counter] ?? 0;
      const dailyUsage = usage[counter] ?? 0;
      if (Math.abs(records - dailyUsage) > 1e-9 * Math.max(1, Math.abs(dailyUsage))) {
        this.#warnings.push({
          day: a.day,
          counter,
          records,
          dailyUsage: a.usage === undefined ? null : dailyUsage,
        });
      }
    }
  }

  /**
   * Writes the range-level files and commits every streamed file. `userActivity` (identity →
   * `active_days` and metrics over the range) feeds the summary CSV.
   */
  async finish(userActivity: Iterable<UserActivity>): Promise<ExportResult> {
    if (this.#closed) throw new Error("The export was already closed");
    const { range, formats, enterpriseId, createdAt } = this.#o;
    if (this.#next <= range.end) {
      throw new Error(`Cannot finish the export: day "${this.#next}" and later were not given`);
    }
    await this.#settle();
    const L = this.#layout;
    const committed: [AtomicFile, string][] = [];
    if (this.#copilot) {
      this.#copilot.end();
      committed.push([this.#copilot.file, L.copilotMetrics()]);
    }
    if (this.#legacy) {
      this.#legacy.end();
      committed.push([this.#legacy.file, L.copilotUsage()]);
    }
    if (this.#csv) committed.push([this.#csv, L.csv()]);
    if (this.#detail) committed.push([this.#detail, L.csvDetail()]);
    if (formats.has("csv")) {
      const summary = await AtomicFile.create(L.abs(L.csvSummary()));
      this.#open.add(summary);
      this.#writeSummary(summary, userActivity);
      committed.push([summary, L.csvSummary()]);
    }
    if (this.#users28) committed.push([this.#users28, L.users28Day(this.#report)]);

    for (const [file, rel] of committed) {
      await file.commit();
      this.#files.add(rel);
    }
    this.#closed = true;

    const meta = {
      startDay: this.#report.start,
      endDay: this.#report.end,
      enterpriseId,
      createdAt,
    };
    if (formats.has("usage-metrics")) {
      await this.#write(
        L.enterprise28Day(this.#report),
        pretty(toEntityReport(this.#entityRows, meta)),
      );
      await L.removeOverlapping28Day("enterprise", this.#report);
      await L.removeOverlapping28Day("users", this.#report);
    }
    if (this.#o.aggregate !== false) {
      const aggregated = {
        ...toEntityReport(this.#entityRows, meta),
        augment: {
          report_start_day: range.start,
          report_end_day: range.end,
          days: this.#days,
          metrics: this.#totals(),
          active_identities: this.#identities.size,
          service_accounts: this.#serviceAccounts.size,
        },
      };
      await this.#write(L.aggregated(), pretty(aggregated));
    }
    return {
      files: [...this.#files].sort(),
      days: this.#days,
      identities: this.#identities.size,
      warnings: this.#warnings,
      incompleteWindows: this.#incomplete,
    };
  }

  #writeSummary(file: AtomicFile, userActivity: Iterable<UserActivity>): void {
    file.write(
      csvRow(["identity", "identity_kind", "active_days", ...CSV_COUNTER_HEADER, ...this.#extra]),
    );
    const rows = [...userActivity].sort((x, y) =>
      cmp(x.identity, y.identity) || cmp(x.kind, y.kind)
    );
    for (const u of rows) {
      const counters = this.#counterCells(u.metrics, () => `"${u.identity}" over the range`);
      file.write(csvRow([u.identity, u.kind, u.activeDays, ...counters]));
    }
  }

  /** Removes every temporary file; files already completed stay. Safe to call twice. */
  async abort(): Promise<void> {
    this.#closed = true;
    await this.#pending?.catch(() => {});
    this.#pending = undefined;
    this.#today.length = 0;
    for (const f of this.#open) await f.abort();
  }
}

function compareRecords(x: ActivityRecord, y: ActivityRecord): number {
  return cmp(x.identity, y.identity) || cmp(x.kind, y.kind) || cmp(x.editor, y.editor) ||
    cmp(x.language, y.language);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

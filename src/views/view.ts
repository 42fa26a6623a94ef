/**
 * Views: every output is rendered from the history (the local store, plus this run's
 * provisional days) by one writer per view. A render pass feeds the days of a range, in
 * order, to each view, then finishes it with the range's facts:
 *
 * ```
 * sync (plan → fetch → store) → day source → range accumulator → views (open / day / finish)
 * ```
 *
 * A view writes per-day files (once per day, rewritten only when the day's fingerprint
 * changes) and range files (the `latest/` 28-day window, and dated copies when asked). New
 * outputs plug in as one more view without touching the others.
 *
 * @module
 */
import type { DayAnalysis, EntityDayTotal, WindowCounts } from "../copilot/mod.ts";
import type { DayRange } from "../model/dates.ts";
import type { Counters } from "../model/metrics.ts";
import type { Day, DayData, UserActivity } from "../model/types.ts";
import type { OutputDir } from "./output_dir.ts";

/** A day whose per-user records do not add up to the service's `daily-usage` counters. */
export interface ReconciliationWarning {
  readonly day: Day;
  readonly counter: string;
  /** Σ of the counter over the day's records (0 when the day has no record). */
  readonly records: number;
  /** The `daily-usage` value; `null` when the service sent no `daily-usage` entry for the day. */
  readonly dailyUsage: number | null;
}

/** Everything known of one day of a pass, valid only during {@link View.day}. */
export interface DayFacts {
  readonly day: Day;
  /** The day's records as fetched (every page), `dau-count` and `daily-usage`. */
  readonly data: DayData;
  /** The day's analysis (buffers reused by the next day: do not keep it). */
  readonly analysis: DayAnalysis;
  /** Weekly / monthly actives of the 28-day window ending on the day. */
  readonly window: WindowCounts;
  /** The Format C entity row of the day (window counts applied). */
  readonly entityRow: EntityDayTotal;
  /** This day's reconciliation warnings (empty when records match `daily-usage`). */
  readonly reconciliation: readonly ReconciliationWarning[];
  /** Whether the day is final (kept in the store) or provisional (fetched before publication). */
  readonly final: boolean;
  /**
   * Changes when anything a per-day file of this day depends on changes: the day's data and
   * the 27 days of its window. Compare with the manifest to skip an unchanged file.
   */
  readonly fingerprint: string;
  /** The range targets (see {@link RangeTarget}) that include this day. */
  readonly targets: readonly RangeTarget[];
}

/** A set of range files: `latest/` (the 28 days ending at the newest day held) or a dated copy. */
export interface RangeTarget {
  /** `latest` or `<start>_to_<end>`: the folder under the output directory's `reports/`. */
  readonly name: string;
  /** Relative folder of the target's files (`latest`, `reports/<start>_to_<end>`). */
  readonly dir: string;
  readonly range: DayRange;
  /** Unknown counter names of the range's days, sorted: the target's fixed extra columns. */
  readonly extraCounters: readonly string[];
}

/** What a range target's files need once all its days were given. */
export interface RangeFacts {
  readonly target: RangeTarget;
  /** The last ≤28 days of the range: what a 28-day report covers. */
  readonly report: DayRange;
  /** Format C entity rows of the report window, in day order. */
  readonly entityRows: readonly EntityDayTotal[];
  /** Every counter summed over the range (documented in order, then unknown ones). */
  readonly totals: Counters;
  readonly days: number;
  /** Distinct identities with a record in the range, and service accounts among them. */
  readonly identities: number;
  readonly serviceAccounts: number;
  /** Per identity over the range: active days and counters (derived, or from `user-activity`). */
  readonly userActivity: readonly UserActivity[];
  readonly warnings: readonly ReconciliationWarning[];
}

/** What every view is given at the start of a pass. */
export interface ViewContext {
  /** The output directory: every file is written through it, and only inside it. */
  readonly out: OutputDir;
  /** The `enterprise_id` of the Format C reports. */
  readonly enterpriseId: string;
  /** ISO time of the run (`created_at`). */
  readonly createdAt: string;
  /** Unknown counter names of every day in the pass, sorted: fixed CSV / table columns. */
  readonly extraCounters: readonly string[];
}

/** One output, written by one writer. */
export interface View {
  /** A short name (`copilot`, `csv`, `parquet`, …), also the `--format` that selects it. */
  readonly name: string;
  /**
   * The view's options that change what its files hold (for the manifest: a per-day file is
   * rewritten when its day's fingerprint or this key changes).
   */
  readonly optionsKey: string;
  /** The per-day files of a day (relative, `/`), to see whether they exist. */
  dayFiles(day: Day): readonly string[];
  /** The files of a range target (relative, `/`). */
  targetFiles(target: RangeTarget): readonly string[];
  /** Called once before the first day. */
  open(ctx: ViewContext): Promise<void>;
  /**
   * Each day of the pass, in order. `perDay`: write this day's per-day files (they are
   * missing, or their fingerprint changed); range targets get the day either way.
   */
  day(facts: DayFacts, perDay: boolean): Promise<void>;
  /**
   * Every view has had the day (and its finished targets): memory the view made for the day
   * may be reused from now on. Optional.
   */
  dayDone?(facts: DayFacts): void;
  /** A range target is complete (its last day was given): write its files. */
  finishTarget(facts: RangeFacts): Promise<void>;
  /** Called once after the last day: commit, and return the files written (relative, `/`). */
  close(): Promise<string[]>;
  /** Removes temporary files; files already committed stay. Safe to call twice. */
  abort(): Promise<void>;
}

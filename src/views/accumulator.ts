/**
 * The range accumulator: pure, no I/O. Given the days of a pass in order (first the ≤27 days
 * before it, for the weekly and monthly windows, then the pass's own days), it analyses each
 * day once and says everything the views need of it ({@link DayFacts}), and, when a range
 * target's last day was given, everything its range files need ({@link RangeFacts}): entity
 * rows of the report window, totals, distinct identities, reconciliation, and per-identity
 * activity (`active_days` and counters) derived from the records.
 *
 * @module
 */
import { dayCreditFields } from "./credits.ts";
import {
  ActiveWindow,
  checkRangeTotals,
  type DayAnalysis,
  DayAnalyzer,
  type EntityDayTotal,
  identitySets,
  toEntityDayTotal,
} from "../copilot/mod.ts";
import { addDays, type DayRange } from "../model/dates.ts";
import { type Counters, isKnownCounter, KNOWN_COUNTERS } from "../model/metrics.ts";
import type { Day, DayData, IdentityKind, UserActivity } from "../model/types.ts";
import type { DayFacts, RangeFacts, RangeTarget, ReconciliationWarning } from "./view.ts";

/** Days in a 28-day report. */
export const REPORT_DAYS = 28;

/** Days in the weekly/monthly windows before a day: 27 for the 28-day window. */
export const LOOKBACK_DAYS = REPORT_DAYS - 1;

/** The last ≤28 days of a range: what a 28-day report covers. */
export function reportWindow(range: DayRange): DayRange {
  const start = addDays(range.end, -(REPORT_DAYS - 1));
  return { start: start > range.start ? start : range.start, end: range.end };
}

/**
 * Σ record counters against `daily-usage`, every counter; a counter missing on one side counts
 * as 0 there. A day without a `daily-usage` entry is reported with `dailyUsage: null`.
 */
export function reconcile(a: DayAnalysis): ReconciliationWarning[] {
  const usage: Readonly<Record<string, number>> = a.usage ?? {};
  const totals: Readonly<Record<string, number>> = a.totals;
  const names = new Set([...Object.keys(totals), ...Object.keys(usage)]);
  const out: ReconciliationWarning[] = [];
  const order = [...KNOWN_COUNTERS, ...[...names].filter((n) => !isKnownCounter(n)).sort()];
  for (const counter of order) {
    if (!names.has(counter)) continue;
    const records = totals[counter] ?? 0;
    const dailyUsage = usage[counter] ?? 0;
    if (records !== dailyUsage) {
      out.push({
        day: a.day,
        counter,
        records,
        dailyUsage: a.usage === undefined ? null : dailyUsage,
      });
    }
  }
  return out;
}

/** One identity's activity over a target's range. */
interface Activity {
  readonly identity: string;
  readonly kind: IdentityKind;
  activeDays: number;
  readonly metrics: Record<string, number>;
}

/** What a range target accumulates. */
class TargetState {
  readonly report: DayRange;
  readonly entityRows: EntityDayTotal[] = [];
  /**
   * Totals of the documented counters, in `KNOWN_COUNTERS` order, summed in a Float64Array
   * rather than into a `Counters` object: a total beyond the small-integer range would make
   * V8 box that field in every `Counters` object of the process.
   */
  readonly totalSums = new Float64Array(KNOWN_COUNTERS.length);
  readonly totalUnknown: Record<string, number> = {};
  readonly identities = new Set<string>();
  readonly serviceAccounts = new Set<string>();
  readonly activity = new Map<string, Activity>();
  readonly warnings: ReconciliationWarning[] = [];
  days = 0;

  constructor(readonly target: RangeTarget) {
    this.report = reportWindow(target.range);
  }

  add(a: DayAnalysis, row: EntityDayTotal, warnings: readonly ReconciliationWarning[]): void {
    this.days++;
    if (a.day >= this.report.start) this.entityRows.push(row);
    for (let k = 0; k < this.totalSums.length; k++) this.totalSums[k] += a.totalSums[k];
    const totals: Readonly<Record<string, number>> = a.totals;
    for (const name in totals) {
      if (!isKnownCounter(name)) {
        this.totalUnknown[name] = (this.totalUnknown[name] ?? 0) + totals[name];
      }
    }
    for (const w of warnings) this.warnings.push(w);
    for (const i of a.identities) {
      this.identities.add(i.key);
      if (i.kind === "service_account") this.serviceAccounts.add(i.key);
      let act = this.activity.get(i.key);
      if (act === undefined) {
        act = { identity: i.name, kind: i.kind, activeDays: 0, metrics: {} };
        this.activity.set(i.key, act);
      }
      act.activeDays++;
      const c: Readonly<Record<string, number>> = i.counters;
      for (const name in c) act.metrics[name] = (act.metrics[name] ?? 0) + c[name];
    }
  }

  facts(): RangeFacts {
    const totals: Record<string, number> = {};
    KNOWN_COUNTERS.forEach((name, k) => totals[name] = this.totalSums[k]);
    Object.assign(totals, this.totalUnknown);
    checkRangeTotals(totals, `${this.target.range.start} to ${this.target.range.end}`);
    const userActivity: UserActivity[] = [...this.activity.values()]
      .sort((x, y) => cmp(x.identity, y.identity) || cmp(x.kind, y.kind))
      .map((a) => ({
        identity: a.identity,
        kind: a.kind,
        activeDays: a.activeDays,
        metrics: a.metrics as Counters,
      }));
    return {
      target: this.target,
      report: this.report,
      entityRows: this.entityRows,
      totals: totals as Counters,
      days: this.days,
      identities: this.identities.size,
      serviceAccounts: this.serviceAccounts.size,
      userActivity,
      warnings: this.warnings,
    };
  }
}

/** Per-day facts and finished range targets, one day at a time. */
export class RangeAccumulator {
  readonly #window = new ActiveWindow();
  readonly #analyzer = new DayAnalyzer();
  readonly #enterpriseId: string;
  readonly #targets: RangeTarget[];
  readonly #states = new Map<RangeTarget, TargetState>();
  #last: Day | undefined;

  constructor(options: { enterpriseId: string; targets?: readonly RangeTarget[] }) {
    this.#enterpriseId = options.enterpriseId;
    this.#targets = [...(options.targets ?? [])];
  }

  #checkOrder(day: Day): void {
    if (this.#last !== undefined && day <= this.#last) {
      throw new Error(`Day "${day}" given after "${this.#last}": days must come in order`);
    }
    this.#last = day;
  }

  /** A day before the pass: only its identities enter the weekly and monthly windows. */
  lookback(data: DayData): void {
    this.#checkOrder(data.day);
    const sets = identitySets(data);
    this.#window.add(data.day, { active: sets.active, chat: sets.chat, agent: sets.agent });
  }

  /** Analyses a day (in order) and adds its identities to the windows. */
  #analyze(data: DayData): DayAnalysis {
    this.#checkOrder(data.day);
    const a = this.#analyzer.analyze(data);
    this.#window.add(data.day, {
      active: a.activeIdentities,
      chat: a.chatIdentities,
      agent: a.agentIdentities,
    });
    return a;
  }

  /**
   * A day of the pass: its facts (valid until the next call), and the facts of every range
   * target whose last day it is.
   */
  day(
    data: DayData,
    meta: { final: boolean; fingerprint: string },
  ): { facts: DayFacts; finished: RangeFacts[] } {
    const a = this.#analyze(data);
    const window = this.#window.counts(data.day);
    const entityRow = toEntityDayTotal(a, window, this.#enterpriseId);
    if (data.credits) Object.assign(entityRow.augment, dayCreditFields(data.credits));
    const reconciliation = reconcile(a);
    const targets = this.#targets.filter((t) =>
      t.range.start <= data.day && data.day <= t.range.end
    );
    const finished: RangeFacts[] = [];
    for (const t of targets) {
      let state = this.#states.get(t);
      if (state === undefined) {
        state = new TargetState(t);
        this.#states.set(t, state);
      }
      state.add(a, entityRow, reconciliation);
      if (data.day === t.range.end) {
        finished.push(state.facts());
        this.#states.delete(t);
      }
    }
    return {
      facts: {
        day: data.day,
        data,
        analysis: a,
        window,
        entityRow,
        reconciliation,
        final: meta.final,
        fingerprint: meta.fingerprint,
        targets,
      },
      finished,
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

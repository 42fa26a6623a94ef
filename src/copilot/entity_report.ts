/**
 * Format C, entity level: the enterprise (or organisation) report and its day rows.
 *
 * @module
 */
import type { Day } from "../model/types.ts";
import type { WindowCounts } from "./active_window.ts";
import type { DayAnalysis } from "./analyze.ts";
import { augmentDayExtension } from "./metrics_day.ts";
import { reportBreakdowns, reportCounters } from "./report_rows.ts";
import type { EntityDayTotal, EntityReport } from "./types.ts";

/**
 * Format C: one `day_totals[]` row of an entity report, with the day's `augment` extension.
 *
 * `daily_active_users` is the `dau-count` when reported (else the identities in the
 * records). That count can exceed the window's distinct identities, because the service may
 * count people whose activity has no editor-language record, and because the window only
 * knows the identities it was given; so `weekly_active_users` is at least the daily count and
 * `monthly_active_users` at least the weekly, chat and agent counts, keeping
 * daily ≤ weekly ≤ monthly.
 */
export function toEntityDayTotal(
  a: DayAnalysis,
  w: WindowCounts,
  enterpriseId: string,
): EntityDayTotal {
  const daily = a.dailyActiveUsers;
  const weekly = Math.max(w.weekly, daily);
  const monthly = Math.max(w.monthly, weekly, w.monthlyChat, w.monthlyAgent);
  return {
    day: a.day,
    enterprise_id: enterpriseId,
    daily_active_users: daily,
    weekly_active_users: weekly,
    monthly_active_users: monthly,
    monthly_active_chat_users: w.monthlyChat,
    monthly_active_agent_users: w.monthlyAgent,
    daily_active_cli_users: a.cliIdentities.size,
    ...reportCounters(a.totalSums),
    ...reportBreakdowns(a.totalSums, a.editors, a.languages),
    augment: augmentDayExtension(a),
  };
}

/** Format C: the report object wrapping its day rows (`day_totals` in the given order). */
export function toEntityReport(
  dayTotals: EntityDayTotal[],
  meta: { startDay: Day; endDay: Day; enterpriseId: string; createdAt: string },
): EntityReport {
  return {
    report_start_day: meta.startDay,
    report_end_day: meta.endDay,
    enterprise_id: meta.enterpriseId,
    created_at: meta.createdAt,
    day_totals: dayTotals,
  };
}

/**
 * Conversion from Augment records to every Copilot format. Pure: no I/O, no Deno APIs.
 *
 * @module
 */
export {
  analyzeDay,
  checkRangeTotals,
  CounterOverflowError,
  DayAnalyzer,
  IdentityParts,
  identitySets,
} from "./analyze.ts";
export type {
  DayAnalysis,
  DayCells,
  DayIdentitySets,
  EditorLanguageSummary,
  IdentityDay,
  IdentityPart,
  KnownSums,
  ScopeSummary,
} from "./analyze.ts";
export { ActiveWindow } from "./active_window.ts";
export type { WindowCounts, WindowDaySets } from "./active_window.ts";
export { toMetricsDay } from "./metrics_day.ts";
export { toLegacyUsageDay } from "./legacy_usage.ts";
export { toEntityDayTotal, toEntityReport } from "./entity_report.ts";
export { toUserRows, UserRows } from "./user_rows.ts";
export type { UserRowPeriod } from "./user_rows.ts";
export { userIdOf } from "./user_id.ts";
export { CLI_EDITOR, isCliEditor, normalizeName } from "./names.ts";
export type * from "./types.ts";

/**
 * Format C, user level: one row per identity per day.
 *
 * @module
 */
import type { Day } from "../model/types.ts";
import type { DayAnalysis } from "./analyze.ts";
import { C, cliTotals, featureRows, hasCli, ideRow, interactions, linesAdded } from "./features.ts";
import { languageFeatureRows } from "./report_rows.ts";
import type { UserRow } from "./types.ts";
import { userIdOf } from "./user_id.ts";

/**
 * One row per identity of the day, sorted by `user_login` (an e-mail and a service account
 * of the same name are two rows); `period` adds `report_start_day` / `report_end_day`
 * (28-day files). `user_id` is {@link userIdOf} the identity key; `used_chat` means chat or
 * IDE-agent messages, `used_agent` IDE or Remote agent messages, `used_cli` any CLI agent
 * activity; the `augment` extension carries the identity's own counters (shared with the
 * analysis, not copied) and kind.
 */
export function toUserRows(
  a: DayAnalysis,
  enterpriseId: string,
  period?: { startDay: Day; endDay: Day },
): UserRow[] {
  const rows: UserRow[] = new Array(a.identities.length);
  for (let i = 0; i < a.identities.length; i++) {
    const identity = a.identities[i];
    const s = identity.sums;
    let row: UserRow = {
      day: a.day,
      enterprise_id: enterpriseId,
      user_id: userIdOf(identity.key),
      user_login: identity.name,
      user_initiated_interaction_count: interactions(s),
      code_generation_activity_count: s[C.completionsCount],
      code_acceptance_activity_count: s[C.completionsAccepted],
      loc_suggested_to_add_sum: s[C.completionsSuggestedLines],
      loc_suggested_to_delete_sum: 0,
      loc_added_sum: linesAdded(s),
      loc_deleted_sum: 0,
      totals_by_ide: identity.editors.map((e) => ideRow(e.name, e.sums)),
      totals_by_feature: featureRows(s),
      totals_by_language_feature: languageFeatureRows(identity.languages),
      totals_by_language_model: [],
      totals_by_model_feature: [],
      used_chat: identity.chat,
      used_agent: identity.ideOrRemoteAgent,
      used_cli: identity.cli,
      augment: { metrics: identity.counters, identity_kind: identity.kind },
    };
    if (hasCli(s)) row.totals_by_cli = cliTotals(s);
    if (period !== undefined) {
      row = { report_start_day: period.startDay, report_end_day: period.endDay, ...row };
    }
    rows[i] = row;
  }
  return rows;
}

/**
 * Format C, user level: one row per identity per day.
 *
 * @module
 */
import type { Decimal } from "../model/money.ts";
import type { Day } from "../model/types.ts";
import { type DayAnalysis, type IdentityDay, IdentityParts } from "./analyze.ts";
import { reportBreakdowns, reportCounters } from "./report_rows.ts";
import type { UserRow } from "./types.ts";
import { userIdOf } from "./user_id.ts";

/** The period of a 28-day users file: its rows start with these two keys. */
export interface UserRowPeriod {
  readonly startDay: Day;
  readonly endDay: Day;
}

/**
 * The user rows of one day, made one identity at a time, so that a caller streaming them
 * never holds more than one (a row is ~3.5 KB of JSON; a large organisation has thousands).
 *
 * `user_id` is {@link userIdOf} the identity key; the counters and breakdown lists are those
 * of an entity day row (`report_rows.ts`) over the identity's sums, except that
 * `totals_by_cli` comes last; `used_chat` means chat or IDE-agent messages, `used_agent` IDE
 * or Remote agent messages, `used_cli` any CLI agent activity; the `augment` extension carries
 * the identity's own counters (shared with the analysis, not copied) and kind. `period` adds
 * `report_start_day` / `report_end_day` first (28-day files).
 */
export class UserRows {
  readonly #parts = new IdentityParts();

  constructor(
    readonly analysis: DayAnalysis,
    readonly enterpriseId: string,
    readonly period?: UserRowPeriod,
    /**
     * The day's credits per identity key, when the day's credits are known: each row then has
     * `ai_credits_used` (0 for an identity without credits) and `augment.credits`.
     */
    readonly credits?: ReadonlyMap<
      string,
      { readonly total: Decimal; readonly byModel: ReadonlyMap<string, Decimal> }
    >,
  ) {}

  /** The row of `identity`, one of the analysis' identities. */
  row(identity: IdentityDay): UserRow {
    const a = this.analysis;
    const { editors, languages } = this.#parts.of(a, identity);
    const c = reportCounters(identity.sums);
    const b = reportBreakdowns(identity.sums, editors, languages);
    let row: UserRow = {
      day: a.day,
      enterprise_id: this.enterpriseId,
      user_id: userIdOf(identity.key),
      user_login: identity.name,
      user_initiated_interaction_count: c.user_initiated_interaction_count,
      code_generation_activity_count: c.code_generation_activity_count,
      code_acceptance_activity_count: c.code_acceptance_activity_count,
      loc_suggested_to_add_sum: c.loc_suggested_to_add_sum,
      loc_suggested_to_delete_sum: c.loc_suggested_to_delete_sum,
      loc_added_sum: c.loc_added_sum,
      loc_deleted_sum: c.loc_deleted_sum,
      totals_by_ide: b.totals_by_ide,
      totals_by_feature: b.totals_by_feature,
      totals_by_language_feature: b.totals_by_language_feature,
      totals_by_language_model: b.totals_by_language_model,
      totals_by_model_feature: b.totals_by_model_feature,
      used_chat: identity.chat,
      used_agent: identity.ideOrRemoteAgent,
      used_cli: identity.cli,
      augment: { metrics: identity.counters, identity_kind: identity.kind },
    };
    if (b.totals_by_cli !== undefined) row.totals_by_cli = b.totals_by_cli;
    if (this.credits !== undefined) {
      const c = this.credits.get(identity.key);
      row.ai_credits_used = c ? c.total.toNumber() : 0;
      if (c) {
        const by_model: Record<string, string> = {};
        for (const m of [...c.byModel.keys()].sort()) by_model[m] = c.byModel.get(m)!.toString();
        row.augment = { ...row.augment, credits: { total: c.total.toString(), by_model } };
      }
    }
    const period = this.period;
    if (period !== undefined) {
      row = { report_start_day: period.startDay, report_end_day: period.endDay, ...row };
    }
    return row;
  }
}

/**
 * One row per identity of the day (see {@link UserRows}), sorted by `user_login` (an e-mail
 * and a service account of the same name are two rows).
 */
export function toUserRows(
  a: DayAnalysis,
  enterpriseId: string,
  period?: UserRowPeriod,
): UserRow[] {
  const rows = new UserRows(a, enterpriseId, period);
  return a.identities.map((identity) => rows.row(identity));
}

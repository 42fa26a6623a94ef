/**
 * The counters and breakdown lists shared by Format C entity day rows and user rows.
 *
 * @module
 */
import {
  C,
  cliTotals,
  featureRows,
  FEATURES,
  hasCli,
  ideRow,
  interactions,
  type KnownSums,
  languageFeatureRow,
  linesAdded,
} from "./features.ts";
import type { LanguageFeatureTotals, ReportBreakdowns, ReportCounters } from "./types.ts";

/** A named scope's sums: an editor or a language. */
export interface NamedSums {
  readonly name: string;
  readonly sums: KnownSums;
}

/**
 * The seven counters of a scope: the sums of its feature rows (MAPPING's table, summed in
 * closed form; the tests check it against the rows).
 */
export function reportCounters(s: KnownSums): ReportCounters {
  return {
    user_initiated_interaction_count: interactions(s),
    code_generation_activity_count: s[C.completionsCount],
    code_acceptance_activity_count: s[C.completionsAccepted],
    loc_suggested_to_add_sum: s[C.completionsSuggestedLines],
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: linesAdded(s),
    loc_deleted_sum: 0,
  };
}

/** `totals_by_language_feature`: by feature (table order), then language (given order). */
export function languageFeatureRows(languages: readonly NamedSums[]): LanguageFeatureTotals[] {
  const rows: LanguageFeatureTotals[] = [];
  for (const feature of FEATURES) {
    for (const l of languages) {
      const row = languageFeatureRow(l.name, feature, l.sums);
      if (row !== undefined) rows.push(row);
    }
  }
  return rows;
}

/**
 * The breakdown lists of a row, from its sums and its sums per editor and per language.
 * Every editor is listed in `totals_by_ide` (GitHub's viewer shows no completions or chat
 * for a day whose IDE list is empty); all-zero feature rows are left out; the model lists
 * are empty; `totals_by_cli` is present only with CLI activity.
 */
export function reportBreakdowns(
  total: KnownSums,
  editors: readonly NamedSums[],
  languages: readonly NamedSums[],
): ReportBreakdowns {
  const parts: ReportBreakdowns = {
    totals_by_ide: editors.map((e) => ideRow(e.name, e.sums)),
    totals_by_feature: featureRows(total),
    totals_by_language_feature: languageFeatureRows(languages),
    totals_by_language_model: [],
    totals_by_model_feature: [],
  };
  if (hasCli(total)) parts.totals_by_cli = cliTotals(total);
  return parts;
}

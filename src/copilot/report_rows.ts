/**
 * The rows of Format C shared by entity day rows and user rows: the seven counters of a scope
 * and the breakdown lists. Rows are object literals (no spreading) of numbers passed through
 * {@link int}, as they are built for every identity of every day.
 *
 * @module
 */
import {
  C,
  FEATURES,
  featureValues,
  hasCli,
  int,
  interactions,
  type KnownSums,
  linesAdded,
} from "./features.ts";
import { isCliEditor } from "./names.ts";
import type {
  CliTotals,
  CopilotFeature,
  FeatureTotals,
  IdeTotals,
  LanguageFeatureTotals,
  ReportBreakdowns,
  ReportCounters,
} from "./types.ts";

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
    user_initiated_interaction_count: int(interactions(s)),
    code_generation_activity_count: int(s[C.completionsCount]),
    code_acceptance_activity_count: int(s[C.completionsAccepted]),
    loc_suggested_to_add_sum: int(s[C.completionsSuggestedLines]),
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: int(linesAdded(s)),
    loc_deleted_sum: 0,
  };
}

/** A `totals_by_ide` row: the seven counters of the editor (the sum of its feature rows). */
export function ideRow(ide: string, s: KnownSums): IdeTotals {
  return {
    ide,
    user_initiated_interaction_count: int(interactions(s)),
    code_generation_activity_count: int(s[C.completionsCount]),
    code_acceptance_activity_count: int(s[C.completionsAccepted]),
    loc_suggested_to_add_sum: int(s[C.completionsSuggestedLines]),
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: int(linesAdded(s)),
    loc_deleted_sum: 0,
  };
}

const values = new Float64Array(5);

/**
 * The row of one feature over a scope, or `undefined` when all its counters are 0: a
 * `totals_by_feature` row, or given the scope's `language`, a `totals_by_language_feature` row.
 * The latter carries `user_initiated_interaction_count` too (an extra key GitHub's schema
 * allows), so that chat and agent prompts per language are not lost.
 */
export function featureRow(feature: CopilotFeature, s: KnownSums): FeatureTotals | undefined;
export function featureRow(
  feature: CopilotFeature,
  s: KnownSums,
  language: string,
): LanguageFeatureTotals | undefined;
export function featureRow(
  feature: CopilotFeature,
  s: KnownSums,
  language?: string,
): FeatureTotals | LanguageFeatureTotals | undefined {
  const v = values;
  if (!featureValues(feature, s, v)) return undefined;
  const interactions = int(v[0]);
  const generated = int(v[1]);
  const accepted = int(v[2]);
  const suggested = int(v[3]);
  const added = int(v[4]);
  // Two literals rather than a spread: `language` leads the key order written, and each row
  // kind keeps one fixed object shape (user rows are the hot path).
  return language === undefined
    ? {
      feature,
      user_initiated_interaction_count: interactions,
      code_generation_activity_count: generated,
      code_acceptance_activity_count: accepted,
      loc_suggested_to_add_sum: suggested,
      loc_suggested_to_delete_sum: 0,
      loc_added_sum: added,
      loc_deleted_sum: 0,
    }
    : {
      language,
      feature,
      user_initiated_interaction_count: interactions,
      code_generation_activity_count: generated,
      code_acceptance_activity_count: accepted,
      loc_suggested_to_add_sum: suggested,
      loc_suggested_to_delete_sum: 0,
      loc_added_sum: added,
      loc_deleted_sum: 0,
    };
}

/** `totals_by_feature`: the feature rows of a scope, in {@link FEATURES} order, without all-zero rows. */
export function featureRows(s: KnownSums): FeatureTotals[] {
  const rows: FeatureTotals[] = [];
  for (const feature of FEATURES) {
    const row = featureRow(feature, s);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/** `totals_by_language_feature`: by feature (table order), then language (given order). */
export function languageFeatureRows(languages: readonly NamedSums[]): LanguageFeatureTotals[] {
  const rows: LanguageFeatureTotals[] = [];
  for (const feature of FEATURES) {
    for (const l of languages) {
      const row = featureRow(feature, l.sums, l.name);
      if (row !== undefined) rows.push(row);
    }
  }
  return rows;
}

/** `totals_by_cli` of a scope: all CLI messages as requests, interactive ones as prompts. */
export function cliTotals(s: KnownSums): CliTotals {
  return {
    request_count: int(s[C.cliInteractiveMessages] + s[C.cliNonInteractiveMessages]),
    prompt_count: int(s[C.cliInteractiveMessages]),
  };
}

/**
 * `totals_by_ide`: a row per editor but the CLI, which is not an IDE (its activity is in
 * `totals_by_cli` and the `copilot_cli` feature rows, as in GitHub's reports; listed here too,
 * consumers such as copilot-metrics-viewer would show it twice and count one IDE too many).
 */
export function ideRows(editors: readonly NamedSums[]): IdeTotals[] {
  const rows: IdeTotals[] = [];
  for (const e of editors) if (!isCliEditor(e.name)) rows.push(ideRow(e.name, e.sums));
  return rows;
}

/**
 * The breakdown lists of a row, from its sums and its sums per editor and per language.
 * Every IDE is listed in `totals_by_ide` (GitHub's viewer shows no completions or chat
 * for a day whose IDE list is empty), the CLI never ({@link ideRows}); all-zero feature rows
 * are left out; the model lists are empty; `totals_by_cli` is present only with CLI activity.
 */
export function reportBreakdowns(
  total: KnownSums,
  editors: readonly NamedSums[],
  languages: readonly NamedSums[],
): ReportBreakdowns {
  const parts: ReportBreakdowns = {
    totals_by_ide: ideRows(editors),
    totals_by_feature: featureRows(total),
    totals_by_language_feature: languageFeatureRows(languages),
    totals_by_language_model: [],
    totals_by_model_feature: [],
  };
  if (hasCli(total)) parts.totals_by_cli = cliTotals(total);
  return parts;
}

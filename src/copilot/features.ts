/**
 * The feature table of MAPPING.md: which Augment counters make which Copilot feature row,
 * applied to sums of the sixteen documented counters. Rows are built as object literals
 * (no spreading), as these functions run for every identity of every day.
 *
 * @module
 */
import { type Counters, KNOWN_COUNTERS } from "../model/metrics.ts";
import type {
  CliTotals,
  CopilotFeature,
  FeatureTotals,
  IdeTotals,
  LanguageFeatureTotals,
} from "./types.ts";

/**
 * Sums of the sixteen documented counters, indexed in `KNOWN_COUNTERS` order (often a view
 * into a larger pool: read it, do not keep writing to it).
 */
export type KnownSums = Float64Array;

/** Number of documented counters: the length of every {@link KnownSums}. */
export const KNOWN_COUNT = KNOWN_COUNTERS.length;

/** Index of each documented counter in a {@link KnownSums}. */
export const KNOWN_INDEX: ReadonlyMap<string, number> = new Map(
  KNOWN_COUNTERS.map((name, i) => [name, i]),
);

/** Indices of the counters in a {@link KnownSums} (`KNOWN_COUNTERS` order). */
export const C = {
  totalModifiedLines: 0,
  totalMessages: 1,
  totalToolCalls: 2,
  completionsCount: 3,
  completionsAccepted: 4,
  completionsLines: 5,
  completionsSuggestedLines: 6,
  chatMessages: 7,
  remoteAgentMessages: 8,
  remoteAgentLines: 9,
  ideAgentMessages: 10,
  ideAgentLines: 11,
  cliInteractiveMessages: 12,
  cliInteractiveLines: 13,
  cliNonInteractiveMessages: 14,
  cliNonInteractiveLines: 15,
} as const;

/**
 * Adds the documented counters of `m` into `sums` at `base` by direct property reads, and
 * returns how many of them `m` has (so that a caller can tell whether unknown keys remain).
 */
export function addKnown(sums: Float64Array, base: number, m: Readonly<Counters>): number {
  let present = 0;
  let v: number | undefined;
  // deno-fmt-ignore
  {
    if ((v = m.total_modified_lines_of_code) !== undefined) { sums[base] += v; present++; }
    if ((v = m.total_messages) !== undefined) { sums[base + 1] += v; present++; }
    if ((v = m.total_tool_calls) !== undefined) { sums[base + 2] += v; present++; }
    if ((v = m.completions_count) !== undefined) { sums[base + 3] += v; present++; }
    if ((v = m.completions_accepted) !== undefined) { sums[base + 4] += v; present++; }
    if ((v = m.completions_lines_of_code) !== undefined) { sums[base + 5] += v; present++; }
    if ((v = m.completions_suggested_lines_of_code) !== undefined) { sums[base + 6] += v; present++; }
    if ((v = m.chat_messages) !== undefined) { sums[base + 7] += v; present++; }
    if ((v = m.remote_agent_messages) !== undefined) { sums[base + 8] += v; present++; }
    if ((v = m.remote_agent_lines_of_code) !== undefined) { sums[base + 9] += v; present++; }
    if ((v = m.ide_agent_messages) !== undefined) { sums[base + 10] += v; present++; }
    if ((v = m.ide_agent_lines_of_code) !== undefined) { sums[base + 11] += v; present++; }
    if ((v = m.cli_agent_interactive_messages) !== undefined) { sums[base + 12] += v; present++; }
    if ((v = m.cli_agent_interactive_lines_of_code) !== undefined) { sums[base + 13] += v; present++; }
    if ((v = m.cli_agent_non_interactive_messages) !== undefined) { sums[base + 14] += v; present++; }
    if ((v = m.cli_agent_non_interactive_lines_of_code) !== undefined) { sums[base + 15] += v; present++; }
  }
  return present;
}

/** A `Counters` object from sums, in the documented order, plus any unknown counters. */
export function countersOf(s: KnownSums, unknown?: Readonly<Record<string, number>>): Counters {
  const c: Counters = {
    total_modified_lines_of_code: s[0],
    total_messages: s[1],
    total_tool_calls: s[2],
    completions_count: s[3],
    completions_accepted: s[4],
    completions_lines_of_code: s[5],
    completions_suggested_lines_of_code: s[6],
    chat_messages: s[7],
    remote_agent_messages: s[8],
    remote_agent_lines_of_code: s[9],
    ide_agent_messages: s[10],
    ide_agent_lines_of_code: s[11],
    cli_agent_interactive_messages: s[12],
    cli_agent_interactive_lines_of_code: s[13],
    cli_agent_non_interactive_messages: s[14],
    cli_agent_non_interactive_lines_of_code: s[15],
  };
  if (unknown !== undefined) { for (const k in unknown) c[k] = unknown[k]; }
  return c;
}

/** The Copilot features this tool writes, in the order rows are listed. */
export const FEATURES: readonly CopilotFeature[] = [
  "code_completion",
  "chat_panel_ask_mode",
  "chat_panel_agent_mode",
  "agent_edit",
  "copilot_cli",
];

/**
 * MAPPING's feature table: the counters of one feature over a scope, written into `out` as
 * `[user_initiated_interaction_count, code_generation_activity_count,
 * code_acceptance_activity_count, loc_suggested_to_add_sum, loc_added_sum]` (the `*delete*`
 * counters and `loc_deleted_sum` are always 0: no source). Returns false when all are 0.
 */
function featureValues(feature: CopilotFeature, s: KnownSums, out: Float64Array): boolean {
  out.fill(0);
  switch (feature) {
    case "code_completion":
      out[1] = s[C.completionsCount];
      out[2] = s[C.completionsAccepted];
      out[3] = s[C.completionsSuggestedLines];
      out[4] = s[C.completionsLines];
      break;
    case "chat_panel_ask_mode":
      out[0] = s[C.chatMessages];
      break;
    case "chat_panel_agent_mode":
      out[0] = s[C.ideAgentMessages];
      out[4] = s[C.ideAgentLines];
      break;
    case "agent_edit":
      out[0] = s[C.remoteAgentMessages];
      out[4] = s[C.remoteAgentLines];
      break;
    case "copilot_cli":
      out[0] = s[C.cliInteractiveMessages] + s[C.cliNonInteractiveMessages];
      out[4] = s[C.cliInteractiveLines] + s[C.cliNonInteractiveLines];
      break;
  }
  return out[0] !== 0 || out[1] !== 0 || out[2] !== 0 || out[3] !== 0 || out[4] !== 0;
}

const scratch = new Float64Array(5);

/** The row of one feature over a scope, or `undefined` when all its counters are 0. */
export function featureRow(feature: CopilotFeature, s: KnownSums): FeatureTotals | undefined {
  const v = scratch;
  if (!featureValues(feature, s, v)) return undefined;
  return {
    feature,
    user_initiated_interaction_count: v[0],
    code_generation_activity_count: v[1],
    code_acceptance_activity_count: v[2],
    loc_suggested_to_add_sum: v[3],
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: v[4],
    loc_deleted_sum: 0,
  };
}

/** The feature rows of a scope, in {@link FEATURES} order, without all-zero rows. */
export function featureRows(s: KnownSums): FeatureTotals[] {
  const rows: FeatureTotals[] = [];
  for (const feature of FEATURES) {
    const row = featureRow(feature, s);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/**
 * The `(language, feature)` row over a scope, or `undefined` when all its counters are 0.
 * It carries `user_initiated_interaction_count` too (an extra key GitHub's schema allows).
 */
export function languageFeatureRow(
  language: string,
  feature: CopilotFeature,
  s: KnownSums,
): LanguageFeatureTotals | undefined {
  const v = scratch;
  if (!featureValues(feature, s, v)) return undefined;
  return {
    language,
    feature,
    user_initiated_interaction_count: v[0],
    code_generation_activity_count: v[1],
    code_acceptance_activity_count: v[2],
    loc_suggested_to_add_sum: v[3],
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: v[4],
    loc_deleted_sum: 0,
  };
}

/** `user_initiated_interaction_count` of a scope: Σ over features = all prompts sent. */
export function interactions(s: KnownSums): number {
  return s[C.chatMessages] + s[C.ideAgentMessages] + s[C.remoteAgentMessages] +
    s[C.cliInteractiveMessages] + s[C.cliNonInteractiveMessages];
}

/** `loc_added_sum` of a scope: Σ over features = accepted completion lines + agent lines. */
export function linesAdded(s: KnownSums): number {
  return s[C.completionsLines] + s[C.ideAgentLines] + s[C.remoteAgentLines] +
    s[C.cliInteractiveLines] + s[C.cliNonInteractiveLines];
}

/** A `totals_by_ide` row: the sum of all feature rows of the editor. */
export function ideRow(ide: string, s: KnownSums): IdeTotals {
  return {
    ide,
    user_initiated_interaction_count: interactions(s),
    code_generation_activity_count: s[C.completionsCount],
    code_acceptance_activity_count: s[C.completionsAccepted],
    loc_suggested_to_add_sum: s[C.completionsSuggestedLines],
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: linesAdded(s),
    loc_deleted_sum: 0,
  };
}

/** Whether a scope has any CLI agent activity (messages or lines). */
export function hasCli(s: KnownSums): boolean {
  return s[C.cliInteractiveMessages] > 0 || s[C.cliNonInteractiveMessages] > 0 ||
    s[C.cliInteractiveLines] > 0 || s[C.cliNonInteractiveLines] > 0;
}

/** `totals_by_cli` of a scope: all CLI messages as requests, interactive ones as prompts. */
export function cliTotals(s: KnownSums): CliTotals {
  return {
    request_count: s[C.cliInteractiveMessages] + s[C.cliNonInteractiveMessages],
    prompt_count: s[C.cliInteractiveMessages],
  };
}

/** Whether a scope has any completion activity (any of the four completion counters). */
export function hasCompletions(s: KnownSums): boolean {
  return s[C.completionsCount] !== 0 || s[C.completionsAccepted] !== 0 ||
    s[C.completionsLines] !== 0 || s[C.completionsSuggestedLines] !== 0;
}

/** IDE chat turns of a scope: chat plus IDE-agent messages. */
export function chatTurns(s: KnownSums): number {
  return s[C.chatMessages] + s[C.ideAgentMessages];
}

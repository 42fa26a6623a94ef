/**
 * The feature table of MAPPING.md: which Augment counters make which Copilot feature, applied
 * to sums of the sixteen documented counters. The rows of Format C built from it are in
 * `report_rows.ts`.
 *
 * @module
 */
import { type Counters, KNOWN_COUNTERS } from "../model/metrics.ts";
import type { CopilotFeature } from "./types.ts";

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

/**
 * `n` itself, as a small integer when it is one (`-0` becomes `0`, which prints the same). A
 * number read from a Float64Array is a double, which V8 boxes (16 bytes, and slower to print)
 * when an object holds it; a small integer it stores unboxed. Every number that goes from
 * sums into an object built per identity passes through here: besides the boxes, one boxed
 * number added into a `Counters` object would turn that field of every `Counters` object of
 * the process (every record's metrics) into a box.
 */
export function int(n: number): number {
  const i = n | 0;
  return i === n ? i : n;
}

/** A `Counters` object from sums, in the documented order, plus any unknown counters. */
export function countersOf(s: KnownSums, unknown?: Readonly<Record<string, number>>): Counters {
  const c: Counters = {
    total_modified_lines_of_code: int(s[0]),
    total_messages: int(s[1]),
    total_tool_calls: int(s[2]),
    completions_count: int(s[3]),
    completions_accepted: int(s[4]),
    completions_lines_of_code: int(s[5]),
    completions_suggested_lines_of_code: int(s[6]),
    chat_messages: int(s[7]),
    remote_agent_messages: int(s[8]),
    remote_agent_lines_of_code: int(s[9]),
    ide_agent_messages: int(s[10]),
    ide_agent_lines_of_code: int(s[11]),
    cli_agent_interactive_messages: int(s[12]),
    cli_agent_interactive_lines_of_code: int(s[13]),
    cli_agent_non_interactive_messages: int(s[14]),
    cli_agent_non_interactive_lines_of_code: int(s[15]),
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
export function featureValues(feature: CopilotFeature, s: KnownSums, out: Float64Array): boolean {
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

/** Whether a scope has any CLI agent activity (messages or lines). */
export function hasCli(s: KnownSums): boolean {
  return s[C.cliInteractiveMessages] > 0 || s[C.cliNonInteractiveMessages] > 0 ||
    s[C.cliInteractiveLines] > 0 || s[C.cliNonInteractiveLines] > 0;
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

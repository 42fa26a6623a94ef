/**
 * Format A: the legacy Copilot usage API day (`copilot-usage-metrics`).
 *
 * @module
 */
import type { DayAnalysis } from "./analyze.ts";
import { C, chatTurns, hasCompletions } from "./features.ts";
import type { LegacyUsageDay } from "./types.ts";

/**
 * Format A: completion and chat totals plus a (language, editor) breakdown of completions.
 * The schema allows no other top-level keys, so there is no `augment` extension here.
 */
export function toLegacyUsageDay(a: DayAnalysis): LegacyUsageDay {
  const s = a.totalSums;
  return {
    day: a.day,
    total_suggestions_count: s[C.completionsCount],
    total_acceptances_count: s[C.completionsAccepted],
    total_lines_suggested: s[C.completionsSuggestedLines],
    total_lines_accepted: s[C.completionsLines],
    total_active_users: a.dailyActiveUsers,
    total_chat_acceptances: 0,
    total_chat_turns: chatTurns(s),
    total_active_chat_users: a.chatIdentities.size,
    breakdown: a.editorLanguages.filter((p) => hasCompletions(p.sums)).map((p) => ({
      language: p.name,
      editor: p.editor,
      suggestions_count: p.sums[C.completionsCount],
      acceptances_count: p.sums[C.completionsAccepted],
      lines_suggested: p.sums[C.completionsSuggestedLines],
      lines_accepted: p.sums[C.completionsLines],
      active_users: p.completionUsers,
    })),
  };
}

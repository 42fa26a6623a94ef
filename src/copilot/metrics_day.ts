/**
 * Format B: the Copilot metrics API day object (`copilot-usage-metrics-day`).
 *
 * @module
 */
import type { DayAnalysis } from "./analyze.ts";
import { C, chatTurns, hasCompletions } from "./features.ts";
import { isCliEditor } from "./names.ts";
import type {
  AugmentDayExtension,
  CopilotMetricsDay,
  MetricsChatEditor,
  MetricsCompletionEditor,
  MetricsCompletionModelLanguage,
} from "./types.ts";

/** The `augment` extension of a day: every counter summed, plus identity counts. */
export function augmentDayExtension(a: DayAnalysis): AugmentDayExtension {
  return {
    metrics: { ...a.totals },
    active_identities: a.identityCount,
    service_accounts: a.serviceAccountCount,
  };
}

/**
 * Format B, with the `augment` extension. A language or editor entry appears only where it
 * has activity for that section (any completion counter for completions, chat or IDE-agent
 * messages for chat); every editor and chat entry has the single model `default`. The CLI is
 * not an IDE: it is never in `editors[]` (its counters are in the `augment` extension).
 */
export function toMetricsDay(a: DayAnalysis): CopilotMetricsDay {
  const modelLanguages = new Map<string, MetricsCompletionModelLanguage[]>();
  for (const p of a.editorLanguages) {
    if (isCliEditor(p.editor) || !hasCompletions(p.sums)) continue;
    let list = modelLanguages.get(p.editor);
    if (list === undefined) modelLanguages.set(p.editor, list = []);
    list.push({
      name: p.name,
      total_engaged_users: p.completionEngaged,
      total_code_suggestions: p.sums[C.completionsCount],
      total_code_acceptances: p.sums[C.completionsAccepted],
      total_code_lines_suggested: p.sums[C.completionsSuggestedLines],
      total_code_lines_accepted: p.sums[C.completionsLines],
    });
  }
  const completionEditors: MetricsCompletionEditor[] = [];
  const chatEditors: MetricsChatEditor[] = [];
  for (const e of a.editors) {
    if (isCliEditor(e.name)) continue;
    if (hasCompletions(e.sums)) {
      completionEditors.push({
        name: e.name,
        total_engaged_users: e.completionEngaged,
        models: [{
          name: "default",
          is_custom_model: false,
          custom_model_training_date: null,
          total_engaged_users: e.completionEngaged,
          languages: modelLanguages.get(e.name) ?? [],
        }],
      });
    }
    const chats = chatTurns(e.sums);
    if (chats !== 0) {
      chatEditors.push({
        name: e.name,
        total_engaged_users: e.chatEngaged,
        models: [{
          name: "default",
          is_custom_model: false,
          custom_model_training_date: null,
          total_engaged_users: e.chatEngaged,
          total_chats: chats,
          total_chat_insertion_events: 0,
          total_chat_copy_events: 0,
        }],
      });
    }
  }
  return {
    date: a.day,
    total_active_users: a.dailyActiveUsers,
    total_engaged_users: a.engagedCount,
    copilot_ide_code_completions: {
      total_engaged_users: a.completionEngagedCount,
      languages: a.languages.filter((l) => hasCompletions(l.sums)).map((l) => ({
        name: l.name,
        total_engaged_users: l.completionEngaged,
      })),
      editors: completionEditors,
    },
    copilot_ide_chat: {
      total_engaged_users: a.chatIdentities.size,
      editors: chatEditors,
    },
    copilot_dotcom_chat: { total_engaged_users: 0, models: [] },
    copilot_dotcom_pull_requests: { total_engaged_users: 0, repositories: [] },
    augment: augmentDayExtension(a),
  };
}

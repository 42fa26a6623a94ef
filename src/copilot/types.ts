/**
 * The Copilot output shapes this layer produces, matching GitHub's schemas (vendored in
 * `tests/fixtures/schemas/`). Field names are GitHub's (snake_case); every count is a JSON
 * number and every day a `YYYY-MM-DD` string.
 *
 * @module
 */
import type { Day, IdentityKind } from "../model/types.ts";

/** The seven counters of a Copilot usage-metrics report row (Format C). */
export interface ReportCounters {
  user_initiated_interaction_count: number;
  code_generation_activity_count: number;
  code_acceptance_activity_count: number;
  loc_suggested_to_add_sum: number;
  loc_suggested_to_delete_sum: number;
  loc_added_sum: number;
  loc_deleted_sum: number;
}

/** A Copilot feature name written by this tool (GitHub's list is open; these are the ones mapped). */
export type CopilotFeature =
  | "code_completion"
  | "chat_panel_ask_mode"
  | "chat_panel_agent_mode"
  | "agent_edit"
  | "copilot_cli";

/** The `augment` extension of a Format B day and a Format C entity day: nothing is lost. */
export interface AugmentDayExtension {
  /** Every counter of the day's records (the sixteen documented and any unknown), summed. */
  metrics: Record<string, number>;
  /** Distinct identities (users and service accounts) in the day's records. */
  active_identities: number;
  /** Distinct service accounts in the day's records. */
  service_accounts: number;
  /** The day's credits (decimal strings), in total and per model, when known. */
  credits?: { total: string; by_model: Record<string, string> };
  /** The day's cost per resource (tokens, USD, credits), when known. */
  cost?: {
    billed_amount_usd?: string;
    estimated_customer_cost_usd?: string;
    credits_consumed?: string;
    by_resource: Record<string, string | number>[];
  };
}

/** The `augment` extension of a Format C user row: the identity's own counters. */
export interface AugmentUserExtension {
  /** Every counter of the identity's records that day (documented and unknown), summed. */
  metrics: Record<string, number>;
  /** Whether `user_login` is an e-mail (`user`) or a service-account name. */
  identity_kind: IdentityKind;
  /** The identity's credits that day, exact (decimal strings), in total and per model. */
  credits?: { total: string; by_model: Record<string, string> };
}

// ---------------------------------------------------------------- Format B

/** A language entry of `copilot_ide_code_completions.languages[]`. */
export interface MetricsCompletionLanguage {
  name: string;
  total_engaged_users: number;
}

/** A language entry of `copilot_ide_code_completions.editors[].models[].languages[]`. */
export interface MetricsCompletionModelLanguage {
  name: string;
  total_engaged_users: number;
  total_code_suggestions: number;
  total_code_acceptances: number;
  total_code_lines_suggested: number;
  total_code_lines_accepted: number;
}

/** A model entry of a completions editor (always the single `default` model). */
export interface MetricsCompletionModel {
  name: string;
  is_custom_model: boolean;
  custom_model_training_date: string | null;
  total_engaged_users: number;
  languages: MetricsCompletionModelLanguage[];
}

/** An editor entry of `copilot_ide_code_completions.editors[]`. */
export interface MetricsCompletionEditor {
  name: string;
  total_engaged_users: number;
  models: MetricsCompletionModel[];
}

/** A model entry of a chat editor (always the single `default` model). */
export interface MetricsChatModel {
  name: string;
  is_custom_model: boolean;
  custom_model_training_date: string | null;
  total_engaged_users: number;
  total_chats: number;
  total_chat_insertion_events: number;
  total_chat_copy_events: number;
}

/** An editor entry of `copilot_ide_chat.editors[]`. */
export interface MetricsChatEditor {
  name: string;
  total_engaged_users: number;
  models: MetricsChatModel[];
}

/** Format B: one element of the Copilot metrics API response (`copilot-usage-metrics-day`). */
export interface CopilotMetricsDay {
  date: Day;
  total_active_users: number;
  total_engaged_users: number;
  copilot_ide_code_completions: {
    total_engaged_users: number;
    languages: MetricsCompletionLanguage[];
    editors: MetricsCompletionEditor[];
  };
  copilot_ide_chat: {
    total_engaged_users: number;
    editors: MetricsChatEditor[];
  };
  copilot_dotcom_chat: { total_engaged_users: number; models: never[] };
  copilot_dotcom_pull_requests: { total_engaged_users: number; repositories: never[] };
  augment: AugmentDayExtension;
}

// ---------------------------------------------------------------- Format A

/** A `breakdown[]` entry of the legacy usage format: completions of one (language, editor). */
export interface LegacyUsageBreakdown {
  language: string;
  editor: string;
  suggestions_count: number;
  acceptances_count: number;
  lines_suggested: number;
  lines_accepted: number;
  active_users: number;
}

/** Format A: one day of the legacy Copilot usage API; no other top-level keys are allowed. */
export interface LegacyUsageDay {
  day: Day;
  total_suggestions_count: number;
  total_acceptances_count: number;
  total_lines_suggested: number;
  total_lines_accepted: number;
  total_active_users: number;
  total_chat_acceptances: number;
  total_chat_turns: number;
  total_active_chat_users: number;
  breakdown: LegacyUsageBreakdown[];
}

// ---------------------------------------------------------------- Format C

/** A `totals_by_ide[]` row. */
export interface IdeTotals extends ReportCounters {
  ide: string;
}

/** A `totals_by_feature[]` row. */
export interface FeatureTotals extends ReportCounters {
  feature: CopilotFeature;
}

/**
 * A `totals_by_language_feature[]` row. GitHub's rows carry six counters; this tool adds
 * `user_initiated_interaction_count` (allowed extra key) so chat and agent prompts per
 * language are not lost.
 */
export interface LanguageFeatureTotals extends ReportCounters {
  language: string;
  feature: CopilotFeature;
}

/** `totals_by_cli`: present only when there was CLI use. Sessions and tokens have no source. */
export interface CliTotals {
  /** All CLI agent messages (interactive and non-interactive). */
  request_count: number;
  /** Interactive CLI agent messages. */
  prompt_count: number;
}

/** The breakdown lists shared by entity day rows and user rows. */
export interface ReportBreakdowns {
  totals_by_ide: IdeTotals[];
  totals_by_feature: FeatureTotals[];
  totals_by_language_feature: LanguageFeatureTotals[];
  /** Always empty: Augment reports no model for activity. */
  totals_by_language_model: never[];
  /** Always empty: Augment reports no model for activity. */
  totals_by_model_feature: never[];
  totals_by_cli?: CliTotals;
}

/** Format C: one element of an entity report's `day_totals[]`. */
export interface EntityDayTotal extends ReportCounters, ReportBreakdowns {
  day: Day;
  enterprise_id: string;
  daily_active_users: number;
  weekly_active_users: number;
  monthly_active_users: number;
  monthly_active_chat_users: number;
  monthly_active_agent_users: number;
  daily_active_cli_users: number;
  augment: AugmentDayExtension;
}

/** Format C: an enterprise (or organisation) report file, 1-day or 28-day. */
export interface EntityReport {
  report_start_day: Day;
  report_end_day: Day;
  enterprise_id: string;
  created_at: string;
  day_totals: EntityDayTotal[];
}

/** Format C: one NDJSON row of a users report: one identity on one day. */
export interface UserRow extends ReportCounters, ReportBreakdowns {
  /** Only in 28-day files. */
  report_start_day?: Day;
  /** Only in 28-day files. */
  report_end_day?: Day;
  day: Day;
  enterprise_id: string;
  user_id: number;
  /** The e-mail or service-account name exactly as received. */
  user_login: string;
  used_chat: boolean;
  used_agent: boolean;
  used_cli: boolean;
  /** Σ credits of the identity that day, when the day's credits are known (never 0 for unknown). */
  ai_credits_used?: number;
  augment: AugmentUserExtension;
}

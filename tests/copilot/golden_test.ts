/**
 * Golden tests: one small day computed by hand, asserted field by field for every format.
 * The expected numbers are written out here, never computed by the code under test.
 */
import assert from "node:assert/strict";
import {
  analyzeDay,
  toEntityDayTotal,
  toLegacyUsageDay,
  toMetricsDay,
  toUserRows,
} from "../../src/copilot/mod.ts";
import type { DayData } from "../../src/model/types.ts";
import { rec } from "./_helpers.ts";

// alice uses VSCode twice under two spellings; bob completes in JetBrains and runs a Remote
// agent from VSCode; the service account "bot" runs the CLI agent and sends an unknown counter.
const GOLDEN: DayData = {
  day: "2026-04-25",
  dauCount: 3,
  records: [
    rec("alice@x.com", "VSCode", "Python", {
      completions_count: 10,
      completions_accepted: 4,
      completions_lines_of_code: 6,
      completions_suggested_lines_of_code: 15,
      chat_messages: 2,
      total_messages: 2,
    }),
    rec("alice@x.com", "vscode", "python", {
      completions_count: 5,
      completions_accepted: 1,
      completions_lines_of_code: 2,
      completions_suggested_lines_of_code: 5,
      ide_agent_messages: 3,
      ide_agent_lines_of_code: 20,
      total_messages: 3,
    }),
    rec("bob@x.com", "JetBrains", "TypeScript", {
      completions_count: 8,
      completions_suggested_lines_of_code: 9,
    }),
    rec("bot", "CLI", "", {
      cli_agent_interactive_messages: 2,
      cli_agent_interactive_lines_of_code: 7,
      cli_agent_non_interactive_messages: 5,
      cli_agent_non_interactive_lines_of_code: 11,
      total_messages: 7,
      total_tool_calls: 4,
      future_counter: 3,
    }, "service_account"),
    rec("bob@x.com", "VSCode", "Python", {
      remote_agent_messages: 1,
      remote_agent_lines_of_code: 30,
      total_messages: 1,
    }),
  ],
};

const DAY_METRICS = {
  total_modified_lines_of_code: 0,
  total_messages: 13,
  total_tool_calls: 4,
  completions_count: 23,
  completions_accepted: 5,
  completions_lines_of_code: 8,
  completions_suggested_lines_of_code: 29,
  chat_messages: 2,
  remote_agent_messages: 1,
  remote_agent_lines_of_code: 30,
  ide_agent_messages: 3,
  ide_agent_lines_of_code: 20,
  cli_agent_interactive_messages: 2,
  cli_agent_interactive_lines_of_code: 7,
  cli_agent_non_interactive_messages: 5,
  cli_agent_non_interactive_lines_of_code: 11,
  future_counter: 3,
};

const ZERO7 = {
  user_initiated_interaction_count: 0,
  code_generation_activity_count: 0,
  code_acceptance_activity_count: 0,
  loc_suggested_to_add_sum: 0,
  loc_suggested_to_delete_sum: 0,
  loc_added_sum: 0,
  loc_deleted_sum: 0,
};

Deno.test("toMetricsDay() writes the hand-computed Format B day", () => {
  const b = toMetricsDay(analyzeDay(GOLDEN));
  assert.deepEqual(b, {
    date: "2026-04-25",
    total_active_users: 3,
    total_engaged_users: 3,
    copilot_ide_code_completions: {
      total_engaged_users: 1,
      languages: [
        { name: "python", total_engaged_users: 1 },
        { name: "typescript", total_engaged_users: 0 },
      ],
      editors: [
        {
          name: "jetbrains",
          total_engaged_users: 0,
          models: [{
            name: "default",
            is_custom_model: false,
            custom_model_training_date: null,
            total_engaged_users: 0,
            languages: [{
              name: "typescript",
              total_engaged_users: 0,
              total_code_suggestions: 8,
              total_code_acceptances: 0,
              total_code_lines_suggested: 9,
              total_code_lines_accepted: 0,
            }],
          }],
        },
        {
          name: "vscode",
          total_engaged_users: 1,
          models: [{
            name: "default",
            is_custom_model: false,
            custom_model_training_date: null,
            total_engaged_users: 1,
            languages: [{
              name: "python",
              total_engaged_users: 1,
              total_code_suggestions: 15,
              total_code_acceptances: 5,
              total_code_lines_suggested: 20,
              total_code_lines_accepted: 8,
            }],
          }],
        },
      ],
    },
    copilot_ide_chat: {
      total_engaged_users: 1,
      editors: [{
        name: "vscode",
        total_engaged_users: 1,
        models: [{
          name: "default",
          is_custom_model: false,
          custom_model_training_date: null,
          total_engaged_users: 1,
          total_chats: 5,
          total_chat_insertion_events: 0,
          total_chat_copy_events: 0,
        }],
      }],
    },
    copilot_dotcom_chat: { total_engaged_users: 0, models: [] },
    copilot_dotcom_pull_requests: { total_engaged_users: 0, repositories: [] },
    augment: { metrics: DAY_METRICS, active_identities: 3, service_accounts: 1 },
  });
});

Deno.test("toLegacyUsageDay() writes the hand-computed Format A day", () => {
  const a = toLegacyUsageDay(analyzeDay(GOLDEN));
  assert.deepEqual(a, {
    day: "2026-04-25",
    total_suggestions_count: 23,
    total_acceptances_count: 5,
    total_lines_suggested: 29,
    total_lines_accepted: 8,
    total_active_users: 3,
    total_chat_acceptances: 0,
    total_chat_turns: 5,
    total_active_chat_users: 1,
    breakdown: [
      {
        language: "typescript",
        editor: "jetbrains",
        suggestions_count: 8,
        acceptances_count: 0,
        lines_suggested: 9,
        lines_accepted: 0,
        active_users: 1,
      },
      {
        language: "python",
        editor: "vscode",
        suggestions_count: 15,
        acceptances_count: 5,
        lines_suggested: 20,
        lines_accepted: 8,
        active_users: 1,
      },
    ],
  });
});

Deno.test("toEntityDayTotal() writes the hand-computed Format C day row", () => {
  const window = { weekly: 5, monthly: 6, monthlyChat: 2, monthlyAgent: 4, complete: true };
  const c = toEntityDayTotal(analyzeDay(GOLDEN), window, "ent-1");
  assert.deepEqual(c, {
    day: "2026-04-25",
    enterprise_id: "ent-1",
    daily_active_users: 3,
    weekly_active_users: 5,
    monthly_active_users: 6,
    monthly_active_chat_users: 2,
    monthly_active_agent_users: 4,
    daily_active_cli_users: 1,
    user_initiated_interaction_count: 13,
    code_generation_activity_count: 23,
    code_acceptance_activity_count: 5,
    loc_suggested_to_add_sum: 29,
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: 76,
    loc_deleted_sum: 0,
    // The CLI (bot's 7 messages, 18 lines) is not an IDE: totals_by_cli and copilot_cli only.
    totals_by_ide: [
      {
        ide: "jetbrains",
        ...ZERO7,
        code_generation_activity_count: 8,
        loc_suggested_to_add_sum: 9,
      },
      {
        ide: "vscode",
        ...ZERO7,
        user_initiated_interaction_count: 6,
        code_generation_activity_count: 15,
        code_acceptance_activity_count: 5,
        loc_suggested_to_add_sum: 20,
        loc_added_sum: 58,
      },
    ],
    totals_by_feature: [
      {
        feature: "code_completion",
        ...ZERO7,
        code_generation_activity_count: 23,
        code_acceptance_activity_count: 5,
        loc_suggested_to_add_sum: 29,
        loc_added_sum: 8,
      },
      { feature: "chat_panel_ask_mode", ...ZERO7, user_initiated_interaction_count: 2 },
      {
        feature: "chat_panel_agent_mode",
        ...ZERO7,
        user_initiated_interaction_count: 3,
        loc_added_sum: 20,
      },
      { feature: "agent_edit", ...ZERO7, user_initiated_interaction_count: 1, loc_added_sum: 30 },
      { feature: "copilot_cli", ...ZERO7, user_initiated_interaction_count: 7, loc_added_sum: 18 },
    ],
    totals_by_language_feature: [
      {
        language: "python",
        feature: "code_completion",
        ...ZERO7,
        code_generation_activity_count: 15,
        code_acceptance_activity_count: 5,
        loc_suggested_to_add_sum: 20,
        loc_added_sum: 8,
      },
      {
        language: "typescript",
        feature: "code_completion",
        ...ZERO7,
        code_generation_activity_count: 8,
        loc_suggested_to_add_sum: 9,
      },
      {
        language: "python",
        feature: "chat_panel_ask_mode",
        ...ZERO7,
        user_initiated_interaction_count: 2,
      },
      {
        language: "python",
        feature: "chat_panel_agent_mode",
        ...ZERO7,
        user_initiated_interaction_count: 3,
        loc_added_sum: 20,
      },
      {
        language: "python",
        feature: "agent_edit",
        ...ZERO7,
        user_initiated_interaction_count: 1,
        loc_added_sum: 30,
      },
      {
        language: "unknown",
        feature: "copilot_cli",
        ...ZERO7,
        user_initiated_interaction_count: 7,
        loc_added_sum: 18,
      },
    ],
    totals_by_language_model: [],
    totals_by_model_feature: [],
    totals_by_cli: { request_count: 7, prompt_count: 2 },
    augment: { metrics: DAY_METRICS, active_identities: 3, service_accounts: 1 },
  });
});

Deno.test("toEntityDayTotal() raises weekly and monthly to a dau-count above the window", () => {
  const window = { weekly: 5, monthly: 6, monthlyChat: 2, monthlyAgent: 4, complete: false };
  const c = toEntityDayTotal(analyzeDay({ ...GOLDEN, dauCount: 9 }), window, "ent-1");
  assert.equal(c.daily_active_users, 9);
  assert.equal(c.weekly_active_users, 9);
  assert.equal(c.monthly_active_users, 9);
  assert.equal(c.monthly_active_chat_users, 2);
});

Deno.test("toUserRows() writes the hand-computed Format C user rows", () => {
  const rows = toUserRows(analyzeDay(GOLDEN), "ent-1", {
    startDay: "2026-03-29",
    endDay: "2026-04-25",
  });
  assert.deepEqual(rows.map((r) => r.user_login), ["alice@x.com", "bob@x.com", "bot"]);
  assert.deepEqual(rows[1], {
    report_start_day: "2026-03-29",
    report_end_day: "2026-04-25",
    day: "2026-04-25",
    enterprise_id: "ent-1",
    user_id: 5263061536687740,
    user_login: "bob@x.com",
    user_initiated_interaction_count: 1,
    code_generation_activity_count: 8,
    code_acceptance_activity_count: 0,
    loc_suggested_to_add_sum: 9,
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: 30,
    loc_deleted_sum: 0,
    totals_by_ide: [
      {
        ide: "jetbrains",
        ...ZERO7,
        code_generation_activity_count: 8,
        loc_suggested_to_add_sum: 9,
      },
      { ide: "vscode", ...ZERO7, user_initiated_interaction_count: 1, loc_added_sum: 30 },
    ],
    totals_by_feature: [
      {
        feature: "code_completion",
        ...ZERO7,
        code_generation_activity_count: 8,
        loc_suggested_to_add_sum: 9,
      },
      { feature: "agent_edit", ...ZERO7, user_initiated_interaction_count: 1, loc_added_sum: 30 },
    ],
    totals_by_language_feature: [
      {
        language: "typescript",
        feature: "code_completion",
        ...ZERO7,
        code_generation_activity_count: 8,
        loc_suggested_to_add_sum: 9,
      },
      {
        language: "python",
        feature: "agent_edit",
        ...ZERO7,
        user_initiated_interaction_count: 1,
        loc_added_sum: 30,
      },
    ],
    totals_by_language_model: [],
    totals_by_model_feature: [],
    used_chat: false,
    used_agent: true,
    used_cli: false,
    augment: {
      identity_kind: "user",
      metrics: {
        total_modified_lines_of_code: 0,
        total_messages: 1,
        total_tool_calls: 0,
        completions_count: 8,
        completions_accepted: 0,
        completions_lines_of_code: 0,
        completions_suggested_lines_of_code: 9,
        chat_messages: 0,
        remote_agent_messages: 1,
        remote_agent_lines_of_code: 30,
        ide_agent_messages: 0,
        ide_agent_lines_of_code: 0,
        cli_agent_interactive_messages: 0,
        cli_agent_interactive_lines_of_code: 0,
        cli_agent_non_interactive_messages: 0,
        cli_agent_non_interactive_lines_of_code: 0,
      },
    },
  });
  const bot = rows[2];
  assert.equal(bot.user_id, 4282294865047487);
  assert.equal(bot.user_initiated_interaction_count, 7);
  assert.equal(bot.loc_added_sum, 18);
  assert.deepEqual(bot.totals_by_ide, []);
  assert.deepEqual(bot.totals_by_feature, [
    { feature: "copilot_cli", ...ZERO7, user_initiated_interaction_count: 7, loc_added_sum: 18 },
  ]);
  assert.deepEqual(bot.totals_by_cli, { request_count: 7, prompt_count: 2 });
  assert.deepEqual([bot.used_chat, bot.used_agent, bot.used_cli], [false, false, true]);
  assert.equal(bot.augment.identity_kind, "service_account");
  assert.equal(bot.augment.metrics.future_counter, 3);
  assert.equal(bot.augment.metrics.total_tool_calls, 4);
  const alice = rows[0];
  assert.equal(alice.user_id, 6255703764126043);
  assert.deepEqual([alice.used_chat, alice.used_agent, alice.used_cli], [true, true, false]);
  assert.equal(alice.code_generation_activity_count, 15);
  assert.equal(alice.loc_added_sum, 28);
  assert.equal(alice.user_initiated_interaction_count, 5);
});

Deno.test("toUserRows() leaves the period keys out of 1-day rows", () => {
  const rows = toUserRows(analyzeDay(GOLDEN), "ent-1");
  assert.equal("report_start_day" in rows[0], false);
  assert.equal("report_end_day" in rows[0], false);
});

// A CLI record that also carries completion and chat counters (not seen from the service, but
// nothing it sends may be lost): still no IDE, and every counter still reaches the totals.
const CLI_WITH_EVERYTHING: DayData = {
  day: "2026-04-25",
  records: [
    rec("carol@x.com", "cli", "Go", {
      completions_count: 4,
      completions_accepted: 1,
      completions_lines_of_code: 2,
      completions_suggested_lines_of_code: 3,
      chat_messages: 5,
      cli_agent_interactive_messages: 6,
      cli_agent_interactive_lines_of_code: 9,
    }),
    rec("dan@x.com", "JetBrains", "Go", { chat_messages: 1 }),
  ],
};

Deno.test("the CLI is listed in no IDE list of Format B or C, and loses no counter", () => {
  const a = analyzeDay(CLI_WITH_EVERYTHING);
  const b = toMetricsDay(a);
  assert.deepEqual(b.copilot_ide_code_completions.editors, []);
  assert.deepEqual(b.copilot_ide_chat.editors.map((e) => e.name), ["jetbrains"]);
  assert.equal(b.copilot_ide_chat.editors[0].models[0].total_chats, 1);
  assert.equal(b.augment.metrics.completions_count, 4);
  assert.equal(b.augment.metrics.chat_messages, 6);
  assert.equal(b.augment.metrics.cli_agent_interactive_messages, 6);

  const window = { weekly: 2, monthly: 2, monthlyChat: 2, monthlyAgent: 1, complete: true };
  const c = toEntityDayTotal(a, window, "ent-1");
  assert.deepEqual(c.totals_by_ide, [
    { ide: "jetbrains", ...ZERO7, user_initiated_interaction_count: 1 },
  ]);
  // Top-level counters and feature rows still hold the CLI's counters.
  assert.equal(c.user_initiated_interaction_count, 12);
  assert.equal(c.code_generation_activity_count, 4);
  assert.equal(c.loc_added_sum, 11);
  assert.deepEqual(
    c.totals_by_feature.map((f) => [f.feature, f.user_initiated_interaction_count]),
    [
      ["code_completion", 0],
      ["chat_panel_ask_mode", 6],
      ["copilot_cli", 6],
    ],
  );
  assert.deepEqual(c.totals_by_cli, { request_count: 6, prompt_count: 6 });
  assert.equal(c.daily_active_cli_users, 1);

  const carol = toUserRows(a, "ent-1")[0];
  assert.equal(carol.user_login, "carol@x.com");
  assert.deepEqual(carol.totals_by_ide, []);
  assert.equal(carol.user_initiated_interaction_count, 11);
  assert.deepEqual(carol.totals_by_cli, { request_count: 6, prompt_count: 6 });
});

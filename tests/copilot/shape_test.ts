/**
 * Our Format C files have the keys that GitHub's real files (and its dashboard) use.
 */
import assert from "node:assert/strict";
import { analyzeDay, toEntityDayTotal, toEntityReport, toUserRows } from "../../src/copilot/mod.ts";
import { readFixture } from "../fixtures/schemas.ts";
import { rec } from "./_helpers.ts";

/** Keys of GitHub's day rows that MAPPING.md gives no Augment source: we leave them out. */
const NOT_FILLED = new Set([
  "organization_id",
  "daily_active_copilot_cloud_agent_users",
  "weekly_active_copilot_cloud_agent_users",
  "monthly_active_copilot_cloud_agent_users",
  "daily_active_copilot_code_review_users",
  "weekly_active_copilot_code_review_users",
  "monthly_active_copilot_code_review_users",
  "daily_passive_copilot_code_review_users",
  "weekly_passive_copilot_code_review_users",
  "monthly_passive_copilot_code_review_users",
  "pull_requests",
]);

/** Keys of GitHub's user rows that MAPPING.md gives no Augment source: we leave them out. */
const USER_NOT_FILLED = new Set([
  ...NOT_FILLED,
  "used_copilot_coding_agent",
  "used_copilot_cloud_agent",
  "ai_adoption_phase",
  "ai_credits_used",
]);

/** A day with activity in every feature, CLI included. */
const FULL_DAY = analyzeDay({
  day: "2026-04-25",
  records: [
    rec("a@x.com", "VSCode", "TypeScript", {
      completions_count: 4,
      completions_accepted: 1,
      chat_messages: 2,
      ide_agent_messages: 1,
    }),
    rec("b@x.com", "CLI", "Unknown", { cli_agent_interactive_messages: 2 }),
    rec("c@x.com", "JetBrains", "Java", { remote_agent_messages: 1 }),
  ],
});

Deno.test("the entity report has every key of GitHub's sample that MAPPING fills", () => {
  const sample = readFixture("samples/organization-1-day-report.json") as {
    day_totals: Record<string, unknown>[];
  } & Record<string, unknown>;
  const w = { weekly: 3, monthly: 3, monthlyChat: 1, monthlyAgent: 3, complete: true };
  const report = toEntityReport([toEntityDayTotal(FULL_DAY, w, "200001")], {
    startDay: "2026-04-25",
    endDay: "2026-04-25",
    enterpriseId: "200001",
    createdAt: "2026-04-26T03:36:11.710Z",
  }) as unknown as Record<string, unknown> & { day_totals: Record<string, unknown>[] };

  const missingTop = Object.keys(sample).filter((k) => !NOT_FILLED.has(k) && !(k in report));
  assert.deepEqual(missingTop, []);
  const ours = report.day_totals[0];
  const missing = Object.keys(sample.day_totals[0]).filter((k) =>
    !NOT_FILLED.has(k) && !(k in ours)
  );
  assert.deepEqual(missing, []);
  for (
    const key of [
      "day",
      "daily_active_users",
      "monthly_active_users",
      "monthly_active_chat_users",
      "totals_by_ide",
      "totals_by_language_feature",
    ]
  ) {
    assert.ok(key in ours, key);
  }
  assert.match(ours.day as string, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok((ours.totals_by_ide as unknown[]).length > 0);
  // The dashboard reads completions only from code_completion rows of this list.
  const rows = ours.totals_by_language_feature as { feature: string }[];
  assert.ok(rows.some((r) => r.feature === "code_completion"));
});

Deno.test("a day without CLI use has every sample key except totals_by_cli", () => {
  const sample = readFixture("samples/organization-1-day-report.json") as {
    day_totals: Record<string, unknown>[];
  };
  const noCli = analyzeDay({
    day: "2026-04-25",
    records: [rec("a@x.com", "VSCode", "Go", { completions_count: 1 })],
  });
  const w = { weekly: 1, monthly: 1, monthlyChat: 0, monthlyAgent: 0, complete: true };
  const ours = toEntityDayTotal(noCli, w, "e") as unknown as Record<string, unknown>;
  const missing = Object.keys(sample.day_totals[0]).filter((k) =>
    !NOT_FILLED.has(k) && !(k in ours)
  );
  assert.deepEqual(missing, ["totals_by_cli"]);
});

Deno.test("user rows have every key of GitHub's sample user rows that MAPPING fills", () => {
  const sample = readFixture("samples/organization-users-1-day-report.json") as {
    day_totals: Record<string, unknown>[];
  };
  const rows = toUserRows(FULL_DAY, "200001") as unknown as Record<string, unknown>[];
  const cli = rows.find((r) => r.used_cli === true)!;
  for (const s of sample.day_totals) {
    const missing = Object.keys(s).filter((k) => !USER_NOT_FILLED.has(k) && !(k in cli));
    assert.deepEqual(missing, []);
  }
  assert.ok(rows.every((r) => typeof r.user_login === "string" && typeof r.day === "string"));
});

/**
 * Property tests over hundreds of seeded random days: the checks MAPPING.md says must
 * always hold.
 */
import assert from "node:assert/strict";
import {
  ActiveWindow,
  analyzeDay,
  toEntityDayTotal,
  toLegacyUsageDay,
  toMetricsDay,
  toUserRows,
} from "../../src/copilot/mod.ts";
import { addDays } from "../../src/model/dates.ts";
import { type Counters, emptyCounters } from "../../src/model/metrics.ts";
import type { DayData } from "../../src/model/types.ts";
import { prng, randomDay, sumOf } from "./_helpers.ts";

const DAYS = 300;

/** Every counter of the day's records summed directly from the input (independent of the code). */
function recordTotals(day: DayData): Record<string, number> {
  const t = emptyCounters() as Record<string, number>;
  for (const r of day.records) {
    for (const [k, v] of Object.entries(r.metrics)) t[k] = (t[k] ?? 0) + v;
  }
  return t;
}

/** Whether a record's editor is the CLI (any case, spaces around), read from the input. */
function isCli(r: { editor: string }): boolean {
  return r.editor.trim().toLowerCase() === "cli";
}

/** {@link recordTotals} over the records of IDEs (every editor but the CLI). */
function ideTotals(day: DayData): Record<string, number> {
  return recordTotals({ ...day, records: day.records.filter((r) => !isCli(r)) });
}

function randomDays(seed: number): DayData[] {
  const rnd = prng(seed);
  const out: DayData[] = [];
  let day = "2026-01-01";
  for (let i = 0; i < DAYS; i++) {
    out.push(randomDay(rnd, day));
    day = addDays(day, 1);
  }
  return out;
}

Deno.test("Format B editors sum to the day's IDE completion and chat counters, for 300 random days", () => {
  for (const day of randomDays(1)) {
    // The CLI is not an IDE: Format B's editors hold every record but the CLI's.
    const t = ideTotals(day);
    const b = toMetricsDay(analyzeDay(day));
    const langs = b.copilot_ide_code_completions.editors.flatMap((e) =>
      e.models.flatMap((m) => m.languages)
    );
    assert.equal(sumOf(langs, "total_code_suggestions"), t.completions_count, day.day);
    assert.equal(sumOf(langs, "total_code_acceptances"), t.completions_accepted, day.day);
    assert.equal(
      sumOf(langs, "total_code_lines_suggested"),
      t.completions_suggested_lines_of_code,
      day.day,
    );
    assert.equal(sumOf(langs, "total_code_lines_accepted"), t.completions_lines_of_code, day.day);
    const chats = b.copilot_ide_chat.editors.flatMap((e) => e.models);
    assert.equal(sumOf(chats, "total_chats"), t.chat_messages + t.ide_agent_messages, day.day);
  }
});

Deno.test("Format A and C completion numbers equal the day's counters, for 300 random days", () => {
  for (const day of randomDays(2)) {
    const t = recordTotals(day);
    const a = analyzeDay(day);
    const legacy = toLegacyUsageDay(a);
    assert.equal(sumOf(legacy.breakdown, "suggestions_count"), t.completions_count);
    assert.equal(sumOf(legacy.breakdown, "acceptances_count"), t.completions_accepted);
    assert.equal(legacy.total_lines_accepted, t.completions_lines_of_code);
    const c = toEntityDayTotal(a, {
      weekly: 0,
      monthly: 0,
      monthlyChat: 0,
      monthlyAgent: 0,
      complete: false,
    }, "e");
    const completion = c.totals_by_language_feature.filter((r) => r.feature === "code_completion");
    assert.equal(sumOf(completion, "code_generation_activity_count"), t.completions_count);
    assert.equal(sumOf(completion, "code_acceptance_activity_count"), t.completions_accepted);
    assert.equal(sumOf(completion, "loc_added_sum"), t.completions_lines_of_code);
    // Top-level counters are the sums of the feature rows, and of the IDE rows plus the CLI's
    // records (the CLI is not an IDE).
    assert.ok(c.totals_by_ide.every((r) => r.ide !== "cli"));
    const cli = recordTotals({ ...day, records: day.records.filter(isCli) });
    const cliInteractions = cli.chat_messages + cli.ide_agent_messages +
      cli.remote_agent_messages + cli.cli_agent_interactive_messages +
      cli.cli_agent_non_interactive_messages;
    const cliLines = cli.completions_lines_of_code + cli.ide_agent_lines_of_code +
      cli.remote_agent_lines_of_code + cli.cli_agent_interactive_lines_of_code +
      cli.cli_agent_non_interactive_lines_of_code;
    for (const key of ["user_initiated_interaction_count", "loc_added_sum"] as const) {
      assert.equal(sumOf(c.totals_by_feature, key), c[key]);
    }
    assert.equal(
      sumOf(c.totals_by_ide, "user_initiated_interaction_count") + cliInteractions,
      c.user_initiated_interaction_count,
    );
    assert.equal(sumOf(c.totals_by_ide, "loc_added_sum") + cliLines, c.loc_added_sum);
    assert.equal(
      c.user_initiated_interaction_count,
      t.chat_messages + t.ide_agent_messages + t.remote_agent_messages +
        t.cli_agent_interactive_messages + t.cli_agent_non_interactive_messages,
    );
    assert.ok(
      c.totals_by_feature.every((r) =>
        r.user_initiated_interaction_count + r.code_generation_activity_count +
            r.code_acceptance_activity_count + r.loc_suggested_to_add_sum + r.loc_added_sum > 0
      ),
    );
  }
});

Deno.test("weekly ≥ daily and monthly ≥ weekly on every day of a 300-day run", () => {
  const window = new ActiveWindow();
  for (const day of randomDays(3)) {
    const a = analyzeDay(day);
    window.add(day.day, {
      active: a.activeIdentities,
      chat: a.chatIdentities,
      agent: a.agentIdentities,
    });
    const c = toEntityDayTotal(a, window.counts(day.day), "e");
    assert.ok(c.weekly_active_users >= c.daily_active_users, day.day);
    assert.ok(c.monthly_active_users >= c.weekly_active_users, day.day);
    assert.ok(c.monthly_active_users >= c.monthly_active_chat_users, day.day);
    assert.ok(c.monthly_active_users >= c.monthly_active_agent_users, day.day);
  }
});

Deno.test("user rows sum to the entity day's counters and breakdowns, for 300 random days", () => {
  const w = { weekly: 0, monthly: 0, monthlyChat: 0, monthlyAgent: 0, complete: false };
  for (const day of randomDays(4)) {
    const a = analyzeDay(day);
    const c = toEntityDayTotal(a, w, "e");
    const rows = toUserRows(a, "e");
    assert.equal(rows.length, a.identityCount);
    for (
      const key of [
        "user_initiated_interaction_count",
        "code_generation_activity_count",
        "code_acceptance_activity_count",
        "loc_suggested_to_add_sum",
        "loc_suggested_to_delete_sum",
        "loc_added_sum",
        "loc_deleted_sum",
      ] as const
    ) {
      assert.equal(sumOf(rows, key), c[key], `${day.day} ${key}`);
    }
    const ideSum = (ide: string, rs: { ide: string; loc_added_sum: number }[]) =>
      sumOf(rs.filter((r) => r.ide === ide), "loc_added_sum");
    for (const ide of c.totals_by_ide) {
      assert.equal(
        rows.reduce((s, r) => s + ideSum(ide.ide, r.totals_by_ide), 0),
        ide.loc_added_sum,
      );
    }
    assert.equal(rows.filter((r) => r.used_cli).length, c.daily_active_cli_users);
    assert.equal(
      sumOf(rows.map((r) => r.totals_by_cli ?? { request_count: 0 }), "request_count"),
      c.totals_by_cli?.request_count ?? 0,
    );
    const logins = rows.map((r) => r.user_login);
    assert.deepEqual(logins, [...logins].sort());
  }
});

Deno.test("every known and unknown counter reaches the augment extensions unchanged", () => {
  for (const day of randomDays(5)) {
    const t = recordTotals(day);
    const a = analyzeDay(day);
    assert.deepEqual(toMetricsDay(a).augment.metrics, t);
    const w = { weekly: 0, monthly: 0, monthlyChat: 0, monthlyAgent: 0, complete: false };
    assert.deepEqual(toEntityDayTotal(a, w, "e").augment.metrics, t);
    // Per identity: the augment metrics of the user rows sum back to the day's counters.
    const summed: Counters = emptyCounters();
    for (const row of toUserRows(a, "e")) {
      for (const [k, v] of Object.entries(row.augment.metrics)) {
        (summed as Record<string, number>)[k] = (summed[k] ?? 0) + v;
      }
    }
    assert.deepEqual(summed, t);
  }
});

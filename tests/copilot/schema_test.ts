/**
 * Every output validates against GitHub's schema for its format: for edge cases built by
 * hand and for random days.
 */
import assert from "node:assert/strict";
import {
  ActiveWindow,
  analyzeDay,
  toEntityDayTotal,
  toEntityReport,
  toLegacyUsageDay,
  toMetricsDay,
  toUserRows,
} from "../../src/copilot/mod.ts";
import type { DayData } from "../../src/model/types.ts";
import { readFixture, validate } from "../fixtures/schemas.ts";
import { prng, randomDay, rec } from "./_helpers.ts";

const EDGE_CASES: Record<string, DayData> = {
  "no activity": { day: "2026-04-25", records: [] },
  "no activity with a dau-count": { day: "2026-04-25", records: [], dauCount: 2 },
  "only service accounts": {
    day: "2026-04-25",
    records: [
      rec("deploy-bot", "CLI", "", { cli_agent_non_interactive_messages: 4 }, "service_account"),
      rec("ci", "VSCode", "Go", { completions_count: 2 }, "service_account"),
    ],
  },
  "only CLI use": {
    day: "2026-04-25",
    records: [
      rec("a@x.com", "CLI", "Unknown", {
        cli_agent_interactive_messages: 3,
        cli_agent_interactive_lines_of_code: 40,
      }),
    ],
  },
  "a single user": {
    day: "2026-04-25",
    records: [rec("a@x.com", "VSCode", "Python", { completions_count: 1, chat_messages: 1 })],
  },
  "unknown counters": {
    day: "2026-04-25",
    records: [
      rec("a@x.com", "vscode", "python", { future_counter: 5, credits_used: 2.5 }),
      rec("b@x.com", "vscode", "python", { completions_accepted: 1, future_counter: 1 }),
    ],
  },
  "mixed-case names on the same day": {
    day: "2026-04-25",
    records: [
      rec("a@x.com", "VSCode", "Python", { completions_count: 3, completions_accepted: 1 }),
      rec("a@x.com", "vscode", "python", { completions_count: 2, ide_agent_messages: 1 }),
      rec("b@x.com", "vscode", "PYTHON", { chat_messages: 2 }),
      rec("c@x.com", "", "", { remote_agent_messages: 1 }),
    ],
  },
};

const WINDOW = { weekly: 3, monthly: 4, monthlyChat: 1, monthlyAgent: 1, complete: true };

function assertValid(file: Parameters<typeof validate>[0], value: unknown, what: string): void {
  const errors = validate(file, value);
  assert.deepEqual(errors, [], `${what} does not match ${file}`);
}

function checkAllFormats(day: DayData, what: string): void {
  const a = analyzeDay(day);
  const b = toMetricsDay(a);
  assertValid("copilot-metrics-day.schema.json", b, `${what}: Format B`);
  assertValid("copilot-metrics-response.schema.json", [b], `${what}: Format B array`);
  const legacy = toLegacyUsageDay(a);
  assertValid("copilot-usage-legacy.schema.json", legacy, `${what}: Format A`);
  assertValid("copilot-usage-legacy-response.schema.json", [legacy], `${what}: Format A array`);
  const row = toEntityDayTotal(a, WINDOW, "ent-1");
  const report = toEntityReport([row], {
    startDay: day.day,
    endDay: day.day,
    enterpriseId: "ent-1",
    createdAt: "2026-04-26T03:36:11.710Z",
  });
  assertValid("copilot-usage-metrics-report-entity.schema.json", report, `${what}: C report`);
  assertValid("copilot-usage-metrics-report-entity.schema.json", row, `${what}: C day row`);
  for (const u of toUserRows(a, "ent-1", { startDay: "2026-03-29", endDay: day.day })) {
    assertValid("copilot-usage-metrics-report-user.schema.json", u, `${what}: C user row`);
  }
}

Deno.test("validate() accepts GitHub's own examples and the vendored samples", () => {
  assertValid(
    "copilot-metrics-response.schema.json",
    readFixture("schemas/examples/copilot-metrics-org-and-team.example.json"),
    "official metrics example",
  );
  assertValid(
    "copilot-usage-legacy-response.schema.json",
    readFixture("schemas/examples/copilot-usage-legacy-org.example.json"),
    "official legacy example",
  );
  assertValid(
    "copilot-usage-metrics-report-entity.schema.json",
    readFixture("samples/organization-1-day-report.json"),
    "viewer entity sample",
  );
  const users = readFixture("samples/organization-users-1-day-report.json") as {
    day_totals: unknown[];
  };
  for (const u of users.day_totals) {
    assertValid("copilot-usage-metrics-report-user.schema.json", u, "viewer user sample");
  }
});

Deno.test("validate() rejects a missing date, a string count and an extra legacy key", () => {
  assert.notDeepEqual(validate("copilot-metrics-day.schema.json", { total_active_users: 1 }), []);
  assert.notDeepEqual(
    validate("copilot-metrics-day.schema.json", { date: "2026-04-25", total_active_users: "1" }),
    [],
  );
  assert.notDeepEqual(
    validate("copilot-usage-legacy.schema.json", { day: "2026-04-25", breakdown: [], augment: {} }),
    [],
  );
});

for (const [what, day] of Object.entries(EDGE_CASES)) {
  Deno.test(`every format validates against GitHub's schema when the day has ${what}`, () => {
    checkAllFormats(day, what);
  });
}

Deno.test("every format validates against GitHub's schema for 200 random days", () => {
  const rnd = prng(20260425);
  for (let i = 0; i < 200; i++) checkAllFormats(randomDay(rnd), `random day ${i}`);
});

Deno.test("a 28-day report built with ActiveWindow validates and keeps days in order", () => {
  const rnd = prng(7);
  const window = new ActiveWindow();
  const rows = [];
  for (let d = 1; d <= 28; d++) {
    const day = `2026-02-${String(d).padStart(2, "0")}`;
    const a = analyzeDay(randomDay(rnd, day));
    window.add(day, {
      active: a.activeIdentities,
      chat: a.chatIdentities,
      agent: a.agentIdentities,
    });
    rows.push(toEntityDayTotal(a, window.counts(day), "ent-1"));
  }
  const report = toEntityReport(rows, {
    startDay: "2026-02-01",
    endDay: "2026-02-28",
    enterpriseId: "ent-1",
    createdAt: "2026-03-01T00:00:00.000Z",
  });
  assertValid("copilot-usage-metrics-report-entity.schema.json", report, "28-day report");
  assert.deepEqual(report.day_totals.map((r) => r.day).slice(0, 2), ["2026-02-01", "2026-02-02"]);
  assert.equal(report.report_end_day, "2026-02-28");
});

import assert from "node:assert/strict";
import { int } from "../../src/copilot/features.ts";
import {
  analyzeDay,
  DayAnalyzer,
  IdentityParts,
  toEntityDayTotal,
  toLegacyUsageDay,
  toMetricsDay,
  toUserRows,
} from "../../src/copilot/mod.ts";
import { type Counters, emptyCounters, KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import { addDays } from "../../src/model/dates.ts";
import { prng, randomDay, rec } from "./_helpers.ts";

const W = { weekly: 0, monthly: 0, monthlyChat: 0, monthlyAgent: 0, complete: false };

Deno.test("analyzeDay() merges VSCode and vscode by summing counters and counting each identity once", () => {
  const a = analyzeDay({
    day: "2026-04-25",
    records: [
      rec("a@x.com", "VSCode", "Python", { completions_count: 3, completions_accepted: 1 }),
      rec("a@x.com", "vscode", "python", { completions_count: 2, completions_accepted: 2 }),
      rec("b@x.com", "vscode", "PYTHON", { completions_count: 1 }),
    ],
  });
  assert.deepEqual(a.editors.map((e) => e.name), ["vscode"]);
  assert.deepEqual(a.languages.map((l) => l.name), ["python"]);
  const vscode = a.editors[0];
  assert.equal(vscode.identities, 2);
  assert.equal(vscode.completionUsers, 2);
  assert.equal(vscode.completionEngaged, 1);
  assert.equal(a.editorLanguages.length, 1);
  assert.equal(a.editorLanguages[0].completionEngaged, 1);
  assert.equal(a.editorLanguages[0].identities, 2);
  const b = toMetricsDay(a);
  assert.deepEqual(b.copilot_ide_code_completions.editors[0].models[0].languages[0], {
    name: "python",
    total_engaged_users: 1,
    total_code_suggestions: 6,
    total_code_acceptances: 3,
    total_code_lines_suggested: 0,
    total_code_lines_accepted: 0,
  });
  const ida = a.identities.find((i) => i.name === "a@x.com")!;
  assert.equal(new IdentityParts().of(a, ida).editors.length, 1);
});

Deno.test("analyzeDay() keeps an e-mail and a service account of the same name apart", () => {
  const a = analyzeDay({
    day: "2026-04-25",
    records: [
      rec("build", "CLI", "", { cli_agent_non_interactive_messages: 1 }, "service_account"),
      rec("build", "VSCode", "Go", { chat_messages: 1 }, "user"),
    ],
  });
  assert.equal(a.identityCount, 2);
  assert.equal(a.serviceAccountCount, 1);
  assert.deepEqual([...a.activeIdentities].sort(), ["service_account:build", "user:build"]);
  assert.deepEqual([...a.cliIdentities], ["service_account:build"]);
  assert.deepEqual([...a.chatIdentities], ["user:build"]);
  assert.deepEqual(a.identities.map((i) => i.kind), ["service_account", "user"]);
});

Deno.test("analyzeDay() uses the dau-count for daily actives and the records when it is missing", () => {
  const records = [rec("a@x.com", "vscode", "go", { completions_count: 1 })];
  assert.equal(analyzeDay({ day: "2026-04-25", records }).dailyActiveUsers, 1);
  assert.equal(analyzeDay({ day: "2026-04-25", records, dauCount: 4 }).dailyActiveUsers, 4);
  assert.equal(analyzeDay({ day: "2026-04-25", records, dauCount: 0 }).dailyActiveUsers, 0);
});

Deno.test("analyzeDay() counts engaged identities by MAPPING's rules", () => {
  const a = analyzeDay({
    day: "2026-04-25",
    records: [
      rec("shown-only@x.com", "vscode", "go", { completions_count: 9 }),
      rec("accepted@x.com", "vscode", "go", { completions_count: 1, completions_accepted: 1 }),
      rec("remote@x.com", "vscode", "go", { remote_agent_messages: 1 }),
      rec("cli@x.com", "cli", "", { cli_agent_interactive_messages: 1 }),
      rec("cli-lines@x.com", "cli", "", { cli_agent_interactive_lines_of_code: 3 }),
      rec("tools@x.com", "vscode", "go", { total_tool_calls: 5 }),
    ],
  });
  assert.equal(a.identityCount, 6);
  // accepted, remote agent and CLI messages engage; shown completions, lines and tools do not.
  assert.equal(a.engagedCount, 3);
  assert.equal(a.completionEngagedCount, 1);
  assert.deepEqual([...a.agentIdentities].sort(), ["user:cli@x.com", "user:remote@x.com"]);
  assert.deepEqual([...a.cliIdentities].sort(), ["user:cli-lines@x.com", "user:cli@x.com"]);
  const byName = new Map(a.identities.map((i) => [i.name, i]));
  assert.equal(byName.get("remote@x.com")?.ideOrRemoteAgent, true);
  assert.equal(byName.get("cli@x.com")?.ideOrRemoteAgent, false);
  assert.equal(byName.get("cli@x.com")?.agent, true);
});

Deno.test("analyzeDay() of a day without records gives zeros and empty lists", () => {
  const a = analyzeDay({ day: "2026-04-25", records: [] });
  assert.equal(a.identityCount, 0);
  assert.equal(a.totals.completions_count, 0);
  const c = toEntityDayTotal(a, W, "e");
  assert.deepEqual(c.totals_by_ide, []);
  assert.deepEqual(c.totals_by_feature, []);
  assert.deepEqual(c.totals_by_language_feature, []);
  assert.equal("totals_by_cli" in c, false);
  assert.equal(c.daily_active_cli_users, 0);
  const b = toMetricsDay(a);
  assert.equal(b.total_active_users, 0);
  assert.deepEqual(b.copilot_ide_code_completions.editors, []);
  assert.deepEqual(b.copilot_ide_chat.editors, []);
});

Deno.test("toEntityDayTotal() adds totals_by_cli and CLI users only when there was CLI use", () => {
  const a = analyzeDay({
    day: "2026-04-25",
    records: [
      rec("a@x.com", "CLI", "", {
        cli_agent_interactive_messages: 3,
        cli_agent_non_interactive_messages: 4,
      }),
      rec("b@x.com", "VSCode", "Go", { chat_messages: 1 }),
    ],
  });
  const c = toEntityDayTotal(a, W, "e");
  assert.deepEqual(c.totals_by_cli, { request_count: 7, prompt_count: 3 });
  assert.equal(c.daily_active_cli_users, 1);
  // The CLI is not an IDE: its activity is in totals_by_cli and copilot_cli only.
  assert.deepEqual(c.totals_by_ide.map((i) => i.ide), ["vscode"]);
  assert.equal(c.user_initiated_interaction_count, 8);
  assert.deepEqual(c.totals_by_feature.map((f) => f.feature), [
    "chat_panel_ask_mode",
    "copilot_cli",
  ]);
});

Deno.test("analyzeDay() keeps unknown counters in the day's and the identity's totals", () => {
  const a = analyzeDay({
    day: "2026-04-25",
    records: [
      rec("a@x.com", "vscode", "go", { future_counter: 2, credits_used: 0.5 }),
      rec("a@x.com", "VSCode", "Go", { future_counter: 3 }),
      rec("b@x.com", "vscode", "go", { credits_used: 1 }),
    ],
  });
  assert.equal(a.totals.future_counter, 5);
  assert.equal(a.totals.credits_used, 1.5);
  assert.equal(a.identities[0].counters.future_counter, 5);
  assert.equal(a.identities[1].counters.future_counter, undefined);
  assert.equal(a.identities[1].counters.credits_used, 1);
  // An identity whose counters are all unknown is still active, with its editor listed.
  assert.equal(a.identityCount, 2);
  assert.deepEqual(toEntityDayTotal(a, W, "e").totals_by_ide.map((i) => i.ide), ["vscode"]);
});

Deno.test("analyzeDay() maps each documented counter to itself, in the documented order", () => {
  KNOWN_COUNTERS.forEach((name, i) => {
    const a = analyzeDay({
      day: "2026-04-25",
      records: [
        rec("a@x.com", "vscode", "go", { [name]: 7 }),
        rec("b@x.com", "vim", "go", { [name]: 1 }),
      ],
    });
    assert.equal(a.totals[name], 8, name);
    assert.equal(a.totalSums[i], 8, name);
    assert.deepEqual(Object.keys(a.totals), [...KNOWN_COUNTERS], name);
    assert.equal(a.identities[0].counters[name], 7, name);
    assert.equal(a.identities[0].sums[i], 7, name);
  });
});

Deno.test("analyzeDay() reads records whose metrics lack documented counters", () => {
  const metrics = { completions_count: 2, future_counter: 4 } as unknown as Counters;
  const a = analyzeDay({
    day: "2026-04-25",
    records: [{
      day: "2026-04-25",
      identity: "a@x.com",
      kind: "user",
      editor: "vscode",
      language: "go",
      metrics,
    }],
  });
  assert.equal(a.totals.completions_count, 2);
  assert.equal(a.totals.chat_messages, 0);
  assert.equal(a.totals.future_counter, 4);
});

Deno.test("a DayAnalyzer reusing its buffers gives each day what analyzeDay() gives it", () => {
  const rnd = prng(7);
  const analyzer = new DayAnalyzer();
  const formats = (a: ReturnType<typeof analyzeDay>) =>
    JSON.stringify([
      toMetricsDay(a),
      toLegacyUsageDay(a),
      toEntityDayTotal(a, W, "ent"),
      toUserRows(a, "ent"),
      a.identities.map((i) => [i.key, [...i.sums], i.counters]),
      [...a.activeIdentities, ...a.chatIdentities, ...a.agentIdentities, ...a.cliIdentities],
    ]);
  let day = "2026-01-01";
  for (let i = 0; i < 60; i++) {
    // Sizes go up and down, so that the buffers are both reused and grown.
    const d = i % 7 === 0 ? { day, records: [] } : randomDay(rnd, day);
    assert.equal(formats(analyzer.analyze(d)), formats(analyzeDay(d)), day);
    day = addDays(day, 1);
  }
});

Deno.test("IdentityParts sums an identity's cells per editor and per language, sorted by name", () => {
  const a = analyzeDay({
    day: "2026-04-25",
    records: [
      rec("a@x.com", "VSCode", "TypeScript", { completions_count: 1 }),
      rec("b@x.com", "Vim", "Go", { chat_messages: 9 }),
      rec("a@x.com", "Vim", "python", { completions_count: 2, chat_messages: 3 }),
      rec("a@x.com", "vscode", "Python", { completions_count: 4 }),
    ],
  });
  const parts = new IdentityParts();
  const named = (list: readonly { name: string; sums: Float64Array }[]) =>
    list.map((p) => [p.name, p.sums[3], p.sums[7]]);
  const ida = parts.of(a, a.identities[0]);
  assert.deepEqual(named(ida.editors), [["vim", 2, 3], ["vscode", 5, 0]]);
  assert.deepEqual(named(ida.languages), [["python", 6, 3], ["typescript", 1, 0]]);
  const idb = parts.of(a, a.identities[1]); // the lists are refilled, not appended to
  assert.deepEqual(named(idb.editors), [["vim", 0, 9]]);
  assert.deepEqual(named(idb.languages), [["go", 0, 9]]);
});

Deno.test("int() keeps every number's value and makes whole ones small integers", () => {
  for (const n of [0, 1, -5, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, 0.5, -1.25, 1e21, NaN]) {
    assert.ok(Object.is(int(n), n), String(n));
  }
  assert.ok(Object.is(int(-0), 0), "-0 becomes 0 (printed the same)");
  assert.ok(Object.is(int(new Float64Array([42])[0]), 42));
});

Deno.test("emptyCounters() lists the documented counters at 0, in the documented order", () => {
  const c = emptyCounters();
  assert.deepEqual(Object.keys(c), [...KNOWN_COUNTERS]);
  assert.ok(Object.values(c).every((v) => v === 0));
  assert.notEqual(emptyCounters(), c, "a fresh object each time");
});

import assert from "node:assert/strict";
import { KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import { eachDay } from "../../src/model/dates.ts";
import { generateDayRecords, roster } from "../../src/simulator/mod.ts";

const DAYS = [...eachDay("2026-10-01", "2026-10-28")];

Deno.test("generateDayRecords() gives the same records for the same seed, users and day", () => {
  for (const day of ["2026-10-05", "2026-10-10"]) {
    assert.deepEqual(generateDayRecords(7, 40, day), generateDayRecords(7, 40, day));
  }
});

Deno.test("generateDayRecords() differs when the seed or the day differs", () => {
  const a = generateDayRecords(1, 40, "2026-10-05");
  assert.notDeepEqual(a, generateDayRecords(2, 40, "2026-10-05"));
  assert.notDeepEqual(a, generateDayRecords(1, 40, "2026-10-06"));
});

Deno.test("roster() has about 10% service accounts, named apart from users", () => {
  const ids = roster(1, 50);
  assert.equal(ids.length, 50);
  const sa = ids.filter((i) => i.kind === "service_account");
  assert.equal(sa.length, 5);
  assert.ok(sa.every((i) => /^ci-bot-\d+$/.test(i.name)));
  assert.ok(
    ids.filter((i) => i.kind === "user").every((i) => /^dev\d{3}@example\.com$/.test(i.name)),
  );
  assert.equal(new Set(ids.map((i) => i.name)).size, 50);
});

Deno.test("every record has one identity, all sixteen counters and consistent totals", () => {
  for (const day of DAYS) {
    for (const r of generateDayRecords(1, 30, day)) {
      assert.equal((r.user_email ? 1 : 0) + (r.service_account_name ? 1 : 0), 1);
      assert.deepEqual(Object.keys(r.metrics).sort(), [...KNOWN_COUNTERS].sort());
      const m = r.metrics;
      assert.ok(Object.values(m).every((v) => Number.isInteger(v) && v >= 0));
      assert.equal(
        m.total_messages,
        m.chat_messages + m.remote_agent_messages + m.ide_agent_messages +
          m.cli_agent_interactive_messages + m.cli_agent_non_interactive_messages,
      );
      assert.equal(
        m.total_modified_lines_of_code,
        m.completions_lines_of_code + m.remote_agent_lines_of_code + m.ide_agent_lines_of_code +
          m.cli_agent_interactive_lines_of_code + m.cli_agent_non_interactive_lines_of_code,
      );
      assert.ok(m.completions_suggested_lines_of_code >= m.completions_lines_of_code);
      assert.ok(m.completions_accepted <= m.completions_count);
    }
  }
});

Deno.test("a month of records uses every editor, every counter and both identity kinds", () => {
  const records = DAYS.flatMap((d) => generateDayRecords(1, 30, d));
  assert.deepEqual(
    [...new Set(records.map((r) => r.editor))].sort(),
    ["CLI", "JetBrains", "Unknown", "VSCode", "Vim/Neovim"],
  );
  for (const lang of ["Python", "TypeScript", "Unknown"]) {
    assert.ok(records.some((r) => r.language === lang), lang);
  }
  for (const counter of KNOWN_COUNTERS) {
    assert.ok(records.some((r) => r.metrics[counter] > 0), `${counter} used`);
  }
  assert.ok(records.some((r) => r.service_account_name));
  assert.ok(records.some((r) => r.user_email));
});

Deno.test("weekdays have more active identities than weekends, and some identities rest every day", () => {
  const active = (day: string) =>
    new Set(generateDayRecords(1, 40, day).map((r) => r.user_email ?? r.service_account_name))
      .size;
  // 2026-10-03/04 and 10-10/11 are weekends.
  const weekend = ["2026-10-03", "2026-10-04", "2026-10-10", "2026-10-11"].map(active);
  const weekday = ["2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"].map(active);
  assert.ok(Math.max(...weekend) < Math.min(...weekday), `${weekend} < ${weekday}`);
  assert.ok(DAYS.every((d) => active(d) < 40), "some identities are inactive every day");
});

Deno.test("most identity-days use one editor and one to three languages, without duplicates", () => {
  let days = 0;
  let oneEditor = 0;
  for (const day of DAYS) {
    const byId = new Map<string, { editors: Set<string>; keys: string[] }>();
    for (const r of generateDayRecords(1, 30, day)) {
      const id = r.user_email ?? r.service_account_name as string;
      const e = byId.get(id) ?? { editors: new Set(), keys: [] };
      e.editors.add(r.editor);
      e.keys.push(`${r.editor}|${r.language}`);
      byId.set(id, e);
    }
    for (const e of byId.values()) {
      days++;
      if (e.editors.size === 1) oneEditor++;
      assert.equal(new Set(e.keys).size, e.keys.length, "no duplicate editor-language record");
      assert.ok(e.keys.length <= 2 * 4);
    }
  }
  assert.ok(oneEditor / days > 0.8, `${oneEditor}/${days}`);
});

import assert from "node:assert/strict";
import { analyzeDay, identitySets } from "../../src/copilot/mod.ts";
import type { DayData } from "../../src/model/types.ts";
import { generateBenchDay } from "../../bench/conversion.ts";
import { prng, randomDay, rec } from "./_helpers.ts";

/** The sets the full analysis finds, as sorted arrays. */
function analysedSets(day: DayData) {
  const a = analyzeDay(day);
  return {
    active: [...a.activeIdentities].sort(),
    chat: [...a.chatIdentities].sort(),
    agent: [...a.agentIdentities].sort(),
  };
}

function quickSets(day: DayData) {
  const s = identitySets(day);
  return { active: [...s.active].sort(), chat: [...s.chat].sort(), agent: [...s.agent].sort() };
}

Deno.test("identitySets() finds the analysis' sets: users and service accounts of one name apart, chat and agent by any record", () => {
  const day: DayData = {
    day: "2026-04-25",
    records: [
      rec("a@x.com", "VSCode", "Python", { completions_count: 3 }),
      rec("a@x.com", "vscode", "python", { chat_messages: 1 }),
      {
        ...rec("a@x.com", "cli", "go", { cli_agent_non_interactive_messages: 2 }),
        kind: "service_account",
      },
      rec("b@x.com", "vscode", "PYTHON", { ide_agent_messages: 1 }),
      rec("c@x.com", "vscode", "go", { remote_agent_messages: 4 }),
      rec("d@x.com", "vscode", "go", {}),
    ],
  };
  const sets = quickSets(day);
  assert.deepEqual(sets, analysedSets(day));
  assert.deepEqual(sets.active, [
    "service_account:a@x.com",
    "user:a@x.com",
    "user:b@x.com",
    "user:c@x.com",
    "user:d@x.com",
  ]);
  assert.deepEqual(sets.chat, ["user:a@x.com", "user:b@x.com"]);
  assert.deepEqual(sets.agent, ["service_account:a@x.com", "user:b@x.com", "user:c@x.com"]);
});

Deno.test("identitySets() equals the analysis' sets on random and generated days", () => {
  const rand = prng(7);
  for (let i = 0; i < 50; i++) {
    const day = randomDay(rand, "2026-05-01");
    assert.deepEqual(quickSets(day), analysedSets(day));
  }
  const big = generateBenchDay("2026-03-10", 2_000);
  assert.deepEqual(quickSets(big), analysedSets(big));
});

import assert from "node:assert/strict";
import { ActiveWindow } from "../../src/copilot/mod.ts";
import { addDays, daysBetween } from "../../src/model/dates.ts";
import { prng } from "./_helpers.ts";

function fullWindow(
  from: string,
  days: number,
  active: (i: number) => string[],
  chat: (i: number) => string[] = () => [],
): ActiveWindow {
  const w = new ActiveWindow();
  for (let i = 0; i < days; i++) {
    w.add(addDays(from, i), { active: active(i), chat: chat(i), agent: [] });
  }
  return w;
}

Deno.test("ActiveWindow counts distinct identities over the trailing 7 and 28 days", () => {
  // Day i has identity p<i> plus "everyday"; chat by "everyday" on day 0 only.
  const w = fullWindow(
    "2026-02-01",
    28,
    (i) => [`p${i}`, "everyday"],
    (i) => (i === 0 ? ["everyday"] : []),
  );
  const c = w.counts("2026-02-28");
  assert.deepEqual(c, { weekly: 8, monthly: 29, monthlyChat: 1, monthlyAgent: 0, complete: true });
  // On an earlier day the windows end there.
  assert.equal(w.counts("2026-02-03").weekly, 4);
  assert.equal(w.counts("2026-02-03").monthly, 4);
});

Deno.test("ActiveWindow reports an incomplete window when days are missing or identity-only", () => {
  const w = fullWindow("2026-02-02", 27, (i) => [`p${i}`]);
  assert.equal(w.counts("2026-02-28").complete, false); // 27 of 28 days
  w.add("2026-02-01", { active: ["p-early"] }, false); // from `dau`: no chat/agent sets
  const c = w.counts("2026-02-28");
  assert.equal(c.monthly, 28);
  assert.equal(c.complete, false);
  w.add("2026-02-01", { active: ["p-early"], chat: [], agent: [] });
  assert.equal(w.counts("2026-02-28").complete, true);
});

Deno.test("ActiveWindow drops days older than 28 days before the newest", () => {
  const w = fullWindow("2026-01-01", 60, (i) => [`p${i}`]);
  const c = w.counts("2026-03-01"); // day index 59
  assert.equal(c.monthly, 28);
  assert.equal(c.weekly, 7);
  // A day that fell out of the kept range counts nothing any more.
  assert.equal(w.counts("2026-01-10").monthly, 0);
});

Deno.test("ActiveWindow counts an identity once across days and sets given as arrays", () => {
  const w = new ActiveWindow();
  w.add("2026-02-01", { active: ["a", "b"], chat: ["a"], agent: ["b"] });
  w.add("2026-02-02", { active: new Set(["a", "c"]), chat: new Set(["a", "c"]), agent: [] });
  assert.deepEqual(w.counts("2026-02-02"), {
    weekly: 3,
    monthly: 3,
    monthlyChat: 2,
    monthlyAgent: 1,
    complete: false,
  });
});

Deno.test("ActiveWindow matches a brute-force count with out-of-order and repeated days", () => {
  const rnd = prng(99);
  const w = new ActiveWindow();
  const history = new Map<string, { active: string[]; chat: string[]; agent: string[] }>();
  const ids = (n: number) => Array.from({ length: n }, () => `u${Math.floor(rnd() * 60)}`);
  let newest = "2026-01-01";
  for (let step = 0; step < 120; step++) {
    // Mostly the next day; sometimes an earlier day again or a gap.
    const r = rnd();
    const day = r < 0.1
      ? addDays(newest, -Math.floor(rnd() * 10))
      : addDays(newest, r < 0.2 ? 3 : 1);
    const sets = { active: ids(8), chat: ids(3), agent: ids(2) };
    w.add(day, sets);
    history.set(day, sets);
    if (day > newest) newest = day;
    for (const query of [newest, addDays(newest, -2)]) {
      const within = (n: number) =>
        [...history].filter(([d]) => {
          const age = daysBetween(d, query);
          return age >= 0 && age < n && daysBetween(d, newest) < 28;
        }).map(([, s]) => s);
      const distinct = (
        n: number,
        pick: (s: { active: string[]; chat: string[]; agent: string[] }) => string[],
      ) => new Set(within(n).flatMap(pick)).size;
      const c = w.counts(query);
      assert.deepEqual(
        [c.weekly, c.monthly, c.monthlyChat, c.monthlyAgent],
        [
          distinct(7, (s) => s.active),
          distinct(28, (s) => s.active),
          distinct(28, (s) => s.chat),
          distinct(28, (s) => s.agent),
        ],
        `step ${step}, query ${query}`,
      );
    }
  }
});

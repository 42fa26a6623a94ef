/**
 * The renderer gives each day back to its source (`DaySource.release`) once it is done with it:
 * after every view had the day (and any target ending that day was finished), and after a
 * look-back day was read; never before, and each day once per read. Views hear that the day is
 * done (`View.dayDone`) after all of them had it, before the source does.
 */
import assert from "node:assert/strict";
import { addDays, eachDay } from "../../src/model/dates.ts";
import type { DayData } from "../../src/model/types.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import { type DaySource, render } from "../../src/views/render.ts";
import type { DayFacts, RangeFacts, View } from "../../src/views/view.ts";
import { rec } from "../copilot/_helpers.ts";

/** A view that writes nothing and notes what it was given. */
function spyView(name: string, events: string[]): View {
  return {
    name,
    optionsKey: `${name}/1`,
    dayFiles: () => [],
    targetFiles: () => [],
    open: () => Promise.resolve(),
    day: async (f: DayFacts) => {
      await new Promise((r) => setTimeout(r, 1)); // a view that awaits before it is done
      events.push(`${name}:day:${f.day}:${f.data.records.length}`);
    },
    finishTarget: (r: RangeFacts) => {
      events.push(`${name}:finish:${r.target.name}`);
      return Promise.resolve();
    },
    dayDone: (f: DayFacts) => events.push(`${name}:done:${f.day}`),
    close: () => Promise.resolve([]),
    abort: () => Promise.resolve(),
  };
}

Deno.test("render releases each day after every view had it, and look-back days after reading", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const end = "2026-03-31";
    const start = "2026-03-30";
    const days = new Map<string, DayData>();
    for (const d of eachDay(addDays(start, -3), end)) {
      days.set(d, { day: d, records: [rec("a@example.com", "vscode", "go", {}, "user", d)] });
    }
    const events: string[] = [];
    const source: DaySource = {
      info: (d) =>
        Promise.resolve(days.has(d) ? { version: "1", counters: [], final: true } : undefined),
      get: (d) => {
        events.push(`get:${d}`);
        return Promise.resolve(days.get(d)!);
      },
      release: (d) => events.push(`release:${d}`),
    };
    await render({
      out: new OutputDir(dir),
      views: [spyView("x", events), spyView("y", events)],
      source,
      days: [start, end],
      targets: [{ name: "latest", dir: "latest", range: { start, end } }],
      enterpriseId: "ent",
      createdAt: "2026-04-01T00:00:00.000Z",
      oldest: addDays(start, -3),
    });
    assert.deepEqual(events, [
      "get:2026-03-27",
      "release:2026-03-27",
      "get:2026-03-28",
      "release:2026-03-28",
      "get:2026-03-29",
      "release:2026-03-29",
      "get:2026-03-30",
      "x:day:2026-03-30:1",
      "y:day:2026-03-30:1",
      "x:done:2026-03-30",
      "y:done:2026-03-30",
      "release:2026-03-30",
      "get:2026-03-31",
      "x:day:2026-03-31:1",
      "y:day:2026-03-31:1",
      "x:finish:latest",
      "y:finish:latest",
      "x:done:2026-03-31",
      "y:done:2026-03-31",
      "release:2026-03-31",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

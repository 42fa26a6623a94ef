import assert from "node:assert/strict";
import { join } from "node:path";
import { DayStore, StoreError } from "../../src/store/day_store.ts";
import { isPublishedAt, newestPublishedDay } from "../../src/augment/dates.ts";
import { parseCounters } from "../../src/model/metrics.ts";
import type { ActivityRecord, DayData } from "../../src/model/types.ts";

const BASE = "http://127.0.0.1:9";

function record(
  identity: string,
  kind: "user" | "service_account",
  editor: string,
  language: string,
  metrics: Record<string, number>,
): ActivityRecord {
  return { day: "2026-11-01", identity, kind, editor, language, metrics: parseCounters(metrics) };
}

const DAY: DayData = {
  day: "2026-11-01",
  dauCount: 2,
  usage: parseCounters({ completions_count: 7, chat_messages: 2, next_edit_suggestions: 3 }),
  records: [
    record("a@example.com", "user", "VSCode", "Python", { completions_count: 5, chat_messages: 2 }),
    record("a@example.com", "user", "VSCode", "TypeScript", {
      completions_count: 2,
      next_edit_suggestions: 3,
      zero_unknown: 0,
    }),
    record("ci-bot", "service_account", "CLI", "Unknown", {
      cli_agent_non_interactive_messages: 4,
    }),
  ],
};

async function withStore(fn: (store: DayStore, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(await DayStore.open(dir, BASE, Date.parse("2026-11-20T00:00:00Z")), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("DayStore keeps a day losslessly: records, kinds, unknown counters, dau count, usage", async () => {
  await withStore(async (store) => {
    await store.putDay(DAY, Date.parse("2026-11-02T05:00:00Z"));
    const back = await store.getDay("2026-11-01");
    assert.deepEqual(back, DAY);
    assert.deepEqual(await store.days(), ["2026-11-01"]);
    // unknown counters are kept even when zero; documented zero counters come back as 0
    assert.equal(back!.records[1].metrics.zero_unknown, 0);
    assert.equal(back!.records[2].metrics.completions_accepted, 0);
  });
});

Deno.test("DayStore.dayInfo reads the header alone: counts and counter names", async () => {
  await withStore(async (store) => {
    await store.putDay(DAY, Date.parse("2026-11-02T05:00:00Z"));
    const info = await store.dayInfo("2026-11-01");
    assert.equal(info?.recordCount, 3);
    assert.equal(info?.identityCount, 2);
    assert.ok(info?.counters.includes("next_edit_suggestions"));
    assert.ok(info?.counters.includes("zero_unknown"));
    assert.equal(info?.fetchedAt, "2026-11-02T05:00:00.000Z");
    assert.equal(await store.dayInfo("2026-11-02"), undefined);
  });
});

Deno.test("DayStore reports a truncated day file instead of using it", async () => {
  await withStore(async (store, dir) => {
    await store.putDay(DAY, Date.parse("2026-11-02T05:00:00Z"));
    const path = join(dir, "days", "2026-11-01.ndjson");
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.slice(0, text.length - 20));
    await assert.rejects(() => store.getDay("2026-11-01"), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, /Cannot read store file ".*2026-11-01\.ndjson"/);
      assert.match(e.message, /--refresh/);
      return true;
    });
  });
});

Deno.test("DayStore reports a record count that disagrees with the header", async () => {
  await withStore(async (store, dir) => {
    await store.putDay(DAY, Date.parse("2026-11-02T05:00:00Z"));
    const path = join(dir, "days", "2026-11-01.ndjson");
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    await Deno.writeTextFile(path, lines.slice(0, -1).join("\n") + "\n");
    await assert.rejects(() => store.getDay("2026-11-01"), /2 records where its header says 3/);
  });
});

Deno.test("DayStore refuses a file from another store version", async () => {
  await withStore(async (store, dir) => {
    await store.putUserActivity("2026-10-01", "2026-10-02", [], 0);
    const path = join(dir, "user-activity", "2026-10-01_2026-10-02.json");
    const body = JSON.parse(await Deno.readTextFile(path));
    body.version = 99;
    await Deno.writeTextFile(path, JSON.stringify(body));
    await assert.rejects(
      () => store.getUserActivity("2026-10-01", "2026-10-02"),
      /store version 99/,
    );
  });
});

Deno.test("DayStore is bound to its service by its first write, then refuses another base URL", async () => {
  await withStore(async (store, dir) => {
    await assert.rejects(() => Deno.stat(join(dir, "store.json")), Deno.errors.NotFound);
    await DayStore.open(dir, "https://api.augmentcode.com"); // not bound yet: no conflict
    await store.putDay({ day: "2026-10-01", records: [] }, 0);
    await assert.rejects(
      () => DayStore.open(dir, "https://api.augmentcode.com"),
      /holds data from "http:\/\/127\.0\.0\.1:9"/,
    );
  });
});

Deno.test("DayStore keeps user-activity for exactly its range", async () => {
  await withStore(async (store) => {
    const users = [{
      identity: "a@example.com",
      kind: "user" as const,
      activeDays: 3,
      metrics: parseCounters({ chat_messages: 4, extra_thing: 1 }),
    }];
    await store.putUserActivity("2026-10-01", "2026-10-28", users, 0);
    assert.deepEqual(await store.getUserActivity("2026-10-01", "2026-10-28"), users);
    assert.equal(await store.getUserActivity("2026-10-01", "2026-10-27"), undefined);
    assert.equal(await store.hasUserActivity("2026-10-01", "2026-10-28"), true);
    assert.equal(await store.hasUserActivity("2026-10-01", "2026-10-27"), false);
  });
});

Deno.test("DayStore.openExisting creates nothing when there is no store", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await DayStore.openExisting(join(dir, "none"), BASE), undefined);
    await assert.rejects(() => Deno.stat(join(dir, "none")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a day is final only when fetched after 03:00 UTC the next day", () => {
  assert.equal(isPublishedAt("2026-11-24", Date.parse("2026-11-25T02:59:59Z")), false);
  assert.equal(isPublishedAt("2026-11-24", Date.parse("2026-11-25T03:00:00Z")), true);
  assert.equal(newestPublishedDay(Date.parse("2026-11-25T02:59:59Z")), "2026-11-23");
  assert.equal(newestPublishedDay(Date.parse("2026-11-25T03:00:00Z")), "2026-11-24");
  assert.equal(newestPublishedDay(Date.parse("2026-01-01T01:00:00Z")), "2025-12-30");
});

Deno.test("a stored counter this version cannot hold exactly is a store error naming the file", async () => {
  await withStore(async (store, dir) => {
    await store.putDay({ day: "2026-10-01", records: [] }, 0);
    const path = join(dir, "days", "2026-10-01.ndjson");
    const [header] = (await Deno.readTextFile(path)).split("\n");
    const h = JSON.parse(header);
    h.record_count = 1;
    await Deno.writeTextFile(
      path,
      JSON.stringify(h) + "\n" +
        JSON.stringify(["a@x.com", "u", "VSCode", "Go", { completions_count: 1e308 }]) + "\n",
    );
    await assert.rejects(() => store.getDay("2026-10-01"), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, /2026-10-01\.ndjson.*line 2.*completions_count/);
      assert.match(e.message, /--refresh/);
      return true;
    });
  });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { ColumnPool, DayStore, StoreError } from "../../src/store/day_store.ts";
import { isPublishedAt, newestPublishedDay } from "../../src/augment/dates.ts";
import { dayColumns } from "../../src/model/day_columns.ts";
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

Deno.test("DayStore reads a small day after a large one, and the large one again, exactly", async () => {
  await withStore(async (store) => {
    const large: DayData = {
      day: "2026-11-02",
      dauCount: 700,
      usage: parseCounters({ completions_count: 12_497_500 }),
      records: Array.from({ length: 5_000 }, (_, i) => ({
        ...record(`u${i % 700}@example.com`, "user", `E${i % 3}`, `L${i % 11}`, {
          completions_count: i,
          [`extra_${i % 4}`]: i / 2,
        }),
        day: "2026-11-02",
      })),
    };
    await store.putDay(large, Date.parse("2026-11-04T00:00:00Z"));
    await store.putDay(DAY, Date.parse("2026-11-03T00:00:00Z"));
    assert.deepEqual(await store.getDay("2026-11-02"), large);
    assert.deepEqual(await store.getDay("2026-11-01"), DAY);
    assert.deepEqual(await store.getDay("2026-11-02"), large);
    const both = await Promise.all([store.getDay("2026-11-01"), store.getDay("2026-11-02")]);
    assert.deepEqual(both, [DAY, large]);
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
    const path = join(dir, "days", "2026-11-01.day");
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 20));
    await assert.rejects(() => store.getDay("2026-11-01"), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, /Cannot read store file ".*2026-11-01\.day"/);
      assert.match(e.message, /where its header says 3 records/);
      assert.match(e.message, /--refresh/);
      return true;
    });
  });
});

/** Rewrites a day file's header (line 1, padded to 8 bytes) with `edit` applied. */
async function editHeader(path: string, edit: (h: Record<string, unknown>) => void) {
  const bytes = await Deno.readFile(path);
  const end = bytes.indexOf(0x0a);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(0, end)));
  edit(h);
  const line = new TextEncoder().encode(JSON.stringify(h));
  const padded = new Uint8Array(Math.ceil((line.length + 1) / 8) * 8).fill(0x20);
  padded.set(line);
  padded[padded.length - 1] = 0x0a;
  const out = new Uint8Array(padded.length + bytes.length - end - 1);
  out.set(padded);
  out.set(bytes.subarray(end + 1), padded.length);
  await Deno.writeFile(path, out);
}

Deno.test("DayStore reports a record count that disagrees with the header", async () => {
  await withStore(async (store, dir) => {
    await store.putDay(DAY, Date.parse("2026-11-02T05:00:00Z"));
    await editHeader(join(dir, "days", "2026-11-01.day"), (h) => h.record_count = 2);
    await assert.rejects(() => store.getDay("2026-11-01"), /where its header says 2 records/);
  });
});

Deno.test("DayStore checks every value of a day file: indexes in range, counters exact", async () => {
  await withStore(async (store, dir) => {
    await store.putDay(DAY, Date.parse("2026-11-02T05:00:00Z"));
    const path = join(dir, "days", "2026-11-01.day");
    const good = await Deno.readFile(path);
    const columns: string[] = JSON.parse(
      new TextDecoder().decode(good.subarray(0, good.indexOf(0x0a))),
    ).columns;
    // The last column's last value: the third record's, of the last counter stored.
    const last = columns.at(-1)!;
    const bad = good.slice();
    new DataView(bad.buffer).setFloat64(bad.length - 8, 1e308, true);
    await Deno.writeFile(path, bad);
    await assert.rejects(() => store.getDay("2026-11-01"), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, new RegExp(`2026-11-01\\.day.*record 3.*${last}`));
      return true;
    });
    // An identity index past the dictionary.
    const body = good.length - 3 * 8 * columns.length - 16 - 16; // ids and names, padded
    const wrong = good.slice();
    new DataView(wrong.buffer).setUint32(body, 99, true);
    await Deno.writeFile(path, wrong);
    await assert.rejects(() => store.getDay("2026-11-01"), /record 1 names an identity/);
  });
});

Deno.test("DayStore checks a day file's names: strings, identities never empty", async () => {
  await withStore(async (store, dir) => {
    await store.putDay(DAY, Date.parse("2026-11-02T05:00:00Z"));
    const path = join(dir, "days", "2026-11-01.day");
    const good = new TextDecoder("latin1").decode(await Deno.readFile(path));
    // Same lengths, so that only the names are wrong: a number, then an empty identity.
    for (const [from, to] of [['"ci-bot"', "12345678"], ['"ci-bot"', '""      ']]) {
      assert.ok(good.includes(from));
      const bad = Uint8Array.from(good.replace(from, to), (c) => c.charCodeAt(0));
      await Deno.writeFile(path, bad);
      await assert.rejects(() => store.getDay("2026-11-01"), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.match(e.message, /2026-11-01\.day.*names are not valid/);
        return true;
      });
    }
  });
});

Deno.test("DayStore reuses a released day's column memory, and only a released day's", async () => {
  await withStore(async (store) => {
    const other: DayData = {
      ...DAY,
      day: "2026-11-02",
      records: DAY.records.map((r) => ({
        ...r,
        day: "2026-11-02",
        metrics: parseCounters({ ...r.metrics, completions_count: 40 }),
      })),
    };
    await store.putDay(DAY, Date.parse("2026-11-03T05:00:00Z"));
    await store.putDay(other, Date.parse("2026-11-03T05:00:00Z"));
    const plain = (d: DayData) => ({ ...d, records: [...d.records] });
    const pool = new ColumnPool();
    // Held together (not released): each keeps its own memory, both exact.
    const a = await store.getDay("2026-11-01", { pool });
    const b = await store.getDay("2026-11-02", { pool });
    assert.notEqual(dayColumns(a!)!.ids.buffer, dayColumns(b!)!.ids.buffer);
    assert.deepEqual(plain(a!), plain(DAY));
    assert.deepEqual(plain(b!), plain(other));
    // The same day read again before its release: the first read keeps its memory.
    const again = await store.getDay("2026-11-01", { pool });
    assert.notEqual(dayColumns(again!)!.ids.buffer, dayColumns(a!)!.ids.buffer);
    assert.deepEqual(plain(a!), plain(DAY));
    // Released, then the next day read into the same memory, exactly.
    pool.release("2026-11-01");
    pool.release("2026-11-02");
    const c = await store.getDay("2026-11-01", { pool });
    assert.ok([dayColumns(a!)!.ids.buffer, dayColumns(b!)!.ids.buffer].includes(
      dayColumns(c!)!.ids.buffer,
    ));
    assert.deepEqual(plain(c!), plain(DAY));
    // A day read without a pool never shares memory.
    pool.release("2026-11-01");
    const d = await store.getDay("2026-11-02");
    const e = await store.getDay("2026-11-02", { pool });
    assert.notEqual(dayColumns(d!)!.ids.buffer, dayColumns(e!)!.ids.buffer);
    assert.deepEqual(plain(d!), plain(other));
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
    // A version-1 file (what earlier versions wrote) is read as well.
    const path = join(dir, "days", "2026-10-01.ndjson");
    await Deno.remove(join(dir, "days", "2026-10-01.day"));
    const h = {
      version: 1,
      day: "2026-10-01",
      fetched_at: "2026-10-02T05:00:00.000Z",
      dau_count: 1,
      usage: null,
      record_count: 1,
      identity_count: 1,
      counters: ["completions_count"],
    };
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

Deno.test("a version-1 store is read as it is, and migrate() converts it in place, losslessly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The committed fixture: what version 1 wrote for 12 identities over 55 days.
    const fixture = new URL("../fixtures/store-v1/", import.meta.url);
    await Deno.mkdir(join(dir, "days"));
    await Deno.mkdir(join(dir, "user-activity"));
    for await (const e of Deno.readDir(new URL("days/", fixture))) {
      await Deno.copyFile(new URL(`days/${e.name}`, fixture), join(dir, "days", e.name));
    }
    await Deno.copyFile(new URL("store.json", fixture), join(dir, "store.json"));
    const v1 = await DayStore.open(dir, "http://simulator.invalid");
    const days = await v1.days();
    assert.equal(days.length, 55);
    const before = new Map();
    for (const d of days) before.set(d, [await v1.getDay(d), await v1.dayInfo(d)]);

    assert.equal(await v1.migrate(), 55);
    const names = [...Deno.readDirSync(join(dir, "days"))].map((e) => e.name);
    assert.ok(names.every((n) => n.endsWith(".day")), "no version-1 file is left");
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "store.json")));
    assert.equal(meta.version, 2);
    assert.equal(meta.base_url, "http://simulator.invalid");

    const v2 = await DayStore.open(dir, "http://simulator.invalid");
    assert.deepEqual(await v2.days(), days);
    for (const d of days) {
      assert.deepEqual([await v2.getDay(d), await v2.dayInfo(d)], before.get(d), d);
    }
    assert.equal(await v2.migrate(), 0, "a second migration has nothing to do");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

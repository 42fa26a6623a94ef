/** Housekeeping: compression and retention of outputs and store days, on a real folder. */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { housekeep } from "../../src/job/housekeeping.ts";
import { DayStore } from "../../src/store/day_store.ts";

/** "Today" for every test: 2026-11-26 (UTC). */
const NOW_MS = Date.parse("2026-11-26T12:00:00Z");

/** Outputs of two old runs (ending 2026-09-30 and 2026-10-28) and one recent (2026-11-25). */
const OLD = [
  "daily_exports_2026-09-03_to_2026-09-30/metrics_2026-09-03.json",
  "daily_exports_2026-09-03_to_2026-09-30/metrics_2026-09-30.json",
  "copilot_metrics_2026-09-03_to_2026-09-30.json",
  "copilot_usage_2026-09-03_to_2026-09-30.json",
  "metrics_20260903_to_20260930.csv",
  "metrics_summary_20260903_to_20260930.csv",
  "metrics_detail_20260903_to_20260930.csv",
  "aggregated_metrics_20260903_to_20260930.json",
  "usage_metrics/enterprise-1-day_2026-09-30.json",
  "usage_metrics/users-1-day_2026-09-30.ndjson",
  "usage_metrics/enterprise-28-day_2026-09-03_to_2026-09-30.json",
  "usage_metrics/users-28-day_2026-09-03_to_2026-09-30.ndjson",
];
const MIDDLE = [
  "copilot_metrics_2026-10-01_to_2026-10-28.json",
  "usage_metrics/enterprise-1-day_2026-10-28.json",
];
const RECENT = [
  "daily_exports_2026-10-29_to_2026-11-25/metrics_2026-11-25.json",
  "copilot_metrics_2026-10-29_to_2026-11-25.json",
  "usage_metrics/users-1-day_2026-11-25.ndjson",
];
/** Files that are not outputs of ours, or not in our name patterns exactly. */
const FOREIGN = [
  "last_run.json",
  "notes.txt",
  "copilot_metrics_2026-09-03_to_2026-09-30.json.bak",
  "metrics_2026-09-30.json",
  "usage_metrics/enterprise-1-day_2026-13-45.json",
  "usage_metrics/README.md",
];

function contentOf(rel: string): string {
  return `${rel}\n`.repeat(200); // compressible, and tells files apart
}

async function withOutputs(
  fn: (dir: string) => Promise<void>,
  files = [...OLD, ...MIDDLE, ...RECENT, ...FOREIGN],
) {
  const dir = await Deno.makeTempDir({ prefix: "augment-metrics-test-" });
  try {
    for (const rel of files) {
      await Deno.mkdir(dirname(join(dir, rel)), { recursive: true });
      await Deno.writeTextFile(join(dir, rel), contentOf(rel));
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function list(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, prefix: string) {
    for await (const e of Deno.readDir(d)) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory) await walk(join(d, e.name), rel);
      else out.push(rel);
    }
  }
  await walk(dir, "");
  return out.sort();
}

Deno.test("housekeep() does nothing when neither setting is given", async () => {
  await withOutputs(async (dir) => {
    const before = await list(dir);
    const r = await housekeep({ outputDir: dir, policy: {}, nowMs: NOW_MS });
    assert.deepEqual(r, { compressed: [], removed: [], storeFilesRemoved: 0, bytesFreed: 0 });
    assert.deepEqual(await list(dir), before);
  });
});

Deno.test("compression gzips outputs older than N days, losslessly; recent and foreign files are untouched", async () => {
  await withOutputs(async (dir) => {
    const r = await housekeep({ outputDir: dir, policy: { compressAfterDays: 30 }, nowMs: NOW_MS });
    // Cutoff 2026-10-27: data ending 10-28 or later stays as it is.
    assert.deepEqual(r.compressed, [...OLD].sort());
    assert.deepEqual(r.removed, []);
    assert.ok(r.bytesFreed > 0);
    const expected = [
      ...OLD.map((f) => `${f}.gz`),
      ...MIDDLE,
      ...RECENT,
      ...FOREIGN,
    ].sort();
    assert.deepEqual(await list(dir), expected);
    for (const rel of OLD) {
      const bytes = gunzipSync(await Deno.readFile(join(dir, `${rel}.gz`)));
      assert.equal(new TextDecoder().decode(bytes), contentOf(rel), rel);
    }
    for (const rel of [...MIDDLE, ...RECENT, ...FOREIGN]) {
      assert.equal(await Deno.readTextFile(join(dir, rel)), contentOf(rel), rel);
    }
    // A second pass has nothing left to do.
    const again = await housekeep({
      outputDir: dir,
      policy: { compressAfterDays: 30 },
      nowMs: NOW_MS,
    });
    assert.deepEqual(again.compressed, []);
  });
});

Deno.test("compression replaces a stale .gz", async () => {
  await withOutputs(async (dir) => {
    const rel = "copilot_metrics_2026-09-03_to_2026-09-30.json";
    await Deno.writeTextFile(join(dir, `${rel}.gz`), "an older run's archive");
    const r = await housekeep({ outputDir: dir, policy: { compressAfterDays: 30 }, nowMs: NOW_MS });
    assert.ok(r.compressed.includes(rel));
    const bytes = gunzipSync(await Deno.readFile(join(dir, `${rel}.gz`)));
    assert.equal(new TextDecoder().decode(bytes), contentOf(rel));
  });
});

Deno.test("the day-partitioned layout: old days are compressed, then removed; latest/ and its days never", async () => {
  await withOutputs(async (dir) => {
    const files = [
      "daily/2026-09-01/copilot_metrics.json",
      "daily/2026-09-01/users-1-day.ndjson",
      "daily/2026-10-20/copilot_metrics.json",
      "reports/2026-08-01_to_2026-08-28/metrics.csv",
      "latest/copilot_metrics.json",
      "daily/2026-09-01/notes.txt",
    ];
    for (const f of files) {
      await Deno.mkdir(join(dir, f, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, f), `content of ${f}\n`.repeat(50));
    }
    // latest/ shows 2026-10-01..10-28: 10-20 is spared whatever the setting.
    const c = await housekeep({
      outputDir: dir,
      policy: { compressAfterDays: 10 },
      nowMs: NOW_MS,
      keepFrom: "2026-10-01",
    });
    assert.ok(c.compressed.includes("daily/2026-09-01/copilot_metrics.json"));
    assert.ok(c.compressed.includes("reports/2026-08-01_to_2026-08-28/metrics.csv"));
    assert.ok(!c.compressed.some((f) => f.startsWith("latest/") || f.includes("2026-10-20")));
    assert.ok(!c.compressed.includes("daily/2026-09-01/notes.txt"), "not ours");
    const r = await housekeep({
      outputDir: dir,
      policy: { retentionDays: 30 },
      nowMs: NOW_MS,
      keepFrom: "2026-10-01",
    });
    assert.ok(r.removed.includes("daily/2026-09-01/copilot_metrics.json.gz"));
    assert.ok(!r.removed.includes("daily/2026-09-01"), "a file of someone else keeps its folder");
    assert.ok(r.removed.includes("reports/2026-08-01_to_2026-08-28"));
    await Deno.stat(join(dir, "daily/2026-10-20/copilot_metrics.json"));
    await Deno.stat(join(dir, "latest/copilot_metrics.json"));
  });
});

Deno.test("retention removes outputs older than N days, compressed or not, and empty daily folders", async () => {
  await withOutputs(async (dir) => {
    await housekeep({ outputDir: dir, policy: { compressAfterDays: 40 }, nowMs: NOW_MS });
    const r = await housekeep({ outputDir: dir, policy: { retentionDays: 30 }, nowMs: NOW_MS });
    assert.deepEqual(
      r.removed,
      [...OLD.map((f) => `${f}.gz`), "daily_exports_2026-09-03_to_2026-09-30"].sort(),
    );
    assert.deepEqual(await list(dir), [...MIDDLE, ...RECENT, ...FOREIGN].sort());
    assert.ok(r.bytesFreed > 0);
  });
});

Deno.test("retention keeps a daily folder that holds a file of someone else", async () => {
  await withOutputs(async (dir) => {
    const folder = "daily_exports_2026-09-03_to_2026-09-30";
    await Deno.writeTextFile(join(dir, folder, "my-notes.txt"), "mine");
    const r = await housekeep({ outputDir: dir, policy: { retentionDays: 30 }, nowMs: NOW_MS });
    assert.ok(!r.removed.includes(folder));
    assert.deepEqual(await list(join(dir, folder)), ["my-notes.txt"]);
  });
});

Deno.test("a dry run reports exactly what a real run then does, and changes nothing", async () => {
  await withOutputs(async (dir) => {
    const policy = { compressAfterDays: 10, retentionDays: 40 };
    const before = await list(dir);
    const dry = await housekeep({ outputDir: dir, policy, nowMs: NOW_MS, dryRun: true });
    assert.deepEqual(await list(dir), before);
    assert.equal(dry.bytesFreed, 0);
    const real = await housekeep({ outputDir: dir, policy, nowMs: NOW_MS });
    assert.deepEqual(dry.compressed, real.compressed);
    assert.deepEqual(dry.removed, real.removed);
    // Retention first, then compression of what is left: nothing is compressed and removed.
    assert.deepEqual(real.compressed, MIDDLE.slice().sort());
    assert.ok(real.removed.includes("copilot_metrics_2026-09-03_to_2026-09-30.json"));
  });
});

Deno.test("retention prunes store days no kept output needs, sparing the current run's range", async () => {
  await withOutputs(async (dir) => {
    const storeDir = join(dir, ".store");
    const store = await DayStore.open(storeDir, "http://127.0.0.1:9", NOW_MS);
    const fetched = Date.parse("2026-11-26T04:00:00Z");
    for (const day of ["2026-08-01", "2026-08-30", "2026-09-01", "2026-10-01"]) {
      await store.putDay({ day, records: [] }, fetched);
    }
    await store.putUserActivity("2026-08-01", "2026-08-28", [], fetched);
    await store.putUserActivity("2026-09-01", "2026-09-28", [], fetched);
    await store.putUserActivity("2026-10-01", "2026-10-28", [], fetched);

    // Retention 60 days: outputs from 2026-09-27 on are kept, and they need store days from
    // 2026-08-31 on (27 days of lookback); user-activity of ranges ending before 09-27 goes.
    const policy = { retentionDays: 60 };
    const dry = await housekeep({ outputDir: dir, store, policy, nowMs: NOW_MS, dryRun: true });
    assert.equal(dry.storeFilesRemoved, 3);
    assert.deepEqual(await store.days(), ["2026-08-01", "2026-08-30", "2026-09-01", "2026-10-01"]);
    const r = await housekeep({ outputDir: dir, store, policy, nowMs: NOW_MS });
    assert.equal(r.storeFilesRemoved, 3);
    assert.deepEqual(await store.days(), ["2026-09-01", "2026-10-01"]);
    assert.equal(await store.getUserActivity("2026-08-01", "2026-08-28"), undefined);
    assert.deepEqual(await store.getUserActivity("2026-09-01", "2026-09-28"), []);

    // What latest/ shows, and the days its window needs, are kept even past the retention.
    await store.putDay({ day: "2026-08-01", records: [] }, fetched);
    await store.putUserActivity("2026-08-01", "2026-08-28", [], fetched);
    const spared = await housekeep({
      outputDir: dir,
      store,
      policy,
      nowMs: NOW_MS,
      keepFrom: "2026-08-01",
    });
    assert.equal(spared.storeFilesRemoved, 0);
    assert.deepEqual((await store.days())[0], "2026-08-01");
  });
});

Deno.test("a compression killed mid-way leaves the original whole; its temporary file is cleared later", async () => {
  await withOutputs(async (dir) => {
    const rel = "usage_metrics/enterprise-1-day_2026-09-30.json";
    const temp = join(dir, "usage_metrics", ".enterprise-1-day_2026-09-30.json.gz.abc123.tmp");
    await Deno.writeTextFile(temp, "half a gzip stream");
    await Deno.utime(temp, (NOW_MS - 7_200_000) / 1000, (NOW_MS - 7_200_000) / 1000);
    await housekeep({ outputDir: dir, policy: { compressAfterDays: 30 }, nowMs: NOW_MS });
    await assert.rejects(Deno.stat(temp), Deno.errors.NotFound);
    const bytes = gunzipSync(await Deno.readFile(join(dir, `${rel}.gz`)));
    assert.equal(new TextDecoder().decode(bytes), contentOf(rel));
  }, [...OLD]);
});

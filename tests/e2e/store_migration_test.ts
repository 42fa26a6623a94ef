/**
 * A store written by version 1 (the committed fixture: 12 identities over 55 days, one JSON
 * record a line) opened by the CLI: converted in place, nothing fetched, and every output the
 * same as from a store filled with the same records read straight from the version-1 lines.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseCounters } from "../../src/model/metrics.ts";
import type { ActivityRecord, DayData } from "../../src/model/types.ts";
import { CreditsStore } from "../../src/store/credits_store.ts";
import { DayStore } from "../../src/store/day_store.ts";
import { listFiles, runCli, withTempDir } from "./helpers.ts";

const FIXTURE = new URL("../fixtures/store-v1/", import.meta.url);
/** A port nothing listens on: any request would fail the run. */
const BASE_URL = "http://127.0.0.1:9";
const NOW = "2026-11-20T12:00:00Z";
const ENV = { AUGMENT_API_TOKEN: "test-token-not-used-0123456789", AUGMENT_API_BASE_URL: BASE_URL };

/** The fixture's days, read from the version-1 lines here (not through the store). */
async function fixtureDays(): Promise<{ data: DayData; fetchedAt: string }[]> {
  const out = [];
  for await (const e of Deno.readDir(new URL("days/", FIXTURE))) {
    const lines = (await Deno.readTextFile(new URL(`days/${e.name}`, FIXTURE))).trim().split("\n");
    const header = JSON.parse(lines[0]);
    const records: ActivityRecord[] = lines.slice(1).map((line) => {
      const [identity, kind, editor, language, metrics] = JSON.parse(line);
      return {
        day: header.day,
        identity,
        kind: kind === "u" ? "user" : "service_account",
        editor,
        language,
        metrics: parseCounters(metrics),
      };
    });
    const data: DayData = {
      day: header.day,
      records,
      ...(header.dau_count !== null && { dauCount: header.dau_count }),
      ...(header.usage !== null && { usage: parseCounters(header.usage) }),
    };
    out.push({ data, fetchedAt: header.fetched_at });
  }
  return out.sort((a, b) => a.data.day < b.data.day ? -1 : 1);
}

/** No credits or cost on any fixture day, held, so that the run has nothing to ask. */
async function holdNoCredits(storeDir: string, days: readonly string[]): Promise<void> {
  const credits = new CreditsStore(storeDir);
  for (const d of days) {
    await credits.putUsage(d, [], Date.parse(NOW));
    await credits.putCost(d, [], Date.parse(NOW));
  }
}

/** sha256 of every output file; the run's own clock (`created_at`) masked. */
async function digests(out: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const rel of await listFiles(out)) {
    if (rel === "last_run.json" || rel === ".manifest.json") continue;
    const text = (await Deno.readTextFile(join(out, rel)))
      .replace(/"created_at": ?"[^"]*"/g, '"created_at":"…"');
    map.set(rel, createHash("sha256").update(text).digest("hex"));
  }
  return map;
}

function exportArgs(dir: string): string[] {
  return [
    "--now",
    NOW,
    "export",
    "--last-28-days",
    "-o",
    join(dir, "out"),
    "--store-dir",
    join(dir, ".store"),
    "--format",
    "copilot,usage-metrics,legacy-usage,csv",
  ];
}

Deno.test("the CLI converts a version-1 store in place: 0 requests, the same outputs", async () => {
  const days = await fixtureDays();
  assert.equal(days.length, 55);
  await withTempDir(async (dir) => {
    // A: the version-1 store as version 1 left it.
    const a = join(dir, "a");
    await Deno.mkdir(join(a, ".store", "days"), { recursive: true });
    for await (const e of Deno.readDir(new URL("days/", FIXTURE))) {
      await Deno.copyFile(new URL(`days/${e.name}`, FIXTURE), join(a, ".store", "days", e.name));
    }
    const fixtureMeta = JSON.parse(await Deno.readTextFile(new URL("store.json", FIXTURE)));
    await Deno.writeTextFile(
      join(a, ".store", "store.json"),
      JSON.stringify({ ...fixtureMeta, base_url: BASE_URL }, null, 2) + "\n",
    );
    await holdNoCredits(join(a, ".store"), days.map((d) => d.data.day));
    // B: a current store holding the same records.
    const b = join(dir, "b");
    const store = await DayStore.open(join(b, ".store"), BASE_URL, Date.parse(NOW));
    for (const { data, fetchedAt } of days) await store.putDay(data, Date.parse(fetchedAt));
    await holdNoCredits(join(b, ".store"), days.map((d) => d.data.day));

    const runA = await runCli(exportArgs(a), { env: ENV });
    assert.equal(runA.code, 0, runA.stderr);
    assert.match(runA.stdout + runA.stderr, /Converted 55 stored days/);
    const meta = JSON.parse(await Deno.readTextFile(join(a, ".store", "store.json")));
    assert.equal(meta.version, 2);
    const left = (await listFiles(join(a, ".store", "days"))).filter((f) => !f.endsWith(".day"));
    assert.deepEqual(left, [], "no version-1 day file is left");
    const summaryA = JSON.parse(await Deno.readTextFile(join(a, "out", "last_run.json")));
    assert.equal(summaryA.requests, 0);
    assert.equal(summaryA.days_from_store, 28);

    const runB = await runCli(exportArgs(b), { env: ENV });
    assert.equal(runB.code, 0, runB.stderr);
    const digestsA = await digests(join(a, "out"));
    assert.ok(digestsA.size > 100, `${digestsA.size} files`);
    assert.deepEqual(digestsA, await digests(join(b, "out")));

    // A second run has nothing to convert.
    const again = await runCli(exportArgs(a), { env: ENV });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout + again.stderr, /Converted/);
  });
});

/**
 * Disk usage as a cron user meets it: daily `--since-last` runs with compression and retention,
 * the CLI (the bundle, with the binary's permissions) as a subprocess against the simulator.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { listFiles, runCli, withTempDir } from "./helpers.ts";

const FIRST = "2026-11-20T12:00:00Z"; // exports 2026-10-23 .. 2026-11-19
const LATER = "2026-12-20T12:00:00Z"; // --since-last: 2026-11-20 .. 2026-12-19

Deno.test("compression and retention: old outputs are gzipped, then removed; recent ones stay", async () => {
  let nowMs = Date.parse(FIRST);
  await using sim = await startSimulator({ now: () => nowMs, rateLimit: false, users: 6 });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = {
      HOME: dir,
      AUGMENT_API_BASE_URL: sim.url,
      AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
      AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
      AUGMENT_OUTPUT_DIR: out,
    };
    const first = await runCli(["--now", FIRST, "export", "--since-last"], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stdout, /Housekeeping/, "off unless asked for");
    const firstFiles = (await listFiles(out)).filter((f) => !f.startsWith(".store/"));
    const csv = await Deno.readFile(join(out, "metrics_20261023_to_20261119.csv"));

    // A month later, with compression after 20 days (from the environment).
    nowMs = Date.parse(LATER);
    const second = await runCli(["--now", LATER, "export", "--since-last"], {
      env: { ...env, AUGMENT_COMPRESS_AFTER_DAYS: "20" },
    });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Exported 2026-11-20 to 2026-12-19/);
    const files = await listFiles(out);
    // Everything the first run wrote ended by 2026-11-19, more than 20 days before 12-20.
    for (const f of firstFiles) {
      if (f === "last_run.json") continue;
      assert.ok(files.includes(`${f}.gz`), `${f} compressed`);
      assert.ok(!files.includes(f), `${f} replaced by its .gz`);
    }
    assert.deepEqual(
      new Uint8Array(
        gunzipSync(await Deno.readFile(join(out, "metrics_20261023_to_20261119.csv.gz"))),
      ),
      new Uint8Array(csv),
    );
    // The second run's own files are not compressed, though some hold days older than 20.
    assert.ok(files.includes("usage_metrics/enterprise-1-day_2026-11-20.json"));
    assert.ok(files.includes("copilot_metrics_2026-11-20_to_2026-12-19.json"));
    const summary = JSON.parse(await Deno.readTextFile(join(out, "last_run.json")));
    assert.equal(summary.housekeeping.compressed.length, firstFiles.length - 1);
    assert.match(
      second.stdout,
      new RegExp(`Housekeeping: compressed ${firstFiles.length - 1} files`),
    );

    // A dry run with a 25-day retention says what it would remove, and removes nothing.
    const before = await listFiles(out);
    const dry = await runCli(
      ["--now", LATER, "export", "--since-last", "--dry-run", "--retention-days", "25"],
      { env },
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Housekeeping would remove \d+ outputs, remove \d+ old files/);
    assert.deepEqual(await listFiles(out), before);

    // The real run with that retention: the first run's outputs go, and so do the store days
    // that neither a kept output (from 2026-11-25, looking back 27 days: 10-29) nor this run
    // (2026-11-22 .. 12-19, looking back to 10-26) needs.
    const third = await runCli(
      ["--now", LATER, "export", "--since-last", "--retention-days", "25"],
      { env },
    );
    assert.equal(third.code, 0, third.stderr);
    const left = await listFiles(out);
    assert.ok(!left.some((f) => f.includes("2026-10-23_to_2026-11-19")), left.join(", "));
    assert.ok(!left.some((f) => f.includes("20261023_to_20261119")));
    assert.ok(left.includes("copilot_metrics_2026-11-20_to_2026-12-19.json"));
    const storeDays = left.filter((f) => f.startsWith(".store/days/")).map((f) => f.slice(12, 22));
    assert.equal(storeDays[0], "2026-10-26");
    assert.equal(storeDays.at(-1), "2026-12-19");
    assert.match(third.stdout, /Housekeeping: removed \d+ outputs, removed \d+ old files/);
  });
});

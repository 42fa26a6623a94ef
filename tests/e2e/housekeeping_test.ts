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
    const csv = await Deno.readFile(join(out, "daily/2026-10-23/metrics.csv"));

    // A month later, with compression after 20 days (from the environment).
    nowMs = Date.parse(LATER);
    const second = await runCli(["--now", LATER, "export", "--since-last"], {
      env: { ...env, AUGMENT_COMPRESS_AFTER_DAYS: "20" },
    });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Exported 2026-11-20 to 2026-12-19/);
    const files = await listFiles(out);
    // Days more than 20 days old, before latest/ (2026-11-22 .. 12-19), are compressed.
    assert.ok(files.includes("daily/2026-10-23/metrics.csv.gz"));
    assert.ok(!files.includes("daily/2026-10-23/metrics.csv"));
    assert.deepEqual(
      new Uint8Array(gunzipSync(await Deno.readFile(join(out, "daily/2026-10-23/metrics.csv.gz")))),
      new Uint8Array(csv),
    );
    assert.ok(files.includes("daily/2026-11-22/metrics.csv"), "latest/'s days stay plain");
    assert.ok(files.includes("latest/metrics.csv"));
    const summary = JSON.parse(await Deno.readTextFile(join(out, "last_run.json")));
    assert.ok(summary.housekeeping.compressed.length > 0);
    assert.match(second.stdout, /Housekeeping: compressed \d+ files/);

    // Then retention of 10 days: the old days go; latest/ and its days stay.
    const third = await runCli(["--now", LATER, "export", "--since-last"], {
      env: { ...env, AUGMENT_RETENTION_DAYS: "10" },
    });
    assert.equal(third.code, 0, third.stderr);
    const left = await listFiles(out);
    assert.ok(!left.some((f) => f.startsWith("daily/2026-10-23/")));
    assert.ok(left.includes("daily/2026-11-22/metrics.csv"));
    assert.ok(left.includes("latest/enterprise-28-day.json"));
    // A compressed day counts as present: it is not rendered again.
    assert.match(third.stdout, /Wrote 0 files/);
  });
});

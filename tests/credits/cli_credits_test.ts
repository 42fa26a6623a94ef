/**
 * An export with credits as users run it: the bundled CLI as a subprocess against the
 * simulator; and one where the enterprise has no credits endpoints.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { runCli, withTempDir } from "../e2e/helpers.ts";
import { validate } from "../fixtures/schemas.ts";

const NOW = "2026-11-20T12:00:00Z";
const NOW_MS = Date.parse(NOW);

function envFor(url: string, home: string) {
  return {
    HOME: home,
    AUGMENT_API_BASE_URL: url,
    AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
    AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
    AUGMENT_RATE_LIMIT_BURST: "20",
  };
}

Deno.test("CLI: export with credits — ai_credits_used in the users reports, credits requests in the plan and the summary", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 12 });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = envFor(sim.url, dir);
    const args = [
      "--now",
      NOW,
      "export",
      "--start-date",
      "2026-11-10",
      "--end-date",
      "2026-11-19",
      "-o",
      out,
    ];
    const dry = await runCli([...args, "--dry-run"], { env, cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /credit-usage-by-user\s+1\s+~?1/);
    assert.match(dry.stdout, /cost-analytics\s+1\s+~?1/);

    const r = await runCli(args, { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const requests = sim.stats.requests;
    assert.ok(sim.stats.byEndpoint["/analytics/v0/credit-usage-by-user"] >= 1);
    assert.match(r.stdout, new RegExp(`Requests: ${requests} \\(plan minimum ${requests};`));

    const text = await Deno.readTextFile(join(out, "daily", "2026-11-19", "users-1-day.ndjson"));
    const rows = text.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.deepEqual(validate("copilot-usage-metrics-report-user.schema.json", row), []);
      assert.equal(typeof row.ai_credits_used, "number");
    }
    assert.ok(rows.some((row) => row.ai_credits_used > 0));
  });
});

Deno.test("CLI: credits not enabled — one warning line each, exit 0, no ai_credits_used", async () => {
  await using sim = await startSimulator({
    now: () => NOW_MS,
    rateLimit: false,
    users: 8,
    faults: { creditsDisabled: true },
  });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const r = await runCli(
      ["--now", NOW, "export", "--start-date", "2026-11-18", "--end-date", "2026-11-19", "-o", out],
      { env: envFor(sim.url, dir), cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.trim().split("\n").filter((l) => /not enabled/.test(l));
    assert.equal(warnings.length, 2, r.stderr);
    assert.ok(!r.stderr.includes(SIMULATOR_TOKEN));
    const text = await Deno.readTextFile(join(out, "daily", "2026-11-19", "users-1-day.ndjson"));
    assert.ok(!text.includes("ai_credits_used"));
  });
});

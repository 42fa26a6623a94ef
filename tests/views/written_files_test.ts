/**
 * What a run writes, read back from disk: every JSON file of `daily/` and `latest/` validates
 * against GitHub's schema for its format, and the range files agree with the per-day files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../../src/simulator/mod.ts";
import { exportFromSimulator } from "../_simulator_export.ts";
import { type SchemaFile, validate } from "../fixtures/schemas.ts";
import { listFiles, withTempDir } from "../e2e/helpers.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function assertValid(file: SchemaFile, value: unknown, what: string): void {
  assert.deepEqual(validate(file, value), [], `${what} does not match ${file}`);
}

Deno.test("every written JSON file matches GitHub's schema; latest/ is the concatenation of its days", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 40 });
  await withTempDir(async (dir) => {
    await exportFromSimulator({ url: sim.url, dir, now: NOW });
    const read = async (rel: string) => JSON.parse(await Deno.readTextFile(join(dir, rel)));
    const lines = async (rel: string) =>
      (await Deno.readTextFile(join(dir, rel))).split("\n").filter(Boolean).map((l) =>
        JSON.parse(l)
      );
    const days = (await listFiles(dir)).filter((f) => f.startsWith("daily/"))
      .map((f) => f.split("/")[1]);
    const unique = [...new Set(days)].sort();
    assert.equal(unique.length, 28);

    const rows = [];
    const users = [];
    const metrics = [];
    for (const day of unique) {
      const b = await read(`daily/${day}/copilot_metrics.json`);
      assertValid("copilot-metrics-day.schema.json", b, `${day} Format B`);
      metrics.push(b);
      assertValid(
        "copilot-usage-legacy.schema.json",
        await read(`daily/${day}/copilot_usage.json`),
        `${day} Format A`,
      );
      const entity = await read(`daily/${day}/enterprise-1-day.json`);
      assertValid("copilot-usage-metrics-report-entity.schema.json", entity, `${day} entity`);
      rows.push(...entity.day_totals);
      for (const u of await lines(`daily/${day}/users-1-day.ndjson`)) {
        assertValid("copilot-usage-metrics-report-user.schema.json", u, `${day} user row`);
        users.push(u);
      }
    }
    assertValid(
      "copilot-metrics-response.schema.json",
      await read("latest/copilot_metrics.json"),
      "latest Format B",
    );
    assert.deepEqual(await read("latest/copilot_metrics.json"), metrics);
    assertValid(
      "copilot-usage-legacy-response.schema.json",
      await read("latest/copilot_usage.json"),
      "latest Format A",
    );
    const report = await read("latest/enterprise-28-day.json");
    assertValid("copilot-usage-metrics-report-entity.schema.json", report, "latest entity");
    assert.deepEqual(report.day_totals, rows, "the 28-day rows are the 1-day rows");
    const users28 = await lines("latest/users-28-day.ndjson");
    assert.equal(users28.length, users.length);
    for (const [i, u] of users28.entries()) {
      assertValid("copilot-usage-metrics-report-user.schema.json", u, "latest user row");
      const { report_start_day, report_end_day, ...rest } = u;
      assert.deepEqual([report_start_day, report_end_day], [unique[0], unique.at(-1)]);
      assert.deepEqual(rest, users[i]);
    }
  });
});

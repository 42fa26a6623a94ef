/**
 * The credits and cost warehouse tables, read back with DuckDB: exact amounts (decimal strings
 * cast to DECIMAL), the same totals as the simulator's, `_schema.json` listing every column.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { AnalyticsClient } from "../../src/augment/client.ts";
import { CREDITS_BUCKET, CreditsClient } from "../../src/augment/credits.ts";
import { HttpClient } from "../../src/http/client.ts";
import { runExport } from "../../src/job/export_range.ts";
import { silentReporter } from "../../src/job/reporter.ts";
import { Decimal, sumDecimals } from "../../src/model/money.ts";
import { dayCredits } from "../../src/simulator/credits.ts";
import { RecordSource } from "../../src/simulator/dataset.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { CREDIT_TABLE_COLUMNS } from "../../src/views/credits_tables.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import { viewsFor } from "../../src/views/registry.ts";
import { withTempDir } from "../e2e/helpers.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");

Deno.test("parquet: credits and cost tables per day, exact amounts, their _schema.json", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: 25 });
  await withTempDir(async (dir) => {
    const http = new HttpClient({
      baseUrl: sim.url,
      token: SIMULATOR_TOKEN,
      timeoutMs: 10_000,
      maxRetries: 2,
      ratePerMinute: 6000,
      burst: 20,
      buckets: [{ ...CREDITS_BUCKET, ratePerMinute: 6000 }],
    });
    const client = new AnalyticsClient(http, { now: () => NOW });
    client.credits = new CreditsClient(http);
    await runExport({
      client,
      stats: http.stats,
      storeDir: join(dir, ".store"),
      storeKey: sim.url,
      out: new OutputDir(dir),
      spec: { kind: "explicit", start: "2026-11-05", end: "2026-11-07" },
      views: viewsFor(["parquet", "ndjson-tables"], { enterpriseId: "e1", aggregate: false }),
      enterpriseId: "e1",
      now: () => NOW,
      reporter: silentReporter,
    });

    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
      const credits = `read_parquet('${dir}/tables/credits/day=*/part-0.parquet', ` +
        `hive_partitioning = true)`;
      const rows = await q(
        `SELECT CAST(day AS VARCHAR) AS day, CAST(sum(CAST(credits AS DECIMAL(38, 12))) AS VARCHAR) AS total
         FROM ${credits} WHERE day = DATE '2026-11-06' GROUP BY day`,
      );
      const want = sumDecimals(
        dayCredits(new RecordSource(1, 25), "2026-11-06").map((r) => r.credits),
      );
      assert.equal(rows.length, 1);
      assert.equal(Decimal.parse(rows[0].total).toString(), want.toString());

      const cost =
        `read_parquet('${dir}/tables/cost/day=*/part-0.parquet', hive_partitioning = true)`;
      const c = await q(
        `SELECT CAST(sum(CAST(credits_consumed AS DECIMAL(38, 12))) AS VARCHAR) AS total,
                min(input_tokens) > 0 AS tokens
         FROM ${cost} WHERE day = DATE '2026-11-06'`,
      );
      assert.equal(Decimal.parse(c[0].total).toString(), want.toString());
      assert.equal(c[0].tokens, true);

      const nd = await q(
        `SELECT count(*)::VARCHAR AS n FROM read_json('${dir}/tables-ndjson/credits/day=*/part-0.ndjson',
         format = 'newline_delimited', hive_partitioning = true) WHERE day = DATE '2026-11-06'`,
      );
      const pq = await q(
        `SELECT count(*)::VARCHAR AS n FROM ${credits} WHERE day = DATE '2026-11-06'`,
      );
      assert.deepEqual(nd, pq);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    for (const table of ["credits", "cost"] as const) {
      const schema = JSON.parse(
        await Deno.readTextFile(join(dir, "tables", table, "_schema.json")),
      );
      assert.deepEqual(
        schema.columns.map((c: { name: string }) => c.name),
        CREDIT_TABLE_COLUMNS[table].map((c) => c.name),
      );
    }
  });
});

/**
 * The Parquet encoding of the warehouse tables on values at the edges: counters near 2^53,
 * nulls in nullable columns, empty and non-ASCII strings, empty and long lists, empty tables.
 * Each file is read back by an independent reader (DuckDB) and compared value for value; its
 * metadata (`parquet_metadata()`) must show snappy and statistics on every column chunk.
 */
import { deepEqual, equal, notDeepEqual, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DuckDBInstance } from "@duckdb/node-api";
import { KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import { encodeParquet } from "../../src/views/tables/encode.ts";
import type { TableColumns } from "../../src/views/tables/rows.ts";
import { columnsOf, type TableName } from "../../src/views/tables/schema.ts";

const KNOWN = KNOWN_COUNTERS.length;
const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1

/** A table of `rows` rows: `keys[c][r]`, counter `k` of row `r` = `counter(r, k)`. */
function table(
  name: TableName,
  extraNames: string[],
  keys: unknown[][],
  counter: (r: number, k: number) => number,
  extra: (number | null)[][],
): TableColumns {
  const rows = keys[0]?.length ?? 0;
  const known = new Float64Array(rows * KNOWN);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < KNOWN; k++) known[r * KNOWN + k] = counter(r, k);
  }
  return { table: name, columns: columnsOf(name, extraNames), keys, known, extra, rows };
}

/** Writes `t` as Parquet, reads every row back with DuckDB (BIGINT as strings) and the metadata. */
async function readBack(t: TableColumns): Promise<{
  rows: Record<string, unknown>[];
  meta: Record<string, unknown>[];
  kv: Record<string, unknown>[];
  types: Record<string, unknown>;
  bytes: Uint8Array;
}> {
  const dir = await Deno.makeTempDir({ prefix: "parquet_encoding_" });
  const file = `${dir}/part-0.parquet`;
  const bytes = encodeParquet(t);
  await Deno.writeFile(file, bytes);
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
  try {
    const described = await q(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    return {
      rows: await q(`SELECT * FROM read_parquet('${file}')`),
      meta: await q(
        `SELECT path_in_schema, type, num_values, compression, stats_min_value, stats_max_value,
                stats_null_count
         FROM parquet_metadata('${file}') ORDER BY column_id`,
      ),
      kv: await q(
        `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${file}')`,
      ),
      types: Object.fromEntries(described.map((r) => [r.column_name, r.column_type])),
      bytes,
    };
  } finally {
    conn.closeSync();
    db.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
}

function everyChunkSnappyWithStatistics(meta: Record<string, unknown>[], columns: number): void {
  equal(meta.length, columns);
  for (const m of meta) {
    equal(m.compression, "SNAPPY", `${m.path_in_schema}`);
    ok(m.stats_null_count !== null, `${m.path_in_schema}: no null count`);
  }
}

Deno.test("parquet encoding: counters from 0 to 2^53 − 1 read back exactly, with min and max", async () => {
  const values = [
    0,
    1,
    255,
    256,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 1,
    MAX - 1,
    MAX,
  ];
  const n = values.length;
  const t = table(
    "activity",
    [],
    [
      values.map((_, r) => `user${r}@example.com`),
      values.map(() => "user"),
      values.map(() => "vscode"),
      values.map(() => "go"),
    ],
    (r, k) => values[(r + k) % n],
    [],
  );
  const { rows, meta, types } = await readBack(t);
  equal(rows.length, n);
  for (const c of KNOWN_COUNTERS) equal(types[c], "BIGINT", c);
  for (let r = 0; r < n; r++) {
    KNOWN_COUNTERS.forEach((c, k) => equal(rows[r][c], String(values[(r + k) % n]), `${c}[${r}]`));
  }
  everyChunkSnappyWithStatistics(meta, 4 + KNOWN);
  for (const c of KNOWN_COUNTERS) {
    const m = meta.find((x) => x.path_in_schema === c)!;
    equal(m.stats_min_value, "0", c);
    equal(m.stats_max_value, String(MAX), c);
    equal(m.stats_null_count, "0", c);
  }
});

Deno.test("parquet encoding: empty and non-ASCII names, min and max in UTF-8 byte order", async () => {
  const identities = ["", "zoë@example.com", "ann@example.com", "日本語@example.com", "Émile"];
  const editors = ["VS Code", "", "JetBrains ✓", "vim", "emacs"];
  const languages = ["", "", "c++", "🦀 rust", "Go"];
  const t = table(
    "activity",
    [],
    [identities, identities.map(() => "user"), editors, languages],
    (r, k) => r * 100 + k,
    [],
  );
  const { rows, meta } = await readBack(t);
  deepEqual(rows.map((r) => r.identity), identities);
  deepEqual(rows.map((r) => r.editor), editors);
  deepEqual(rows.map((r) => r.language), languages);
  deepEqual(
    rows.map((r) => r.completions_count),
    identities.map((_, r) => String(r * 100 + KNOWN_COUNTERS.indexOf("completions_count"))),
  );
  everyChunkSnappyWithStatistics(meta, 4 + KNOWN);
  const byBytes = (xs: string[]) =>
    [...xs].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  // Statistics of long strings may be truncated (to 16 bytes): the minimum is then a prefix of
  // the smallest value, the maximum still at least the largest.
  const identity = meta.find((m) => m.path_in_schema === "identity")!;
  equal(identity.stats_min_value, byBytes(identities)[0]);
  const largest = Buffer.from(byBytes(identities).at(-1)!);
  ok(Buffer.compare(Buffer.from(String(identity.stats_max_value)), largest) >= 0);
  const editor = meta.find((m) => m.path_in_schema === "editor")!;
  equal(editor.stats_min_value, "");
  equal(editor.stats_max_value, "vim");
  const language = meta.find((m) => m.path_in_schema === "language")!;
  equal(language.stats_min_value, "");
  equal(language.stats_max_value, "🦀 rust");
});

Deno.test("parquet encoding: lists (empty, one, many, non-ASCII), booleans, nulls in an undocumented counter", async () => {
  const editors = [[], ["vscode"], ["IntelliJ", "vim", "VS Code ✓"], [], ["", "émacs"]];
  const languages = [["go"], [], [], ["日本語", "c"], ["x"]];
  const n = editors.length;
  const future = [null, 1.5, MAX, null, 0];
  const t = table(
    "user_day",
    ["future_counter"],
    [
      editors.map((_, r) => `u${r}`),
      editors.map((_, r) => r === 3 ? "service_account" : "user"),
      [true, false, true, false, false],
      [false, false, false, false, false],
      [true, true, true, true, true],
      editors,
      languages,
      editors.map((e) => e.length),
      languages.map((l) => l.length),
    ],
    (r, k) => (r === 2 ? MAX - k : 0),
    [future],
  );
  const { rows, meta, types } = await readBack(t);
  equal(types.editors, "VARCHAR[]");
  equal(types.used_chat, "BOOLEAN");
  equal(types.future_counter, "DOUBLE");
  equal(rows.length, n);
  deepEqual(rows.map((r) => r.editors), editors);
  deepEqual(rows.map((r) => r.languages), languages);
  deepEqual(rows.map((r) => r.used_chat), [true, false, true, false, false]);
  deepEqual(rows.map((r) => r.used_agent), [false, false, false, false, false]);
  deepEqual(rows.map((r) => r.used_cli), [true, true, true, true, true]);
  deepEqual(rows.map((r) => r.editor_count), editors.map((e) => String(e.length)));
  deepEqual(rows.map((r) => r.future_counter), future);
  deepEqual(rows.map((r) => r.total_modified_lines_of_code), ["0", "0", String(MAX), "0", "0"]);
  everyChunkSnappyWithStatistics(meta, 9 + KNOWN + 1);
  const f = meta.find((m) => m.path_in_schema === "future_counter")!;
  equal(f.stats_null_count, "2");
  const agent = meta.find((m) => m.path_in_schema === "used_agent")!;
  equal(agent.stats_min_value, "false");
  equal(agent.stats_max_value, "false");
});

Deno.test("parquet encoding: a nullable INT64 (org_day dau_count) null and not", async () => {
  const statuses = ["match", "missing", "differs"];
  const t = table(
    "org_day",
    [],
    [
      ["ent", "ent", "ent"],
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [1, 1, 1],
      [2, 2, 2],
      [0, 0, MAX],
      [true, false, true],
      [null, 12, MAX],
      [3, 3, 3],
      [0, 1, 0],
      statuses,
      [[], [], ["chat_messages", "completions_count"]],
      [true, true, false],
    ],
    () => 1,
    [],
  );
  const { rows, meta, kv } = await readBack(t);
  deepEqual(rows.map((r) => r.dau_count), [null, "12", String(MAX)]);
  deepEqual(rows.map((r) => r.daily_active_cli_users), ["0", "0", String(MAX)]);
  deepEqual(rows.map((r) => r.daily_usage_status), statuses);
  deepEqual(rows.map((r) => r.daily_usage_differs), [[], [], [
    "chat_messages",
    "completions_count",
  ]]);
  everyChunkSnappyWithStatistics(meta, 14 + KNOWN);
  const dau = meta.find((m) => m.path_in_schema === "dau_count")!;
  equal(dau.stats_null_count, "1");
  equal(dau.stats_min_value, "12");
  equal(dau.stats_max_value, String(MAX));
  deepEqual(kv, [
    { key: "augment_metrics.schema_version", value: "1" },
    { key: "augment_metrics.table", value: "org_day" },
  ]);
});

Deno.test("parquet encoding: an empty table is a valid file with its columns and no rows", async () => {
  const t = table("user_day", ["future_counter"], [[], [], [], [], [], [], [], [], []], () => 0, [
    [],
  ]);
  const { rows, meta, types } = await readBack(t);
  equal(rows.length, 0);
  equal(types.identity, "VARCHAR");
  equal(types.editors, "VARCHAR[]");
  equal(types.future_counter, "DOUBLE");
  equal(types.completions_count, "BIGINT");
  for (const m of meta) equal(m.compression, "SNAPPY");
});

Deno.test("parquet encoding: the same rows give the same bytes", async () => {
  const make = (counter = (r: number, k: number) => r * k) =>
    table(
      "activity",
      ["future_counter"],
      [["a", "b", "c"], ["user", "user", "service_account"], ["vim", "vim", ""], [
        "go",
        "",
        "日本",
      ]],
      counter,
      [[null, 2, 3.25]],
    );
  // Copied: the encoder's memory is reused by the next file.
  const a = encodeParquet(make()).slice();
  const other = encodeParquet(make((r, k) => r + k)).slice();
  const b = encodeParquet(make()).slice();
  deepEqual(a, b);
  notDeepEqual(a, other);
  const { rows } = await readBack(make());
  deepEqual(rows.map((r) => r.future_counter), [null, 2, 3.25]);
});

Deno.test("parquet encoding: pages of many snappy blocks, random and repetitive, read back whole", async () => {
  // 30 000 distinct identities of random bytes (PLAIN, over 64 KiB: several snappy blocks, few
  // matches) and counters that repeat (dictionary, long runs), in one file; then a small file,
  // then the large one again: the same bytes each time (the encoder's reused memory).
  const rows = 30_000;
  // A fixed pseudo-random sequence (xorshift32): the same file on every run.
  let state = 0x9e3779b9;
  const random = Uint32Array.from({ length: rows * 2 }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  });
  const identities = Array.from(
    { length: rows },
    (_, r) => `u${r.toString(36)}-${random[2 * r].toString(16)}${random[2 * r + 1]}@example.com`,
  );
  const big = () =>
    table(
      "activity",
      [],
      [identities, identities.map(() => "user"), identities.map((_, r) => `e${r % 3}`), [
        ...identities.map((_, r) => (r % 7 === 0 ? "日本語" : "go")),
      ]],
      (r, k) => (k % 2 === 0 ? r * 1_000_003 + k : (r >> 4) % 5),
      [],
    );
  const first = encodeParquet(big()).slice();
  encodeParquet(table("activity", [], [["a"], ["user"], ["vim"], ["go"]], () => 1, []));
  deepEqual(encodeParquet(big()), first);
  const { rows: read, meta } = await readBack(big());
  equal(read.length, rows);
  everyChunkSnappyWithStatistics(meta, 4 + KNOWN);
  for (const r of [0, 1, 4095, 8192, 12_345, rows - 1]) {
    equal(read[r].identity, identities[r], `row ${r}`);
    equal(read[r].language, r % 7 === 0 ? "日本語" : "go", `row ${r}`);
    KNOWN_COUNTERS.forEach((c, k) =>
      equal(read[r][c], String(k % 2 === 0 ? r * 1_000_003 + k : (r >> 4) % 5), `${c}[${r}]`)
    );
  }
});

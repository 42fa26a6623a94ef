/**
 * NDJSON tables written as bytes (`encodeNdjson`) are, line for line, `JSON.stringify` of the
 * row as an object with its columns in order: strings that need escaping or are not ASCII,
 * booleans, lists, nulls, counters up to 2^53 − 1, unknown counters with and without a value,
 * and rows spread over several pieces.
 */
import assert from "node:assert/strict";
import { KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import { DuckDBInstance } from "@duckdb/node-api";
import { encodeNdjson, encodeParquet } from "../../src/views/tables/encode.ts";
import type { TableColumns } from "../../src/views/tables/rows.ts";
import { columnsOf } from "../../src/views/tables/schema.ts";
import { prng } from "../copilot/_helpers.ts";

const NAMES = ["a@example.com", 'q"uote', "back\\slash", "ünï", "日本", "tab\t", "", "\u0001"];

Deno.test("NDJSON tables: each line is JSON.stringify of its row, columns in order", () => {
  const rnd = prng(4);
  const extraNames = ["future_counter", "another"];
  const columns = columnsOf("user_day", extraNames);
  const nKeys = columns.length - KNOWN_COUNTERS.length - extraNames.length;
  const rows = 5000;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const keyValue = (c: number): unknown => {
    switch (columns[c].type) {
      case "STRING":
        return pick(NAMES);
      case "BOOLEAN":
        return rnd() < 0.5;
      case "LIST<STRING>":
        return Array.from({ length: Math.floor(rnd() * 3) }, () => pick(NAMES));
      default:
        return pick([0, 7, 2 ** 31, Number.MAX_SAFE_INTEGER, null]);
    }
  };
  const keys = Array.from(
    { length: nKeys },
    (_, c) => Array.from({ length: rows }, () => keyValue(c)),
  );
  const known = new Float64Array(rows * KNOWN_COUNTERS.length);
  for (let i = 0; i < known.length; i++) {
    known[i] = pick([0, 1, 42, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]);
  }
  const extra = extraNames.map(() =>
    Array.from({ length: rows }, () => rnd() < 0.5 ? null : Math.floor(rnd() * 100))
  );
  const t: TableColumns = { table: "user_day", columns, keys, known, extra, rows };

  let text = "";
  let pieces = 0;
  const decoder = new TextDecoder();
  for (const piece of encodeNdjson(t, 700)) {
    text += decoder.decode(piece); // valid until the next piece: read at once
    pieces++;
  }
  assert.equal(pieces, Math.ceil(rows / 700));
  const lines = text.split("\n");
  assert.equal(lines.pop(), "");
  assert.equal(lines.length, rows);
  for (let r = 0; r < rows; r++) {
    const row: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      row[c.name] = i < nKeys
        ? keys[i][r]
        : i < nKeys + KNOWN_COUNTERS.length
        ? known[r * KNOWN_COUNTERS.length + i - nKeys]
        : extra[i - nKeys - KNOWN_COUNTERS.length][r];
    });
    assert.equal(lines[r], JSON.stringify(row), `row ${r}`);
  }
});

Deno.test("Parquet tables: 64-bit counters and keys read back exactly by DuckDB, small and large", async () => {
  const values = [0, 1, 255, 65_535, 65_536, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
  const extraNames = ["future_counter"];
  const columns = columnsOf("activity", extraNames);
  const rows = values.length * 3;
  const keys = [
    Array.from({ length: rows }, (_, r) => `u${r}@example.com`),
    Array.from({ length: rows }, (_, r) => r % 2 ? "user" : "service_account"),
    Array.from({ length: rows }, () => "vscode"),
    Array.from({ length: rows }, () => "go"),
  ];
  const known = new Float64Array(rows * KNOWN_COUNTERS.length);
  for (let i = 0; i < known.length; i++) known[i] = values[(i * 7 + 3) % values.length];
  const extra = [Array.from({ length: rows }, (_, r) => r % 3 ? values[r % values.length] : null)];
  const t: TableColumns = { table: "activity", columns, keys, known, extra, rows };
  const { rows: got } = await readBack(t);
  assert.equal(got.length, rows);
  for (let r = 0; r < rows; r++) {
    KNOWN_COUNTERS.forEach((k, j) => {
      assert.equal(got[r][k], String(known[r * KNOWN_COUNTERS.length + j]), `${k} of row ${r}`);
    });
    const e = extra[0][r];
    const f = got[r].future_counter;
    assert.equal(f === null ? null : Number(f), e, `future_counter of row ${r}`);
    assert.equal(got[r].identity, keys[0][r]);
  }
});

/** A table's Parquet file read back by DuckDB: its rows, and each column chunk's metadata. */
async function readBack(t: TableColumns) {
  const dir = await Deno.makeTempDir();
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    const path = `${dir}/part-0.parquet`;
    await Deno.writeFile(path, encodeParquet(t));
    const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
    return {
      rows: await q(`SELECT * FROM read_parquet('${path}')`),
      meta: await q(
        `SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count, compression, ` +
          `encodings FROM parquet_metadata('${path}') ORDER BY column_id`,
      ),
      file: (await q(`SELECT num_rows, num_row_groups FROM parquet_file_metadata('${path}')`))[0],
    };
  } finally {
    conn.closeSync();
    db.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
}

/** UTF-8 byte order, as Parquet orders strings. */
function byteOrder(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

Deno.test("Parquet tables: lists (empty too), booleans, non-ASCII names, statistics in byte order", async () => {
  const names = ["zed@example.com", "émile@example.com", "😀@example.com", "\uE000@x", "a", ""];
  const columns = columnsOf("user_day", []);
  const rows = names.length;
  const lists = [[], ["vscode"], ["jetbrains", "vscode"], ["日本"], [], ["a", "b", "c"]];
  const keys = [
    names,
    names.map((_, r) => r % 2 ? "user" : "service_account"),
    names.map((_, r) => r % 2 === 0),
    names.map(() => false),
    names.map((_, r) => r === 3),
    lists,
    lists.map((l) => [...l].reverse()),
    lists.map((l) => l.length),
    lists.map((l) => l.length),
  ];
  const known = new Float64Array(rows * KNOWN_COUNTERS.length).fill(7);
  const t: TableColumns = { table: "user_day", columns, keys, known, extra: [], rows };
  const { rows: got, meta, file } = await readBack(t);
  assert.deepEqual(file, { num_rows: String(rows), num_row_groups: "1" });
  assert.deepEqual(got.map((r) => r.identity), names);
  assert.deepEqual(got.map((r) => r.editors), lists);
  assert.deepEqual(got.map((r) => r.used_chat), keys[2]);
  assert.deepEqual(got.map((r) => r.used_cli), keys[4]);
  const stats = new Map(meta.map((m) => [String(m.path_in_schema), m]));
  const sorted = [...names].sort(byteOrder);
  assert.equal(stats.get("identity")!.stats_min_value, sorted[0]);
  assert.equal(stats.get("identity")!.stats_max_value, sorted.at(-1));
  assert.equal(stats.get("used_agent")!.stats_max_value, "false");
  assert.equal(stats.get("editors, list, element")!.stats_min_value, "a");
  assert.equal(stats.get("editors, list, element")!.stats_max_value, "日本");
  for (const m of meta) assert.equal(m.compression, "SNAPPY", String(m.path_in_schema));
});

Deno.test("Parquet tables: nullable counters, one distinct value, all distinct, and no rows", async () => {
  const extraNames = ["future_counter"];
  const columns = columnsOf("activity", extraNames);
  const rows = 300;
  const keys = [
    Array.from({ length: rows }, (_, r) => `u${r}@example.com`), // all distinct: no dictionary
    Array.from({ length: rows }, () => "user"), // one value: a dictionary of one
    Array.from({ length: rows }, (_, r) => ["vscode", "vim", "jetbrains"][r % 3]),
    Array.from({ length: rows }, () => "go"),
  ];
  const known = new Float64Array(rows * KNOWN_COUNTERS.length);
  for (let i = 0; i < known.length; i++) known[i] = i % 5 === 0 ? i : 0;
  const extra = [Array.from({ length: rows }, (_, r) => r % 4 === 0 ? null : r / 2)];
  const t: TableColumns = { table: "activity", columns, keys, known, extra, rows };
  const { rows: got, meta } = await readBack(t);
  assert.equal(got.length, rows);
  for (let r = 0; r < rows; r++) {
    assert.equal(got[r].identity, keys[0][r]);
    assert.equal(got[r].identity_kind, "user");
    assert.equal(got[r].editor, keys[2][r]);
    assert.equal(got[r].future_counter, extra[0][r]);
    KNOWN_COUNTERS.forEach((k, j) => {
      assert.equal(got[r][k], String(known[r * KNOWN_COUNTERS.length + j]));
    });
  }
  const stats = new Map(meta.map((m) => [String(m.path_in_schema), m]));
  assert.equal(stats.get("future_counter")!.stats_null_count, "75");
  assert.equal(stats.get("future_counter")!.stats_max_value, String(299 / 2));
  assert.equal(stats.get("identity_kind")!.stats_min_value, "user");

  const empty: TableColumns = {
    table: "activity",
    columns,
    keys: keys.map(() => []),
    known: new Float64Array(0),
    extra: [[]],
    rows: 0,
  };
  const none = await readBack(empty);
  assert.equal(none.rows.length, 0);
  assert.equal(none.file.num_rows, "0");
});

/**
 * A table's rows as a file: Parquet (`parquet.ts`, framed by hyparquet-writer: pure
 * JavaScript, so the compiled binary carries no native add-on and no `.wasm` beside it) or
 * NDJSON.
 *
 * Parquet files: one row group, snappy compression, column statistics (min, max, null count),
 * and in the key-value metadata the schema version and the table's name. Nothing in a file
 * depends on when it was written: the same rows give the same bytes, so a re-run uploads
 * nothing.
 *
 * @module
 */
import type { parquetWrite } from "hyparquet-writer";
import { ascii, JsonBytes } from "../../copilot/json_bytes.ts";
import { KNOWN_COUNTERS } from "../../model/metrics.ts";
import { NAME, VERSION } from "../../version.ts";
import { writeParquet } from "./parquet.ts";
import type { TableColumns } from "./rows.ts";
import { type Column, SCHEMA_VERSION_KEY, TABLE_KEY, TABLES_SCHEMA_VERSION } from "./schema.ts";

/** A Parquet schema element, as hyparquet-writer takes it. */
type SchemaElement = NonNullable<Parameters<typeof parquetWrite>[0]["schema"]>[number];

function repetition(c: Column): "OPTIONAL" | "REQUIRED" {
  return c.nullable ? "OPTIONAL" : "REQUIRED";
}

/** The Parquet schema elements of one column (three for a list). */
function elements(c: Column): SchemaElement[] {
  const repetition_type = repetition(c);
  switch (c.type) {
    case "STRING":
      return [{ name: c.name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type }];
    case "INT64":
      return [{ name: c.name, type: "INT64", repetition_type }];
    case "DOUBLE":
      return [{ name: c.name, type: "DOUBLE", repetition_type }];
    case "BOOLEAN":
      return [{ name: c.name, type: "BOOLEAN", repetition_type }];
    case "DATE":
      return [{ name: c.name, type: "INT32", converted_type: "DATE", repetition_type }];
    case "LIST<STRING>":
      return [
        { name: c.name, repetition_type, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        {
          name: "element",
          type: "BYTE_ARRAY",
          converted_type: "UTF8",
          repetition_type: "REQUIRED",
        },
      ];
  }
}

/** The Parquet schema of a table's columns. */
export function parquetSchema(columns: readonly Column[]): SchemaElement[] {
  return [
    { name: "schema", num_children: columns.length },
    ...columns.flatMap(elements),
  ];
}

const KNOWN = KNOWN_COUNTERS.length;

/**
 * A table's rows as a Parquet file (see `parquet.ts`): valid until the next call, which reuses
 * its memory (write or copy it first).
 */
export function encodeParquet(t: TableColumns): Uint8Array {
  return writeParquet(
    t,
    parquetSchema(t.columns),
    [
      { key: SCHEMA_VERSION_KEY, value: String(TABLES_SCHEMA_VERSION) },
      { key: TABLE_KEY, value: t.table },
    ],
    `${NAME} version ${VERSION}`,
  );
}

/**
 * A table's rows as NDJSON (UTF-8), in pieces of `chunkRows` rows: one JSON object a line, keys
 * in column order, every column present (null where a nullable column has no value), counters
 * as JSON numbers, lists as arrays. Written straight as bytes into one reused buffer: each
 * piece is valid until the next is asked for (write it before going on).
 */
export function* encodeNdjson(t: TableColumns, chunkRows = 2048): Generator<Uint8Array> {
  const names = t.columns.map((c, i) =>
    ascii((i === 0 ? "{" : ",") + JSON.stringify(c.name) + ":")
  );
  if (t.keys.length + KNOWN + t.extra.length !== names.length) {
    throw new Error(`Table "${t.table}": the values do not match its ${names.length} columns`);
  }
  const out = new JsonBytes(256 * 1024);
  const known = t.known;
  for (let r = 0; r < t.rows; r++) {
    let c = 0;
    for (let k = 0; k < t.keys.length; k++) {
      out.raw(names[c++]);
      const v = t.keys[k][r];
      if (typeof v === "string") out.str(v);
      else if (typeof v === "number") out.num(v);
      else if (typeof v === "boolean") out.bool(v);
      else if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
        out.byte(0x5b); // [
        for (let j = 0; j < v.length; j++) {
          if (j > 0) out.byte(0x2c);
          out.str(v[j]);
        }
        out.byte(0x5d); // ]
      } else out.json(v ?? null);
    }
    for (let k = 0, i = r * KNOWN; k < KNOWN; k++, i++) {
      out.raw(names[c++]);
      out.num(known[i]);
    }
    for (let e = 0; e < t.extra.length; e++) {
      out.raw(names[c++]);
      const v = t.extra[e][r];
      if (v === null || v === undefined) out.raw(NULL);
      else out.num(v);
    }
    out.raw(LINE_END);
    if ((r + 1) % chunkRows === 0) {
      yield out.view();
      out.reset();
    }
  }
  if (out.pos > 0) yield out.view();
}

const NULL = ascii("null");
const LINE_END = ascii("}\n");

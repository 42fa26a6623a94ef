/**
 * The tables' Parquet files, their column chunks encoded here: each column is one data page
 * (v2), straight from the table's columns (counters from their `Float64Array` as 64-bit
 * integers, strings as UTF-8 once each per file), after a dictionary page when its values
 * repeat (RLE-dictionary indexes; else PLAIN values), snappy-compressed, its statistics (min,
 * max, null count) computed on the way. hyparquet-writer frames the file (page headers and
 * the footer's metadata, thrift) and snappyjs compresses, so the format's details stay in
 * well-tested places. Buffers, pages and each string's UTF-8 are kept from file to file: a
 * run writes three files a day, and memory made afresh for each was most of its garbage.
 *
 * The writer's own column path, used before, reads every value several times as a JavaScript
 * value (a `bigint` made per read of an INT64 value), builds a dictionary and copies each
 * column per page: most of a Parquet export's time and memory.
 *
 * @module
 */
import { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
// @ts-types="./snappyjs.d.ts"
import { SnappyCompressor } from "snappyjs/snappy_compressor.js";
import { KNOWN_COUNTERS } from "../../model/metrics.ts";
import type { TableColumns } from "./rows.ts";
import type { Column } from "./schema.ts";

/** The file's metadata, as hyparquet-writer's `writeMetadata` takes it. */
type FileMetaData = Parameters<typeof writeMetadata>[1];
type ColumnChunk = FileMetaData["row_groups"][number]["columns"][number];
type SchemaElement = FileMetaData["schema"][number];
type Statistics = NonNullable<NonNullable<ColumnChunk["meta_data"]>["statistics"]>;
/** What hyparquet-writer's level and index encoder writes to. */
type Writer = Parameters<typeof writeRleBitPackedHybrid>[0];

const KNOWN = KNOWN_COUNTERS.length;
const encoder = new TextEncoder();

/** A growing little-endian byte buffer for a page's values. */
class PageBytes {
  #buf = new Uint8Array(64 * 1024);
  #view = new DataView(this.#buf.buffer);
  pos = 0;

  reset(): void {
    this.pos = 0;
  }

  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.pos);
  }

  #room(n: number): void {
    if (this.pos + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(2 * this.#buf.length, this.pos + n));
    next.set(this.#buf.subarray(0, this.pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** A whole number from 0 to 2^53 − 1 as a little-endian INT64. */
  int64(v: number): void {
    this.#room(8);
    const lo = v % 0x100000000;
    this.#view.setUint32(this.pos, lo, true);
    this.#view.setUint32(this.pos + 4, (v - lo) / 0x100000000, true);
    this.pos += 8;
  }

  double(v: number): void {
    this.#room(8);
    this.#view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A BYTE_ARRAY value: its length, then its bytes. */
  byteArray(b: Uint8Array): void {
    this.#room(4 + b.length);
    this.#view.setUint32(this.pos, b.length, true);
    this.#buf.set(b, this.pos + 4);
    this.pos += 4 + b.length;
  }

  /**
   * The page emptied, as the `Writer` hyparquet-writer's level and index encoder writes to
   * (the few methods it calls).
   */
  writer(): Writer {
    this.reset();
    // deno-lint-ignore no-this-alias
    const page = this;
    return {
      get offset() {
        return page.pos;
      },
      appendUint8(v: number) {
        page.#room(1);
        page.#buf[page.pos++] = v;
      },
      appendVarInt(v: number) {
        page.#room(5);
        while (v > 0x7f) {
          page.#buf[page.pos++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        page.#buf[page.pos++] = v;
      },
    } as unknown as Writer;
  }

  append(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Booleans bit-packed, least significant bit first (PLAIN). */
  bits(values: readonly boolean[]): void {
    const n = Math.ceil(values.length / 8);
    this.#room(n);
    this.#buf.fill(0, this.pos, this.pos + n);
    for (let i = 0; i < values.length; i++) {
      if (values[i]) this.#buf[this.pos + (i >> 3)] |= 1 << (i & 7);
    }
    this.pos += n;
  }
}

/** Unsigned byte order: how Parquet orders UTF-8 statistics. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** What one column chunk needs written: its levels, its values, its statistics. */
interface EncodedColumn {
  readonly element: SchemaElement;
  readonly path: string[];
  /** Level entries (values and nulls / empty lists), and rows. */
  readonly numValues: number;
  readonly numNulls: number;
  readonly repetitionLevels?: number[];
  readonly definitionLevels?: number[];
  readonly maxRepetition: number;
  readonly maxDefinition: number;
  readonly statistics: Statistics;
  /**
   * Dictionary-encoded: the distinct values' PLAIN bytes and count (the page then holds each
   * non-null value's index into them).
   */
  readonly dictionary?: { readonly bytes: Uint8Array; readonly count: number };
}

/**
 * Collects a column's distinct values and each value's index into them, for a dictionary
 * page: counters and names repeat a great deal (a day's identities each have a few rows, most
 * counters are small numbers).
 */
class DictionaryBuilder<K> {
  readonly #index = new Map<K, number>();
  readonly values = new PageBytes();
  indexes = new Uint32Array(1024);
  count = 0;

  /**
   * Small whole numbers' indexes + 1 (0: not seen), in a table rather than the map: most
   * counters are small, and a map lookup per value was most of a counter column's time.
   */
  #small: Int32Array | undefined;
  /** The small numbers seen, to clear their slots. */
  #smallSeen: number[] = [];

  /** Empties the builder for a column of `rows` values (its buffers are kept). */
  reset(rows: number): this {
    this.#index.clear();
    if (this.#small) { for (const v of this.#smallSeen) this.#small[v] = 0; }
    this.#smallSeen.length = 0;
    this.values.reset();
    if (this.indexes.length < rows) this.indexes = new Uint32Array(Math.ceil(rows * 1.25));
    this.count = 0;
    return this;
  }

  /**
   * Adds the next non-null value: true when it is new, and then the caller writes its PLAIN
   * bytes into {@link values}.
   */
  addKey(key: K): boolean {
    let i = this.#index.get(key);
    const added = i === undefined;
    if (added) {
      i = this.distinct;
      this.#index.set(key, i);
    }
    this.indexes[this.count++] = i!;
    return added;
  }

  /** {@link addKey} of a counter (a whole number from 0 to 2^53 − 1), its PLAIN bytes an INT64. */
  addInt64(v: number): void {
    if (v < SMALL_INT && (v >>> 0) === v) {
      const small = this.#small ??= new Int32Array(SMALL_INT);
      let i = small[v] - 1;
      if (i < 0) {
        i = this.distinct;
        small[v] = i + 1;
        this.#smallSeen.push(v);
        this.values.int64(v);
      }
      this.indexes[this.count++] = i;
      return;
    }
    let i = this.#index.get(v as K);
    if (i === undefined) {
      i = this.distinct;
      this.#index.set(v as K, i);
      this.values.int64(v);
    }
    this.indexes[this.count++] = i;
  }

  get distinct(): number {
    return this.#index.size + this.#smallSeen.length;
  }
}

/**
 * The builders, pages and level buffers of the columns, reused column after column and file
 * after file (a file is written in one synchronous call): a day's tables would otherwise make
 * their megabytes afresh for every column.
 */
const numberDictionary = new DictionaryBuilder<number>();
/** Counters below this are found in {@link DictionaryBuilder}'s table, not its map. */
const SMALL_INT = 1 << 16;
const stringDictionary = new DictionaryBuilder<string>();
const valuesPage = new PageBytes();
const indexesPage = new PageBytes();
const levelsPage = new PageBytes();
/** The file being written: its memory kept from file to file. */
const fileWriter = new ByteWriter(1 << 20);
/** A page's compressed bytes: its memory kept from page to page. */
let snappyBuffer = new Uint8Array(64 * 1024);

/**
 * `input` snappy-compressed into a reused buffer (valid until the next call): the compressor
 * writes into a buffer of the largest size it may need, and makes no memory of its own.
 */
function snappy(input: Uint8Array): Uint8Array {
  const compressor = new SnappyCompressor(input);
  const room = compressor.maxCompressedLength();
  if (snappyBuffer.length < room) {
    snappyBuffer = new Uint8Array(Math.max(room, 2 * snappyBuffer.length));
  }
  return snappyBuffer.subarray(0, compressor.compressToBuffer(snappyBuffer));
}

/**
 * Each distinct string's UTF-8, kept from file to file (the same identities, editors and
 * languages appear in every table of every day) up to {@link MAX_STRINGS} of them, then
 * started afresh.
 */
const utf8Of = new Map<string, Uint8Array>();
const MAX_STRINGS = 100_000;

function utf8(s: string): Uint8Array {
  let b = utf8Of.get(s);
  if (b === undefined) {
    if (utf8Of.size >= MAX_STRINGS) utf8Of.clear();
    utf8Of.set(s, b = encoder.encode(s));
  }
  return b;
}

/**
 * Whether a dictionary pays: at most half as many distinct values as values (hyparquet-writer
 * decides as much from a sample), and few enough for small indexes.
 */
function dictionaryPays(distinct: number, values: number): boolean {
  return distinct > 0 && distinct * 2 <= values && distinct <= 1 << 20;
}

/** The page values of a dictionary-encoded column: the index bit width, then the indexes. */
function dictionaryPage(d: DictionaryBuilder<unknown>, page: PageBytes): void {
  const bitWidth = Math.ceil(Math.log2(d.distinct)); // of the largest index, distinct − 1
  const w = indexesPage.writer();
  w.appendUint8(bitWidth);
  writeRleBitPackedHybrid(w, d.indexes.subarray(0, d.count), bitWidth);
  page.reset();
  page.append(indexesPage.bytes());
}

/** Encodes one column's values into `page` and says what its chunk needs. */
function encodeColumn(
  t: TableColumns,
  c: number,
  elements: SchemaElement[],
  page: PageBytes,
): EncodedColumn {
  const column = t.columns[c];
  const nKeys = t.keys.length;
  const rows = t.rows;
  page.reset();
  if (c >= nKeys && c < nKeys + KNOWN) {
    // A documented counter: required INT64, from the row-major block.
    const known = t.known;
    let min = Infinity;
    let max = -Infinity;
    const dict = numberDictionary.reset(rows);
    for (let r = 0, i = c - nKeys; r < rows; r++, i += KNOWN) {
      const v = known[i];
      dict.addInt64(v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const useDictionary = dictionaryPays(dict.distinct, rows);
    if (useDictionary) dictionaryPage(dict, page);
    else {
      // PLAIN only when the dictionary does not pay (rare: counters repeat).
      for (let r = 0, i = c - nKeys; r < rows; r++, i += KNOWN) page.int64(known[i]);
    }
    return flat(elements[0], [column.name], rows, 0, undefined, {
      null_count: 0n,
      ...(rows > 0 ? { min_value: BigInt(min), max_value: BigInt(max) } : {}),
    }, useDictionary ? dict : undefined);
  }
  const values: readonly unknown[] = c < nKeys ? t.keys[c] : t.extra[c - nKeys - KNOWN];
  if (column.type === "LIST<STRING>") {
    // A required list of required strings: repetition 0 starts a row, definition 1 is an
    // element, definition 0 an empty list.
    const rep: number[] = [];
    const def: number[] = [];
    let min: Uint8Array | undefined;
    let max: Uint8Array | undefined;
    for (let r = 0; r < rows; r++) {
      const list = values[r] as readonly string[];
      if (list.length === 0) {
        rep.push(0);
        def.push(0);
        continue;
      }
      for (let j = 0; j < list.length; j++) {
        rep.push(j === 0 ? 0 : 1);
        def.push(1);
        const b = utf8(list[j]);
        page.byteArray(b);
        if (min === undefined || compareBytes(b, min) < 0) min = b;
        if (max === undefined || compareBytes(b, max) > 0) max = b;
      }
    }
    const empty = def.filter((d) => d === 0).length;
    return {
      element: elements[2],
      path: [column.name, "list", "element"],
      numValues: def.length,
      numNulls: empty,
      repetitionLevels: rep,
      definitionLevels: def,
      maxRepetition: 1,
      maxDefinition: 1,
      statistics: {
        null_count: BigInt(empty),
        ...(min !== undefined ? { min_value: min, max_value: max } : {}),
      },
    };
  }
  // A flat column: nullable ones have a definition level per row.
  const def: number[] | undefined = column.nullable ? [] : undefined;
  let nulls = 0;
  let min: unknown;
  let max: unknown;
  let nans = 0;
  const booleans: boolean[] = [];
  const dict = column.type === "STRING" ? stringDictionary.reset(rows) : undefined;
  for (let r = 0; r < rows; r++) {
    const v = values[r];
    if (v === null || v === undefined) {
      if (!def) throw new Error(`Column "${column.name}" of "${t.table}" is null in row ${r}`);
      def.push(0);
      nulls++;
      continue;
    }
    def?.push(1);
    switch (column.type) {
      case "STRING": {
        // Each distinct string's bytes once: the statistics of the distinct values are the
        // column's; the PLAIN values are written after, only if the dictionary does not pay.
        if (dict!.addKey(v as string)) {
          const b = utf8(v as string);
          dict!.values.byteArray(b);
          if (min === undefined || compareBytes(b, min as Uint8Array) < 0) min = b;
          if (max === undefined || compareBytes(b, max as Uint8Array) > 0) max = b;
        }
        break;
      }
      case "INT64": {
        const n = v as number;
        if (!Number.isSafeInteger(n)) {
          throw new Error(`Column "${column.name}" of "${t.table}": ${n} is not a whole number`);
        }
        page.int64(n);
        if (min === undefined || n < (min as number)) min = n;
        if (max === undefined || n > (max as number)) max = n;
        break;
      }
      case "DOUBLE": {
        const n = v as number;
        page.double(n);
        if (n !== n) {
          nans++;
          break;
        }
        if (min === undefined || n < (min as number)) min = n;
        if (max === undefined || n > (max as number)) max = n;
        break;
      }
      case "BOOLEAN": {
        const b = v as boolean;
        booleans.push(b);
        if (min === undefined || (!b && min)) min = b;
        if (max === undefined || (b && !max)) max = b;
        break;
      }
      default:
        throw new Error(`Column "${column.name}": type ${column.type} is not written to Parquet`);
    }
  }
  if (column.type === "BOOLEAN") page.bits(booleans);
  const statistics: Statistics = {
    null_count: BigInt(nulls),
    ...(column.type === "DOUBLE" ? { nan_count: BigInt(nans) } : {}),
  };
  if (min !== undefined) {
    if (column.type === "INT64") {
      statistics.min_value = BigInt(min as number);
      statistics.max_value = BigInt(max as number);
    } else if (column.type === "DOUBLE") {
      // Signed zero as the format asks: -0 as a minimum, +0 as a maximum.
      statistics.min_value = min === 0 ? -0 : min as number;
      statistics.max_value = max === 0 ? 0 : max as number;
    } else {
      statistics.min_value = min as Uint8Array | boolean;
      statistics.max_value = max as Uint8Array | boolean;
    }
  }
  const useDictionary = dict !== undefined && dictionaryPays(dict.distinct, rows - nulls);
  if (useDictionary) dictionaryPage(dict, page);
  else if (column.type === "STRING") {
    for (let r = 0; r < rows; r++) {
      const v = values[r];
      if (v !== null && v !== undefined) page.byteArray(utf8(v as string));
    }
  }
  return flat(
    elements[0],
    [column.name],
    rows,
    nulls,
    def,
    statistics,
    useDictionary ? dict : undefined,
  );
}

function flat(
  element: SchemaElement,
  path: string[],
  rows: number,
  nulls: number,
  def: number[] | undefined,
  statistics: Statistics,
  dictionary?: DictionaryBuilder<unknown>,
): EncodedColumn {
  return {
    element,
    path,
    numValues: rows,
    numNulls: nulls,
    definitionLevels: def,
    maxRepetition: 0,
    maxDefinition: def ? 1 : 0,
    statistics,
    ...(dictionary
      ? { dictionary: { bytes: dictionary.values.bytes(), count: dictionary.distinct } }
      : {}),
  };
}

/**
 * A table's rows as a Parquet file: one row group, a data page (v2) per column (dictionary
 * or PLAIN values), snappy, statistics, the schema `schema` (as {@link parquetSchema} makes
 * it), and the given key-value metadata and `created_by`. The bytes are in memory kept for
 * the next file: valid until the next call (write or copy them first).
 */
export function writeParquet(
  t: TableColumns,
  schema: SchemaElement[],
  kvMetadata: { key: string; value: string }[],
  createdBy: string,
): Uint8Array {
  const writer = fileWriter;
  writer.index = 0;
  writer.offset = 0;
  writer.appendUint32(0x31524150); // PAR1
  const page = valuesPage;
  const chunks: ColumnChunk[] = [];
  // Each table column's schema elements: one, or three for a list.
  let at = 1;
  const elementsOf = t.columns.map((c: Column) => {
    const n = c.type === "LIST<STRING>" ? 3 : 1;
    const e = schema.slice(at, at + n);
    at += n;
    return e;
  });
  if (at !== schema.length) throw new Error(`Table "${t.table}": its schema has other columns`);
  let totalBytes = 0n;
  for (let c = 0; c < t.columns.length; c++) {
    const col = encodeColumn(t, c, elementsOf[c], page);
    const levels = levelsPage.writer();
    let repLength = 0;
    let defLength = 0;
    if (col.maxRepetition > 0) {
      repLength = writeRleBitPackedHybrid(levels, col.repetitionLevels!, 1);
    }
    if (col.maxDefinition > 0) {
      defLength = writeRleBitPackedHybrid(levels, col.definitionLevels!, 1);
    }
    const chunkStart = writer.offset;
    let uncompressed = 0;
    if (col.dictionary) {
      const dictionary = snappy(col.dictionary.bytes);
      writePageHeader(writer, {
        type: "DICTIONARY_PAGE",
        uncompressed_page_size: col.dictionary.bytes.length,
        compressed_page_size: dictionary.length,
        dictionary_page_header: { num_values: col.dictionary.count, encoding: "PLAIN" },
      });
      uncompressed += writer.offset - chunkStart + col.dictionary.bytes.length;
      writer.appendBytes(dictionary);
    }
    const encoding = col.dictionary ? "RLE_DICTIONARY" : "PLAIN";
    const values = page.bytes();
    const compressed = snappy(values);
    const start = writer.offset;
    writePageHeader(writer, {
      type: "DATA_PAGE_V2",
      uncompressed_page_size: levels.offset + values.length,
      compressed_page_size: levels.offset + compressed.length,
      data_page_header_v2: {
        num_values: col.numValues,
        num_nulls: col.numNulls,
        num_rows: t.rows,
        encoding,
        definition_levels_byte_length: defLength,
        repetition_levels_byte_length: repLength,
        is_compressed: true,
      },
    });
    uncompressed += writer.offset - start + levels.offset + values.length;
    writer.appendBytes(levelsPage.bytes());
    writer.appendBytes(compressed);
    const compressedSize = BigInt(writer.offset - chunkStart);
    totalBytes += compressedSize;
    chunks.push({
      file_offset: BigInt(chunkStart),
      meta_data: {
        type: col.element.type!,
        // As hyparquet-writer lists them: the dictionary page's, then the data page's.
        encodings: col.dictionary ? ["PLAIN", "RLE_DICTIONARY"] : ["PLAIN"],
        path_in_schema: col.path,
        codec: "SNAPPY",
        num_values: BigInt(col.numValues),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: compressedSize,
        data_page_offset: BigInt(start),
        ...(col.dictionary ? { dictionary_page_offset: BigInt(chunkStart) } : {}),
        statistics: col.statistics,
        encoding_stats: [
          ...(col.dictionary
            ? [{ page_type: "DICTIONARY_PAGE" as const, encoding: "PLAIN" as const, count: 1 }]
            : []),
          { page_type: "DATA_PAGE_V2", encoding, count: 1 },
        ],
      },
    });
  }
  const metadata: FileMetaData = {
    version: 2,
    created_by: createdBy,
    schema,
    num_rows: BigInt(t.rows),
    row_groups: [{
      columns: chunks,
      total_byte_size: totalBytes,
      num_rows: BigInt(t.rows),
    }],
    key_value_metadata: kvMetadata,
  } as FileMetaData;
  writeMetadata(writer, metadata);
  writer.appendUint32(0x31524150); // PAR1
  return writer.getBytes();
}

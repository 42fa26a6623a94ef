/**
 * A stored day in store version 2: typed columns with a name dictionary, fast to read and
 * checked once per file (not record by record).
 *
 * ```
 * line 1  header JSON  {format, version: 2, day, fetched_at, dau_count, usage, record_count,
 *                      identity_count, counters, columns, names_bytes, body_bytes}
 * line 2  names JSON   {identities: [name…], kinds: "us…", editors: [name…], languages: [name…]}
 * body    identity  u32[record_count]     index into identities   (padded to 8 bytes)
 *         editor    u16[record_count]     index into editors
 *         language  u16[record_count]     index into languages    (padded to 8 bytes)
 *         one f64[record_count] per name in `columns`
 * ```
 *
 * Both lines are padded with spaces to a multiple of 8 bytes, so the columns can be read in
 * place (little-endian, the byte order of every platform the program is built for). `counters`
 * names every counter of the day's records (as version 1 did); `columns` those stored: a
 * documented counter that is 0 in every record has no column. In a column of an undocumented
 * counter, NaN marks a record that did not carry it (nothing the service sends is dropped, and
 * nothing is added). Every value is checked when the file is read: indexes in range, lengths as
 * the header says, documented counters whole numbers from 0 to 2^53 − 1. A day read carries its
 * columns (`model/day_columns.ts`): the analysis and the weekly and monthly windows read them,
 * and the day's records (one object each) are made only if a view reads them.
 *
 * @module
 */
import * as z from "zod";
import { isDay } from "../model/dates.ts";
import {
  type Counters,
  CounterValueError,
  emptyCounters,
  isKnownCounter,
} from "../model/metrics.ts";
import { DAY_COLUMNS, type DayColumns } from "../model/day_columns.ts";
import type { ActivityRecord, Day, DayData, IdentityKind } from "../model/types.ts";

/** The extension of a version-2 day file. */
export const DAY_FILE_EXT = ".day";
/** The format name in every day file's header. */
export const DAY_FILE_FORMAT = "augment-metrics-day";
const VERSION = 2;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The header line of a version-2 day file. */
export const DayFileHeader = z.object({
  format: z.literal(DAY_FILE_FORMAT),
  version: z.literal(VERSION),
  day: z.string().refine(isDay),
  fetched_at: z.string(),
  dau_count: z.number().int().nonnegative().nullable(),
  usage: z.record(z.string(), z.number()).nullable(),
  record_count: z.number().int().nonnegative(),
  identity_count: z.number().int().nonnegative(),
  counters: z.array(z.string()),
  columns: z.array(z.string()),
  names_bytes: z.number().int().nonnegative(),
  body_bytes: z.number().int().nonnegative(),
});
export type DayFileHeader = z.infer<typeof DayFileHeader>;

/**
 * A list of strings (non-empty ones when `nonEmpty`), checked in one pass: `z.array(z.string())`
 * makes a result per element, and a large day's list has tens of thousands.
 */
function stringList(nonEmpty: boolean) {
  return z.custom<string[]>((v) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) {
      const s = v[i];
      if (typeof s !== "string" || (nonEmpty && s.length === 0)) return false;
    }
    return true;
  });
}

const Names = z.object({
  identities: stringList(true),
  kinds: z.string().regex(/^[us]*$/),
  editors: stringList(false),
  languages: stringList(false),
});

const pad8 = (n: number) => (n + 7) & ~7;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `text` and a newline, padded with spaces to a multiple of 8 bytes. */
function paddedLine(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  const length = pad8(bytes.length + 1);
  const out = new Uint8Array(length).fill(0x20);
  out.set(bytes);
  out[length - 1] = 0x0a;
  return out;
}

/** Metrics as stored: documented counters that are 0 are left out (a missing counter is 0). */
export function compactMetrics(m: Counters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key in m) {
    const v = m[key];
    if (v !== 0 || !isKnownCounter(key)) out[key] = v;
  }
  return out;
}

/** A day's data as a version-2 file. */
export function encodeDayFile(data: DayData, fetchedAt: string): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error("The store's day files need a little-endian platform");
  const n = data.records.length;
  const identityIndex = new Map<string, number>();
  const identities: string[] = [];
  let kinds = "";
  const editorIndex = new Map<string, number>();
  const languageIndex = new Map<string, number>();
  const counters = new Set<string>();
  const nonZero = new Set<string>();
  const ids = new Uint32Array(n);
  const editors = new Uint16Array(n);
  const languages = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const r = data.records[i];
    const key = `${r.kind === "user" ? "u" : "s"}${r.identity}`;
    let id = identityIndex.get(key);
    if (id === undefined) {
      id = identities.length;
      identityIndex.set(key, id);
      identities.push(r.identity);
      kinds += r.kind === "user" ? "u" : "s";
    }
    ids[i] = id;
    let e = editorIndex.get(r.editor);
    if (e === undefined) editorIndex.set(r.editor, e = editorIndex.size);
    editors[i] = e;
    let l = languageIndex.get(r.language);
    if (l === undefined) languageIndex.set(r.language, l = languageIndex.size);
    languages[i] = l;
    for (const k in r.metrics) {
      counters.add(k);
      if (r.metrics[k] !== 0) nonZero.add(k);
    }
  }
  if (editorIndex.size > 0xffff || languageIndex.size > 0xffff) {
    throw new RangeError(`Day "${data.day}" names more than 65 535 editors or languages`);
  }
  const sorted = [...counters].sort();
  const columns = sorted.filter((c) => !isKnownCounter(c) || nonZero.has(c));
  const idBytes = pad8(4 * n);
  const nameBytes = pad8(4 * n);
  const body = new Uint8Array(idBytes + nameBytes + 8 * n * columns.length);
  body.set(new Uint8Array(ids.buffer), 0);
  body.set(new Uint8Array(editors.buffer), idBytes);
  body.set(new Uint8Array(languages.buffer), idBytes + 2 * n);
  columns.forEach((c, j) => {
    const col = new Float64Array(n);
    const known = isKnownCounter(c);
    for (let i = 0; i < n; i++) {
      const v = data.records[i].metrics[c];
      col[i] = v === undefined ? (known ? 0 : NaN) : v;
    }
    body.set(new Uint8Array(col.buffer), idBytes + nameBytes + 8 * n * j);
  });
  const names = paddedLine(JSON.stringify({
    identities,
    kinds,
    editors: [...editorIndex.keys()],
    languages: [...languageIndex.keys()],
  }));
  const header = paddedLine(JSON.stringify(
    {
      format: DAY_FILE_FORMAT,
      version: VERSION,
      day: data.day,
      fetched_at: fetchedAt,
      dau_count: data.dauCount ?? null,
      usage: data.usage ? compactMetrics(data.usage) : null,
      record_count: n,
      identity_count: identities.length,
      counters: sorted,
      columns,
      names_bytes: names.length,
      body_bytes: body.length,
    } satisfies DayFileHeader,
  ));
  const out = new Uint8Array(header.length + names.length + body.length);
  out.set(header, 0);
  out.set(names, header.length);
  out.set(body, header.length + names.length);
  return out;
}

/** Why a day file cannot be used; the store turns it into a `StoreError` naming the file. */
export class DayFileError extends Error {
  override name = "DayFileError";
}

/** The header line of a day file's first bytes (at least the whole first line). */
export function decodeDayFileHeader(bytes: Uint8Array): DayFileHeader {
  const end = bytes.indexOf(0x0a);
  if (end < 0) throw new DayFileError("its header line is cut off");
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes.subarray(0, end)));
  } catch {
    throw new DayFileError("its header is not valid JSON");
  }
  const r = DayFileHeader.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DayFileError(
      `its header is not a day's: ${issue?.path.join(".") || "header"}: ${issue?.message}`,
    );
  }
  if ((end + 1) % 8 !== 0) throw new DayFileError("its header line is not padded");
  return r.data;
}

/**
 * A version-2 day file's data, every value checked. `parseUsage` turns the header's usage into
 * counters (the store's own counter rules).
 */
export function decodeDayFile(
  file: Uint8Array,
  day: Day,
  parseUsage: (raw: Record<string, number>) => Counters,
  /** Memory for the columns the day keeps, `size` bytes at offset 0: fresh by default. */
  alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): { header: DayFileHeader; data: DayData } {
  if (!LITTLE_ENDIAN) throw new DayFileError("day files are read on little-endian platforms only");
  const header = decodeDayFileHeader(file);
  if (header.day !== day) throw new DayFileError(`it holds day "${header.day}"`);
  const n = header.record_count;
  const namesAt = file.indexOf(0x0a) + 1;
  const bodyAt = namesAt + header.names_bytes;
  const idBytes = pad8(4 * n);
  const expected = idBytes + pad8(4 * n) + 8 * n * header.columns.length;
  if (header.body_bytes !== expected || file.length !== bodyAt + expected) {
    throw new DayFileError(
      `it has ${Math.max(0, file.length - bodyAt)} bytes of records where its header says ` +
        `${n} records of ${header.columns.length} counters (${expected} bytes)`,
    );
  }
  let names: z.infer<typeof Names>;
  try {
    const r = Names.safeParse(JSON.parse(decoder.decode(file.subarray(namesAt, bodyAt))));
    if (!r.success) throw new Error();
    names = r.data;
  } catch {
    throw new DayFileError("its names are not valid");
  }
  if (
    names.kinds.length !== names.identities.length ||
    names.identities.length !== header.identity_count
  ) {
    throw new DayFileError("its names disagree with its header");
  }
  for (const c of header.columns) {
    if (!header.counters.includes(c)) throw new DayFileError(`column "${c}" is not a counter`);
  }
  // The columns outlive this call (the records are made when first read), so they get memory
  // of their own: the buffer `file` is in may be reused by a later read.
  const bytes = alloc(file.length);
  if (bytes.byteOffset % 8 !== 0 || bytes.length !== file.length) {
    throw new Error("decodeDayFile: the memory for a day's columns must be 8-byte aligned");
  }
  bytes.set(file);
  const buf = bytes.buffer;
  const base = bytes.byteOffset + bodyAt;
  const ids = new Uint32Array(buf, base, n);
  const editors = new Uint16Array(buf, base + idBytes, n);
  const languages = new Uint16Array(buf, base + idBytes + 2 * n, n);
  const columns = header.columns.map((name, j) => ({
    name,
    known: isKnownCounter(name),
    values: new Float64Array(buf, base + idBytes + pad8(4 * n) + 8 * n * j, n),
  }));

  const identityCount = names.identities.length;
  const editorCount = names.editors.length;
  const languageCount = names.languages.length;
  for (let i = 0; i < n; i++) {
    if (ids[i] >= identityCount || editors[i] >= editorCount || languages[i] >= languageCount) {
      throw new DayFileError(`record ${i + 1} names an identity, editor or language it lacks`);
    }
  }
  for (const c of columns) {
    const v = c.values;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if ((x >>> 0) === x) continue; // a whole number below 2^32: nearly every value
      if (x >= 0 && x <= Number.MAX_SAFE_INTEGER && (x % 1 === 0 || !c.known)) continue;
      if (x !== x && !c.known) continue; // NaN: this record did not carry the counter
      throw new DayFileError(`record ${i + 1}: ${new CounterValueError(c.name, x).message}`);
    }
  }

  const kinds: IdentityKind[] = [...names.kinds].map((k) => k === "u" ? "user" : "service_account");
  const columnsOf: DayColumns = {
    recordCount: n,
    identities: names.identities,
    kinds,
    ids,
    editors: names.editors,
    editorIds: editors,
    languages: names.languages,
    languageIds: languages,
    counters: new Map(columns.map((c) => [c.name, c.values])),
  };
  /** The records, made when first read (a pass over the columns may never need them). */
  const makeRecords = (): ActivityRecord[] => {
    const records: ActivityRecord[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const metrics = emptyCounters() as Record<string, number>;
      for (const c of columns) {
        const x = c.values[i];
        if (c.known ? x !== 0 : x === x) metrics[c.name] = x;
      }
      const id = ids[i];
      records[i] = {
        day,
        identity: names.identities[id],
        kind: kinds[id],
        editor: names.editors[editors[i]],
        language: names.languages[languages[i]],
        metrics: metrics as Counters,
      };
    }
    return records;
  };
  let records: ActivityRecord[] | undefined;
  const data = {
    day,
    get records(): readonly ActivityRecord[] {
      return records ??= makeRecords();
    },
    dauCount: header.dau_count ?? undefined,
    usage: header.usage ? parseUsage(header.usage) : undefined,
  };
  Object.defineProperty(data, DAY_COLUMNS, { value: columnsOf, enumerable: false });
  return { header, data };
}

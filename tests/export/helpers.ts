/**
 * Helpers of the export tests: generated days, a small RFC 4180 parser, directory listings.
 *
 * @module
 */
import { join, relative } from "node:path";
import {
  addCounters,
  type Counters,
  emptyCounters,
  KNOWN_COUNTERS,
} from "../../src/model/metrics.ts";
import type { ActivityRecord, Day, DayData, IdentityKind } from "../../src/model/types.ts";
import { mulberry32 as prng } from "../../src/simulator/prng.ts";
/** A deterministic PRNG (mulberry32), shared with the simulator. */
export { prng };

/** The identities of the generated days: text that needs CSV quoting or neutralising included. */
export const IDENTITIES: readonly { name: string; kind: IdentityKind }[] = [
  { name: "ada@example.com", kind: "user" },
  { name: "bob@example.com", kind: "user" },
  { name: "zoë@exämple.com", kind: "user" },
  { name: '=HYPERLINK("x")', kind: "service_account" },
  { name: "ci, nightly", kind: "service_account" },
  { name: "-deploy-bot", kind: "service_account" },
];

const EDITORS = ["VSCode", "JetBrains", "vim\r\nmode"];
const LANGUAGES = ["Python", "TypeScript", "+sql", "Go"];

/** Options of {@link generateDay}. */
export interface GenerateOptions {
  /** Extra counters to put on some records (name → value). */
  readonly extra?: Readonly<Record<string, number>>;
  /** Whether to add the `usage` entry (exact record sums); default true. */
  readonly usage?: boolean;
  /** Number of identities to use (default all of {@link IDENTITIES}). */
  readonly identities?: number;
  /** Plain users `user<n>@example.com` added after {@link IDENTITIES}. */
  readonly more?: number;
}

/** A generated day: seeded by the day, every identity with 1–3 (editor, language) records. */
export function generateDay(day: Day, options: GenerateOptions = {}): DayData {
  const rand = prng([...day].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const records: ActivityRecord[] = [];
  const ids = IDENTITIES.slice(0, options.identities ?? IDENTITIES.length);
  for (let i = 0; i < (options.more ?? 0); i++) {
    ids.push({ name: `user${i}@example.com`, kind: "user" });
  }
  for (const [n, id] of ids.entries()) {
    if (n > 0 && rand() < 0.2) continue; // some identities are idle on some days
    const pairs = 1 + Math.floor(rand() * 3);
    for (let p = 0; p < pairs; p++) {
      const metrics = emptyCounters() as Record<string, number>;
      for (const k of KNOWN_COUNTERS) metrics[k] = rand() < 0.4 ? 0 : Math.floor(rand() * 50);
      if (options.extra && p === 0 && n % 2 === 0) Object.assign(metrics, options.extra);
      records.push({
        day,
        identity: id.name,
        kind: id.kind,
        editor: EDITORS[(n + p) % EDITORS.length],
        language: LANGUAGES[(n * 2 + p) % LANGUAGES.length],
        metrics: metrics as Counters,
      });
    }
  }
  const usage = emptyCounters();
  for (const r of records) addCounters(usage, r.metrics);
  return {
    day,
    records,
    dauCount: new Set(records.map((r) => `${r.kind}:${r.identity}`)).size,
    ...(options.usage === false ? {} : { usage }),
  };
}

/** Parses RFC 4180 CSV (CRLF rows, quoted fields with doubled quotes) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("Unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`Bare quote at ${i}`);
        cell += text[i++];
      }
    }
    row.push(cell);
    if (text[i] === ",") {
      i++;
    } else if (text.startsWith("\r\n", i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) {
      throw new Error(`Bad character ${JSON.stringify(text[i])} at ${i}: rows must end with CRLF`);
    }
  }
  if (row.length > 0) throw new Error("Last row has no CRLF");
  return rows;
}

/** Every file under `dir`, relative and `/`-separated, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(relative(dir, p).replaceAll("\\", "/"));
    }
  };
  await walk(dir);
  return out.sort();
}

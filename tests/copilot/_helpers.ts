/**
 * Test helpers for the conversion layer: record builders, a seeded PRNG and random days.
 *
 * @module
 */
import { type Counters, emptyCounters, KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import type { ActivityRecord, Day, DayData, IdentityKind } from "../../src/model/types.ts";
import { mulberry32 as prng } from "../../src/simulator/prng.ts";
/** A deterministic PRNG (mulberry32), shared with the simulator. */
export { prng };

/** A record with every documented counter at 0 except those given (unknown ones kept). */
export function rec(
  identity: string,
  editor: string,
  language: string,
  metrics: Record<string, number>,
  kind: IdentityKind = "user",
  day: Day = "2026-04-25",
): ActivityRecord {
  const m = emptyCounters() as Record<string, number>;
  for (const [k, v] of Object.entries(metrics)) m[k] = v;
  return { day, identity, kind, editor, language, metrics: m as Counters };
}

const EDITORS = ["VSCode", "vscode", "JetBrains", "CLI", "", "Vim ", "jetbrains"];
const LANGUAGES = ["Python", "python", "TypeScript", "Unknown", "", "go", "Rust"];
const UNKNOWN = ["credits_used", "future_counter"];

/**
 * A random day: up to 25 identities (users and service accounts, some sharing a name),
 * editor and language names in mixed case, sparse counters, sometimes unknown counters and
 * a `dau-count` that may be missing or exceed the identities in the records.
 */
export function randomDay(rnd: () => number, day: Day = "2026-04-25"): DayData {
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
  const records: ActivityRecord[] = [];
  const people = int(26);
  for (let p = 0; p < people; p++) {
    const kind: IdentityKind = rnd() < 0.2 ? "service_account" : "user";
    const name = rnd() < 0.1 ? "shared-name" : kind === "user" ? `u${p}@example.com` : `sa-${p}`;
    const n = 1 + int(4);
    for (let i = 0; i < n; i++) {
      const m: Record<string, number> = {};
      for (const k of KNOWN_COUNTERS) if (rnd() < 0.4) m[k] = int(50);
      if (rnd() < 0.15) m[pick(UNKNOWN)] = int(9) + 1;
      records.push(rec(name, pick(EDITORS), pick(LANGUAGES), m, kind, day));
    }
  }
  const r = rnd();
  const dauCount = r < 0.3 ? undefined : r < 0.5 ? people + int(5) : people;
  return { day, records, dauCount };
}

/** Sum of one field over a list of objects. */
export function sumOf<T>(rows: readonly T[], field: keyof T): number {
  let s = 0;
  for (const r of rows) s += r[field] as number;
  return s;
}

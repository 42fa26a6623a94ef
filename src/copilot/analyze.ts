/**
 * One pass over a day's records: every sum and distinct-identity set the Copilot formats need.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";
import { type DayColumns, dayColumns } from "../model/day_columns.ts";
import { type Counters, KNOWN_COUNTERS, type KnownCounter } from "../model/metrics.ts";
import type { Day, DayData, IdentityKind } from "../model/types.ts";
import { printable } from "../text.ts";
import {
  addKnown,
  C,
  countersOf,
  hasCli,
  interactions,
  KNOWN_COUNT,
  KNOWN_INDEX,
  type KnownSums,
  linesAdded,
} from "./features.ts";
import { normalizeName } from "./names.ts";

export type { KnownSums };

/** Sums and distinct counts over one scope of a day: an editor, a language, or both. */
export interface ScopeSummary {
  /** Normalized (lower-case) editor or language name. */
  readonly name: string;
  /** The sixteen documented counters summed over the scope. */
  readonly sums: KnownSums;
  /** Distinct identities with a record in the scope. */
  readonly identities: number;
  /** Distinct identities with `completions_count` > 0 in the scope. */
  readonly completionUsers: number;
  /** Distinct identities with `completions_accepted` > 0 in the scope. */
  readonly completionEngaged: number;
  /** Distinct identities with `chat_messages` + `ide_agent_messages` > 0 in the scope. */
  readonly chatEngaged: number;
}

/** A scope of one (editor, language) pair; `name` is the language. */
export interface EditorLanguageSummary extends ScopeSummary {
  readonly editor: string;
}

/** A part of one identity's day: its sums in one editor or one language (see {@link IdentityParts}). */
export interface IdentityPart {
  /** Normalized editor or language name. */
  readonly name: string;
  readonly sums: KnownSums;
}

/** One identity's day. */
export interface IdentityDay {
  /** `${kind}:${name}`: an e-mail and a service account of the same name differ. */
  readonly key: string;
  /** E-mail or service-account name exactly as received. */
  readonly name: string;
  readonly kind: IdentityKind;
  /** Every counter of the identity's records, documented and unknown, summed. */
  readonly counters: Counters;
  /** The documented counters of `counters`, in `KNOWN_COUNTERS` order. */
  readonly sums: KnownSums;
  /**
   * The identity's first cell in {@link DayAnalysis.cells} (its cells are linked by
   * `DayCells.next`): {@link IdentityParts} makes its sums per editor and per language.
   */
  readonly firstCell: number;
  /** `completions_accepted` > 0. */
  readonly completionEngaged: boolean;
  /** `chat_messages` + `ide_agent_messages` > 0 (IDE chat, as GitHub counts chat users). */
  readonly chat: boolean;
  /** Any agent messages > 0: IDE, Remote or CLI agent. */
  readonly agent: boolean;
  /** IDE or Remote agent messages > 0 (`used_agent` of a user row). */
  readonly ideOrRemoteAgent: boolean;
  /** Any CLI agent counter > 0 (messages or lines, interactive or not). */
  readonly cli: boolean;
  /** Completions accepted, or chat, or any agent messages (`total_engaged_users`). */
  readonly engaged: boolean;
}

/** Everything a day's conversion needs, computed once by {@link analyzeDay}. */
export interface DayAnalysis {
  readonly day: Day;
  /** `dau-count` for the day, when the service reported it. */
  readonly dauCount?: number;
  /** `daily-usage` counters for the day, when the service reported them. */
  readonly usage?: Counters;
  /** Every counter of the day's records, documented and unknown, summed. */
  readonly totals: Counters;
  /** The documented counters of `totals`, in `KNOWN_COUNTERS` order. */
  readonly totalSums: KnownSums;
  /** Distinct identities in the records. */
  readonly identityCount: number;
  /** Distinct service accounts in the records. */
  readonly serviceAccountCount: number;
  /** `dauCount` when reported, otherwise `identityCount`. */
  readonly dailyActiveUsers: number;
  /** Distinct identities that accepted a completion, chatted, or sent any agent message. */
  readonly engagedCount: number;
  /** Distinct identities with `completions_accepted` > 0. */
  readonly completionEngagedCount: number;
  /** Keys (`${kind}:${name}`) of every identity with a record. */
  readonly activeIdentities: ReadonlySet<string>;
  /** Keys of identities with chat or IDE-agent messages. */
  readonly chatIdentities: ReadonlySet<string>;
  /** Keys of identities with any agent messages (IDE, Remote, CLI). */
  readonly agentIdentities: ReadonlySet<string>;
  /** Keys of identities with any CLI agent activity. */
  readonly cliIdentities: ReadonlySet<string>;
  /** Per editor, sorted by name. */
  readonly editors: readonly ScopeSummary[];
  /** Per language, sorted by name. */
  readonly languages: readonly ScopeSummary[];
  /** Per (editor, language), sorted by editor then language. */
  readonly editorLanguages: readonly EditorLanguageSummary[];
  /** Per identity, sorted by name then kind. */
  readonly identities: readonly IdentityDay[];
  /** The day's cells, for {@link IdentityParts}. */
  readonly cells: DayCells;
}

/**
 * The day's cells: one per (identity, normalized editor, normalized language), in columns.
 * Cell `c` has its sums at `sums[c * KNOWN_COUNT]`; an identity's cells form a list from its
 * `firstCell` through `next` (-1 ends it).
 */
export interface DayCells {
  /** Index of each cell's editor in `editorNames`. */
  readonly editor: Int32Array;
  /** Index of each cell's language in `languageNames`. */
  readonly language: Int32Array;
  /** The identity's next cell, -1 for none. */
  readonly next: Int32Array;
  /** The sixteen documented counters of each cell, summed over its records. */
  readonly sums: Float64Array;
  /** Normalized editor names, in order of first appearance. */
  readonly editorNames: readonly string[];
  /** Normalized language names, in order of first appearance. */
  readonly languageNames: readonly string[];
  /** Position of each editor name in name order. */
  readonly editorRank: Int32Array;
  /** Position of each language name in name order. */
  readonly languageRank: Int32Array;
}

const N = KNOWN_COUNT;

/**
 * A sum of counters passed `Number.MAX_SAFE_INTEGER` (2^53 − 1): beyond it a double no longer
 * holds every whole number, so the sum, and every number written from it, could be wrong. The
 * run stops instead (exit 4: the service sent the values). The message names the counter (or
 * the Copilot field summed from several), the day or range, and the identity when one
 * identity's own sum is too large.
 */
export class CounterOverflowError extends ServiceError {
  override name = "CounterOverflowError";
  constructor(
    readonly where: {
      /** An Augment counter, or a Copilot field summed from several counters. */
      readonly counter: string;
      /** The day, or the range as `start to end`. */
      readonly scope: string;
      /** The identity whose own sum is too large; none when only the total is. */
      readonly identity?: string;
    },
  ) {
    const whose = where.identity === undefined
      ? "the total of all identities"
      : `the total of "${printable(where.identity)}"`;
    const what = DERIVED_FROM[where.counter] === undefined
      ? `counter "${printable(where.counter)}"`
      : `"${where.counter}" (${DERIVED_FROM[where.counter]})`;
    super(
      `Cannot add up ${what} for ${where.scope}: ${whose} ` +
        `passes ${Number.MAX_SAFE_INTEGER}, beyond what this tool can add exactly; the service ` +
        `sent counts too large to be real: report it to Augment support`,
    );
  }
}

/** What each Copilot field summed from several counters adds up, for messages. */
const DERIVED_FROM: Readonly<Record<string, string>> = {
  user_initiated_interaction_count: "chat, agent and CLI messages",
  loc_added_sum: "accepted completion and agent lines",
};

/** The Copilot fields summed from several counters, checked like the counters themselves. */
const DERIVED: readonly [string, (s: KnownSums) => number][] = [
  ["user_initiated_interaction_count", interactions],
  ["loc_added_sum", linesAdded],
];

/**
 * The first counter (or derived field) of `sums` and `unknown` beyond 2^53 − 1, if any. Every
 * counter is a non-negative safe integer (checked when read), so every partial sum of a scope
 * is at most its total, and a floating-point total is exact when it is at most 2^53 − 1 (and
 * above it when the exact sum is): checking the largest sums once covers every smaller one.
 */
function overflowIn(
  sums: KnownSums,
  unknown: Readonly<Record<string, number>> | undefined,
): string | undefined {
  const max = Number.MAX_SAFE_INTEGER;
  for (let k = 0; k < N; k++) if (!(sums[k] <= max)) return KNOWN_COUNTERS[k];
  for (const [name, sum] of DERIVED) if (!(sum(sums) <= max)) return name;
  if (unknown !== undefined) { for (const k in unknown) if (!(unknown[k] <= max)) return k; }
  return undefined;
}

/**
 * Throws {@link CounterOverflowError} when a sum of range totals passed 2^53 − 1. For the
 * callers that add days together (a range's `augment` totals): call it once with the final
 * totals — an identity's sums over the range are parts of them.
 *
 * @param totals every counter summed over the range (documented and unknown)
 * @param scope the range, as it should read in the message (`2026-01-01 to 2026-03-31`)
 */
export function checkRangeTotals(totals: Readonly<Record<string, number>>, scope: string): void {
  for (const counter in totals) {
    if (!(totals[counter] <= Number.MAX_SAFE_INTEGER)) {
      throw new CounterOverflowError({ counter, scope });
    }
  }
}

/** The error for a day whose totals overflowed: the counter, and the identity when it is one's. */
function dayOverflow(day: Day, counter: string, identities: readonly IdentityDay[]): Error {
  const derived = DERIVED.find(([name]) => name === counter)?.[1];
  const culprit = identities.find((i) =>
    !((derived ? derived(i.sums) : i.counters[counter] ?? 0) <= Number.MAX_SAFE_INTEGER)
  );
  return new CounterOverflowError({ counter, scope: day, identity: culprit?.name });
}

/**
 * Columns of cells: one cell per (identity, editor, language) after normalizing; at most one
 * per record, so the columns are sized once a day (and kept for the next day when large
 * enough). Each identity's cells form a linked list (`next`), so finding a record's cell is a
 * short scan of that identity's few cells, with no key to build or hash.
 */
class Cells {
  count = 0;
  editor = new Int32Array(0);
  language = new Int32Array(0);
  next = new Int32Array(0);
  sums = new Float64Array(0);
  /** First cell of each identity, -1 for none yet. */
  head: number[] = [];

  /** Empties the cells, with room for `capacity` of them. */
  reset(capacity: number): void {
    if (capacity > this.editor.length) {
      const size = Math.ceil(capacity * 1.25);
      this.editor = new Int32Array(size);
      this.language = new Int32Array(size);
      this.next = new Int32Array(size);
      this.sums = new Float64Array(size * N);
    }
    this.count = 0;
    this.head = [];
  }

  find(identity: number, editor: number, language: number): number {
    for (let c = this.head[identity]; c >= 0; c = this.next[c]) {
      if (this.editor[c] === editor && this.language[c] === language) return c;
    }
    const c = this.count++;
    this.editor[c] = editor;
    this.language[c] = language;
    this.next[c] = this.head[identity];
    this.head[identity] = c;
    this.sums.fill(0, c * N, c * N + N);
    return c;
  }
}

/** Normalized names, interned to small indices; raw spellings are cached. */
class Names {
  readonly names: string[] = [];
  readonly #byRaw = new Map<string, number>();
  readonly #byName = new Map<string, number>();

  index(raw: string): number {
    let i = this.#byRaw.get(raw);
    if (i === undefined) {
      const name = normalizeName(raw);
      i = this.#byName.get(name);
      if (i === undefined) {
        i = this.names.length;
        this.names.push(name);
        this.#byName.set(name, i);
      }
      this.#byRaw.set(raw, i);
    }
    return i;
  }
}

/** Distinct-identity counters per scope, fed identity by identity (cells grouped). */
class ScopeCounts {
  readonly identities: Int32Array;
  readonly completionUsers: Int32Array;
  readonly completionEngaged: Int32Array;
  readonly chatEngaged: Int32Array;
  // Last identity counted per scope and flag: an identity is counted once per scope.
  readonly markIdentity: Int32Array;
  readonly markUsers: Int32Array;
  readonly markEngaged: Int32Array;
  readonly markChat: Int32Array;

  constructor(size: number) {
    this.identities = new Int32Array(size);
    this.completionUsers = new Int32Array(size);
    this.completionEngaged = new Int32Array(size);
    this.chatEngaged = new Int32Array(size);
    this.markIdentity = new Int32Array(size).fill(-1);
    this.markUsers = new Int32Array(size).fill(-1);
    this.markEngaged = new Int32Array(size).fill(-1);
    this.markChat = new Int32Array(size).fill(-1);
  }

  see(scope: number, id: number, sums: Float64Array, base: number): void {
    if (this.markIdentity[scope] !== id) {
      this.markIdentity[scope] = id;
      this.identities[scope]++;
    }
    if (sums[base + C.completionsCount] > 0 && this.markUsers[scope] !== id) {
      this.markUsers[scope] = id;
      this.completionUsers[scope]++;
    }
    if (sums[base + C.completionsAccepted] > 0 && this.markEngaged[scope] !== id) {
      this.markEngaged[scope] = id;
      this.completionEngaged[scope]++;
    }
    if (
      sums[base + C.chatMessages] + sums[base + C.ideAgentMessages] > 0 &&
      this.markChat[scope] !== id
    ) {
      this.markChat[scope] = id;
      this.chatEngaged[scope]++;
    }
  }

  summary(scope: number, name: string, sums: KnownSums): ScopeSummary {
    return {
      name,
      sums,
      identities: this.identities[scope],
      completionUsers: this.completionUsers[scope],
      completionEngaged: this.completionEngaged[scope],
      chatEngaged: this.chatEngaged[scope],
    };
  }
}

function addInto(target: Float64Array, at: number, source: Float64Array, from: number): void {
  for (let j = 0; j < N; j++) target[at + j] += source[from + j];
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * One pass over a day's records: every sum and distinct-identity set any format needs. The
 * analysis stands alone; to analyse many days, {@link DayAnalyzer} reuses its buffers.
 */
export function analyzeDay(day: DayData): DayAnalysis {
  return new DayAnalyzer().analyze(day);
}

/**
 * Analyses days one after another, reusing its largest buffers from one day to the next (the
 * cells and the identities' sums: megabytes a day for a large organisation, which would
 * otherwise be fresh memory every day). So an analysis it returns is valid only until its next
 * `analyze`: what outlives the day must be copied (every format does; the identity sets are
 * the analysis' own).
 */
export class DayAnalyzer {
  readonly #cells = new Cells();
  #idSums: Float64Array = new Float64Array(0);

  /**
   * Records are merged into cells (identity × normalized editor × normalized language), so
   * case variants such as `VSCode` and `vscode` sum their counters and count each identity
   * once. A second pass over the cells, grouped by identity, computes the per-scope sums and
   * distinct counts. Counters are assumed non-negative: "engaged in a scope" means a positive
   * counter in any of the identity's cells there.
   */
  analyze(day: DayData): DayAnalysis {
    const cells = this.#cells;
    const columns = dayColumns(day);
    cells.reset(columns ? columns.recordCount : day.records.length);
    const merged = columns ? mergeColumns(columns, cells) : mergeRecords(day, cells);
    this.#idSums = zeroed(this.#idSums, merged.idNames.length * N);
    return summarize(day, cells, merged, this.#idSums);
  }
}

/** The identity sets of a day: what the weekly and monthly windows need of it. */
export interface DayIdentitySets {
  /** `kind:name` of every identity with a record. */
  readonly active: ReadonlySet<string>;
  /** … with chat or IDE-agent messages. */
  readonly chat: ReadonlySet<string>;
  /** … with IDE-agent, remote-agent or CLI-agent messages. */
  readonly agent: ReadonlySet<string>;
}

/**
 * A day's identity sets, without its analysis: for the days before a range, which enter only
 * the windows. The same sets as {@link DayAnalyzer.analyze} finds (counters are non-negative,
 * so an identity's sum is positive exactly when one of its records is), in a single pass over
 * the records.
 */
export function identitySets(day: DayData): DayIdentitySets {
  const columns = dayColumns(day);
  if (columns) return identitySetsOfColumns(columns);
  const active = new Set<string>();
  const chat = new Set<string>();
  const agent = new Set<string>();
  let lastName = "";
  let lastKind = "";
  let key = "";
  for (const r of day.records) {
    if (r.identity !== lastName || r.kind !== lastKind || key === "") {
      lastName = r.identity;
      lastKind = r.kind;
      key = `${r.kind === "service_account" ? "service_account" : "user"}:${r.identity}`;
      active.add(key);
    }
    const m = r.metrics;
    if (m.chat_messages + m.ide_agent_messages > 0) chat.add(key);
    if (
      m.ide_agent_messages + m.remote_agent_messages + m.cli_agent_interactive_messages +
          m.cli_agent_non_interactive_messages > 0
    ) agent.add(key);
  }
  return { active, chat, agent };
}

/**
 * {@link identitySets} from a stored day's columns: the same sets, in the same order, without
 * making the day's records.
 */
function identitySetsOfColumns(c: DayColumns): DayIdentitySets {
  const active = new Set<string>();
  const chat = new Set<string>();
  const agent = new Set<string>();
  const n = c.recordCount;
  const zero = new Float64Array(n);
  const col = (name: KnownCounter) => c.counters.get(name) ?? zero;
  const chatMessages = col("chat_messages");
  const ideAgent = col("ide_agent_messages");
  const remoteAgent = col("remote_agent_messages");
  const cliInteractive = col("cli_agent_interactive_messages");
  const cliNonInteractive = col("cli_agent_non_interactive_messages");
  const keys = c.identities.map((name, i) =>
    `${c.kinds[i] === "service_account" ? "service_account" : "user"}:${name}`
  );
  const ids = c.ids;
  for (let i = 0; i < n; i++) {
    const key = keys[ids[i]];
    active.add(key);
    if (chatMessages[i] + ideAgent[i] > 0) chat.add(key);
    if (ideAgent[i] + remoteAgent[i] + cliInteractive[i] + cliNonInteractive[i] > 0) {
      agent.add(key);
    }
  }
  return { active, chat, agent };
}

/** `buffer` zeroed up to `size` when it is that large, else a larger new one. */
function zeroed(buffer: Float64Array, size: number): Float64Array {
  if (size > buffer.length) return new Float64Array(Math.ceil(size * 1.25));
  buffer.fill(0, 0, size);
  return buffer;
}

/** What the pass over the records finds besides the cells: identities and unknown counters. */
interface Merged {
  readonly editorNames: Names;
  readonly languageNames: Names;
  /** Per identity index: the name as received, the kind, the unknown counters summed. */
  readonly idNames: string[];
  readonly idKinds: IdentityKind[];
  readonly idUnknown: (Record<string, number> | undefined)[];
  /** The day's unknown counters, summed. */
  readonly dayUnknown: Record<string, number>;
}

/** Pass 1: records → cells (in `cells`, empty); unknown counters summed per day and identity. */
function mergeRecords(day: DayData, cells: Cells): Merged {
  const editorNames = new Names();
  const languageNames = new Names();
  const userIds = new Map<string, number>();
  const accountIds = new Map<string, number>();
  const idNames: string[] = [];
  const idKinds: IdentityKind[] = [];
  const idUnknown: (Record<string, number> | undefined)[] = [];
  const dayUnknown: Record<string, number> = {};

  for (const r of day.records) {
    const ids = r.kind === "service_account" ? accountIds : userIds;
    let id = ids.get(r.identity);
    if (id === undefined) {
      id = idNames.length;
      ids.set(r.identity, id);
      idNames.push(r.identity);
      idKinds.push(r.kind === "service_account" ? "service_account" : "user");
      idUnknown.push(undefined);
      cells.head.push(-1);
    }
    const c = cells.find(id, editorNames.index(r.editor), languageNames.index(r.language));
    const m = r.metrics;
    const present = addKnown(cells.sums, c * N, m);
    let keys = 0;
    for (const _ in m) keys++;
    if (keys > present) {
      // Unknown counters: rare, so the slow path may look every key up.
      for (const k in m) {
        if (KNOWN_INDEX.has(k)) continue;
        const v = m[k];
        dayUnknown[k] = (dayUnknown[k] ?? 0) + v;
        const u = idUnknown[id] ??= {};
        u[k] = (u[k] ?? 0) + v;
      }
    }
  }

  return { editorNames, languageNames, idNames, idKinds, idUnknown, dayUnknown };
}

/**
 * {@link mergeRecords} from a stored day's columns: the same cells, identities, names and
 * sums, in the same order, without making the day's records.
 */
function mergeColumns(day: DayColumns, cells: Cells): Merged {
  const editorNames = new Names();
  const languageNames = new Names();
  const idNames: string[] = [];
  const idKinds: IdentityKind[] = [];
  const idUnknown: (Record<string, number> | undefined)[] = [];
  const dayUnknown: Record<string, number> = {};
  // Stored identities, editors and languages → the analysis' indexes, on first sight (the
  // order the records would give them).
  const idOf = new Int32Array(day.identities.length).fill(-1);
  const editorOf = new Int32Array(day.editors.length).fill(-1);
  const languageOf = new Int32Array(day.languages.length).fill(-1);
  const known: { at: number; values: Float64Array }[] = [];
  const unknown: { name: string; values: Float64Array }[] = [];
  for (const [name, values] of day.counters) {
    const at = KNOWN_INDEX.get(name);
    if (at === undefined) unknown.push({ name, values });
    else known.push({ at, values });
  }
  const n = day.recordCount;
  const sums = cells.sums;
  for (let i = 0; i < n; i++) {
    const stored = day.ids[i];
    let id = idOf[stored];
    if (id < 0) {
      id = idOf[stored] = idNames.length;
      idNames.push(day.identities[stored]);
      idKinds.push(day.kinds[stored]);
      idUnknown.push(undefined);
      cells.head.push(-1);
    }
    let e = editorOf[day.editorIds[i]];
    if (e < 0) e = editorOf[day.editorIds[i]] = editorNames.index(day.editors[day.editorIds[i]]);
    let l = languageOf[day.languageIds[i]];
    if (l < 0) {
      l = languageOf[day.languageIds[i]] = languageNames.index(day.languages[day.languageIds[i]]);
    }
    const base = cells.find(id, e, l) * N;
    // Indexed loops: `for…of` here made two iterators per record.
    for (let k = 0; k < known.length; k++) sums[base + known[k].at] += known[k].values[i];
    for (let j = 0; j < unknown.length; j++) {
      const u = unknown[j];
      const v = u.values[i];
      if (v !== v) continue; // this record does not carry the counter
      dayUnknown[u.name] = (dayUnknown[u.name] ?? 0) + v;
      const own = idUnknown[id] ??= {};
      own[u.name] = (own[u.name] ?? 0) + v;
    }
  }
  return { editorNames, languageNames, idNames, idKinds, idUnknown, dayUnknown };
}

/**
 * Pass 2: the cells grouped by identity → scopes, identities, sets (in `idSums`, zeroed, the
 * identities' sums). An identity's sums per editor and per language are made only when
 * asked, by {@link IdentityParts}: only user rows need them.
 */
function summarize(day: DayData, cells: Cells, m: Merged, idSums: Float64Array): DayAnalysis {
  const { editorNames, languageNames, idNames, idKinds, idUnknown, dayUnknown } = m;
  const nIds = idNames.length;
  const nE = editorNames.names.length;
  const nL = languageNames.names.length;
  const sums = cells.sums;

  const totalSums = new Float64Array(N);
  const editorSums = new Float64Array(nE * N);
  const languageSums = new Float64Array(nL * N);
  const editorCounts = new ScopeCounts(nE);
  const languageCounts = new ScopeCounts(nL);
  // All small sums live in a few pools (one Float64Array each), so that every addition is
  // monomorphic; the analysis hands out subarray views of them.
  const pairPool = new Float64Array(Math.min(cells.count, nE * nL) * N);
  const pairIndex = new Map<number, number>();
  const pairEditor: number[] = [];
  const pairLanguage: number[] = [];
  const pairCounts: number[][] = []; // [identities, completionUsers, completionEngaged, chat]

  const identities: IdentityDay[] = [];
  const active = new Set<string>();
  const chat = new Set<string>();
  const agent = new Set<string>();
  const cli = new Set<string>();
  let serviceAccounts = 0;
  let engagedCount = 0;
  let completionEngagedCount = 0;

  for (let id = 0; id < nIds; id++) {
    const ownAt = id * N;
    for (let c = cells.head[id]; c >= 0; c = cells.next[c]) {
      const base = c * N;
      const e = cells.editor[c];
      const l = cells.language[c];
      addInto(idSums, ownAt, sums, base);
      addInto(editorSums, e * N, sums, base);
      addInto(languageSums, l * N, sums, base);
      editorCounts.see(e, id, sums, base);
      languageCounts.see(l, id, sums, base);

      const pk = e * nL + l;
      let p = pairIndex.get(pk);
      if (p === undefined) {
        p = pairEditor.length;
        pairIndex.set(pk, p);
        pairEditor.push(e);
        pairLanguage.push(l);
        pairCounts.push([0, 0, 0, 0]);
      }
      addInto(pairPool, p * N, sums, base);
      // A cell is unique per (identity, editor, language): each counts its identity once.
      const pc = pairCounts[p];
      pc[0]++;
      if (sums[base + C.completionsCount] > 0) pc[1]++;
      if (sums[base + C.completionsAccepted] > 0) pc[2]++;
      if (sums[base + C.chatMessages] + sums[base + C.ideAgentMessages] > 0) pc[3]++;
    }
    addInto(totalSums, 0, idSums, ownAt);
    const own = idSums.subarray(ownAt, ownAt + N);

    const kind = idKinds[id];
    const key = `${kind}:${idNames[id]}`;
    const completionEngaged = own[C.completionsAccepted] > 0;
    const usedChat = own[C.chatMessages] + own[C.ideAgentMessages] > 0;
    const ideOrRemoteAgent = own[C.ideAgentMessages] + own[C.remoteAgentMessages] > 0;
    const usedAgent = ideOrRemoteAgent ||
      own[C.cliInteractiveMessages] + own[C.cliNonInteractiveMessages] > 0;
    const usedCli = hasCli(own);
    const engaged = completionEngaged || usedChat || usedAgent;
    active.add(key);
    if (usedChat) chat.add(key);
    if (usedAgent) agent.add(key);
    if (usedCli) cli.add(key);
    if (kind === "service_account") serviceAccounts++;
    if (engaged) engagedCount++;
    if (completionEngaged) completionEngagedCount++;
    identities.push({
      key,
      name: idNames[id],
      kind,
      counters: countersOf(own, idUnknown[id]),
      sums: own,
      firstCell: cells.head[id],
      completionEngaged,
      chat: usedChat,
      agent: usedAgent,
      ideOrRemoteAgent,
      cli: usedCli,
      engaged,
    });
  }
  identities.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0
  );
  // Once a day, on the largest sums (see overflowIn): no check per addition.
  const overflow = overflowIn(totalSums, dayUnknown);
  if (overflow !== undefined) throw dayOverflow(day.day, overflow, identities);

  const editors = editorNames.names.map((name, e) =>
    editorCounts.summary(e, name, editorSums.subarray(e * N, e * N + N))
  ).sort(byName);
  const languages = languageNames.names.map((name, l) =>
    languageCounts.summary(l, name, languageSums.subarray(l * N, l * N + N))
  ).sort(byName);
  const dayCells: DayCells = {
    editor: cells.editor,
    language: cells.language,
    next: cells.next,
    sums,
    editorNames: editorNames.names,
    languageNames: languageNames.names,
    editorRank: ranks(editorNames.names),
    languageRank: ranks(languageNames.names),
  };
  const editorLanguages: EditorLanguageSummary[] = pairEditor.map((e, p) => ({
    editor: editorNames.names[e],
    name: languageNames.names[pairLanguage[p]],
    sums: pairPool.subarray(p * N, p * N + N),
    identities: pairCounts[p][0],
    completionUsers: pairCounts[p][1],
    completionEngaged: pairCounts[p][2],
    chatEngaged: pairCounts[p][3],
  })).sort((a, b) => a.editor < b.editor ? -1 : a.editor > b.editor ? 1 : byName(a, b));

  return {
    day: day.day,
    dauCount: day.dauCount,
    usage: day.usage,
    totals: countersOf(totalSums, dayUnknown),
    totalSums,
    identityCount: nIds,
    serviceAccountCount: serviceAccounts,
    dailyActiveUsers: day.dauCount ?? nIds,
    engagedCount,
    completionEngagedCount,
    activeIdentities: active,
    chatIdentities: chat,
    agentIdentities: agent,
    cliIdentities: cli,
    editors,
    languages,
    editorLanguages,
    identities,
    cells: dayCells,
  };
}

/** The position of each name in name order (names are distinct). */
function ranks(names: readonly string[]): Int32Array {
  const order = names.map((_, i) => i).sort((x, y) => cmp(names[x], names[y]));
  const rank = new Int32Array(names.length);
  order.forEach((i, r) => rank[i] = r);
  return rank;
}

/** A reused part of {@link IdentityParts}: slot `slot` of its pool. */
interface PartSlot extends IdentityPart {
  name: string;
  readonly sums: Float64Array;
  /** Index of the editor or language in the day's names. */
  index: number;
  rank: number;
  readonly slot: number;
}

/**
 * An identity's sums per editor and per language, each list sorted by name, made on demand from
 * the day's cells (adding the cells in the order of the identity's list, as a running sum
 * would). Only user rows need them, one identity at a time, so the analysis does not keep them
 * for every identity: {@link of} fills buffers this object reuses, and the lists it fills are
 * valid until its next call.
 */
export class IdentityParts {
  /** The identity's sums per editor, sorted by name (valid until the next {@link of}). */
  readonly editors: readonly IdentityPart[];
  /** The identity's sums per language, sorted by name (valid until the next {@link of}). */
  readonly languages: readonly IdentityPart[];
  readonly #editors: PartSlot[] = [];
  readonly #languages: PartSlot[] = [];
  /** Slot `i` has its sums at `#pool[i * N]`. */
  #pool = new Float64Array(0);
  #slots: PartSlot[] = [];
  #used = 0;

  constructor() {
    this.editors = this.#editors;
    this.languages = this.#languages;
  }

  /** Fills {@link editors} and {@link languages} for one identity of `a`, and returns `this`. */
  of(a: DayAnalysis, identity: IdentityDay): this {
    const cells = a.cells;
    let count = 0;
    for (let c = identity.firstCell; c >= 0; c = cells.next[c]) count++;
    if (2 * count > this.#slots.length) this.#grow(2 * count);
    this.#used = 0;
    // Emptied by `pop`, which keeps the lists' storage (`length = 0` drops it, and the next
    // `push` would allocate it again: twice per user row).
    while (this.#editors.length > 0) this.#editors.pop();
    while (this.#languages.length > 0) this.#languages.pop();
    for (let c = identity.firstCell; c >= 0; c = cells.next[c]) {
      const base = c * N;
      const e = this.#slotOf(this.#editors, cells.editor[c], cells.editorNames, cells.editorRank);
      addInto(this.#pool, e * N, cells.sums, base);
      const l = this.#slotOf(
        this.#languages,
        cells.language[c],
        cells.languageNames,
        cells.languageRank,
      );
      addInto(this.#pool, l * N, cells.sums, base);
    }
    sortByRank(this.#editors);
    sortByRank(this.#languages);
    return this;
  }

  /** The slot of name `index` in `list`, taken (zeroed) and appended when absent. */
  #slotOf(
    list: PartSlot[],
    index: number,
    names: readonly string[],
    rank: Int32Array,
  ): number {
    for (let i = 0; i < list.length; i++) {
      if (list[i].index === index) return list[i].slot;
    }
    const part = this.#slots[this.#used++];
    part.name = names[index];
    part.index = index;
    part.rank = rank[index];
    part.sums.fill(0);
    list.push(part);
    return part.slot;
  }

  /** Makes room for `slots` parts (the lists are empty: nothing to carry over). */
  #grow(slots: number): void {
    const size = Math.max(slots, 2 * this.#slots.length, 16);
    this.#pool = new Float64Array(size * N);
    this.#slots = [];
    for (let i = 0; i < size; i++) {
      this.#slots.push({
        name: "",
        sums: this.#pool.subarray(i * N, i * N + N),
        index: -1,
        rank: 0,
        slot: i,
      });
    }
  }
}

/**
 * Sorts a short list by rank in place: an insertion sort, as `Array.prototype.sort` allocates
 * a work copy on every call (twice per user row).
 */
function sortByRank(list: PartSlot[]): void {
  for (let i = 1; i < list.length; i++) {
    const x = list[i];
    let j = i - 1;
    while (j >= 0 && list[j].rank > x.rank) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = x;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

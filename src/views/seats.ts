/**
 * Seats (`--format seats`): `latest/seats_latest.json`, GitHub's `/copilot/billing/seats`
 * answer (`total_seats`, `seats[]`, the same shape `serve` answers) for every identity seen in
 * the days rendered into the folder: `created_at` its first active day, `last_activity_at` its
 * last, `last_activity_editor` the editor it used most on that day (lower-case).
 *
 * The file folds in the days of each run into the previous `seats_latest.json` (first day =
 * min, last day = max), so the history rendered into the folder over many runs counts, not
 * only this run's days. Beside GitHub's fields, `augment.inactive` counts the seats without
 * activity in the 7, 14 and 28 days ending at the window's last day
 * ({@link INACTIVE_DAYS}); the aggregate carries the same counts.
 *
 * @module
 */
import * as z from "zod";
import { userIdOf } from "../copilot/user_id.ts";
import { addDays } from "../model/dates.ts";
import { dayColumns } from "../model/day_columns.ts";
import { isKnownCounter } from "../model/metrics.ts";
import type { Day } from "../model/types.ts";
import { type SeatFacts, seatObject } from "../serve/seats.ts";
import { FileView } from "./file_view.ts";
import type { DayFacts, RangeFacts, RangeTarget, ViewContext } from "./view.ts";
import { esc, int } from "./html/text.ts";

export const SEATS_FILE = "latest/seats_latest.json";
/** The inactivity periods counted, in days. */
export const INACTIVE_DAYS = [7, 14, 28] as const;
/** The base of the URLs of `assignee` (GitHub's own). */
const BASE = "https://api.github.com";

const SeatsFile = z.object({
  seats: z.array(z.object({
    created_at: z.string(),
    last_activity_at: z.string().nullable(),
    last_activity_editor: z.string().nullable(),
    assignee: z.object({ login: z.string(), id: z.number() }),
  })),
});

/** Seats without activity in the `n` days ending at `asOf`, for each n of {@link INACTIVE_DAYS}. */
export function inactiveCounts(
  seats: Iterable<{ lastDay: Day }>,
  asOf: Day,
): Record<string, number> {
  const out: Record<string, number> = {};
  const list = [...seats];
  for (const n of INACTIVE_DAYS) {
    const since = addDays(asOf, -(n - 1));
    out[`${n}_days`] = list.filter((s) => s.lastDay < since).length;
  }
  return out;
}

/** The seat counts of a target (in `seats_latest.json` and the aggregate). */
export interface SeatsSummary {
  readonly as_of_day: Day;
  readonly total_seats: number;
  /** `7_days`, `14_days`, `28_days`: seats without activity in that many days. */
  readonly inactive: Record<string, number>;
}

/** The HTML report's seats section. */
export function seatsSection(s: SeatsSummary): string {
  const rows = INACTIVE_DAYS.map((n) => {
    const count = s.inactive[`${n}_days`] ?? 0;
    const share = s.total_seats > 0 ? ` (${Math.round(100 * count / s.total_seats)}%)` : "";
    return `<tr data-inactive-days="${n}"><th scope="row">${n} days</th>` +
      `<td class="num" data-v="${count}">${esc(int(count))}${esc(share)}</td></tr>`;
  }).join("");
  return `<section id="seats" aria-labelledby="seats-h"><h2 id="seats-h">Seats</h2>` +
    `<p class="note">${esc(int(s.total_seats))} identities seen in the history rendered into ` +
    `this folder (latest/seats_latest.json). Inactive: no activity in the days up to ` +
    `${esc(s.as_of_day)}.</p><div class="scroll"><table id="table-seats"><thead><tr>` +
    `<th scope="col">Inactive for</th><th scope="col" class="num">Seats</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div></section>`;
}

/** The seats view. */

/**
 * The editor (in lower case) of each identity name's day: the one whose records' counters sum
 * highest, the first in `[editor, sum]` string order on a tie (as `[...map].sort()` orders
 * entries). A stored day is read from its columns into one array of sums, so its records are
 * not made and no map is made per identity.
 */
function bestEditors(f: DayFacts): Map<string, string> {
  const c = dayColumns(f.data);
  if (!c) return bestOfScores(f.data.records);
  // Lower-case editor names, and each stored editor's index among them.
  const lower: string[] = [];
  const lowerOf = c.editors.map((e) => {
    const name = e.toLowerCase();
    let at = lower.indexOf(name);
    if (at < 0) at = lower.push(name) - 1;
    return at;
  });
  // Identity names (a user and a service account of one name share theirs).
  const names: string[] = [];
  const nameAt = new Map<string, number>();
  const nameOf = c.identities.map((identity) => {
    let at = nameAt.get(identity);
    if (at === undefined) nameAt.set(identity, at = names.push(identity) - 1);
    return at;
  });
  const nE = lower.length;
  const sums = new Float64Array(names.length * nE);
  const seen = new Uint8Array(names.length * nE);
  // A record's documented counters first (whole numbers: exact in any order), then the
  // others in name order, as its metrics object holds them.
  const known: Float64Array[] = [];
  const unknown: Float64Array[] = [];
  for (const [name, values] of c.counters) (isKnownCounter(name) ? known : unknown).push(values);
  for (let i = 0; i < c.recordCount; i++) {
    let n = 0;
    for (let k = 0; k < known.length; k++) n += known[k][i];
    for (let k = 0; k < unknown.length; k++) {
      const v = unknown[k][i];
      if (v === v) n += v;
    }
    const at = nameOf[c.ids[i]] * nE + lowerOf[c.editorIds[i]];
    sums[at] += n;
    seen[at] = 1;
  }
  const best = new Map<string, string>();
  const order = lower.map((_, e) => e);
  for (let id = 0; id < names.length; id++) {
    const base = id * nE;
    let pick = -1;
    let pickKey = "";
    for (const e of order) {
      if (!seen[base + e]) continue;
      const n = sums[base + e];
      if (pick < 0 || n > sums[base + pick]) {
        pick = e;
        pickKey = "";
      } else if (n === sums[base + pick]) {
        // A tie: the first in string order of `${editor},${sum}` wins.
        pickKey ||= `${lower[pick]},${sums[base + pick]}`;
        const key = `${lower[e]},${n}`;
        if (key < pickKey) [pick, pickKey] = [e, key];
      }
    }
    if (pick >= 0) best.set(names[id], lower[pick]);
  }
  return best;
}

/** {@link bestEditors} of a day's records. */
function bestOfScores(records: DayFacts["data"]["records"]): Map<string, string> {
  const score = new Map<string, Map<string, number>>();
  for (const r of records) {
    let n = 0;
    for (const k in r.metrics) n += r.metrics[k];
    let editors = score.get(r.identity);
    if (!editors) score.set(r.identity, editors = new Map());
    const editor = r.editor.toLowerCase();
    editors.set(editor, (editors.get(editor) ?? 0) + n);
  }
  const best = new Map<string, string>();
  for (const [identity, editors] of score) {
    let pick: string | null = null;
    let pickScore = -1;
    for (const [editor, n] of [...editors].sort()) {
      if (n > pickScore) [pick, pickScore] = [editor, n];
    }
    if (pick !== null) best.set(identity, pick);
  }
  return best;
}

export class SeatsView extends FileView {
  readonly name = "seats";
  readonly optionsKey = "seats/1";
  readonly #seats = new Map<string, SeatFacts>();
  readonly #summaries = new Map<string, SeatsSummary>();

  dayFiles(): readonly string[] {
    return [];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return target.name === "latest" ? [SEATS_FILE] : [];
  }

  override async open(ctx: ViewContext): Promise<void> {
    await super.open(ctx);
    let text: string;
    try {
      text = await Deno.readTextFile(ctx.out.abs(SEATS_FILE));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    let parsed;
    try {
      parsed = SeatsFile.safeParse(JSON.parse(text));
    } catch {
      return; // unreadable: rebuilt from the days of this run
    }
    if (!parsed.success) return;
    for (const s of parsed.data.seats) {
      const first = s.created_at.slice(0, 10);
      this.#seats.set(s.assignee.login, {
        login: s.assignee.login,
        userId: s.assignee.id,
        firstDay: first,
        lastDay: s.last_activity_at?.slice(0, 10) ?? first,
        lastEditor: s.last_activity_editor,
      });
    }
  }

  protected writeDay(f: DayFacts): Promise<void> {
    const editors = bestEditors(f);
    for (const i of f.analysis.identities) {
      const best = editors.get(i.name) ?? null;
      const seat = this.#seats.get(i.name);
      if (!seat) {
        this.#seats.set(i.name, {
          login: i.name,
          userId: userIdOf(i.key),
          firstDay: f.day,
          lastDay: f.day,
          lastEditor: best,
        });
        continue;
      }
      if (f.day < seat.firstDay) seat.firstDay = f.day;
      if (f.day >= seat.lastDay) {
        seat.lastDay = f.day;
        seat.lastEditor = best ?? seat.lastEditor;
      }
    }
    return Promise.resolve();
  }

  /** Seats and inactive counts as of a target's last day (its days given so far). */
  summary(r: RangeFacts): SeatsSummary {
    return {
      as_of_day: r.target.range.end,
      total_seats: this.#seats.size,
      inactive: inactiveCounts(this.#seats.values(), r.target.range.end),
    };
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const seats = [...this.#seats.values()].sort((a, b) =>
      a.login < b.login ? -1 : a.login > b.login ? 1 : 0
    );
    const summary = this.summary(r);
    this.#summaries.set(r.target.name, summary);
    if (r.target.name !== "latest") return;
    // `pretty({ total_seats, seats, augment })`, a seat at a time: a large organisation's
    // file is tens of megabytes, and its seats as objects several times that.
    const file = await this.files.stream(SEATS_FILE);
    file.write(`{\n  "total_seats": ${seats.length},\n  "seats": [`);
    for (let i = 0; i < seats.length; i++) {
      const seat = JSON.stringify(seatObject(seats[i], BASE), null, 2);
      file.write((i === 0 ? "\n    " : ",\n    ") + seat.replaceAll("\n", "\n    "));
      if (i % 512 === 511) await file.ready();
    }
    file.write(seats.length === 0 ? "]" : "\n  ]");
    const augment = JSON.stringify(summary, null, 2).replaceAll("\n", "\n  ");
    file.write(`,\n  "augment": ${augment}\n}\n`);
    await this.files.commitStream(SEATS_FILE);
  }

  /** Seats and inactive counts of a finished target, for the aggregate. */
  aggregateOf(r: RangeFacts): Record<string, unknown> {
    const s = this.#summaries.get(r.target.name);
    return s ? { seats: s } : {};
  }
}

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
import { type SeatFacts, seatsPage } from "../serve/seats.ts";
import { FileView } from "./file_view.ts";
import type { DayFacts, RangeFacts, RangeTarget, ViewContext } from "./view.ts";
import { pretty } from "./writer.ts";
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
 * Per identity name, per editor (in lower case): the sum of every counter of its records. A
 * stored day is read from its columns (the same sums, in the same order), so its records are
 * not made.
 */
function editorScores(f: DayFacts): Map<string, Map<string, number>> {
  const score = new Map<string, Map<string, number>>();
  const add = (identity: string, editor: string, n: number) => {
    let editors = score.get(identity);
    if (!editors) score.set(identity, editors = new Map());
    editors.set(editor, (editors.get(editor) ?? 0) + n);
  };
  const c = dayColumns(f.data);
  if (c) {
    // A record's documented counters first (whole numbers: exact in any order), then the
    // others in name order, as its metrics object holds them.
    const known: Float64Array[] = [];
    const unknown: Float64Array[] = [];
    for (const [name, values] of c.counters) {
      (isKnownCounter(name) ? known : unknown).push(values);
    }
    const editors = c.editors.map((e) => e.toLowerCase());
    for (let i = 0; i < c.recordCount; i++) {
      let n = 0;
      for (const v of known) n += v[i];
      for (const v of unknown) if (v[i] === v[i]) n += v[i];
      add(c.identities[c.ids[i]], editors[c.editorIds[i]], n);
    }
    return score;
  }
  for (const r of f.data.records) {
    let n = 0;
    for (const k in r.metrics) n += r.metrics[k];
    add(r.identity, r.editor.toLowerCase(), n);
  }
  return score;
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
    const score = editorScores(f);
    for (const i of f.analysis.identities) {
      let best: string | null = null;
      let bestScore = -1;
      for (const [editor, n] of [...(score.get(i.name) ?? [])].sort()) {
        if (n > bestScore) [best, bestScore] = [editor, n];
      }
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
    const page = JSON.parse(seatsPage(seats, 1, Math.max(1, seats.length), BASE));
    await this.files.write(SEATS_FILE, pretty({ ...page, augment: summary }));
  }

  /** Seats and inactive counts of a finished target, for the aggregate. */
  aggregateOf(r: RangeFacts): Record<string, unknown> {
    const s = this.#summaries.get(r.target.name);
    return s ? { seats: s } : {};
  }
}

/**
 * Format C (`--format usage-metrics`): GitHub's usage-metrics reports. Per day, in
 * `daily/<day>/`: the entity report (`enterprise-1-day.json`) and the user rows
 * (`users-1-day.ndjson`); per range target: the 28-day entity report and user rows of its last
 * ≤28 days.
 *
 * User rows, by far the largest output, are written as UTF-8 straight from the analysis
 * (`UserRows.write`: no row object, no JSON text) into one reused buffer, and from there to
 * the day's file and to every target's 28-day file: a 28-day line is the same bytes with
 * `report_start_day` and `report_end_day` first (which is what `toUserRows(a, id, period)`
 * returns).
 *
 * @module
 */
import { toEntityReport, UserRows } from "../copilot/mod.ts";
import type { Day } from "../model/types.ts";
import { FileView } from "./file_view.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { paths, pretty } from "./writer.ts";
import { JsonBytes } from "../copilot/json_bytes.ts";
import { reportWindow } from "./accumulator.ts";
import { creditsByIdentity } from "./credits.ts";

const ENTITY_1 = "enterprise-1-day.json";
const USERS_1 = "users-1-day.ndjson";
const ENTITY_28 = "enterprise-28-day.json";
const USERS_28 = "users-28-day.ndjson";

/** User rows written between waits for the disk (`AtomicFile.ready`). */
const USER_ROWS_PER_WAIT = 512;

/** Format C reports, per day and per range. */
export class UsageMetricsView extends FileView {
  readonly name = "usage-metrics";
  readonly optionsKey: string;
  /** A user row's bytes, reused row after row. */
  readonly #line = new JsonBytes();
  /** `{"report_start_day":…,"report_end_day":…,` of each target, in UTF-8. */
  readonly #periodKeys = new Map<string, Uint8Array>();

  constructor(readonly enterpriseId: string) {
    super();
    this.optionsKey = `usage-metrics/1/${enterpriseId}`;
  }

  dayFiles(day: Day): readonly string[] {
    return [paths.dayFile(day, ENTITY_1), paths.dayFile(day, USERS_1)];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return [paths.targetFile(target, ENTITY_28), paths.targetFile(target, USERS_28)];
  }

  protected async writeDay(f: DayFacts, perDay: boolean): Promise<void> {
    const { createdAt } = this.ctx;
    if (perDay) {
      const report = toEntityReport([f.entityRow], {
        startDay: f.day,
        endDay: f.day,
        enterpriseId: this.enterpriseId,
        createdAt,
      });
      await this.files.dayFile(paths.dayFile(f.day, ENTITY_1), pretty(report));
    }
    const file = perDay ? await this.files.dayFile(paths.dayFile(f.day, USERS_1)) : undefined;
    const users28 = [];
    for (const t of f.targets) {
      const window = reportWindow(t.range);
      if (f.day < window.start) continue;
      const rel = paths.targetFile(t, USERS_28);
      let keys = this.#periodKeys.get(rel);
      if (!keys) {
        keys = new TextEncoder().encode(
          `{"report_start_day":${JSON.stringify(window.start)},"report_end_day":${
            JSON.stringify(window.end)
          },`,
        );
        this.#periodKeys.set(rel, keys);
      }
      users28.push({ file: await this.files.stream(rel), keys });
    }
    if (!file && users28.length === 0) return;
    const a = f.analysis;
    const credits = f.data.credits?.records === undefined
      ? undefined
      : creditsByIdentity(f.data.credits);
    const rows = new UserRows(a, this.enterpriseId, undefined, credits);
    const out = this.#line;
    for (let i = 0; i < a.identities.length; i++) {
      out.reset();
      rows.write(a.identities[i], out); // JSON.stringify(rows.row(…)), as bytes
      out.byte(0x0a); // `{…}\n`
      file?.writeBytes(out.buffer, 0, out.pos);
      for (const u of users28) {
        u.file.writeBytes(u.keys);
        u.file.writeBytes(out.buffer, 1, out.pos);
      }
      if ((i + 1) % USER_ROWS_PER_WAIT === 0) {
        await file?.ready();
        for (const u of users28) await u.file.ready();
      }
    }
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const users = paths.targetFile(r.target, USERS_28);
    // A range can end before its report window has a user row: the file is then empty.
    await this.files.stream(users);
    await this.files.commitStream(users);
    this.#periodKeys.delete(users);
    const report = toEntityReport([...r.entityRows], {
      startDay: r.report.start,
      endDay: r.report.end,
      enterpriseId: this.enterpriseId,
      createdAt: this.ctx.createdAt,
    });
    await this.files.write(paths.targetFile(r.target, ENTITY_28), pretty(report));
  }
}

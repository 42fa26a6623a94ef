/**
 * The `team_day` warehouse table (`--teams` with `--format parquet` or `ndjson-tables`): one
 * row per (day, team) for the teams written (at least the minimum size), beside the other
 * tables and in the same layout:
 *
 * ```
 * tables/team_day/day=YYYY-MM-DD/part-0.parquet        tables/team_day/_schema.json
 * tables-ndjson/team_day/day=YYYY-MM-DD/part-0.ndjson  tables-ndjson/team_day/_schema.json
 * ```
 *
 * Columns: `team_id`, `slug`, `enterprise_id`, `members` (in the teams file), `active_users`
 * (members with a record that day), then the sixteen counters summed over the active members,
 * then the day's unknown counters.
 *
 * @module
 */
import { KNOWN_COUNTERS } from "../model/metrics.ts";
import type { Day } from "../model/types.ts";
import { FileView } from "./file_view.ts";
import { encodeNdjson, encodeParquet } from "./tables/encode.ts";
import type { TableColumns } from "./tables/rows.ts";
import {
  type Column,
  KNOWN_COUNTER_COLUMNS,
  PARTITION_COLUMN,
  TABLES_SCHEMA_VERSION,
  unknownCounterColumn,
} from "./tables/schema.ts";
import type { TablesFormat } from "./tables.ts";
import type { TeamsView } from "./teams.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { pretty } from "./writer.ts";

const TABLE = "team_day";
const ROOT: Record<TablesFormat, { root: string; file: string }> = {
  parquet: { root: "tables", file: "part-0.parquet" },
  ndjson: { root: "tables-ndjson", file: "part-0.ndjson" },
};

/** The key columns of `team_day`. */
export const TEAM_DAY_COLUMNS: readonly Column[] = [
  { name: "team_id", type: "INT64", nullable: false, description: "The team's stable id" },
  { name: "slug", type: "STRING", nullable: false, description: "The team's slug" },
  {
    name: "enterprise_id",
    type: "STRING",
    nullable: false,
    description: "The `enterprise_id` of the Copilot reports",
  },
  {
    name: "members",
    type: "INT64",
    nullable: false,
    description: "Members of the team in the teams file",
  },
  {
    name: "active_users",
    type: "INT64",
    nullable: false,
    description: "Members with a record on the day",
  },
];

/** The relative path of a day's `team_day` file. */
export function teamTableFile(format: TablesFormat, day: Day): string {
  return `${ROOT[format].root}/${TABLE}/day=${day}/${ROOT[format].file}`;
}

/** `team_day` in one file format, from the rows of a {@link TeamsView}. */
export class TeamTableView extends FileView {
  readonly name: string;
  readonly optionsKey: string;
  readonly #extra = new Set<string>();
  #wrote = false;

  constructor(readonly format: TablesFormat, readonly teams: TeamsView) {
    super();
    this.name = `${TABLE}-${format}`;
    this.optionsKey = `tables/${format}/${TABLE}/${TABLES_SCHEMA_VERSION}/${teams.optionsKey}`;
  }

  dayFiles(day: Day): readonly string[] {
    return [teamTableFile(this.format, day)];
  }

  targetFiles(_target: RangeTarget): readonly string[] {
    return [];
  }

  protected async writeDay(f: DayFacts, perDay: boolean): Promise<void> {
    if (!perDay) return;
    const { rows } = this.teams.dayOf(f);
    const extra = new Set<string>();
    for (const r of rows) {
      for (const k in r.metrics) if (!KNOWN_COUNTERS.includes(k as never)) extra.add(k);
    }
    const extraNames = [...extra].sort();
    const known = new Float64Array(rows.length * KNOWN_COUNTERS.length);
    rows.forEach((r, i) => {
      KNOWN_COUNTERS.forEach((k, j) => known[i * KNOWN_COUNTERS.length + j] = r.metrics[k] ?? 0);
    });
    const members = new Map(this.teams.teams.map((t) => [t.slug, t.members]));
    const table: TableColumns = {
      table: TABLE,
      columns: [
        ...TEAM_DAY_COLUMNS,
        ...KNOWN_COUNTER_COLUMNS,
        ...extraNames.map(unknownCounterColumn),
      ],
      keys: [
        rows.map((r) => r.teamId),
        rows.map((r) => r.slug),
        rows.map(() => this.ctx.enterpriseId),
        rows.map((r) => members.get(r.slug) ?? 0),
        rows.map((r) => r.activeUsers),
      ],
      known,
      extra: extraNames.map((k) => rows.map((r) => r.metrics[k] ?? null)),
      rows: rows.length,
    };
    const file = await this.files.dayFile(teamTableFile(this.format, f.day));
    if (this.format === "parquet") file.writeBytes(encodeParquet(table));
    else for (const chunk of encodeNdjson(table)) file.writeBytes(chunk);
    for (const e of extraNames) this.#extra.add(e);
    this.#wrote = true;
  }

  finishTarget(_facts: RangeFacts): Promise<void> {
    return Promise.resolve();
  }

  /** Commits the days, then writes `_schema.json` (its columns: every file's so far). */
  override async close(): Promise<string[]> {
    await this.files.settle();
    if (this.#wrote) {
      const rel = `${ROOT[this.format].root}/${TABLE}/_schema.json`;
      const extra = new Set(this.#extra);
      try {
        const old = JSON.parse(await Deno.readTextFile(this.ctx.out.abs(rel)));
        const fixed = new Set([...TEAM_DAY_COLUMNS, ...KNOWN_COUNTER_COLUMNS].map((c) => c.name));
        for (const c of old.columns ?? []) if (!fixed.has(c.name)) extra.add(String(c.name));
      } catch {
        // none yet, or unreadable: written from this pass
      }
      await this.files.write(
        rel,
        pretty({
          table: TABLE,
          format: this.format,
          schema_version: TABLES_SCHEMA_VERSION,
          grain: "one row per (day, team) of the teams written: the active members' records summed",
          partition: PARTITION_COLUMN,
          columns: [
            ...TEAM_DAY_COLUMNS,
            ...KNOWN_COUNTER_COLUMNS,
            ...[...extra].sort().map(unknownCounterColumn),
          ],
        }),
      );
    }
    return await super.close();
  }
}

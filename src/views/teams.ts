/**
 * Teams (`--teams FILE`): GitHub's `user-teams-1-day` rows per day, and per-team day totals
 * per range target. Only teams with at least the minimum number of members
 * (`--team-min-size`, default 5 as GitHub) are written anywhere, so no person can be singled
 * out through a team.
 *
 * - `daily/<day>/user-teams-1-day.ndjson`: one row per (identity active that day, team):
 *   `user_id` and `user_login` as in `users-1-day.ndjson`, `day`, `enterprise_id`, `team_id`
 *   (stable, from the slug: {@link teamIdOf}) and `slug`.
 * - `daily/<day>/team_day.csv`, and per range target `team_day.csv` over its days: one row per
 *   day and team (active members, every counter summed over them); per range target
 *   `teams.json` (the teams written, with member counts).
 *
 * Identities are matched with the teams on their real name (`realOf` maps a pseudonym back,
 * in memory only), so `--pseudonymize` keeps teams and their numbers unchanged.
 *
 * @module
 */
import { userIdOf } from "../copilot/user_id.ts";
import { type CsvCell, csvRow } from "../export/csv.ts";
import {
  addCounters,
  type Counters,
  emptyCounters,
  isKnownCounter,
  KNOWN_COUNTERS,
} from "../model/metrics.ts";
import type { Day } from "../model/types.ts";
import { teamIdOf, type Teams } from "../teams/teams_file.ts";
import { FileView } from "./file_view.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { paths, pretty } from "./writer.ts";

export const USER_TEAMS_1 = "user-teams-1-day.ndjson";
export const TEAM_DAY = "team_day.csv";
export const TEAMS_JSON = "teams.json";

/** GitHub's minimum team size for team metrics. */
export const DEFAULT_TEAM_MIN_SIZE = 5;

/** One team's totals on one day. */
export interface TeamDay {
  readonly day: Day;
  readonly slug: string;
  readonly teamId: number;
  /** Members with a record on the day. */
  readonly activeUsers: number;
  readonly metrics: Counters;
}

/** A team written to the outputs. */
export interface TeamInfo {
  readonly slug: string;
  readonly teamId: number;
  readonly members: number;
}

/** What the teams view is made with. */
export interface TeamsViewOptions {
  readonly teams: Teams;
  /** Teams with fewer members are left out (default {@link DEFAULT_TEAM_MIN_SIZE}). */
  readonly minSize?: number;
  /** The real identity of a name in the history (a pseudonym's, when pseudonymised). */
  readonly realOf?: (name: string) => string;
  /** Identities of the file without activity in a range target: one line each. */
  readonly onWarning?: (line: string) => void;
}

/** The teams of `o` written to the outputs (at least the minimum size), by slug. */
export function eligibleTeams(o: TeamsViewOptions): TeamInfo[] {
  const min = o.minSize ?? DEFAULT_TEAM_MIN_SIZE;
  const out: TeamInfo[] = [];
  for (const [slug, members] of o.teams.members) {
    if (members.length >= min) out.push({ slug, teamId: teamIdOf(slug), members: members.length });
  }
  return out.sort((a, b) => a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

/** `team_day.csv`: a header, then one row per (day, team), `extra` counters last. */
function teamCsv(rows: readonly TeamDay[], extra: readonly string[]): string {
  let csv = csvRow(["day", "team_id", "slug", "active_users", ...KNOWN_COUNTERS, ...extra]);
  for (const row of rows) {
    const cells: CsvCell[] = [row.day, row.teamId, row.slug, row.activeUsers];
    for (const k of KNOWN_COUNTERS) cells.push(row.metrics[k] ?? 0);
    for (const k of extra) cells.push(row.metrics[k] ?? 0);
    csv += csvRow(cells);
  }
  return csv;
}

/** The teams view. */
export class TeamsView extends FileView {
  readonly name = "teams";
  readonly optionsKey: string;
  readonly #eligible: Map<string, TeamInfo>;
  readonly #realOf: (name: string) => string;
  /** Per target dir: the team days of its days so far. */
  readonly #days = new Map<string, TeamDay[]>();
  /** The last day computed (the team tables ask for the same day). */
  #today: { day: Day; facts: DayFacts; value: { ndjson: string; rows: TeamDay[] } } | undefined;
  /** Per finished target name: its team days (for the aggregate). */
  readonly #finished = new Map<string, readonly TeamDay[]>();

  constructor(readonly o: TeamsViewOptions) {
    super();
    this.#eligible = new Map(eligibleTeams(o).map((t) => [t.slug, t]));
    this.#realOf = o.realOf ?? ((n) => n);
    this.optionsKey = `teams/2/${o.teams.key}/${o.minSize ?? DEFAULT_TEAM_MIN_SIZE}`;
  }

  /** The teams written. */
  get teams(): TeamInfo[] {
    return [...this.#eligible.values()];
  }

  dayFiles(day: Day): readonly string[] {
    return [paths.dayFile(day, USER_TEAMS_1), paths.dayFile(day, TEAM_DAY)];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return [TEAM_DAY, TEAMS_JSON].map((n) => paths.targetFile(target, n));
  }

  #teamsOf(name: string): TeamInfo[] {
    const out: TeamInfo[] = [];
    for (const slug of this.o.teams.of(this.#realOf(name))) {
      const t = this.#eligible.get(slug);
      if (t) out.push(t);
    }
    return out;
  }

  /** The day's user-teams rows (NDJSON) and the totals of every team written, on `f.day`. */
  dayOf(f: DayFacts): { ndjson: string; rows: TeamDay[] } {
    if (this.#today?.day === f.day && this.#today.facts === f) return this.#today.value;
    const sums = new Map<string, { active: number; metrics: Counters }>();
    let ndjson = "";
    const ids = [...f.analysis.identities].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
    for (const i of ids) {
      const teams = this.#teamsOf(i.name);
      if (teams.length === 0) continue;
      const userId = userIdOf(i.key);
      for (const t of teams) {
        ndjson += JSON.stringify({
          user_id: userId,
          user_login: i.name,
          day: f.day,
          enterprise_id: this.ctx.enterpriseId,
          team_id: t.teamId,
          slug: t.slug,
        }) + "\n";
        let s = sums.get(t.slug);
        if (!s) sums.set(t.slug, s = { active: 0, metrics: emptyCounters() });
        s.active++;
        addCounters(s.metrics, i.counters);
      }
    }
    const rows: TeamDay[] = [];
    for (const t of this.#eligible.values()) {
      const s = sums.get(t.slug);
      rows.push({
        day: f.day,
        slug: t.slug,
        teamId: t.teamId,
        activeUsers: s?.active ?? 0,
        metrics: s?.metrics ?? emptyCounters(),
      });
    }
    const value = { ndjson, rows };
    this.#today = { day: f.day, facts: f, value };
    return value;
  }

  protected async writeDay(f: DayFacts, perDay: boolean): Promise<void> {
    const { ndjson, rows } = this.dayOf(f);
    if (perDay) {
      await this.files.dayFile(paths.dayFile(f.day, USER_TEAMS_1), ndjson);
      const extra = Object.keys(f.analysis.totals).filter((k) => !isKnownCounter(k)).sort();
      await this.files.dayFile(paths.dayFile(f.day, TEAM_DAY), teamCsv(rows, extra));
    }
    for (const t of f.targets) {
      let list = this.#days.get(t.dir);
      if (!list) this.#days.set(t.dir, list = []);
      list.push(...rows);
    }
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const t = r.target;
    const rows = this.#days.get(t.dir) ?? [];
    this.#days.delete(t.dir);
    this.#finished.set(t.name, rows);
    await this.files.write(paths.targetFile(t, TEAM_DAY), teamCsv(rows, t.extraCounters));
    // Each team's members active in the range, as the reports name them (for `serve`'s
    // team members endpoint, which dashboards use to filter the users reports by team).
    const active = new Map<string, { login: string; id: number }[]>();
    for (const u of r.userActivity) {
      for (const team of this.#teamsOf(u.identity)) {
        let list = active.get(team.slug);
        if (!list) active.set(team.slug, list = []);
        list.push({ login: u.identity, id: userIdOf(`${u.kind}:${u.identity}`) });
      }
    }
    await this.files.write(
      paths.targetFile(t, TEAMS_JSON),
      pretty(this.teams.map((x) => ({
        id: x.teamId,
        slug: x.slug,
        members: x.members,
        active_members: (active.get(x.slug) ?? []).sort((a, b) =>
          a.login < b.login ? -1 : a.login > b.login ? 1 : 0
        ),
      }))),
    );
    if (this.o.onWarning) {
      const active = new Set(r.userActivity.map((u) => this.#realOf(u.identity).toLowerCase()));
      const seen = new Set<string>();
      for (const [slug, members] of this.o.teams.members) {
        members.forEach((m, i) => {
          const key = m.toLowerCase();
          if (active.has(key) || seen.has(key)) return;
          seen.add(key);
          // Pseudonymised: the log names the member by its place in the file, not by name.
          const who = this.o.realOf ? `member ${i + 1} of team "${slug}"` : `"${m}"`;
          this.o.onWarning!(
            `Teams file: ${who} has no activity from ${t.range.start} to ${t.range.end}` +
              " (unknown identity, or spelled otherwise than the service sends it)",
          );
        });
      }
    }
  }

  /** Per-team totals of a finished target, for the aggregate. */
  aggregateOf(r: RangeFacts): Record<string, unknown> {
    const rows = this.#finished.get(r.target.name) ?? [];
    return {
      teams: this.teams.map((t) => {
        const days = rows.filter((x) => x.slug === t.slug);
        const metrics = emptyCounters();
        for (const d of days) addCounters(metrics, d.metrics);
        return {
          team_id: t.teamId,
          slug: t.slug,
          members: t.members,
          metrics,
          days: days.map((d) => ({ day: d.day, active_users: d.activeUsers, metrics: d.metrics })),
        };
      }),
    };
  }
}

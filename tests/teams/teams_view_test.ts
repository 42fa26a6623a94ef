/**
 * Team outputs of a run against the simulator: user-teams-1-day rows in GitHub's shape, teams
 * below the minimum size nowhere, per-team day totals equal to the sums of their members'
 * rows; and the seats file with its inactive counts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { startSimulator } from "../../src/simulator/mod.ts";
import { parseTeams } from "../../src/teams/teams_file.ts";
import { teamIdOf } from "../../src/teams/teams_file.ts";
import { addDays } from "../../src/model/dates.ts";
import { KNOWN_COUNTERS } from "../../src/model/metrics.ts";
import { userIdOf } from "../../src/copilot/user_id.ts";
import { validate } from "../fixtures/schemas.ts";
import { withTempDir } from "../e2e/helpers.ts";
import { exportInto, identities, NOW, outputFiles, readCsv, USERS } from "./_run.ts";

Deno.test("teams: user-teams-1-day rows, small teams left out, team totals add up", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: USERS });
  const ids = identities();
  const names = ids.map((i) => i.name);
  // "platform": 6 members (one spelled in capitals, one unknown); "tiny": 2 members.
  const platform = [...names.slice(0, 5).map((n, i) => i === 0 ? n.toUpperCase() : n), "x@y.z"];
  const teamsText = "identity,team\n" +
    platform.map((n) => `${n},platform`).join("\n") + "\n" +
    `${names[1]},tiny\n${names[6]},tiny\n` +
    names.slice(4, 10).map((n) => `${n},data`).join("\n") + "\n";
  const warnings: string[] = [];
  await withTempDir(async (dir) => {
    await exportInto(sim, dir, join(dir, ".store"), {
      formats: ["csv", "usage-metrics"],
      teams: {
        teams: parseTeams("teams.csv", teamsText),
        onWarning: (w) => warnings.push(w),
      },
    });
    const files = await outputFiles(dir);
    const days = [
      ...new Set(files.filter((f) => f.startsWith("daily/")).map((f) => f.split("/")[1])),
    ]
      .sort();
    assert.equal(days.length, 28);
    assert.ok(files.includes("latest/team_day.csv") && files.includes("latest/teams.json"));

    const memberOf = new Map<string, string[]>();
    for (const [slug, members] of [["platform", platform], ["data", names.slice(4, 10)]] as const) {
      for (const m of members) {
        memberOf.set(m.toLowerCase(), [...(memberOf.get(m.toLowerCase()) ?? []), slug]);
      }
    }
    let rowsSeen = 0;
    const expected = new Map<string, Record<string, number>>(); // `${day}/${slug}` → sums
    for (const day of days) {
      const users = (await Deno.readTextFile(join(dir, `daily/${day}/users-1-day.ndjson`)))
        .split("\n").filter(Boolean).map((l) => JSON.parse(l));
      const rows = (await Deno.readTextFile(join(dir, `daily/${day}/user-teams-1-day.ndjson`)))
        .split("\n").filter(Boolean).map((l) => JSON.parse(l));
      const want = users.flatMap((u) =>
        (memberOf.get(u.user_login.toLowerCase()) ?? []).map((slug) => `${u.user_login}/${slug}`)
      ).sort();
      assert.deepEqual(rows.map((r) => `${r.user_login}/${r.slug}`).sort(), want, day);
      for (const r of rows) {
        assert.deepEqual(validate("copilot-usage-metrics-report-user-teams.schema.json", r), []);
        assert.deepEqual(Object.keys(r), [
          "user_id",
          "user_login",
          "day",
          "enterprise_id",
          "team_id",
          "slug",
        ]);
        const user = users.find((u) => u.user_login === r.user_login);
        assert.equal(r.user_id, user.user_id, "the user_id of users-1-day");
        assert.equal(r.day, day);
        assert.equal(r.enterprise_id, "e1");
        assert.equal(r.team_id, teamIdOf(r.slug));
        assert.notEqual(r.slug, "tiny", "a team below the minimum is never written");
        rowsSeen++;
      }
      // Expected team sums from the per-identity CSV of the day.
      for (const row of await readCsv(join(dir, `daily/${day}/metrics.csv`))) {
        for (const slug of memberOf.get(row.identity.toLowerCase()) ?? []) {
          const key = `${day}/${slug}`;
          const sums = expected.get(key) ?? { active_users: 0 };
          sums.active_users++;
          for (const c of KNOWN_COUNTERS) sums[c] = (sums[c] ?? 0) + Number(row[c]);
          expected.set(key, sums);
        }
      }
    }
    assert.ok(rowsSeen > 100, `${rowsSeen} rows`);

    const teamDay = await readCsv(join(dir, "latest/team_day.csv"));
    assert.equal(teamDay.length, 28 * 2, "one row per day and team written");
    const daily = [];
    for (const day of days) daily.push(...await readCsv(join(dir, `daily/${day}/team_day.csv`)));
    assert.deepEqual(daily, teamDay, "the daily team CSVs are the range's rows");
    for (const row of teamDay) {
      assert.ok(row.slug === "platform" || row.slug === "data");
      assert.equal(Number(row.team_id), teamIdOf(row.slug));
      const want = expected.get(`${row.day}/${row.slug}`) ?? { active_users: 0 };
      assert.equal(Number(row.active_users), want.active_users, `${row.day} ${row.slug}`);
      for (const c of KNOWN_COUNTERS) assert.equal(Number(row[c]), want[c] ?? 0, c);
    }
    const teams = JSON.parse(await Deno.readTextFile(join(dir, "latest/teams.json")));
    assert.deepEqual(
      teams.map((t: { id: number; slug: string; members: number }) => [t.id, t.slug, t.members]),
      [[teamIdOf("data"), "data", 6], [teamIdOf("platform"), "platform", 6]],
    );
    // Each team's members active in the window, once each, in order, all of the team.
    for (const t of teams) {
      const logins: string[] = t.active_members.map((m: { login: string }) => m.login);
      assert.ok(logins.length > 0);
      assert.deepEqual(logins, [...new Set(logins)].sort());
      assert.ok(logins.every((l) => memberOf.get(l.toLowerCase())?.includes(t.slug)));
    }
    const agg = JSON.parse(await Deno.readTextFile(join(dir, "latest/aggregated_metrics.json")));
    assert.deepEqual(agg.augment.teams.map((t: { slug: string }) => t.slug), ["data", "platform"]);
    const platformTotal = teamDay.filter((r) => r.slug === "platform")
      .reduce((n, r) => n + Number(r.total_messages), 0);
    assert.equal(agg.augment.teams[1].metrics.total_messages, platformTotal);
    assert.equal(agg.augment.teams[1].days.length, 28);

    assert.deepEqual(warnings.filter((w) => w.includes('"x@y.z"')).length, 1, warnings.join("\n"));
  });
});

Deno.test("--team-min-size: a lower minimum writes the small team too", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: USERS });
  const names = identities().map((i) => i.name);
  await withTempDir(async (dir) => {
    await exportInto(sim, dir, join(dir, ".store"), {
      formats: ["csv"],
      teams: {
        teams: parseTeams("t.json", JSON.stringify({ tiny: names.slice(0, 2) })),
        minSize: 2,
      },
    });
    const teamDay = await readCsv(join(dir, "latest/team_day.csv"));
    assert.deepEqual([...new Set(teamDay.map((r) => r.slug))], ["tiny"]);
  });
});

Deno.test("seats: every identity with first and last day, last editor, inactive counts", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: USERS });
  await withTempDir(async (dir) => {
    await exportInto(sim, dir, join(dir, ".store"), { formats: ["csv", "html", "seats"] });
    const first = new Map<string, string>();
    const last = new Map<string, string>();
    const files = await outputFiles(dir);
    const days = [
      ...new Set(files.filter((f) => f.startsWith("daily/")).map((f) => f.split("/")[1])),
    ]
      .sort();
    const kindOf = new Map<string, string>();
    for (const day of days) {
      for (const row of await readCsv(join(dir, `daily/${day}/metrics.csv`))) {
        if (!first.has(row.identity)) first.set(row.identity, day);
        last.set(row.identity, day);
        kindOf.set(row.identity, row.identity_kind);
      }
    }
    const seats = JSON.parse(await Deno.readTextFile(join(dir, "latest/seats_latest.json")));
    assert.equal(seats.total_seats, first.size);
    assert.deepEqual(
      seats.seats.map((s: { assignee: { login: string } }) => s.assignee.login),
      [
        ...first.keys(),
      ].sort(),
    );
    for (const s of seats.seats) {
      const login = s.assignee.login;
      assert.equal(s.created_at, `${first.get(login)}T00:00:00Z`);
      assert.equal(s.last_activity_at, `${last.get(login)}T00:00:00Z`);
      assert.equal(s.assignee.id, userIdOf(`${kindOf.get(login)}:${login}`));
      assert.equal(typeof s.last_activity_editor, "string");
      assert.equal(s.plan_type, "business");
    }
    const end = days.at(-1)!;
    for (const n of [7, 14, 28]) {
      const since = addDays(end, -(n - 1));
      const inactive = [...last.values()].filter((d) => d < since).length;
      assert.equal(seats.augment.inactive[`${n}_days`], inactive, `${n} days`);
    }
    assert.ok(seats.augment.inactive["7_days"] > 0, "the simulator has dormant identities");
    const agg = JSON.parse(await Deno.readTextFile(join(dir, "latest/aggregated_metrics.json")));
    assert.deepEqual(agg.augment.seats, seats.augment);
    const html = await Deno.readTextFile(join(dir, "latest/report.html"));
    for (const n of [7, 14, 28]) {
      const m = new RegExp(
        `data-inactive-days="${n}"><th[^>]*>[^<]*</th><td class="num" data-v="(\\d+)"`,
      )
        .exec(html);
      assert.ok(m, `the report's ${n}-day row`);
      assert.equal(Number(m[1]), seats.augment.inactive[`${n}_days`]);
    }
  });
});

Deno.test("team_day warehouse table: Parquet and NDJSON rows equal latest/team_day.csv", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: USERS });
  const names = identities().map((i) => i.name);
  const teams = parseTeams(
    "t.json",
    JSON.stringify({ a: names.slice(0, 6), b: names.slice(6, 12) }),
  );
  await withTempDir(async (dir) => {
    await exportInto(sim, dir, join(dir, ".store"), {
      formats: ["csv", "parquet", "ndjson-tables"],
      teams: { teams },
    });
    const csv = await readCsv(join(dir, "latest/team_day.csv"));
    const want = csv.map((r) => `${r.day}|${r.slug}|${r.active_users}|${r.total_messages}`).sort();
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      for (const [root, reader] of [["tables", "read_parquet"], ["tables-ndjson", "read_json"]]) {
        const sql = `SELECT CAST(day AS VARCHAR) AS day, slug, active_users, total_messages, ` +
          `members, team_id, enterprise_id FROM ${reader}('${dir}/${root}/team_day/day=*/part-0.*', ` +
          `hive_partitioning = true)`;
        const rows = (await conn.runAndReadAll(sql)).getRowObjectsJson();
        assert.deepEqual(
          rows.map((r) => `${r.day}|${r.slug}|${r.active_users}|${r.total_messages}`).sort(),
          want,
          root,
        );
        for (const r of rows) {
          assert.equal(String(r.team_id), String(teamIdOf(String(r.slug))));
          assert.equal(String(r.members), "6");
          assert.equal(r.enterprise_id, "e1");
        }
        const schema = JSON.parse(
          await Deno.readTextFile(join(dir, root, "team_day", "_schema.json")),
        );
        assert.equal(schema.table, "team_day");
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

/** The teams file: CSV and JSON, the warnings of bad rows, the errors of bad files. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/errors.ts";
import { isSlug, parseCsv, parseTeams, readTeams, teamIdOf } from "../../src/teams/teams_file.ts";
import { withTempDir } from "../e2e/helpers.ts";

Deno.test("a CSV with a header maps identities to teams, many-to-many, ignoring case", () => {
  const t = parseTeams(
    "teams.csv",
    '\uFEFFEmail,Team\r\nalice@x.com,frontend\r\nALICE@x.com,backend\n"bob@x.com",frontend\n',
  );
  assert.deepEqual(t.of("Alice@X.com"), ["backend", "frontend"]);
  assert.deepEqual(t.of("bob@x.com"), ["frontend"]);
  assert.deepEqual(t.of("carol@x.com"), []);
  assert.deepEqual([...t.members.keys()].sort(), ["backend", "frontend"]);
  assert.deepEqual(t.members.get("frontend"), ["alice@x.com", "bob@x.com"]);
  assert.deepEqual(t.warnings, []);
});

Deno.test("JSON: slug → identities, or {identity, team} rows; both give the same teams", () => {
  const a = parseTeams("t.json", '{"frontend": ["a@x", "b@x"], "backend": ["a@x"]}');
  const b = parseTeams(
    "t.json",
    '[{"identity":"a@x","team":"frontend"},{"identity":"b@x","team":"frontend"},' +
      '{"identity":"a@x","team":"backend"}]',
  );
  assert.deepEqual(a.of("a@x"), ["backend", "frontend"]);
  assert.deepEqual(b.of("a@x"), ["backend", "frontend"]);
  assert.equal(a.key, b.key, "the same teams: the same manifest key");
  assert.notEqual(a.key, parseTeams("t.json", '{"frontend": ["a@x"]}').key);
});

Deno.test("bad slugs, duplicate rows and rows without identity: one warning each, never a crash", () => {
  const t = parseTeams(
    "teams.csv",
    [
      "identity,team,comment",
      "a@x,Front End,typo",
      "a@x,frontend,",
      "a@x,frontend,again",
      ",frontend,",
      "b@x,-bad-,",
      "c@x,ok_team-2,",
    ].join("\n"),
  );
  assert.equal(t.warnings.length, 4, t.warnings.join("\n"));
  assert.match(t.warnings[0], /line 2: "Front End" is not a team slug.*did you mean "front-end"/);
  assert.match(t.warnings[1], /line 4: a duplicate row of team "frontend"/);
  assert.match(t.warnings[2], /line 5: no identity/);
  assert.match(t.warnings[3], /line 6: "-bad-" is not a team slug/);
  assert.ok(!t.warnings.some((w) => w.includes("a@x")), "warnings name rows, not identities");
  assert.deepEqual(t.of("a@x"), ["frontend"]);
  assert.deepEqual(t.of("c@x"), ["ok_team-2"]);
});

Deno.test("GitHub's slug rules; team ids are stable and distinct", () => {
  for (const ok of ["a", "frontend", "team-2", "data_eng", "x".repeat(100)]) {
    assert.ok(isSlug(ok), ok);
  }
  for (const bad of ["", "Frontend", "-a", "a-", "a b", "é", "x".repeat(101)]) {
    assert.ok(!isSlug(bad), bad);
  }
  assert.equal(teamIdOf("frontend"), teamIdOf("frontend"));
  assert.notEqual(teamIdOf("frontend"), teamIdOf("backend"));
  assert.ok(Number.isSafeInteger(teamIdOf("frontend")) && teamIdOf("frontend") >= 0);
});

Deno.test("CSV quoting: quoted commas and doubled quotes; an open quote is an error", () => {
  assert.deepEqual(parseCsv('a,"b,c","d""e"\r\n\r\nf,g'), [["a", "b,c", 'd"e'], ["f", "g"]]);
  assert.throws(() => parseCsv('a,"b'), /not closed/);
});

Deno.test("a file that cannot be used is a usage error naming the file and the fix", async () => {
  await withTempDir(async (dir) => {
    const cases: [string, string | null, RegExp][] = [
      ["missing.csv", null, /no such file/],
      ["noheader.csv", "alice@x,frontend\n", /header needs an identity column/],
      ["empty.csv", "", /the file is empty/],
      ["open.csv", 'identity,team\n"a@x,frontend\n', /invalid CSV/],
      ["bad.json", "{nope", /invalid JSON/],
      ["shape.json", '{"frontend": "a@x"}', /JSON must map team slugs/],
    ];
    for (const [name, text, problem] of cases) {
      const path = join(dir, name);
      if (text !== null) await Deno.writeTextFile(path, text);
      const e = await readTeams(path).then(() => undefined, (e) => e);
      assert.ok(e instanceof UsageError, `${name}: ${e}`);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, problem, name);
      assert.ok(e.message.includes(path), `${name}: names the file`);
      assert.match(e.hint ?? "", /identity,team/);
    }
  });
});

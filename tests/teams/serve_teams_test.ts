/**
 * `serve` over a folder exported with `--teams`: `/orgs/{org}/teams` in GitHub's team shape,
 * paginated with a `Link` header, and the `user-teams-1-day` report (org and enterprise) as
 * signed download links to the day's rows; a folder without teams answers an empty list and
 * 404 for the report.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServe } from "../../src/serve/server.ts";
import { startSimulator } from "../../src/simulator/mod.ts";
import { parseTeams, teamIdOf } from "../../src/teams/teams_file.ts";
import { withTempDir } from "../e2e/helpers.ts";
import { validate } from "../fixtures/schemas.ts";
import { exportInto, identities, NOW, USERS } from "./_run.ts";

const TOKEN = "serve-teams-test-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const quiet = { info() {}, warn() {}, error() {} };

Deno.test("serve: /orgs/{org}/teams and user-teams-1-day from a folder exported with --teams", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: USERS });
  const names = identities().map((i) => i.name);
  const teams = parseTeams(
    "t.json",
    JSON.stringify({
      alpha: names.slice(0, 5),
      beta: names.slice(3, 9),
      gamma: names.slice(10, 16),
      tiny: names.slice(0, 2),
    }),
  );
  await withTempDir(async (dir) => {
    await exportInto(sim, dir, join(dir, ".store"), {
      formats: ["usage-metrics"],
      teams: { teams },
    });
    await using s = await startServe({
      outputDir: dir,
      hostname: "127.0.0.1",
      port: 0,
      tokens: [TOKEN],
      org: "Acme",
      enterprise: "acme-ent",
      log: quiet,
      pollMs: 0,
    });

    // Teams, two a page: alpha, beta | gamma. "tiny" is below the minimum: never listed.
    const first = await fetch(`${s.url}/orgs/acme/teams?per_page=2`, { headers: AUTH });
    assert.equal(first.status, 200);
    const page1 = await first.json();
    assert.deepEqual(page1.map((t: { slug: string }) => t.slug), ["alpha", "beta"]);
    const link = first.headers.get("link") ?? "";
    assert.match(link, /page=2>; rel="next"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)![1];
    const page2 = await (await fetch(next, { headers: AUTH })).json();
    assert.deepEqual(page2.map((t: { slug: string }) => t.slug), ["gamma"]);
    const t = page1[0];
    assert.equal(t.id, teamIdOf("alpha"));
    assert.equal(t.name, "alpha");
    assert.equal(t.html_url, "https://github.com/orgs/acme/teams/alpha");
    for (
      const k of ["node_id", "url", "members_url", "repositories_url", "privacy", "permission"]
    ) {
      assert.equal(typeof t[k], "string", k);
    }
    assert.equal(t.parent, null);
    assert.equal((await fetch(`${s.url}/orgs/acme/teams`)).status, 401);
    // A team's members (what copilot-metrics-viewer asks when a team is picked): the members
    // active in the latest window, named and numbered as in the users report.
    const members = await fetch(`${s.url}/orgs/acme/teams/alpha/members?per_page=100`, {
      headers: AUTH,
    });
    assert.equal(members.status, 200);
    const listed: { login: string; id: number; type: string }[] = await members.json();
    const users28 = (await Deno.readTextFile(join(dir, "latest", "users-28-day.ndjson")))
      .trim().split("\n").map((l) => JSON.parse(l));
    const alpha = new Set(names.slice(0, 5));
    // One row per identity and day: each member once, with the report's user_id.
    const byLogin = new Map<string, number>();
    for (const u of users28) if (alpha.has(u.user_login)) byLogin.set(u.user_login, u.user_id);
    const expected = [...byLogin].map(([login, id]) => ({ login, id }))
      .sort((a, b) => a.login < b.login ? -1 : 1);
    assert.ok(expected.length > 0);
    assert.deepEqual(listed.map((m) => ({ login: m.login, id: m.id })), expected);
    assert.ok(listed.every((m) => m.type === "User"));
    assert.equal(
      (await fetch(`${s.url}/orgs/acme/teams/tiny/members`, { headers: AUTH })).status,
      404,
      "a team below the minimum size is not there",
    );
    assert.equal((await fetch(`${s.url}/orgs/acme/teams/alpha/members`)).status, 401);
    // A later export with other teams: the list follows teams.json, never a cached answer.
    const teamsFile = join(dir, "latest", "teams.json");
    const written = JSON.parse(await Deno.readTextFile(teamsFile));
    await Deno.writeTextFile(teamsFile, JSON.stringify(written.slice(0, 1)));
    const after = await (await fetch(`${s.url}/orgs/acme/teams?per_page=2`, { headers: AUTH }))
      .json();
    assert.deepEqual(after.map((t: { slug: string }) => t.slug), ["alpha"]);
    await Deno.writeTextFile(teamsFile, JSON.stringify(written));

    // The report of a day: signed links, the same rows as the day's file.
    const day = "2026-11-19";
    const file = await Deno.readTextFile(join(dir, "daily", day, "user-teams-1-day.ndjson"));
    assert.ok(file.length > 0);
    for (const scope of ["orgs/acme", "enterprises/acme-ent"]) {
      const res = await fetch(
        `${s.url}/${scope}/copilot/metrics/reports/user-teams-1-day?day=${day}`,
        { headers: AUTH },
      );
      assert.equal(res.status, 200, scope);
      const body = await res.json();
      assert.equal(body.report_day, day);
      assert.equal(body.download_links.length, 1);
      const dl = await fetch(body.download_links[0]); // signed: no token needed
      assert.equal(dl.status, 200);
      const text = await dl.text();
      assert.equal(text, file);
      for (const line of text.split("\n").filter(Boolean)) {
        assert.deepEqual(
          validate("copilot-usage-metrics-report-user-teams.schema.json", JSON.parse(line)),
          [],
        );
      }
    }
    const outside = await fetch(
      `${s.url}/orgs/acme/copilot/metrics/reports/user-teams-1-day?day=2020-01-01`,
      { headers: AUTH },
    );
    assert.equal(outside.status, 404);
    await outside.body?.cancel();
  });

  await withTempDir(async (dir) => {
    await exportInto(sim, dir, join(dir, ".store"), { formats: ["usage-metrics"] });
    await using s = await startServe({
      outputDir: dir,
      hostname: "127.0.0.1",
      port: 0,
      tokens: [TOKEN],
      org: "Acme",
      enterprise: "acme-ent",
      log: quiet,
      pollMs: 0,
    });
    assert.deepEqual(await (await fetch(`${s.url}/orgs/acme/teams`, { headers: AUTH })).json(), []);
    const res = await fetch(
      `${s.url}/orgs/acme/copilot/metrics/reports/user-teams-1-day?day=2026-11-19`,
      { headers: AUTH },
    );
    assert.equal(res.status, 404);
    assert.match((await res.json()).message, /without --teams/);
  });
});

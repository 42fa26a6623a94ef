/**
 * `export --pseudonymize --teams` as users run it (the bundle, as a subprocess): the key and the
 * teams file checked before anything is written, no identity in any written file, and a folder
 * never mixing real identities and pseudonyms.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { runCli, withTempDir } from "../e2e/helpers.ts";
import { identities, outputFiles, USERS } from "../teams/_run.ts";

const NOW = "2026-11-20T12:00:00Z";
const KEY = "cli-test-key-9f86d081884c7d659a2feaa0c55ad015";

Deno.test("export --pseudonymize --teams: checked first, no identity written, no mixed folder", async () => {
  await using sim = await startSimulator({
    now: () => Date.parse(NOW),
    rateLimit: false,
    users: USERS,
  });
  await withTempDir(async (dir) => {
    const names = identities().map((i) => i.name);
    const teams = join(dir, "teams.csv");
    await Deno.writeTextFile(
      teams,
      "identity,team\n" + names.slice(0, 5).map((n) => `${n},platform`).join("\n") +
        "\nnobody@example.org,platform\nsomeone,Bad Slug\n",
    );
    const env = (extra: Record<string, string> = {}) => ({
      HOME: dir,
      AUGMENT_API_BASE_URL: sim.url,
      AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
      AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
      AUGMENT_RATE_LIMIT_BURST: "100",
      ...extra,
    });
    const out = join(dir, "out");
    const args = (o: string) => [
      "--now",
      NOW,
      "--output-dir",
      o,
      "--store-dir",
      join(dir, "store"),
      "--format",
      "csv,usage-metrics,html,seats",
      "--teams",
      teams,
    ];
    const nothingWritten = async (what: string) =>
      assert.ok(
        await Deno.stat(out).then(() => false, () => true),
        `${what}: nothing written`,
      );

    // Refused before anything is written or requested: no key, a short key, a bad teams file.
    const before = sim.stats.requests;
    for (
      const [extra, flags, problem] of [
        [{}, ["--pseudonymize"], /--pseudonymize needs a key in AUGMENT_PSEUDONYMIZE_KEY/],
        [{ AUGMENT_PSEUDONYMIZE_KEY: "Zq9-tiny" }, ["--pseudonymize"], /too short/],
        [{}, ["--teams", join(dir, "missing.csv")], /Cannot read the teams file .*no such file/],
      ] as const
    ) {
      const r = await runCli([...args(out), ...flags], { env: env(extra), cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, problem);
      assert.ok(!r.stderr.includes("Zq9-tiny"), "the key is never shown");
      await nothingWritten(flags.join(" "));
    }
    assert.equal(sim.stats.requests, before, "no request made");

    const r = await runCli([...args(out), "--pseudonymize"], {
      env: env({ AUGMENT_PSEUDONYMIZE_KEY: KEY }),
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /"Bad Slug" is not a team slug/);
    assert.match(r.stderr, /member 6 of team "platform" has no activity/);
    const files = await outputFiles(out);
    for (
      const f of [
        "latest/seats_latest.json",
        "latest/team_day.csv",
        "latest/report.html",
        "daily/2026-11-19/user-teams-1-day.ndjson",
      ]
    ) assert.ok(files.includes(f), f);
    for (const f of files) {
      const text = await Deno.readTextFile(join(out, f));
      for (const n of [...names, "nobody@example.org"]) {
        assert.ok(!text.includes(n), `${n} in ${f}`);
      }
      assert.ok(!text.includes(KEY), `the key in ${f}`);
    }
    for (const text of [r.stdout, r.stderr]) {
      assert.ok(!text.includes(KEY));
      for (const n of names) assert.ok(!text.includes(n), `${n} in the log`);
    }
    const rows = (await Deno.readTextFile(join(out, "daily/2026-11-19/user-teams-1-day.ndjson")))
      .split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(rows.length > 0 && rows.every((x) => /^user-[a-z2-7]{16}$/.test(x.user_login)));

    // The same folder without pseudonyms, or a plain folder with them: refused, nothing changed.
    const plain = await runCli(args(out), { env: env(), cwd: dir });
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /holds pseudonymised outputs/);
    const other = join(dir, "plain");
    assert.equal((await runCli(args(other), { env: env(), cwd: dir })).code, 0);
    const mixed = await runCli([...args(other), "--pseudonymize"], {
      env: env({ AUGMENT_PSEUDONYMIZE_KEY: KEY }),
      cwd: dir,
    });
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /holds outputs with real identities/);
    for (const f of await outputFiles(out)) {
      const text = await Deno.readTextFile(join(out, f));
      for (const n of names) assert.ok(!text.includes(n), `${n} in ${f} after the refused runs`);
    }
  });
});

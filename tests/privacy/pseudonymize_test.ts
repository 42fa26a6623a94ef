/**
 * Pseudonymised outputs: no real identity in any file of any format (Parquet read back with
 * DuckDB), the same numbers as without pseudonyms, the same pseudonyms with the same key, and
 * teams matched on the real identities.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { UsageError } from "../../src/errors.ts";
import { claimOutputFolder, MARKER } from "../../src/privacy/folder.ts";
import { Pseudonymizer, pseudonymizerFor } from "../../src/privacy/pseudonym.ts";
import { startSimulator } from "../../src/simulator/mod.ts";
import { parseTeams } from "../../src/teams/teams_file.ts";
import { FORMATS } from "../../src/views/formats.ts";
import { withTempDir } from "../e2e/helpers.ts";
import { exportInto, identities, NOW, outputFiles, USERS } from "../teams/_run.ts";

const KEY = "0123456789abcdef0123456789abcdef-test-key";

Deno.test("pseudonyms: keyed, stable, login-like, distinct per kind; short or missing key refused", () => {
  const a = new Pseudonymizer(KEY);
  const b = new Pseudonymizer(KEY);
  const other = new Pseudonymizer(KEY + "x");
  const p = a.of("dev001@example.com", "user");
  assert.match(p, /^user-[a-z2-7]{16}$/);
  assert.equal(b.of("dev001@example.com", "user"), p, "same key, same pseudonym");
  assert.notEqual(other.of("dev001@example.com", "user"), p, "another key, another pseudonym");
  assert.match(a.of("dev001@example.com", "service_account"), /^sa-[a-z2-7]{16}$/);
  assert.notEqual(a.of("dev002@example.com", "user"), p);
  assert.equal(a.realOf(p), "dev001@example.com");
  assert.equal(b.keyId, a.keyId);
  assert.notEqual(other.keyId, a.keyId);
  assert.ok(!a.keyId.includes(KEY.slice(0, 8)));

  assert.equal(pseudonymizerFor(false, () => undefined), undefined);
  for (const key of [undefined, "", "Zq9-secret"]) {
    const e = (() => {
      try {
        pseudonymizerFor(true, () => key);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(e instanceof UsageError, String(key));
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /AUGMENT_PSEUDONYMIZE_KEY/);
    if (key) assert.ok(!e.message.includes(key) && !(e.hint ?? "").includes(key), "never shown");
  }
});

/** Every text of a folder's outputs, Parquet tables read back as JSON rows. */
async function allText(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    for (const f of await outputFiles(dir)) {
      if (f.endsWith(".parquet")) {
        const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${join(dir, f)}')`))
          .getRowObjectsJson();
        assert.ok(rows.length >= 0);
        out.set(f, JSON.stringify(rows));
      } else out.set(f, await Deno.readTextFile(join(dir, f)));
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return out;
}

Deno.test("--pseudonymize: no identity in any file of any format; numbers and teams unchanged", async () => {
  await using sim = await startSimulator({ now: () => NOW, rateLimit: false, users: USERS });
  const ids = identities();
  const teamsText = JSON.stringify({ platform: ids.slice(0, 6).map((i) => i.name) });
  await withTempDir(async (root) => {
    const store = join(root, "store");
    const plain = join(root, "plain");
    const pseudo = join(root, "pseudo");
    const again = join(root, "again");
    const formats = [...FORMATS];
    await exportInto(sim, plain, store, {
      formats,
      teams: { teams: parseTeams("t.json", teamsText) },
    });
    const run = async (dir: string) => {
      const p = new Pseudonymizer(KEY);
      await claimOutputFolder(dir, p);
      await exportInto(sim, dir, store, {
        formats,
        identities: p,
        teams: { teams: parseTeams("t.json", teamsText), realOf: (n) => p.realOf(n) },
      });
    };
    await run(pseudo);
    await run(again);

    const plainText = await allText(plain);
    const pseudoText = await allText(pseudo);
    assert.deepEqual([...pseudoText.keys()], [...plainText.keys()], "the same files");
    assert.ok(pseudoText.has("latest/report.html") && pseudoText.has("latest/seats_latest.json"));
    assert.ok([...pseudoText.keys()].some((f) => f.endsWith(".parquet")));
    // Every real identity appears in the plain outputs, none in the pseudonymised ones.
    const plainAll = [...plainText.values()].join("\n");
    for (const { name } of ids) {
      if (!plainAll.includes(name)) continue; // never active in the window
      for (const [f, text] of pseudoText) {
        assert.ok(!text.includes(name), `${name} in ${f}`);
      }
    }
    for (const [f, text] of pseudoText) {
      assert.ok(!/example\.com|ci-bot-/.test(text), `an identity in ${f}`);
      assert.ok(!text.includes(KEY), `the key in ${f}`);
    }
    assert.match(pseudoText.get("latest/metrics.csv")!, /user-[a-z2-7]{16}/);
    assert.match(pseudoText.get("latest/credits.csv") ?? "", /user-[a-z2-7]{16}/, "credits too");

    // Same key, same files, byte for byte (but for the run time).
    const againText = await allText(again);
    const stamp = (t: string) =>
      t.replace(/"created_at": "[^"]+"/g, "").replace(/Generated [^<]*/g, "");
    for (const [f, text] of pseudoText) {
      if (f === "last_run.json") continue;
      assert.equal(stamp(againText.get(f)!), stamp(text), f);
    }

    // Numbers unchanged: aggregate, entity reports and team totals equal the plain run's.
    const json = (m: Map<string, string>, f: string) => {
      const v = JSON.parse(m.get(f)!);
      delete v.created_at;
      return v;
    };
    for (const f of ["latest/enterprise-28-day.json", "latest/copilot_metrics.json"]) {
      assert.deepEqual(json(pseudoText, f), json(plainText, f), f);
    }
    const aggPlain = json(plainText, "latest/aggregated_metrics.json");
    const aggPseudo = json(pseudoText, "latest/aggregated_metrics.json");
    assert.deepEqual(aggPseudo, aggPlain, "aggregate and team totals unchanged");
    assert.equal(aggPseudo.augment.teams[0].slug, "platform", "teams matched on real identities");
    assert.equal(
      pseudoText.get("latest/team_day.csv"),
      plainText.get("latest/team_day.csv"),
      "team_day.csv unchanged",
    );
    const userTeams = (m: Map<string, string>) =>
      [...m].filter(([f]) => f.endsWith("user-teams-1-day.ndjson")).map(([, t]) => t).join("")
        .split("\n").filter(Boolean).length;
    assert.equal(userTeams(pseudoText), userTeams(plainText));
    assert.ok(userTeams(pseudoText) > 0);
  });
});

Deno.test("an output folder holds real identities or one key's pseudonyms, never a mix", async () => {
  await withTempDir(async (dir) => {
    const p = new Pseudonymizer(KEY);
    await claimOutputFolder(dir, p); // empty: marked
    assert.equal((await Deno.readTextFile(join(dir, MARKER))).trim(), p.keyId);
    await Deno.writeTextFile(join(dir, ".manifest.json"), "{}");
    await claimOutputFolder(dir, new Pseudonymizer(KEY)); // the same key: fine
    await assert.rejects(claimOutputFolder(dir, new Pseudonymizer(KEY + "2")), /another/);
    await assert.rejects(claimOutputFolder(dir, undefined), /holds pseudonymised outputs/);
    await Deno.remove(join(dir, MARKER));
    await assert.rejects(claimOutputFolder(dir, p), /holds outputs with real identities/);
    await claimOutputFolder(dir, undefined);
  });
});

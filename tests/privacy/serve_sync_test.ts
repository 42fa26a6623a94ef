/**
 * `serve --sync` on a folder exported with `--pseudonymize`: the days its syncs add are
 * pseudonymised too (with the folder's key; without it, exit 2), with the teams of
 * `AUGMENT_TEAMS_FILE`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { ensureBundle, runCli, spawnCli, withTempDir } from "../e2e/helpers.ts";
import { identities, outputFiles, USERS } from "../teams/_run.ts";

const NOW = "2026-11-20T12:00:00Z";
const KEY = "serve-sync-key-0123456789abcdef0123456789";
const TOKEN = "serve-sync-client-token-0123456789";

Deno.test("serve --sync keeps a pseudonymised folder pseudonymised, and needs its key", async () => {
  await ensureBundle();
  await using sim = await startSimulator({
    now: () => Date.parse(NOW),
    rateLimit: false,
    users: USERS,
  });
  await withTempDir(async (dir) => {
    const names = identities().map((i) => i.name);
    const teams = join(dir, "teams.json");
    await Deno.writeTextFile(teams, JSON.stringify({ platform: names.slice(0, 6) }));
    const out = join(dir, "out");
    const env = (extra: Record<string, string> = {}) => ({
      HOME: dir,
      AUGMENT_API_BASE_URL: sim.url,
      AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
      AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
      AUGMENT_SERVE_TOKENS: TOKEN,
      AUGMENT_TEAMS_FILE: teams,
      ...extra,
    });
    // Exported up to 2026-11-15: the sync adds 2026-11-16 to 2026-11-19.
    const first = await runCli(
      [
        "--now",
        NOW,
        "-o",
        out,
        "--start-date",
        "2026-11-01",
        "--end-date",
        "2026-11-15",
        "--pseudonymize",
      ],
      { env: env({ AUGMENT_PSEUDONYMIZE_KEY: KEY }), cwd: dir },
    );
    assert.equal(first.code, 0, first.stderr);

    const noKey = await runCli(
      ["--now", NOW, "serve", "--listen", "127.0.0.1:0", "-o", out, "--sync-every", "1h"],
      { env: env(), cwd: dir },
    );
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /AUGMENT_PSEUDONYMIZE_KEY/);

    const child = spawnCli(
      ["--now", NOW, "serve", "--listen", "127.0.0.1:0", "-o", out, "--sync-every", "1h"],
      { env: env({ AUGMENT_PSEUDONYMIZE_KEY: KEY }), cwd: dir },
    );
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const errText = new Response(child.stderr).text();
    try {
      let text = "";
      let base: string | undefined;
      while (!base) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`serve ended: ${text}`);
        text += value;
        base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      }
      let ready = 0;
      for (let i = 0; i < 150 && ready !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const r = await fetch(`${base}/readyz`);
        await r.body?.cancel();
        ready = r.status;
      }
      assert.equal(ready, 200, await Promise.race([errText, Promise.resolve("")]));
      const files = await outputFiles(out);
      assert.ok(files.includes("daily/2026-11-19/users-1-day.ndjson"), "the sync added days");
      assert.ok(files.includes("daily/2026-11-19/user-teams-1-day.ndjson"), "with teams");
      for (const f of files) {
        const t = await Deno.readTextFile(join(out, f));
        for (const n of names) assert.ok(!t.includes(n), `${n} in ${f}`);
      }
      const teamList = await (await fetch(`${base}/orgs/augment/teams`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })).json();
      assert.deepEqual(teamList.map((t: { slug: string }) => t.slug), ["platform"]);
    } finally {
      child.kill("SIGTERM");
      await reader.cancel().catch(() => {});
      assert.equal((await child.status).code, 0);
      const logs = await errText;
      assert.ok(!logs.includes(KEY), "the key is in no log");
    }
  });
});

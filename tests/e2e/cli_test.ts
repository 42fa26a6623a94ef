/**
 * The CLI as users run it: the bundled program, with the binary's permission flags, as a
 * subprocess, against the built-in simulator.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { ensureBundle, listFiles, runCli, spawnCli, withTempDir } from "./helpers.ts";

/** The tests' "now": 2026-11-20 12:00 UTC, so the last 28 published days are 10-23..11-19. */
const NOW = "2026-11-20T12:00:00Z";
const NOW_MS = Date.parse(NOW);
const FAST = { perMinute: 6000, burst: 20 };

function envFor(url: string, home: string, extra: Record<string, string> = {}) {
  return {
    HOME: home,
    AUGMENT_API_BASE_URL: url,
    AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
    AUGMENT_RATE_LIMIT_PER_MINUTE: String(FAST.perMinute),
    AUGMENT_RATE_LIMIT_BURST: String(FAST.burst),
    ...extra,
  };
}

Deno.test("export --last-28-days writes every format, prints a summary, and a re-run makes no request", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 12 });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = envFor(sim.url, dir);
    const r = await runCli(["--now", NOW, "--last-28-days", "--output-dir", out], {
      env,
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "", "nothing on a non-terminal stderr but warnings");
    assert.match(
      r.stdout,
      /Exported 2026-10-23 to 2026-11-19: 28 days \(0 from the local store\); 55 days fetched/,
    );
    const requests = sim.stats.requests;
    assert.match(r.stdout, new RegExp(`Requests: ${requests} \\(plan minimum ${requests};`));
    assert.match(r.stdout, /Reconciliation: every day's records match daily-usage/);

    const files = await listFiles(out);
    for (
      const expected of [
        "latest/copilot_metrics.json",
        "latest/copilot_usage.json",
        "latest/metrics.csv",
        "latest/metrics_summary.csv",
        "latest/aggregated_metrics.json",
        "latest/enterprise-28-day.json",
        "latest/users-28-day.ndjson",
        "daily/2026-10-23/enterprise-1-day.json",
        "daily/2026-11-19/copilot_metrics.json",
        "daily/2026-11-19/copilot_usage.json",
        "daily/2026-11-19/metrics.csv",
        "daily/2026-11-19/users-1-day.ndjson",
        "last_run.json",
      ]
    ) assert.ok(files.includes(expected), `${expected} in ${files.join(", ")}`);
    assert.ok(!files.some((f) => f.endsWith(".tmp")), "no temporary file left");

    const summary = JSON.parse(await Deno.readTextFile(join(out, "last_run.json")));
    assert.equal(summary.requests, requests);
    assert.equal(summary.planned_minimum_requests, requests);

    // The same range again: everything is in the store.
    const again = await runCli(["--now", NOW, "--last-28-days", "--output-dir", out], {
      env,
      cwd: dir,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(sim.stats.requests, requests, "a re-run makes no request");
    assert.match(again.stdout, /28 from the local store\); 0 days fetched/);
    assert.match(again.stdout, /Wrote 0 files .* \(28 days already current\)/);
  });
});

Deno.test("export --dry-run prints the plan and makes no request, writes nothing", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const r = await runCli(["--now", NOW, "export", "--dry-run", "-o", out], {
      env: envFor(sim.url, dir, { AUGMENT_RATE_LIMIT_PER_MINUTE: "10" }),
    });
    assert.equal(r.code, 0, r.stderr);
    // The range and the 27 days before it, in full.
    assert.match(r.stdout, /daily-user-activity-by-editor-language\s+55\s+~55/);
    assert.match(r.stdout, /At 10 requests a minute \(burst 20\): about/);
    assert.match(r.stdout, /~ = at least: one page a day until a first export/);
    assert.match(r.stdout, /--probe sizes each day with one dau-count request/);
    assert.equal(sim.stats.requests, 0);
    assert.deepEqual(await listFiles(out), []);
  });
});

Deno.test("after a first export, --dry-run estimates from the stored days and agrees with the run", async () => {
  // 150 identities: more than one page of records a day, so the size matters.
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 150 });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = envFor(sim.url, dir);
    const first = await runCli(
      ["--now", NOW, "export", "--start-date", "2026-11-01", "--end-date", "2026-11-12", "-o", out],
      { env },
    );
    assert.equal(first.code, 0, first.stderr);
    sim.resetStats();
    const extend = ["--start-date", "2026-11-01", "--end-date", "2026-11-19", "-o", out];
    const dry = await runCli(["--now", NOW, "export", "--dry-run", ...extend], { env });
    assert.equal(dry.code, 0, dry.stderr);
    // The first run kept its range, latest/'s window and the 27 days before each.
    assert.match(
      dry.stdout,
      /~ = estimated from the median size of the 55 newest stored days, by weekday/,
    );
    const planned = Number(/total\s+~(\d+)/.exec(dry.stdout)?.[1]);
    assert.equal(sim.stats.requests, 0);
    const probed = await runCli(["--now", NOW, "export", "--dry-run", "--probe", ...extend], {
      env,
    });
    assert.equal(probed.code, 0, probed.stderr);
    assert.match(
      probed.stdout,
      /~ = each day's identities from dau-count \(1 request spent on this plan\), records per identity as on the 55 newest stored days/,
    );
    assert.deepEqual(sim.stats.byEndpoint, { "/analytics/v0/dau-count": 1 });
    const probedTotal = Number(/total\s+~(\d+)/.exec(probed.stdout)?.[1]);
    sim.resetStats();
    const run = await runCli(["--now", NOW, "export", ...extend], { env });
    assert.equal(run.code, 0, run.stderr);
    // Seven new days of a steady organisation: both estimates are within a few pages.
    const made = sim.stats.requests;
    assert.ok(made > 7 + 2, `more than one page a day (${made})`);
    assert.ok(Math.abs(made - planned) <= 3, `planned ${planned}, made ${made}`);
    assert.ok(Math.abs(made - probedTotal) <= 2, `probed ${probedTotal}, made ${made}`);
  });
});

Deno.test("--dry-run --probe before a first export spends one dau-count request; --probe alone is a usage error", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 150 });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = envFor(sim.url, dir);
    const alone = await runCli(["--now", NOW, "export", "--probe", "-o", out], { env });
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--probe sizes a plan: use it with --dry-run/);
    assert.equal(sim.stats.requests, 0);
    const dry = await runCli(["--now", NOW, "export", "--dry-run", "--probe", "-o", out], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /\(1 request spent on this plan\), one record an identity/);
    assert.deepEqual(sim.stats.byEndpoint, { "/analytics/v0/dau-count": 1 });
    assert.deepEqual(await listFiles(out), [], "a dry run writes nothing, probe or not");
    const planned = Number(/total\s+~(\d+)/.exec(dry.stdout)?.[1]);
    sim.resetStats();
    const run = await runCli(["--now", NOW, "export", "-o", out], { env });
    assert.equal(run.code, 0, run.stderr);
    // Sized by each day's identities, a lower bound well above one page a day.
    assert.ok(planned > 55 + 2, `sized by identities (${planned})`);
    assert.ok(planned <= sim.stats.requests, `planned ${planned}, made ${sim.stats.requests}`);
  });
});

Deno.test("a typo in .env is a warning line naming the likely setting; the run goes on", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false });
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, ".env"), "AUGMENT_OUTPUT_DIRECTORY=elsewhere\n");
    const r = await runCli(["--now", NOW, "export", "--dry-run"], {
      env: envFor(sim.url, dir),
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr.trim(),
      `warning: Unknown setting "AUGMENT_OUTPUT_DIRECTORY" in "${
        join(dir, ".env")
      }" is ignored; did you mean "AUGMENT_OUTPUT_DIR"?`,
    );
  });
});

Deno.test("usage errors exit 2 with one line and write nothing", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = { HOME: dir, AUGMENT_OUTPUT_DIR: out, AUGMENT_API_TOKEN: SIMULATOR_TOKEN };
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [["--bogus"], /unknown option '--bogus'/i],
      [
        ["export", "--start-date", "2026-13-01", "--end-date", "2026-11-01"],
        /Invalid --start-date "2026-13-01"/,
      ],
      [["export", "--start-date", "2026-11-01"], /Both --start-date and --end-date are needed/],
      [["export", "--start-date", "2026-11-10", "--end-date", "2026-11-01"], /before --start-date/],
      [
        ["--now", NOW, "export", "--start-date", "2026-11-01", "--end-date", "2026-11-20"],
        /yesterday/,
      ],
      [["export", "--last-28-days", "--since-last"], /Choose one range/],
      [["export", "--format", "xml"], /Invalid --format "xml"/],
      [["export"], /AUGMENT_RATE_LIMIT_PER_MINUTE "fast"/, {
        AUGMENT_RATE_LIMIT_PER_MINUTE: "fast",
      }],
      [["export"], /AUGMENT_API_BASE_URL/, { AUGMENT_API_BASE_URL: "http://example.com" }],
      [["export"], /auth login/, { AUGMENT_API_TOKEN: "" }],
    ];
    for (const [args, pattern, extra] of cases) {
      const r = await runCli(args, { env: { ...env, ...extra }, cwd: dir });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.deepEqual(await listFiles(out), [], `${args.join(" ")} wrote nothing`);
    }
  });
});

Deno.test("a refused token exits 3 after exactly one request; a failing service exits 4", async () => {
  await using sim = await startSimulator({
    now: () => NOW_MS,
    rateLimit: false,
    forbiddenTokens: ["forbidden-token-0123456789"],
  });
  await withTempDir(async (dir) => {
    const base = ["--now", NOW, "export", "--last-28-days", "-o", join(dir, "out")];
    const bad = await runCli(base, {
      env: envFor(sim.url, dir, { AUGMENT_API_TOKEN: "wrong-token-0123456789" }),
    });
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /auth login|AUGMENT_API_TOKEN/);
    assert.equal(sim.stats.requests, 1);
    assert.ok(!bad.stderr.includes("wrong-token-0123456789"));

    const forbidden = await runCli(base, {
      env: envFor(sim.url, dir, { AUGMENT_API_TOKEN: "forbidden-token-0123456789" }),
    });
    assert.equal(forbidden.code, 3, forbidden.stderr);
    assert.equal(sim.stats.requests, 2);

    sim.faults = { serverErrorEvery: 1 };
    const down = await runCli(base, { env: envFor(sim.url, dir, { AUGMENT_MAX_RETRIES: "0" }) });
    assert.equal(down.code, 4, down.stderr);
    assert.equal(down.stderr.trimEnd().split("\n").length, 1, down.stderr);
  });
});

Deno.test("--log-format json writes one JSON object per stderr line", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 5 });
  await withTempDir(async (dir) => {
    const r = await runCli(
      [
        "--now",
        NOW,
        "--log-format",
        "json",
        "export",
        "--start-date",
        "2026-11-10",
        "--end-date",
        "2026-11-12",
        "-o",
        join(dir, "out"),
      ],
      { env: envFor(sim.url, dir) },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.length >= 1);
    for (const l of lines) {
      assert.equal(typeof l.time, "string");
      assert.equal(typeof l.level, "string");
      assert.equal(typeof l.msg, "string");
    }
    const summary = lines.find((l) => l.event === "summary");
    assert.equal(summary.days, 3);
    assert.equal(summary.requests, sim.stats.requests);
  });
});

Deno.test("--last-28-days is computed in UTC whatever the machine's time zone", async () => {
  await using sim = await startSimulator({
    now: () => Date.parse("2026-11-25T02:30:00Z"),
    rateLimit: false,
  });
  await withTempDir(async (dir) => {
    for (const tz of ["Pacific/Kiritimati", "Pacific/Pago_Pago"]) {
      // 02:30 UTC: yesterday (11-24) is not published before 03:00 UTC, so the range ends 11-23.
      const r = await runCli([
        "--now",
        "2026-11-25T02:30:00Z",
        "export",
        "--dry-run",
        "-o",
        join(dir, tz),
      ], {
        env: { ...envFor(sim.url, dir), TZ: tz },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Range 2026-10-27 to 2026-11-23/, `${tz}: ${r.stdout}`);
    }
    const later = await runCli([
      "--now",
      "2026-11-25T03:00:00Z",
      "export",
      "--dry-run",
      "-o",
      join(dir, "x"),
    ], {
      env: { ...envFor(sim.url, dir), TZ: "Pacific/Kiritimati" },
    });
    assert.match(later.stdout, /Range 2026-10-28 to 2026-11-24/);
  });
});

Deno.test("auth login --token-stdin, status and logout; the token is never printed", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false });
  await withTempDir(async (home) => {
    const env = { HOME: home, AUGMENT_API_BASE_URL: sim.url };
    const login = await runCli(["--now", NOW, "auth", "login", "--token-stdin"], {
      env,
      stdin: SIMULATOR_TOKEN + "\n",
      cwd: home,
    });
    assert.equal(login.code, 0, login.stderr);
    const path = join(home, ".augment", "credentials");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(join(home, ".augment"))).mode! & 0o777, 0o700);

    const status = await runCli(["--now", NOW, "auth", "status"], { env, cwd: home });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /credentials file/);
    assert.equal(sim.stats.requests, 2, "login checked the token, status proved it");

    await Deno.chmod(path, 0o644);
    const loose = await runCli(["auth", "status"], { env, cwd: home });
    assert.equal(loose.code, 2);
    assert.match(loose.stderr, /chmod 600/);
    await Deno.chmod(path, 0o600);

    const logout = await runCli(["auth", "logout"], { env, cwd: home });
    assert.equal(logout.code, 0);
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);

    for (const r of [login, status, loose, logout]) {
      assert.ok(!r.stdout.includes(SIMULATOR_TOKEN) && !r.stderr.includes(SIMULATOR_TOKEN));
    }
    const none = await runCli(["auth", "login"], { env, cwd: home });
    assert.equal(none.code, 2, "no prompt without a terminal");
    assert.match(none.stderr, /--token-stdin/);
  });
});

Deno.test("the token never appears in output or in any written file", async () => {
  const token = "tok-e2e-secret-0123456789abcdef";
  await using sim = await startSimulator({
    now: () => NOW_MS,
    rateLimit: false,
    tokens: [token],
    users: 6,
  });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = envFor(sim.url, dir, { AUGMENT_API_TOKEN: token });
    const runs = [
      await runCli([
        "--now",
        NOW,
        "-v",
        "export",
        "--start-date",
        "2026-11-01",
        "--end-date",
        "2026-11-05",
        "-o",
        out,
        "--csv-detail",
      ], { env }),
      await runCli([
        "--now",
        NOW,
        "--log-format",
        "json",
        "-v",
        "export",
        "--start-date",
        "2026-11-01",
        "--end-date",
        "2026-11-06",
        "-o",
        out,
      ], { env }),
    ];
    sim.faults = { serverErrorEvery: 1 };
    runs.push(
      await runCli([
        "--now",
        NOW,
        "-v",
        "export",
        "--refresh",
        "--start-date",
        "2026-11-01",
        "--end-date",
        "2026-11-01",
        "-o",
        out,
      ], { env: { ...env, AUGMENT_MAX_RETRIES: "0" } }),
    );
    assert.deepEqual(runs.map((r) => r.code), [0, 0, 4]);
    for (const r of runs) {
      assert.ok(!r.stdout.includes(token), r.stdout);
      assert.ok(!r.stderr.includes(token), r.stderr);
    }
    for (const f of await listFiles(dir)) {
      const text = await Deno.readTextFile(join(dir, f));
      assert.ok(!text.includes(token), `token in ${f}`);
    }
  });
});

Deno.test("an off-list host is refused by the permission set", async () => {
  await withTempDir(async (dir) => {
    const r = await runCli(["--now", NOW, "export", "--last-28-days", "-o", join(dir, "out")], {
      env: {
        HOME: dir,
        AUGMENT_API_BASE_URL: "https://example.com",
        AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
      },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Not permitted.*example\.com/);
  });
});

Deno.test("demo runs from a fresh directory with no token and prints the headline table", async () => {
  await withTempDir(async (dir) => {
    const r = await runCli(["demo", "--users", "8"], { env: { HOME: dir }, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /daily active users \(average \/ peak\)/);
    assert.match(r.stdout, /acceptance rate/);
    const files = await listFiles(join(dir, "data", "demo"));
    assert.ok(files.includes("latest/enterprise-28-day.json"));
    const again = await runCli(["demo", "--users", "8"], { env: { HOME: dir }, cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Requests: 0 /);
  });
});

Deno.test("^C mid-run stops with exit 130 and one line; the next run fetches no completed day again", async () => {
  await ensureBundle();
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 6 });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    // One request a second after a burst of 3: the run takes about 30 s unless interrupted.
    const env = envFor(sim.url, dir, {
      AUGMENT_RATE_LIMIT_PER_MINUTE: "60",
      AUGMENT_RATE_LIMIT_BURST: "3",
    });
    const args = [
      "--now",
      NOW,
      "export",
      "--start-date",
      "2026-10-01",
      "--end-date",
      "2026-10-28",
      "-o",
      out,
    ];
    const child = spawnCli(args, { env });
    const days = join(out, ".store", "days");
    for (let i = 0; i < 200; i++) {
      const stored = (await listFiles(days)).length;
      if (stored >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const result = await child.output();
    const stderr = new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 130, stderr);
    assert.match(stderr, /Interrupted/);
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    const kept = (await listFiles(days)).map((f) => f.slice(0, 10));
    assert.ok(kept.length >= 2 && kept.length < 28, `kept ${kept.length}`);
    assert.ok(!(await listFiles(out)).some((f) => f.endsWith(".tmp")), "no temporary file left");

    const before = sim.stats.byEndpoint["/analytics/v0/daily-user-activity-by-editor-language"] ??
      0;
    const resumed = await runCli(args, { env: envFor(sim.url, dir) });
    assert.equal(resumed.code, 0, resumed.stderr);
    const after = sim.stats.byEndpoint["/analytics/v0/daily-user-activity-by-editor-language"];
    // The missing range days, then the 27 earlier days in full (6 identities: one page a day).
    assert.equal(after - before, 28 - kept.length + 27, "only the missing days were fetched");
  });
});

Deno.test("simulate serves the API on loopback until ^C", async () => {
  await ensureBundle();
  const child = spawnCli(["simulate", "--port", "0", "--users", "3"]);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/http:\/\/127\.0\.0\.1:\d+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(text)?.[0];
  assert.ok(url, text);
  const res = await fetch(`${url}/analytics/v0/dau-count`, {
    headers: { Authorization: `Bearer ${SIMULATOR_TOKEN}` },
  });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray((await res.json()).daily_active_user_counts));
  child.kill("SIGINT");
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  const { code } = await child.status;
  await child.stderr.cancel().catch(() => {});
  assert.equal(code, 0);
});

/**
 * `augment-metrics serve` as users run it: the bundle under the binary's permissions, a
 * request in flight when SIGTERM arrives (it finishes, then the program exits 0), and bad
 * settings refused with one line and exit 2.
 */
import { equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { ensureBundle, runCli, spawnCli, withTempDir } from "../e2e/helpers.ts";
import { writeOutputFolder } from "./_fixtures.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";

const TOKEN = "cli-client-token-abcdef0123456789";

/** Reads the child's stdout until `pattern` matches; returns the match and the text so far. */
async function waitFor(
  reader: ReadableStreamDefaultReader<string>,
  pattern: RegExp,
): Promise<{ m: RegExpExecArray; text: string }> {
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Output ended before ${pattern}: ${text}`);
    text += value;
    const m = pattern.exec(text);
    if (m) return { m, text };
  }
}

Deno.test("serve (CLI): SIGTERM while a download is in flight: it completes, then exit 0", async () => {
  await ensureBundle();
  await withTempDir(async (dir) => {
    await writeOutputFolder(dir, { start: "2026-01-01", end: "2026-01-28" }, { more: 120 });
    const expected = await Deno.readFile(join(dir, "latest", "users-28-day.ndjson"));
    ok(expected.length > 8_000_000, `${expected.length} bytes: more than socket buffers hold`);
    const child = spawnCli(["serve", "--listen", "127.0.0.1:0", "-o", dir], {
      env: { HOME: dir, AUGMENT_SERVE_TOKENS: `other-token-000000000000,${TOKEN}` },
    });
    const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const errText = new Response(child.stderr).text();
    const { m } = await waitFor(out, /on (http:\/\/127\.0\.0\.1:\d+)/);
    const base = m[1];
    const links = await fetch(
      `${base}/enterprises/augment/copilot/metrics/reports/users-28-day/latest`,
      { headers: { authorization: `token ${TOKEN}` } },
    );
    equal(links.status, 200);
    const link = (await links.json()).download_links[0];
    const res = await fetch(link);
    equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    ok(!first.done);
    child.kill("SIGTERM");
    // Read slowly at first: the server must wait for this response, not cut it.
    await new Promise((r) => setTimeout(r, 300));
    const chunks = [first.value!];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const got = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      got.set(c, at);
      at += c.length;
    }
    equal(got.length, expected.length);
    ok(got.every((b, i) => b === expected[i]));
    const status = await child.status;
    equal(status.code, 0);
    let rest = "";
    for (;;) {
      const { value, done } = await out.read();
      if (done) break;
      rest += value;
    }
    const logs = (await errText) + rest;
    match(logs, /GET \/enterprises\/augment\/copilot\/metrics\/reports\/users-28-day\/latest 200/);
    match(logs, /Stopping: finishing the requests in flight/);
    ok(!logs.includes(TOKEN), "no token in any log");
    // New connections are refused once stopped.
    await fetch(`${base}/healthz`).then(
      (r) => r.body?.cancel().then(() => ok(false, "still serving")),
      () => {},
    );
  });
});

Deno.test("serve (CLI): bad listen address, remote without tokens, the Augment token reused: exit 2, one line", async () => {
  await withTempDir(async (dir) => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ["serve", "--listen", "nowhere"],
        {},
        /^error: Invalid --listen "nowhere": expected host:port/,
      ],
      [
        ["serve", "--listen", "0.0.0.0:8080"],
        {},
        /Refusing to serve on "0\.0\.0\.0" without client tokens/,
      ],
      [
        ["serve", "--listen", "0.0.0.0:0"],
        { AUGMENT_SERVE_TOKENS: TOKEN },
        /Cannot listen on "0\.0\.0\.0:0": this program may listen on loopback only/,
      ],
      [
        ["serve"],
        { AUGMENT_SERVE_TOKENS: "short" },
        /Invalid AUGMENT_SERVE_TOKENS: token 1 must be at least 16/,
      ],
      [
        ["serve"],
        { AUGMENT_SERVE_TOKENS: TOKEN, AUGMENT_API_TOKEN: TOKEN },
        /token 1 is the Augment API token/,
      ],
      [["serve", "--sync-every", "5s"], {}, /Invalid --sync-every "5s"/],
    ];
    for (const [args, env, pattern] of cases) {
      const r = await runCli([...args, "-o", dir], { env: { HOME: dir, ...env } });
      equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      match(r.stderr, pattern);
      equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      ok(!r.stderr.includes(TOKEN), "no token in errors");
    }
  });
});

Deno.test("serve (CLI): --sync-every fills an empty folder from the service, then serves it", async () => {
  await ensureBundle();
  const now = "2026-11-20T12:00:00Z";
  await using sim = await startSimulator({
    now: () => Date.parse(now),
    rateLimit: false,
    users: 8,
  });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const child = spawnCli(
      ["--now", now, "serve", "--listen", "127.0.0.1:0", "-o", out, "--sync-every", "1h"],
      {
        env: {
          HOME: dir,
          AUGMENT_API_BASE_URL: sim.url,
          AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
          AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
          AUGMENT_SERVE_TOKENS: TOKEN,
        },
      },
    );
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const errText = new Response(child.stderr).text();
    try {
      const { m } = await waitFor(reader, /on (http:\/\/127\.0\.0\.1:\d+)/);
      const base = m[1];
      let ready = 0;
      for (let i = 0; i < 100 && ready !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const r = await fetch(`${base}/readyz`);
        await r.body?.cancel();
        ready = r.status;
      }
      if (ready !== 200) throw new Error(`not ready (${ready}): ${await errText}`);
      const links = await fetch(
        `${base}/orgs/augment/copilot/metrics/reports/organization-28-day/latest`,
        { headers: { authorization: `Bearer ${TOKEN}` } },
      );
      equal(links.status, 200);
      const body = await links.json();
      equal(body.report_end_day, "2026-11-19");
      const report = await (await fetch(body.download_links[0])).text();
      equal(report, await Deno.readTextFile(join(out, "latest", "enterprise-28-day.json")));
      ok(sim.stats.requests > 0);
    } finally {
      try {
        child.kill("SIGTERM");
      } catch {
        // already ended: its status says how
      }
      await reader.cancel().catch(() => {});
      equal((await child.status).code, 0);
      const logs = await errText;
      ok(!logs.includes(SIMULATOR_TOKEN), "the Augment token is in no log");
    }
  });
});

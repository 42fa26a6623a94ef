/**
 * `serve` against a real local server over an output folder written by the real views:
 * GitHub's schemas and samples, a client written from GitHub's documentation only, auth, bad
 * parameters, ETags and gzip, reloads during reads, and `/metrics` through a Prometheus parser.
 */
import { deepEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { systemClock } from "../../src/serve/scheduler.ts";
import { type ServeHandle, startServe } from "../../src/serve/server.ts";
import { readFixture, validate } from "../fixtures/schemas.ts";
import { CREATED_AT, writeOutputFolder } from "./_fixtures.ts";

const TOKEN = "test-client-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const RANGE = { start: "2026-01-01", end: "2026-02-10" };

interface Family {
  name: string;
  type: string;
  metrics: {
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
  }[];
}

/** Prometheus text through a real parser (npm `parse-prometheus-text-format`). */
function parse(text: string): Family[] {
  return parsePrometheusTextFormat(text) as Family[];
}

interface Logged {
  lines: string[];
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

function logger(): Logged {
  const lines: string[] = [];
  return {
    lines,
    log: {
      info: (m) => lines.push(m),
      warn: (m) => lines.push(`warn: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
    },
  };
}

async function withServer(
  fn: (s: ServeHandle, dir: string, logged: Logged) => Promise<void>,
  options: { skip?: string[]; tokens?: string[]; now?: () => number } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "serve-test-" });
  try {
    await writeOutputFolder(dir, RANGE, {
      dated: [{ start: "2026-01-01", end: "2026-01-30" }],
      skip: options.skip,
    });
    const logged = logger();
    await using s = await startServe({
      outputDir: dir,
      hostname: "127.0.0.1",
      port: 0,
      tokens: options.tokens ?? [TOKEN],
      org: "Acme",
      enterprise: "acme-ent",
      log: logged.log,
      pollMs: 0,
      ...(options.now ? { clock: { ...systemClock, now: options.now } } : {}),
    });
    await fn(s, dir, logged);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function getJson(url: string, headers: HeadersInit = AUTH) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { res, body: text === "" ? undefined : JSON.parse(text) };
}

/**
 * A client written from GitHub's REST documentation only: ask the report endpoint, download
 * every link (no auth header: the links are signed), parse JSON or NDJSON.
 */
async function downloadReport(base: string, path: string): Promise<string[]> {
  const res = await fetch(`${base}${path}`, {
    headers: {
      ...AUTH,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2026-03-10",
    },
  });
  equal(res.status, 200, `${path}: ${res.status}`);
  const { download_links } = await res.json() as { download_links: string[] };
  const bodies: string[] = [];
  for (const link of download_links) {
    const file = await fetch(link);
    equal(file.status, 200, link);
    bodies.push(await file.text());
  }
  return bodies;
}

/** Follows `Link: <…>; rel="next"` until the last page (GitHub's pagination). */
async function allPages(url: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let next: string | undefined = url;
  while (next) {
    const res: Response = await fetch(next, { headers: AUTH });
    equal(res.status, 200);
    out.push(...await res.json() as unknown[]);
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
  }
  return out;
}

Deno.test("serve: report endpoints answer GitHub's schemas; their links download exactly the files export wrote", async () => {
  await withServer(async (s, dir) => {
    for (const scope of ["orgs/acme", "enterprises/acme-ent"]) {
      const entity = scope.startsWith("orgs") ? "organization" : "enterprise";
      const { res, body } = await getJson(
        `${s.url}/${scope}/copilot/metrics/reports/${entity}-28-day/latest`,
      );
      equal(res.status, 200);
      match(res.headers.get("content-type")!, /^application\/json/);
      deepEqual(validate("copilot-usage-metrics-28-day-report.schema.json", body), []);
      deepEqual(
        [body.report_start_day, body.report_end_day],
        ["2026-01-14", "2026-02-10"],
      );
      const [report] = await downloadReport(
        s.url,
        `/${scope}/copilot/metrics/reports/${entity}-28-day/latest`,
      );
      equal(report, await Deno.readTextFile(join(dir, "latest", "enterprise-28-day.json")));
      deepEqual(
        validate("copilot-usage-metrics-report-entity.schema.json", JSON.parse(report)),
        [],
      );
      const [users] = await downloadReport(
        s.url,
        `/${scope}/copilot/metrics/reports/users-28-day/latest`,
      );
      equal(users, await Deno.readTextFile(join(dir, "latest", "users-28-day.ndjson")));
      for (const line of users.trimEnd().split("\n")) {
        deepEqual(validate("copilot-usage-metrics-report-user.schema.json", JSON.parse(line)), []);
      }
      const day = "2026-01-05";
      const one = await getJson(
        `${s.url}/${scope}/copilot/metrics/reports/${entity}-1-day?day=${day}`,
      );
      equal(one.res.status, 200);
      deepEqual(validate("copilot-usage-metrics-1-day-report.schema.json", one.body), []);
      equal(one.body.report_day, day);
      const [entityDay] = await downloadReport(
        s.url,
        `/${scope}/copilot/metrics/reports/${entity}-1-day?day=${day}`,
      );
      equal(entityDay, await Deno.readTextFile(join(dir, "daily", day, "enterprise-1-day.json")));
      const [usersDay] = await downloadReport(
        s.url,
        `/${scope}/copilot/metrics/reports/users-1-day?day=${day}`,
      );
      equal(usersDay, await Deno.readTextFile(join(dir, "daily", day, "users-1-day.ndjson")));
    }
  });
});

Deno.test("serve: a 28-day report ending on any stored day (end_day) equals export's dated copy", async () => {
  await withServer(async (s, dir) => {
    // The dated copy of 2026-01-01..2026-01-30 holds the 28 days ending 2026-01-30.
    const path = "/orgs/acme/copilot/metrics/reports/organization-28-day/latest?end_day=2026-01-30";
    const { body } = await getJson(`${s.url}${path}`);
    deepEqual([body.report_start_day, body.report_end_day], ["2026-01-03", "2026-01-30"]);
    const [report] = await downloadReport(s.url, path);
    const dated = join(dir, "reports", "2026-01-01_to_2026-01-30");
    equal(report, await Deno.readTextFile(join(dated, "enterprise-28-day.json")));
    const [users] = await downloadReport(
      s.url,
      "/orgs/acme/copilot/metrics/reports/users-28-day/latest?end_day=2026-01-30",
    );
    equal(users, await Deno.readTextFile(join(dated, "users-28-day.ndjson")));
    equal(JSON.parse(report).created_at, CREATED_AT);
  });
});

Deno.test("serve: the legacy metrics endpoint pages Format B days with GitHub's Link header", async () => {
  await withServer(async (s, dir) => {
    const url =
      `${s.url}/orgs/acme/copilot/metrics?since=2026-01-01T00:00:00Z&until=2026-02-10T00:00:00Z&per_page=7`;
    const first = await fetch(url, { headers: AUTH });
    const link = first.headers.get("link")!;
    match(link, /rel="next"/);
    match(link, /page=6>; rel="last"/);
    await first.body?.cancel();
    const days = await allPages(url);
    deepEqual(validate("copilot-metrics-response.schema.json", days), []);
    equal(days.length, 41);
    const written = JSON.parse(
      `[${
        (await Promise.all(
          days.map((d) =>
            Deno.readTextFile(
              join(dir, "daily", (d as { date: string }).date, "copilot_metrics.json"),
            )
          ),
        )).join(",")
      }]`,
    );
    deepEqual(days, written);
    // Without since/until: the 28 days ending at the newest day, like GitHub's default.
    const { body } = await getJson(`${s.url}/enterprises/acme-ent/copilot/metrics`);
    equal(body.length, 28);
    equal(body.at(-1).date, "2026-02-10");
    // A page past the end is an empty list.
    deepEqual((await getJson(`${url}&page=99`)).body, []);
    // The samples GitHub's viewer ships validate against the same schema (the check is real).
    deepEqual(
      validate(
        "copilot-metrics-response.schema.json",
        readFixture("schemas/examples/copilot-metrics-org-and-team.example.json"),
      ),
      [],
    );
  });
});

Deno.test("serve: seats from the identities of the history, teams empty", async () => {
  await withServer(async (s) => {
    const { res, body } = await getJson(`${s.url}/orgs/acme/copilot/billing/seats?per_page=3`);
    equal(res.status, 200);
    equal(body.total_seats, 10);
    equal(body.seats.length, 3);
    match(res.headers.get("link")!, /page=4>; rel="last"/);
    const seat = body.seats[0];
    equal(seat.assignee.type, "User");
    match(seat.last_activity_at, /^2026-0[12]-\d\dT00:00:00Z$/);
    ok(seat.created_at <= seat.last_activity_at);
    const all = await getJson(`${s.url}/orgs/acme/copilot/billing/seats?per_page=100`);
    const ada = all.body.seats.find((x: { assignee: { login: string } }) =>
      x.assignee.login === "ada@example.com"
    );
    equal(ada.created_at, "2026-01-01T00:00:00Z");
    deepEqual((await getJson(`${s.url}/orgs/acme/teams`)).body, []);
  });
});

Deno.test("serve: auth: no token 401, wrong token 401, right token (Bearer or token) 200; health without", async () => {
  await withServer(async (s, _dir, logged) => {
    const path = `${s.url}/orgs/acme/copilot/metrics/reports/organization-28-day/latest`;
    const none = await getJson(path, {});
    equal(none.res.status, 401);
    deepEqual(none.body, {
      message: "Requires authentication",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    });
    const wrong = await getJson(path, { authorization: "Bearer not-the-token-at-all-123" });
    equal(wrong.res.status, 401);
    equal(wrong.body.message, "Bad credentials");
    equal((await getJson(path, { authorization: `token ${TOKEN}` })).res.status, 200);
    equal((await getJson(path)).res.status, 200);
    equal((await getJson(`${s.url}/healthz`, {})).res.status, 200);
    // A download link without its signature needs the token; a forged signature is refused.
    const link = (await getJson(path)).body.download_links[0] as string;
    const bare = link.split("?")[0];
    equal((await getJson(bare, {})).res.status, 401);
    equal((await getJson(bare)).res.status, 200);
    const forged = link.replace(/signature=[^&]+/, "signature=AAAA");
    equal((await getJson(forged, {})).res.status, 403);
    // No token in any log line; signatures are not logged either.
    await s.shutdown(); // writes the access-log lines still held
    const all = logged.lines.join("\n");
    ok(all.includes("GET /orgs/acme/copilot/metrics/reports/organization-28-day/latest 401"));
    ok(!all.includes(TOKEN));
    ok(!all.includes("not-the-token-at-all"));
    ok(!all.includes(new URL(link).searchParams.get("signature")!));
    match(
      all,
      /GET \/downloads\/organization-28-day\/2026-02-10\.json\?expires=\d+&signature=… 403/,
    );
  });
});

Deno.test("serve: bad parameters, wrong names, unknown paths and missing days get GitHub's errors", async () => {
  await withServer(async (s) => {
    const r = `${s.url}/orgs/acme/copilot/metrics/reports`;
    const cases: [string, number, RegExp?][] = [
      [`${r}/organization-1-day`, 400, /Missing required parameter "day"/],
      [`${r}/organization-1-day?day=2026-02-30`, 400, /Invalid "day" "2026-02-30"/],
      [`${r}/users-1-day?day=yesterday`, 400],
      [`${r}/organization-28-day/latest?end_day=2026-13-01`, 400],
      [
        `${r}/organization-1-day?day=2025-06-01`,
        404,
        /stored days are "2026-01-01" to "2026-02-10"/,
      ],
      [`${r}/organization-1-day?day=2030-01-01`, 404],
      [`${r}/organization-28-day/latest?end_day=2027-01-01`, 404],
      [`${s.url}/orgs/acme/copilot/metrics?since=last-week`, 400, /since/],
      [`${s.url}/orgs/acme/copilot/metrics?per_page=0`, 400, /per_page/],
      [`${s.url}/orgs/acme/copilot/metrics?since=2026-02-01&until=2026-01-01`, 400],
      [`${s.url}/orgs/other/copilot/metrics`, 404, /^Not Found$/],
      [`${s.url}/enterprises/acme/copilot/metrics`, 404],
      [`${s.url}/orgs/acme/copilot/metrics/reports/enterprise-1-day?day=2026-01-05`, 404],
      [`${s.url}/repos/acme/x`, 404],
      [`${s.url}/downloads/users-1-day/2026-01-05.json`, 404],
    ];
    for (const [url, status, message] of cases) {
      const { res, body } = await getJson(url);
      equal(res.status, status, url);
      equal(typeof body.message, "string", url);
      equal(typeof body.documentation_url, "string", url);
      if (message) match(body.message, message, url);
    }
    // The org name is case-insensitive, like GitHub's.
    equal((await getJson(`${s.url}/orgs/ACME/copilot/metrics`)).res.status, 200);
  }, { skip: ["2026-01-10"] });
});

Deno.test("serve: a day with no data inside the stored span is 204 No Content", async () => {
  await withServer(async (s) => {
    const res = await fetch(
      `${s.url}/orgs/acme/copilot/metrics/reports/organization-1-day?day=2026-01-10`,
      { headers: AUTH },
    );
    equal(res.status, 204);
    equal(await res.text(), "");
    const ok1 = await fetch(
      `${s.url}/orgs/acme/copilot/metrics/reports/organization-1-day?day=2026-01-11`,
      { headers: AUTH },
    );
    equal(ok1.status, 200);
    await ok1.body?.cancel();
  }, { skip: ["2026-01-10"] });
});

Deno.test("serve: ETag and If-None-Match give 304; gzip when asked; HEAD has no body", async () => {
  await withServer(async (s) => {
    const url = `${s.url}/orgs/acme/copilot/metrics?per_page=100`;
    const first = await fetch(url, { headers: AUTH });
    const etag = first.headers.get("etag")!;
    match(etag, /^"[0-9a-f]{32}"$/);
    const plain = await first.text();
    const again = await fetch(url, { headers: { ...AUTH, "if-none-match": etag } });
    equal(again.status, 304);
    equal(await again.text(), "");
    const zipped = await fetch(url, { headers: { ...AUTH, "accept-encoding": "gzip" } });
    equal(zipped.headers.get("content-encoding"), "gzip");
    equal(await zipped.text(), plain); // fetch decompresses
    // Streams: the users files too.
    const link = (await getJson(
      `${s.url}/orgs/acme/copilot/metrics/reports/users-28-day/latest`,
    )).body.download_links[0];
    const u1 = await fetch(link, { headers: { "accept-encoding": "gzip" } });
    equal(u1.headers.get("content-encoding"), "gzip");
    const tag = u1.headers.get("etag")!;
    const text = await u1.text();
    ok(text.length > 1000);
    const u2 = await fetch(link, { headers: { "if-none-match": tag } });
    equal(u2.status, 304);
    await u2.body?.cancel();
    const head = await fetch(url, { method: "HEAD", headers: AUTH });
    equal(head.status, 200);
    equal(await head.text(), "");
  });
});

Deno.test("serve: reloading while clients read never shows a torn day", async () => {
  await withServer(async (s, dir) => {
    const url = `${s.url}/enterprises/acme-ent/copilot/metrics/reports/enterprise-28-day/latest`;
    const before = (await getJson(url)).body.report_end_day;
    equal(before, "2026-02-10");
    // Export writes two more days while readers read the 28-day report and reloads run.
    const writing = writeOutputFolder(dir, { start: "2026-01-01", end: "2026-02-12" }, {
      createdAt: "2026-03-03T04:00:00.000Z",
    });
    let reading = true;
    const ends = new Set<string>();
    const reader = (async () => {
      while (reading) {
        const { body } = await getJson(url);
        ends.add(body.report_end_day);
        const [report] = await downloadReport(s.url, new URL(url).pathname);
        const r = JSON.parse(report);
        const days = r.day_totals.map((d: { day: string }) => d.day);
        // Every day of a report is whole: an entity row per day, in order, inside the window.
        deepEqual(days, [...days].sort());
        equal(new Set(days).size, days.length);
        equal(days.at(-1), r.report_end_day);
      }
    })();
    const reloads = (async () => {
      for (let i = 0; i < 20 && reading; i++) {
        await s.reload();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await writing;
    await s.reload();
    reading = false;
    await Promise.all([reader, reloads]);
    const after = (await getJson(url)).body;
    equal(after.report_end_day, "2026-02-12");
    const [report] = await downloadReport(s.url, new URL(url).pathname);
    equal(report, await Deno.readTextFile(join(dir, "latest", "enterprise-28-day.json")));
    ok([...ends].every((e) => e === "2026-02-10" || e === "2026-02-11" || e === "2026-02-12"));
  });
});

Deno.test("serve: /metrics is Prometheus text: requests by route and status, latency, stored days", async () => {
  await withServer(async (s) => {
    await getJson(`${s.url}/orgs/acme/copilot/metrics`);
    await getJson(`${s.url}/orgs/acme/copilot/metrics`, {});
    await getJson(`${s.url}/nope`);
    const res = await fetch(`${s.url}/metrics`);
    match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const byName = new Map(parse(text).map((f) => [f.name, f]));
    equal(byName.get("augment_serve_report_days")!.metrics[0].value, "41");
    equal(byName.get("augment_serve_stored_days")!.type, "GAUGE");
    const requests = byName.get("augment_serve_http_requests_total")!;
    equal(requests.type, "COUNTER");
    const count = (route: string, status: string) =>
      requests.metrics.find((m) => m.labels?.route === route && m.labels?.status === status)
        ?.value;
    equal(count("/orgs/{org}/copilot/metrics", "200"), "1");
    equal(count("/orgs/{org}/copilot/metrics", "401"), "1");
    equal(count("unknown", "404"), "1");
    equal(byName.get("augment_serve_http_request_duration_seconds")!.type, "HISTOGRAM");
    // The parser reads histograms without labels only: read one route's series on its own.
    const route = 'route="/orgs/{org}/copilot/metrics"';
    const one = text.split("\n").filter((l) =>
      (l.startsWith("# ") && l.includes("augment_serve_http_request_duration_seconds")) ||
      (l.startsWith("augment_serve_http_request_duration_seconds") && l.includes(route))
    ).map((l) =>
      l.replace(`${route},`, "").replace(`{${route}}`, "")
    ).join("\n") + "\n";
    const h = parse(one).find((f) => f.name === "augment_serve_http_request_duration_seconds")!
      .metrics[0];
    equal(h.count, "2");
    equal(h.buckets!["5"], "2");
    equal(h.buckets!["+Inf"], "2");
    for (
      const name of [
        "augment_serve_sync_last_success_timestamp_seconds",
        "augment_serve_sync_last_requests",
        "augment_serve_sync_last_retries",
        "augment_serve_sync_last_rate_limited",
        "augment_serve_sync_last_duration_seconds",
        "augment_serve_identities",
      ]
    ) ok(byName.has(name), name);
    notEqual(byName.get("augment_serve_syncs_total"), undefined);
  });
});

Deno.test("serve: without tokens configured, requests need none (loopback use)", async () => {
  await withServer(async (s) => {
    equal((await getJson(`${s.url}/orgs/acme/copilot/metrics`, {})).res.status, 200);
  }, { tokens: [] });
});

Deno.test("serve: the access log is written after the answers, in one batch, and at shutdown", async () => {
  await withServer(async (s, _dir, logged) => {
    const path = `${s.url}/orgs/acme/copilot/metrics/reports/organization-28-day/latest`;
    for (let i = 0; i < 5; i++) equal((await getJson(path)).res.status, 200);
    // Answered, not yet written: the lines wait for the next flush, off the requests' path.
    equal(logged.lines.filter((l) => l.startsWith("GET ")).length, 0);
    await new Promise((r) => setTimeout(r, 400));
    const written = logged.lines.filter((l) => l.startsWith("GET "));
    equal(written.length, 5);
    match(
      written[0],
      /^GET \/orgs\/acme\/copilot\/metrics\/reports\/organization-28-day\/latest 200 \d+\.\dms$/,
    );
    equal((await getJson(`${s.url}/orgs/acme/teams`)).res.status, 200);
    await s.shutdown();
    ok(logged.lines.some((l) => l.startsWith("GET /orgs/acme/teams 200")));
  });
});

Deno.test("serve: a download link checked once is refused all the same once it has expired", async () => {
  let t = Date.parse("2026-03-02T12:00:00Z");
  await withServer(async (s) => {
    const link = (await getJson(
      `${s.url}/orgs/acme/copilot/metrics/reports/organization-28-day/latest`,
    )).body.download_links[0] as string;
    const first = await fetch(link);
    equal(first.status, 200);
    const body = await first.text();
    const again = await fetch(link);
    equal(again.status, 200);
    equal(await again.text(), body);
    const expires = Number(new URL(link).searchParams.get("expires"));
    t = expires * 1000 + 1;
    const late = await fetch(link);
    equal(late.status, 403);
    await late.body?.cancel();
    // A new link works again.
    const fresh = (await getJson(
      `${s.url}/orgs/acme/copilot/metrics/reports/organization-28-day/latest`,
    )).body.download_links[0] as string;
    notEqual(fresh, link);
    equal(await fetch(fresh).then((r) => r.text()), body);
  }, { now: () => t });
});

Deno.test("serve: concurrent gzip requests for a large report share one compressed body", async () => {
  await withServer(async (s) => {
    const link = (await getJson(
      `${s.url}/orgs/acme/copilot/metrics/reports/organization-28-day/latest`,
    )).body.download_links[0] as string;
    const plain = await fetch(link).then((r) => r.text());
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => fetch(link, { headers: { "accept-encoding": "gzip" } })),
    );
    for (const r of answers) {
      equal(r.headers.get("content-encoding"), "gzip");
      ok(Number(r.headers.get("content-length")) < plain.length / 2);
      equal(await r.text(), plain);
    }
  });
});

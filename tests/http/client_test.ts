import assert from "node:assert/strict";
import { z } from "zod";
import { AuthError, EXIT, ServiceError } from "../../src/errors.ts";
import { FakeClock, systemClock } from "../../src/http/clock.ts";
import {
  backoffMs,
  HttpClient,
  type HttpClientOptions,
  parseRetryAfter,
  type RetryInfo,
} from "../../src/http/client.ts";
import { VERSION } from "../../src/version.ts";
import {
  CUT_MID_BODY,
  json,
  never,
  rawJson,
  rawServer,
  scriptedServer,
  type Step,
  text,
} from "./_scripted_server.ts";

const TOKEN = "tok-SECRET-7f3a9c1e";
const PATH = "/analytics/v0/dau";
const Users = z.object({ users: z.array(z.object({ user_email: z.string() })) });
const OK_BODY = { users: [{ user_email: "a@example.com" }] };
const PARAMS = { date: "2026-01-02", cursor: "QUERYSECRET", page_size: 250 };

function client(url: string, extra: Partial<HttpClientOptions> = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 10));
  const retries: RetryInfo[] = [];
  const http = new HttpClient({
    baseUrl: url,
    token: TOKEN,
    timeoutMs: 2_000,
    maxRetries: 5,
    ratePerMinute: 600,
    burst: 100,
    clock,
    random: () => 0.5,
    onRetry: (info) => retries.push(info),
    ...extra,
  });
  return { http, clock, retries };
}

/** The error thrown by `p`, checked to carry neither the token nor the query string. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    for (const s of [String(err), err.message, err.stack ?? ""]) {
      assert.ok(!s.includes(TOKEN), `token leaked: ${s}`);
      assert.ok(!s.includes("QUERYSECRET"), `query leaked: ${s}`);
    }
    return err;
  }
  assert.fail("expected a failure");
}

function run(steps: Step[], extra: Partial<HttpClientOptions> = {}) {
  const server = scriptedServer(steps);
  const c = client(server.url, extra);
  return { server, ...c };
}

Deno.test("getJson() sends the Bearer token, Accept, User-Agent and only defined params", async () => {
  const { server, http } = run([json(OK_BODY)]);
  await using _ = server;
  const body = await http.getJson(PATH, { ...PARAMS, cursor: undefined }, Users);
  assert.deepEqual(body, OK_BODY);
  assert.equal(server.requests.length, 1);
  const req = server.requests[0];
  assert.equal(req.url.pathname, PATH);
  assert.deepEqual([...req.url.searchParams.keys()].sort(), ["date", "page_size"]);
  assert.equal(req.url.searchParams.get("page_size"), "250");
  assert.equal(req.headers.get("authorization"), `Bearer ${TOKEN}`);
  assert.equal(req.headers.get("accept"), "application/json");
  assert.equal(req.headers.get("user-agent"), `augment-metrics/${VERSION}`);
  assert.deepEqual(http.stats, {
    requests: 1,
    retries: 0,
    rateLimited: 0,
    byEndpoint: { [PATH]: 1 },
  });
});

Deno.test("getJson() keeps a path prefix of the base URL", async () => {
  const { server } = run([json(OK_BODY)]);
  await using _ = server;
  const { http } = client(`${server.url}/proxy/`);
  await http.getJson(PATH, {}, Users);
  assert.equal(server.requests[0].url.pathname, `/proxy${PATH}`);
  assert.deepEqual(http.stats.byEndpoint, { [`/proxy${PATH}`]: 1 });
});

Deno.test("getJson() retries a 500 after 1 s of backoff and then succeeds", async () => {
  const { server, http, clock, retries } = run([
    json({ error: { code: "Internal", message: "boom" } }, 500),
    json(OK_BODY),
  ]);
  await using _ = server;
  assert.deepEqual(await http.getJson(PATH, PARAMS, Users), OK_BODY);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(clock.sleeps, [1_000]);
  assert.equal(http.stats.requests, 2);
  assert.equal(http.stats.retries, 1);
  assert.equal(retries.length, 1);
  assert.equal(retries[0].endpoint, PATH);
  assert.equal(retries[0].attempt, 2);
  assert.equal(retries[0].delayMs, 1_000);
  assert.match(retries[0].reason, /500 Internal/);
});

Deno.test("getJson() backs off 1, 2, 4, 8, 16 s on 502/503/504 and fails after maxRetries", async () => {
  const { server, http, clock } = run([
    text("bad gateway", 502),
    text("unavailable", 503),
    text("gateway timeout", 504),
    json({ error: { code: "Internal", message: "still down" } }, 500),
  ]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.equal(err.exitCode, EXIT.service);
  assert.equal(err.details.status, 500);
  assert.equal(err.details.code, "Internal");
  assert.equal(err.details.endpoint, PATH);
  assert.equal(err.details.attempts, 6);
  assert.match(err.message, /^Cannot get "\/analytics\/v0\/dau": .*after 6 attempts; .*try again/);
  assert.equal(server.requests.length, 6);
  assert.deepEqual(clock.sleeps, [1_000, 2_000, 4_000, 8_000, 16_000]);
  assert.equal(http.stats.retries, 5);
});

Deno.test("getJson() with maxRetries 0 fails on the first 503", async () => {
  const { server, http } = run([text("unavailable", 503)], { maxRetries: 0 });
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.equal(err.details.attempts, 1);
  assert.match(err.message, /after 1 attempt;/);
  assert.equal(server.requests.length, 1);
});

Deno.test("backoffMs() jitters each delay between 0.75 and 1.25 of 1, 2, 4, 8, 16 s", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, () => 0.5)), [
    1_000,
    2_000,
    4_000,
    8_000,
    16_000,
    16_000,
  ]);
  assert.equal(backoffMs(1, () => 0), 750);
  assert.equal(backoffMs(3, () => 0.999999), 5_000);
});

Deno.test("getJson() waits the Retry-After seconds of a 429 when longer than the backoff", async () => {
  const { server, http, clock, retries } = run([
    json({ error: { code: "ResourceExhausted", message: "slow down" } }, 429, {
      "retry-after": "7",
    }),
    json(OK_BODY),
  ]);
  await using _ = server;
  assert.deepEqual(await http.getJson(PATH, PARAMS, Users), OK_BODY);
  assert.deepEqual(clock.sleeps, [7_000]);
  assert.equal(http.stats.rateLimited, 1);
  assert.equal(retries[0].reason, "rate limited (429)");
});

Deno.test("getJson() keeps the backoff when a 429's Retry-After is shorter", async () => {
  const { server, http, clock } = run([
    text("", 429, { "retry-after": "0" }),
    text("", 429, { "retry-after": "1" }),
    json(OK_BODY),
  ]);
  await using _ = server;
  await http.getJson(PATH, PARAMS, Users);
  assert.deepEqual(clock.sleeps, [1_000, 2_000]);
  assert.equal(http.stats.rateLimited, 2);
});

Deno.test("getJson() reads a Retry-After given as an HTTP date", async () => {
  const start = Date.UTC(2026, 0, 10);
  const { server, http, clock } = run([
    text("", 429, { "retry-after": new Date(start + 30_000).toUTCString() }),
    json(OK_BODY),
  ]);
  await using _ = server;
  await http.getJson(PATH, PARAMS, Users);
  assert.deepEqual(clock.sleeps, [30_000]);
});

Deno.test("parseRetryAfter() reads seconds and dates and ignores nonsense", () => {
  assert.equal(parseRetryAfter(null, 0), undefined);
  assert.equal(parseRetryAfter("12", 0), 12_000);
  assert.equal(parseRetryAfter("1.5", 0), 1_500);
  assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:01:00 GMT", 10_000), 50_000);
  assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", 10_000), 0);
  assert.equal(parseRetryAfter("soon", 0), undefined);
});

Deno.test("getJson() fails after repeated 429s, saying to wait and lower the rate", async () => {
  const { server, http } = run([text("", 429, { "retry-after": "3" })], { maxRetries: 2 });
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.equal(err.details.status, 429);
  assert.match(err.message, /rate limited \(429\) after 3 attempts; wait .*re-run/);
  assert.match(err.message, /AUGMENT_RATE_LIMIT_PER_MINUTE/);
  assert.equal(http.stats.rateLimited, 3);
});

Deno.test("getJson() fails at once when Retry-After asks for more than ten minutes", async () => {
  const { server, http, clock } = run([text("", 429, { "retry-after": "3600" })]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /asked to wait 3600 s/);
  assert.equal(server.requests.length, 1);
  assert.deepEqual(clock.sleeps, []);
});

Deno.test("getJson() retries an HTML page once, then reports it", async () => {
  const html = text("<!DOCTYPE html><html><body>Proxy login</body></html>", 200, {
    "content-type": "text/html",
  });
  const { server, http } = run([html]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /HTML page/);
  assert.match(err.message, /proxy/);
  assert.equal(err.details.attempts, 2);
  assert.equal(server.requests.length, 2);
});

Deno.test("getJson() recovers when one HTML page is followed by the JSON", async () => {
  const { server, http } = run([text("<html>oops</html>"), json(OK_BODY)]);
  await using _ = server;
  assert.deepEqual(await http.getJson(PATH, PARAMS, Users), OK_BODY);
  assert.equal(http.stats.retries, 1);
});

Deno.test("getJson() retries a truncated JSON body once, then reports it", async () => {
  const { server, http } = run([text('{"users": [{"user_email": "a@ex', 200)]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /not valid JSON/);
  assert.equal(server.requests.length, 2);
});

Deno.test("getJson() reports a body that fails the schema with the field's path", async () => {
  const { server, http } = run([json({ users: [{ user_email: 42 }] })]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /unexpected shape at "users\.0\.user_email"/);
  assert.equal(server.requests.length, 2);
});

Deno.test("getJson() retries a connection cut mid-body and then succeeds", async () => {
  await using server = rawServer([CUT_MID_BODY, rawJson(OK_BODY)]);
  const { http, retries } = client(server.url);
  assert.deepEqual(await http.getJson(PATH, PARAMS, Users), OK_BODY);
  assert.equal(server.connections(), 2);
  assert.match(retries[0].reason, /^connection failed/);
  assert.ok(!retries[0].reason.includes("QUERYSECRET"));
});

Deno.test("getJson() reports a refused connection after its retries, without the query", async () => {
  const server = scriptedServer([json(OK_BODY)]);
  const url = server.url;
  await server.close();
  const { http, clock } = client(url, { maxRetries: 2 });
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /connection failed .* after 3 attempts; check the network/);
  assert.equal(err.details.attempts, 3);
  assert.deepEqual(clock.sleeps, [1_000, 2_000]);
});

Deno.test("getJson() times out a server that never answers and says what to raise", async () => {
  const { server, http } = run([never()], { timeoutMs: 50, maxRetries: 1 });
  await using _ = server;
  const t0 = performance.now();
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(performance.now() - t0 < 2_000);
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /no answer within 0\.1 s|no answer within 0\.05 s/);
  assert.match(err.message, /AUGMENT_REQUEST_TIMEOUT_SECONDS/);
  assert.equal(err.details.attempts, 2);
  assert.equal(server.requests.length, 2);
});

Deno.test("getJson() fails a 401 once, without retry, as an AuthError", async () => {
  const { server, http } = run([
    json({ error: { code: "Unauthenticated", message: "invalid token" } }, 401),
  ]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof AuthError);
  assert.equal(err.exitCode, EXIT.auth);
  assert.equal(err.status, 401);
  assert.equal(err.code, "Unauthenticated");
  assert.equal(err.endpoint, PATH);
  assert.match(err.message, /^Cannot get "\/analytics\/v0\/dau": the token was refused/);
  assert.match(err.message, /"invalid token"/);
  assert.match(err.message, /AUGMENT_API_TOKEN/);
  assert.match(err.message, /augment-metrics auth login/);
  assert.equal(server.requests.length, 1);
  assert.equal(http.stats.retries, 0);
});

Deno.test("getJson() fails a 403 once, without retry, as an AuthError", async () => {
  const { server, http } = run([
    json({ error: { code: "PermissionDenied", message: "not an admin" } }, 403),
    json(OK_BODY),
  ]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof AuthError);
  assert.equal(err.status, 403);
  assert.equal(err.code, "PermissionDenied");
  assert.match(err.message, /not permitted \(403 PermissionDenied: "not an admin"\)/);
  assert.equal(server.requests.length, 1);
});

Deno.test("getJson() redacts the token when the service echoes it in an error", async () => {
  const { server, http } = run([
    json({ error: { code: "Unauthenticated", message: `token ${TOKEN} is revoked` } }, 401),
  ]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.match(err.message, /token \*\*\* is revoked/);
});

Deno.test("getJson() reports a 400 with the service's code and message, without retry", async () => {
  const { server, http } = run([
    json({ error: { code: "InvalidArgument", message: "unknown parameter limit" } }, 400),
  ]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.equal(err.details.status, 400);
  assert.equal(err.details.code, "InvalidArgument");
  assert.equal(err.details.attempts, 1);
  assert.match(
    err.message,
    /rejected the request \(400 InvalidArgument: "unknown parameter limit"\)/,
  );
  assert.equal(server.requests.length, 1);
});

Deno.test("getJson() does not retry a 404 and points at the base URL", async () => {
  const { server, http } = run([text("no such thing", 404)]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /not found \(404\); check AUGMENT_API_BASE_URL/);
  assert.equal(server.requests.length, 1);
});

Deno.test("getJson() does not follow a redirect (the token stays with the service)", async () => {
  const { server, http } = run([
    text("", 302, { location: "http://127.0.0.1:1/elsewhere?x=QUERYSECRET" }),
  ]);
  await using _ = server;
  const err = await failure(http.getJson(PATH, PARAMS, Users));
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /redirected \(302 to "http:\/\/127\.0\.0\.1:1\/elsewhere"\)/);
  assert.equal(server.requests.length, 1);
});

Deno.test("getJson() takes a pacing token before every attempt, retries included", async () => {
  const { server, http, clock } = run([text("", 500), json(OK_BODY)], {
    ratePerMinute: 6,
    burst: 1,
  });
  await using _ = server;
  await http.getJson(PATH, PARAMS, Users);
  // 1 s backoff, then the bucket holds the retry until 10 s after the first attempt, plus the
  // 1 s safety margin of paced requests.
  assert.deepEqual(clock.sleeps, [1_000, 10_000]);
});

Deno.test("getJson() counts requests per endpoint across calls", async () => {
  const { server, http } = run([json(OK_BODY)]);
  await using _ = server;
  await http.getJson(PATH, {}, Users);
  await http.getJson(PATH, {}, Users);
  await http.getJson("/analytics/v0/dau-count", {}, z.unknown());
  assert.deepEqual(http.stats.byEndpoint, { [PATH]: 2, "/analytics/v0/dau-count": 1 });
  assert.equal(http.stats.requests, 3);
});

Deno.test("getJson() stops at once when aborted during a backoff sleep", async () => {
  const { server, http } = run([text("", 503, { "retry-after": "60" })], {
    clock: systemClock,
  });
  await using _ = server;
  const ac = new AbortController();
  const p = http.getJson(PATH, PARAMS, Users, { signal: ac.signal });
  setTimeout(() => ac.abort(new Error("interrupted")), 100);
  const t0 = performance.now();
  await assert.rejects(p, { message: "interrupted" });
  assert.ok(performance.now() - t0 < 1_000);
  assert.equal(server.requests.length, 1);
});

Deno.test("getJson() stops at once when aborted while waiting for an answer", async () => {
  const { server, http } = run([never()], { timeoutMs: 30_000 });
  await using _ = server;
  const ac = new AbortController();
  const p = http.getJson(PATH, PARAMS, Users, { signal: ac.signal });
  setTimeout(() => ac.abort(new Error("interrupted")), 50);
  await assert.rejects(p, { message: "interrupted" });
  assert.equal(server.requests.length, 1);
  assert.equal(http.stats.retries, 0);
});

Deno.test("getJson() sends nothing when the signal is already aborted", async () => {
  const { server, http } = run([json(OK_BODY)]);
  await using _ = server;
  const ac = new AbortController();
  ac.abort(new Error("interrupted"));
  await assert.rejects(http.getJson(PATH, {}, Users, { signal: ac.signal }), {
    message: "interrupted",
  });
  assert.equal(server.requests.length, 0);
});

Deno.test("HttpClient: a 429 holds every request of its bucket for its wait, not only the refused one", async () => {
  await using server = scriptedServer([
    json({ error: { code: "ResourceExhausted", message: "slow down" } }, 429, {
      "retry-after": "5",
    }),
    json(OK_BODY),
  ]);
  let other: Promise<unknown> | undefined;
  const { http, clock } = client(server.url, {
    // Another request starts while the first waits out its 429.
    onRetry: () => other ??= http.getJson(PATH, {}, Users),
  });
  await http.getJson(PATH, PARAMS, Users);
  await other;
  // Without the hold the other request would have gone at once (the burst was not used up).
  assert.deepEqual(clock.sleeps.filter((s) => s === 5_000).length, 2, `${clock.sleeps}`);
  assert.equal(server.requests.length, 3);
  assert.equal(http.stats.rateLimited, 1);
});

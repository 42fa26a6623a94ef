import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { FakeClock } from "../../src/http/clock.ts";
import { type RunEvent, runEvent } from "../../src/notify/event.ts";
import { notify, parseNotifyOn, shouldNotify } from "../../src/notify/notify.ts";
import { jsonPayload, slackPayload, teamsPayload } from "../../src/notify/payloads.ts";
import { parseWebhookSecret } from "../../src/notify/sign.ts";
import { UsageError } from "../../src/errors.ts";
import { startReceiver } from "./_receiver.ts";
import { slackMessage, teamsMessage } from "./_schemas.ts";

// 32 bytes, base64: a Standard Webhooks secret.
const SECRET = "whsec_" + btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => i * 7 + 3)));
const TOKEN = "augtok_live_0123456789abcdefSECRET";

function successEvent(over: Partial<Parameters<typeof runEvent>[0]> = {}): RunEvent {
  return runEvent({
    version: "0.1.0",
    range: { start: "2025-01-01", end: "2025-01-28" },
    latest: { start: "2025-01-01", end: "2025-01-28" },
    days: 28,
    identities: 312,
    requests: 57,
    elapsedSeconds: 185.2,
    outputDir: "/srv/metrics",
    files: 9,
    finishedAtMs: Date.parse("2025-01-29T04:03:05Z"),
    ...over,
  });
}

function failureEvent(message = "Cannot reach the Analytics API after 5 attempts"): RunEvent {
  return runEvent({
    version: "0.1.0",
    elapsedSeconds: 12,
    error: { message, exitCode: 4 },
    finishedAtMs: Date.now(),
  });
}

const fast = () => ({ clock: new FakeClock(Date.now()), timeoutMs: 2000 });

Deno.test("runEvent() is a failure with an error, partial with warnings, else success", () => {
  assert.equal(successEvent().outcome, "success");
  assert.equal(successEvent({ warnings: ["2025-01-03: chat differs"] }).outcome, "partial");
  assert.equal(failureEvent().outcome, "failure");
});

Deno.test("shouldNotify() follows --notify-on", () => {
  const table: [string, string, boolean][] = [
    ["always", "success", true],
    ["warnings", "success", false],
    ["warnings", "partial", true],
    ["warnings", "failure", true],
    ["failure", "partial", false],
    ["failure", "failure", true],
    ["never", "failure", false],
  ];
  for (const [on, outcome, expected] of table) {
    assert.equal(
      shouldNotify(parseNotifyOn(on), outcome as RunEvent["outcome"]),
      expected,
      `${on} ${outcome}`,
    );
  }
  assert.throws(() => parseNotifyOn("sometimes"), UsageError);
});

Deno.test("generic JSON is signed per Standard Webhooks and verifies with the standardwebhooks package", async () => {
  const verifier = new Webhook(SECRET);
  let verified: unknown;
  await using rx = startReceiver([(r) => {
    try {
      verified = verifier.verify(r.body, r.headers);
      return new Response(null, { status: 204 });
    } catch (err) {
      return new Response(String(err), { status: 401 });
    }
  }]);
  const event = successEvent();
  const result = await notify([`${rx.origin}/hook`], event, { secret: SECRET, ...fast() });
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(result.delivered, [`json ${rx.origin}/…`]);
  assert.equal(rx.received.length, 1);
  const got = rx.received[0]!;
  assert.equal(got.headers["content-type"], "application/json");
  assert.match(got.headers["webhook-id"]!, /^msg_[0-9a-f]{32}$/);
  assert.match(got.headers["webhook-signature"]!, /^v1,[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(verified, jsonPayload(event));
  assert.equal((verified as { type: string }).type, "augment_metrics.run.succeeded");
});

Deno.test("a receiver that checks the signature refuses a message signed with another secret", async () => {
  const verifier = new Webhook(SECRET);
  await using rx = startReceiver([(r) => {
    try {
      verifier.verify(r.body, r.headers);
      return new Response(null, { status: 204 });
    } catch {
      return new Response("bad signature", { status: 401 });
    }
  }]);
  const other = "whsec_" + btoa("another secret of 32 bytes......");
  const result = await notify([`json+${rx.origin}/hook`], successEvent(), {
    secret: other,
    ...fast(),
  });
  assert.equal(rx.received.length, 1, "401 is not retried");
  assert.equal(result.delivered.length, 0);
  assert.match(result.warnings[0]!, /failed after 1 attempt: HTTP 401 "bad signature"/);
});

Deno.test("Slack: text and blocks match Block Kit's documented shape", async () => {
  await using rx = startReceiver([{ status: 200, body: "ok" }]);
  const events = [
    successEvent(),
    successEvent({ warnings: Array.from({ length: 30 }, (_, i) => `day ${i}: <chat> & more`) }),
    failureEvent("x".repeat(5000)),
  ];
  for (const e of events) {
    const r = await notify([`slack+${rx.origin}/services/T1/B2/C3`], e, fast());
    assert.deepEqual(r.warnings, []);
  }
  assert.equal(rx.received.length, 3);
  for (const got of rx.received) {
    const body = slackMessage.parse(JSON.parse(got.body));
    assert.equal(got.headers["webhook-signature"], undefined, "Slack messages are not signed");
    assert.equal(body.blocks[0]!.type, "header");
  }
  const partial = JSON.parse(rx.received[1]!.body);
  assert.match(JSON.stringify(partial), /&lt;chat&gt; &amp; more/, "mrkdwn is escaped");
  assert.match(JSON.stringify(partial), /… and 20 more/);
  assert.match(JSON.parse(rx.received[2]!.body).text, /failed \(exit 4\)/);
});

Deno.test("Teams: an Adaptive Card in a message, as Workflows webhooks take it", async () => {
  await using rx = startReceiver([{ status: 202 }]);
  for (const e of [successEvent(), successEvent({ warnings: ["w1"] }), failureEvent()]) {
    const r = await notify(
      [`teams+${rx.origin}/workflows/abc/triggers/manual/paths/invoke?sig=S`],
      e,
      fast(),
    );
    assert.deepEqual(r.warnings, []);
  }
  const colors = rx.received.map((got) => {
    const msg = teamsMessage.parse(JSON.parse(got.body));
    return (msg.attachments[0]!.content.body[0] as { color?: string }).color;
  });
  assert.deepEqual(colors, ["Good", "Warning", "Attention"]);
  assert.equal(rx.received[0]!.path, "/workflows/abc/triggers/manual/paths/invoke?sig=S");
});

Deno.test("payload builders agree with the schemas for an event without a range", () => {
  const e = runEvent({ version: "0.1.0", elapsedSeconds: 0, finishedAtMs: 0 });
  slackMessage.parse(slackPayload(e));
  teamsMessage.parse(teamsPayload(e));
});

Deno.test("retries 5xx with doubling backoff, with the same webhook-id, then delivers", async () => {
  await using rx = startReceiver([{ status: 500 }, { status: 503 }, { status: 200 }]);
  const clock = new FakeClock(Date.now());
  const r = await notify([`${rx.origin}/h`], successEvent(), { clock, secret: SECRET });
  assert.deepEqual(r.warnings, []);
  assert.equal(rx.received.length, 3);
  assert.deepEqual(clock.sleeps, [1000, 2000]);
  assert.equal(new Set(rx.received.map((x) => x.headers["webhook-id"])).size, 1);
});

Deno.test("429 waits its Retry-After, capped", async () => {
  await using rx = startReceiver([
    { status: 429, headers: { "retry-after": "3" } },
    { status: 429, headers: { "retry-after": "3600" } },
    { status: 200 },
  ]);
  const clock = new FakeClock(Date.now());
  const r = await notify([`${rx.origin}/h`], successEvent(), { clock, maxRetryAfterMs: 10_000 });
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(clock.sleeps, [3000, 10_000]);
});

Deno.test("gives up after the attempts allowed, with one warning, and never throws", async () => {
  await using rx = startReceiver([{ status: 502, body: "bad gateway" }]);
  const clock = new FakeClock(Date.now());
  const r = await notify([`${rx.origin}/h`], failureEvent(), { clock, attempts: 4 });
  assert.equal(rx.received.length, 4);
  assert.deepEqual(clock.sleeps, [1000, 2000, 4000]);
  assert.equal(r.warnings.length, 1);
  assert.match(
    r.warnings[0]!,
    /failed after 4 attempts: HTTP 502 "bad gateway"; the run's result is unchanged/,
  );
});

Deno.test("a 4xx other than 408/429 is not retried", async () => {
  await using rx = startReceiver([{ status: 404, body: "no_service" }]);
  const r = await notify([`slack+${rx.origin}/services/x`], successEvent(), fast());
  assert.equal(rx.received.length, 1);
  assert.match(r.warnings[0]!, /HTTP 404 "no_service"/);
});

Deno.test("a receiver that hangs: each attempt times out, and notify() returns", async () => {
  await using rx = startReceiver([{ hang: true }]);
  const clock = new FakeClock(Date.now());
  const r = await notify([`${rx.origin}/h`], successEvent(), {
    clock,
    timeoutMs: 150,
    attempts: 2,
  });
  assert.equal(rx.received.length, 2);
  assert.equal(r.delivered.length, 0);
  assert.match(r.warnings[0]!, /failed after 2 attempts: no answer within 0\.15s/);
});

Deno.test("a refused connection is a warning; the other targets are still notified", async () => {
  const closed = startReceiver();
  const deadOrigin = closed.origin;
  await closed[Symbol.asyncDispose]();
  await using rx = startReceiver([{ status: 200 }]);
  const r = await notify([`${deadOrigin}/h`, `${rx.origin}/h`], successEvent(), {
    ...fast(),
    attempts: 2,
  });
  assert.equal(r.delivered.length, 1);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /connection failed/);
  assert.equal(rx.received.length, 1);
});

Deno.test("--notify-on failure: a successful run sends nothing", async () => {
  await using rx = startReceiver();
  const r = await notify([`${rx.origin}/h`], successEvent(), { on: "failure", ...fast() });
  assert.equal(r.attempted, false);
  assert.equal(rx.received.length, 0);
});

Deno.test("the Augment token, the signing secret and webhook URLs appear in no payload, header or warning", async () => {
  const slackPath = "/services/T0SECRET/B0SECRET/XXXXXXXXXXXXXXXXXXXXXXXX";
  const teamsPath = "/workflows/0123abcd/triggers/manual/paths/invoke?sig=SIGSECRETSIG";
  await using rx = startReceiver([
    (r) =>
      r.path === "/fail"
        // A receiver that echoes what it got, URL included.
        ? new Response(`bad request ${rx.origin}${slackPath} ${TOKEN}`, { status: 400 })
        : new Response(null, { status: 200 }),
  ]);
  const slackUrl = `slack+${rx.origin}${slackPath}`;
  // An error message that (by a bug elsewhere) carries the token and a webhook URL.
  const event = runEvent({
    version: "0.1.0",
    elapsedSeconds: 1,
    warnings: [`retrying https://api.augmentcode.com/analytics/v0/dau?token=${TOKEN}`],
    error: { message: `Bearer ${TOKEN} refused; posted to ${rx.origin}${teamsPath}`, exitCode: 3 },
    outputDir: `/srv/${TOKEN}`,
    finishedAtMs: Date.now(),
  });
  const r = await notify(
    [
      slackUrl,
      `teams+${rx.origin}${teamsPath}`,
      `json+${rx.origin}/json`,
      `json+${rx.origin}/fail`,
    ],
    event,
    { secret: SECRET, secrets: [TOKEN], ...fast() },
  );
  assert.equal(r.delivered.length, 3);
  assert.equal(r.warnings.length, 1);
  const b64 = SECRET.slice("whsec_".length);
  const everything = [
    ...rx.received.map((x) => x.body + JSON.stringify(x.headers)),
    ...r.warnings,
    ...r.delivered,
  ].join("\n");
  for (const secret of [TOKEN, SECRET, b64, slackPath, "T0SECRET", "SIGSECRETSIG"]) {
    assert.ok(!everything.includes(secret), `"${secret}" leaked`);
  }
  // What remains says what happened.
  assert.match(everything, /Bearer \*\*\* refused/);
  assert.match(r.warnings[0]!, /HTTP 400 "bad request \*\*\* \*\*\*"/);
});

Deno.test("an invalid AUGMENT_NOTIFY_SECRET: generic JSON is not sent, Slack still is", async () => {
  await using rx = startReceiver([{ status: 200 }]);
  const r = await notify(
    [`json+${rx.origin}/j`, `slack+${rx.origin}/services/a`],
    successEvent(),
    { secret: "not-a-secret-value", ...fast() },
  );
  assert.equal(rx.received.length, 1);
  assert.equal(rx.received[0]!.path, "/services/a");
  assert.match(r.warnings[0]!, /not sent: Invalid AUGMENT_NOTIFY_SECRET/);
  assert.ok(!r.warnings[0]!.includes("not-a-secret-value"));
});

Deno.test("parseWebhookSecret() accepts whsec_ + 24..64 bytes and names the problem otherwise", async () => {
  await parseWebhookSecret(SECRET);
  await assert.rejects(parseWebhookSecret("abc"), /does not start with "whsec_"/);
  await assert.rejects(parseWebhookSecret("whsec_!!!"), /not base64/);
  await assert.rejects(parseWebhookSecret("whsec_" + btoa("short")), /5 bytes, expected 24 to 64/);
});

Deno.test("without a secret, generic JSON carries webhook-id and -timestamp but no signature", async () => {
  await using rx = startReceiver([{ status: 200 }]);
  const clock = new FakeClock(1_700_000_000_500);
  await notify([`${rx.origin}/j`], successEvent(), { clock });
  const h = rx.received[0]!.headers;
  assert.equal(h["webhook-timestamp"], "1700000000");
  assert.equal(h["webhook-signature"], undefined);
  assert.match(h["user-agent"]!, /^augment-metrics\//);
});

import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import {
  notifyTargets,
  parseNotifyTarget,
  redactUrl,
  splitNotifyUrls,
} from "../../src/notify/target.ts";

Deno.test("parseNotifyTarget() picks the kind from the host", () => {
  const cases: [string, string][] = [
    ["https://hooks.slack.com/services/T0/B0/XYZ", "slack"],
    [
      "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s",
      "teams",
    ],
    [
      "https://default1234.56.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=s",
      "teams",
    ],
    ["https://example.com/hooks/augment", "json"],
  ];
  for (const [url, kind] of cases) assert.equal(parseNotifyTarget(url).kind, kind, url);
});

Deno.test("an explicit kind prefix wins over the host", () => {
  const t = parseNotifyTarget("json+https://hooks.slack.com/services/T0/B0/XYZ");
  assert.equal(t.kind, "json");
  assert.equal(t.url.href, "https://hooks.slack.com/services/T0/B0/XYZ");
  assert.equal(parseNotifyTarget("teams+https://proxy.example.com/t").kind, "teams");
  assert.equal(parseNotifyTarget("SLACK+http://127.0.0.1:9/s").kind, "slack");
});

Deno.test("the label shows scheme and host only", () => {
  const t = parseNotifyTarget("https://hooks.slack.com/services/T0/B0/XYZSECRET");
  assert.equal(t.label, "slack https://hooks.slack.com/…");
  assert.equal(redactUrl("https://a.example:8443/x?sig=1"), "https://a.example:8443/…");
});

Deno.test("bad URLs are usage errors that never print the URL's secret part", () => {
  const bad = [
    ["http://hooks.slack.com/services/T0/B0/XYZSECRET", /notifications go over https/],
    ["ftp://example.com/XYZSECRET", /notifications go over https/],
    ["https://user:XYZSECRET@example.com/x", /user name or password/],
    ["nope+https://example.com/XYZSECRET", /Invalid --notify kind "nope"/],
    ["not a url XYZSECRET", /not a URL/],
  ] as const;
  for (const [url, re] of bad) {
    assert.throws(() => parseNotifyTarget(url), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, re);
      assert.ok(!`${err.message} ${err.hint}`.includes("XYZSECRET"), err.message);
      return true;
    });
  }
});

Deno.test("AUGMENT_NOTIFY_URLS splits on spaces, commas and line breaks; duplicates go", () => {
  assert.deepEqual(
    splitNotifyUrls(" https://a.example/1,https://b.example/2\nhttps://c.example/3 "),
    [
      "https://a.example/1",
      "https://b.example/2",
      "https://c.example/3",
    ],
  );
  const ts = notifyTargets(
    ["https://a.example/1"],
    "https://a.example/1 slack+https://b.example/2",
  );
  assert.deepEqual(ts.map((t) => t.label), [
    "json https://a.example/…",
    "slack https://b.example/…",
  ]);
  assert.throws(() => notifyTargets([], "http://example.com/x"), /Invalid AUGMENT_NOTIFY_URLS URL/);
});

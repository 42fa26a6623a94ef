import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { UsageError } from "../../src/errors.ts";
import { runEvent } from "../../src/notify/event.ts";
import { reportRunEnd, runEndConfig } from "../../src/notify/run_end.ts";
import { startReceiver } from "./_receiver.ts";

const SECRET = "whsec_" + btoa("0123456789abcdef0123456789abcdef");
const TOKEN = "augtok_0123456789abcdef_TOKEN";

Deno.test("runEndConfig(): flags first, then variables; empty variables are unset", async () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  const c = await runEndConfig(
    { notify: ["https://hooks.slack.com/services/a"] },
    env({
      AUGMENT_NOTIFY_URLS: "https://example.com/h",
      AUGMENT_NOTIFY_ON: "failure",
      AUGMENT_NOTIFY_SECRET: SECRET,
      GITHUB_ACTIONS: "true",
      GITHUB_STEP_SUMMARY: "",
    }),
  );
  assert.deepEqual(c.targets.map((t) => t.kind), ["slack", "json"]);
  assert.equal(c.on, "failure");
  assert.ok(c.secret);
  assert.deepEqual(c.actions, { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: undefined });
  assert.equal(
    (await runEndConfig({ notifyOn: "warnings" }, env({ AUGMENT_NOTIFY_ON: "x" }))).on,
    "warnings",
  );
  assert.equal((await runEndConfig({}, env({}))).on, "always");
});

Deno.test("runEndConfig(): a bad setting is a usage error naming it", async () => {
  const none = () => undefined;
  await assert.rejects(runEndConfig({ notifyOn: "often" }, none), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /Invalid --notify-on "often"/);
    return true;
  });
  await assert.rejects(
    runEndConfig({}, (n) => n === "AUGMENT_NOTIFY_ON" ? "often" : undefined),
    /Invalid AUGMENT_NOTIFY_ON "often"/,
  );
  await assert.rejects(
    runEndConfig({}, (n) => n === "AUGMENT_NOTIFY_SECRET" ? "hunter2" : undefined),
    (e: unknown) => e instanceof UsageError && !e.message.includes("hunter2"),
  );
  await assert.rejects(runEndConfig({ notify: ["http://example.com/x"] }, none), UsageError);
});

Deno.test("reportRunEnd(): step summary, annotations and a signed notification for a failed run", async () => {
  const verifier = new Webhook(SECRET);
  await using rx = startReceiver([(r) => {
    verifier.verify(r.body, r.headers);
    return new Response(null, { status: 204 });
  }]);
  const dir = await Deno.makeTempDir();
  try {
    const summary = join(dir, "summary.md");
    const vars: Record<string, string> = {
      AUGMENT_NOTIFY_URLS: `${rx.origin}/hook`,
      AUGMENT_NOTIFY_ON: "failure",
      AUGMENT_NOTIFY_SECRET: SECRET,
      GITHUB_ACTIONS: "true",
      GITHUB_STEP_SUMMARY: summary,
    };
    const config = await runEndConfig({}, (n) => vars[n]);
    let out = "";
    const event = runEvent({
      version: "0.1.0",
      elapsedSeconds: 3,
      error: { message: `The service refused the token ${TOKEN}`, exitCode: 3 },
      finishedAtMs: Date.now(),
    });
    const warnings = await reportRunEnd(config, event, {
      stdout: (t) => out += t,
      secrets: [TOKEN],
    });
    assert.deepEqual(warnings, []);
    assert.equal(rx.received.length, 1);
    const body = JSON.parse(rx.received[0]!.body);
    assert.equal(body.type, "augment_metrics.run.failed");
    assert.equal(body.data.error.exit_code, 3);
    assert.ok(!rx.received[0]!.body.includes(TOKEN));
    assert.match(out, /^::error title=augment-metrics export failed::/);
    assert.match(await Deno.readTextFile(summary), /augment-metrics export failed \(exit 3\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a host outside the network permission: one warning naming the host, no retry, no URL", async () => {
  const script = fileURLToPath(new URL("./_post_outside.ts", import.meta.url));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-read", "--no-prompt", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const r = JSON.parse(text);
  assert.equal(r.warnings.length, 1);
  assert.match(
    r.warnings[0],
    /failed after 1 attempt: this program may not connect to "hooks\.slack\.com"/,
  );
  assert.ok(!text.includes("NOTPERMITTEDSECRET"));
});

/**
 * The views users add to a run, through the CLI (the bundle, with the binary's permissions):
 * the HTML report and the warehouse tables, uploaded to a real S3-compatible server, and a
 * signed notification to a local receiver.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { startS3Server } from "../_s3_server.ts";
import { listFiles, runCli, withTempDir } from "./helpers.ts";

const NOW = "2026-11-20T12:00:00Z";
const SECRET = "whsec_" + btoa("0123456789abcdef0123456789abcdef");

Deno.test("export --format html,parquet with --destination and --notify: files, objects and one signed event", async () => {
  await using sim = await startSimulator({
    now: () => Date.parse(NOW),
    rateLimit: false,
    users: 9,
  });
  await using s3 = await startS3Server();
  await s3.createBucket("metrics");
  const received: { headers: Headers; body: string }[] = [];
  await using receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      received.push({ headers: req.headers, body: await req.text() });
      return new Response("ok");
    },
  );
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const env = {
      HOME: dir,
      AUGMENT_API_BASE_URL: sim.url,
      AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
      AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
      AUGMENT_NOTIFY_SECRET: SECRET,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    };
    const args = [
      "--now",
      NOW,
      "export",
      "-o",
      out,
      "--format",
      "usage-metrics,html,parquet",
      "--destination",
      "s3://metrics/augment",
      "--notify",
      `json+http://127.0.0.1:${receiver.addr.port}/hook`,
    ];
    const r = await runCli(args, { env });
    assert.equal(r.code, 0, r.stderr);
    const files = await listFiles(out);
    assert.ok(files.includes("latest/report.html"));
    assert.ok(files.includes("tables/activity/day=2026-11-19/part-0.parquet"), files.join());
    assert.match(r.stdout, /Uploaded to s3:\/\/metrics\/augment: \d+ uploaded, 0 unchanged/);

    // Every local file but the store and the manifest is an object, byte for byte.
    const keys = await s3.listKeys("metrics", "augment/");
    const report = await s3.getObject("metrics", "augment/latest/report.html");
    assert.deepEqual(report, await Deno.readFile(join(out, "latest/report.html")));
    assert.ok(keys.includes("augment/tables/org_day/day=2026-11-19/part-0.parquet"));
    assert.ok(!keys.some((k) => k.includes(".store/")));

    // One signed event, verified independently; neither token nor secret in it.
    assert.equal(received.length, 1);
    const { headers, body } = received[0];
    const event = new Webhook(SECRET).verify(body, Object.fromEntries(headers)) as {
      data: { outcome: string; files: number };
    };
    assert.equal(event.data.outcome, "success");
    assert.ok(!body.includes(SIMULATOR_TOKEN) && !body.includes(SECRET));

    // A re-run changes no output, only the run's summary: that is the one upload.
    const again = await runCli(args, { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /: 1 uploaded, \d+ unchanged/);
    assert.equal(received.length, 2);
  });
});

Deno.test("a missing bucket stops the run after the export (exit 4), and a failure is notified", async () => {
  await using sim = await startSimulator({
    now: () => Date.parse(NOW),
    rateLimit: false,
    users: 4,
  });
  await using s3 = await startS3Server();
  const received: string[] = [];
  await using receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      received.push(await req.text());
      return new Response("ok");
    },
  );
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const r = await runCli([
      "--now",
      NOW,
      "export",
      "-o",
      out,
      "--destination",
      "s3://missing-bucket",
      "--notify",
      `json+http://127.0.0.1:${receiver.addr.port}/`,
      "--notify-on",
      "failure",
    ], {
      env: {
        HOME: dir,
        AUGMENT_API_BASE_URL: sim.url,
        AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
        AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      },
    });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /missing-bucket/);
    assert.ok((await listFiles(out)).includes("latest/enterprise-28-day.json"), "export kept");
    assert.equal(received.length, 1);
    assert.match(received[0], /"outcome":"failure"/);
  });
});

Deno.test("bad end-of-run settings exit 2 before any request", async () => {
  await using sim = await startSimulator({
    now: () => Date.parse(NOW),
    rateLimit: false,
    users: 4,
  });
  await withTempDir(async (dir) => {
    const env = {
      HOME: dir,
      AUGMENT_API_BASE_URL: sim.url,
      AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
    };
    for (
      const extra of [
        ["--destination", "ftp://bucket"],
        ["--notify", "http://example.com/hook"],
        ["--notify-on", "sometimes"],
        ["--format", "pdf"],
      ]
    ) {
      const r = await runCli(["--now", NOW, "export", "-o", join(dir, "out"), ...extra], { env });
      assert.equal(r.code, 2, `${extra.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length <= 2, true, r.stderr);
    }
    assert.equal(sim.stats.requests, 0);
  });
});

/** The destinations under the release binary's kind of permissions (subprocesses). */
import { equal, ok } from "node:assert/strict";
import { DESTINATION_NET_HOSTS, DESTINATION_VARIABLES } from "../../src/destinations/mod.ts";

const SCRIPT = new URL("./_sync_script.ts", import.meta.url).pathname;

async function deno(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    // Only the variables given (and Deno's cache location): no AWS_* of the machine leaks in.
    env: {
      NO_COLOR: "1",
      ...Object.fromEntries(
        ["HOME", "DENO_DIR", "PATH"].flatMap((k) => {
          const v = Deno.env.get(k);
          return v === undefined ? [] : [[k, v]];
        }),
      ),
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("DESTINATION_NET_HOSTS: Deno accepts the *. wildcards; they cover AWS, GCS, R2 and B2 hosts only", async () => {
  const probe = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      probe,
      `for (const host of Deno.args) {
        const s = await Deno.permissions.query({ name: "net", host });
        console.log(host, s.state);
      }`,
    );
    const hosts = {
      "my-bucket.s3.eu-west-1.amazonaws.com:443": "granted",
      "s3.us-west-2.amazonaws.com:443": "granted",
      "storage.googleapis.com:443": "granted",
      "abc123.r2.cloudflarestorage.com:443": "granted",
      "s3.us-west-004.backblazeb2.com:443": "granted",
      "my-bucket.s3.amazonaws.com:80": "prompt",
      "amazonaws.com.evil.example:443": "prompt",
      "googleapis.com:443": "prompt",
    };
    const r = await deno([
      "run",
      "--no-prompt",
      `--allow-net=${DESTINATION_NET_HOSTS.join(",")}`,
      probe,
      ...Object.keys(hosts),
    ]);
    equal(r.code, 0, r.stderr);
    equal(r.stdout, Object.entries(hosts).map(([h, s]) => `${h} ${s}\n`).join(""));
  } finally {
    await Deno.remove(probe);
  }
});

Deno.test("a destination host the permissions do not allow: exit 2 and the --allow-net entry to add", async () => {
  const out = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${out}/daily`);
    await Deno.writeTextFile(`${out}/daily/a.json`, "{}\n");
    const secret = "not-printed-secret-value";
    const r = await deno([
      "run",
      "--no-prompt",
      "--allow-net=127.0.0.1",
      "--allow-read",
      `--allow-env=${DESTINATION_VARIABLES.join(",")}`,
      "--ignore-env",
      SCRIPT,
      "s3://bucket/x",
      out,
    ], {
      AWS_ACCESS_KEY_ID: "AKIANOTPRINTED",
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_ENDPOINT_URL_S3: "http://127.0.0.2:9000",
    });
    equal(r.code, 2);
    equal(
      r.stderr,
      'Network access to "127.0.0.2:9000" is not allowed\n' +
        'hint: run with --allow-net=127.0.0.2:9000 (deno run), or build the binary with that host (see README "Object storage")\n',
    );
    ok(!r.stderr.includes(secret) && !r.stderr.includes("AKIANOTPRINTED"));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

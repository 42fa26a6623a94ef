import assert from "node:assert/strict";
import { join } from "node:path";
import { saveCredentials } from "../../src/auth/credentials.ts";
import { refusedTokenHint, resolveToken } from "../../src/auth/resolve_token.ts";
import { type LoadedSettings, loadSettings } from "../../src/config/settings.ts";
import { UsageError } from "../../src/errors.ts";

const ENV_TOKEN = "env-token-0123456789abcdef";
const FILE_TOKEN = "dotenv-token-0123456789abcdef";
const SAVED_TOKEN = "saved-token-0123456789abcdef";

/** A working directory and a fake home in one temp dir; never the real ~/.augment. */
async function sandbox(options: { env?: string; dotenv?: string; saved?: string }) {
  const root = await Deno.makeTempDir({ prefix: "resolve_token_test_" });
  const credentials = join(root, "home", ".augment", "credentials");
  if (options.dotenv !== undefined) {
    await Deno.writeTextFile(join(root, ".env"), `AUGMENT_API_TOKEN=${options.dotenv}\n`);
  }
  if (options.saved !== undefined) await saveCredentials(credentials, options.saved);
  const env: Record<string, string> = options.env === undefined
    ? {}
    : { AUGMENT_API_TOKEN: options.env };
  const loaded: LoadedSettings = await loadSettings({ env: (n) => env[n], cwd: root });
  return {
    root,
    credentials,
    loaded,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("resolveToken() prefers AUGMENT_API_TOKEN over .env and the credentials file", async () => {
  await using s = await sandbox({ env: ENV_TOKEN, dotenv: FILE_TOKEN, saved: SAVED_TOKEN });
  assert.deepEqual(await resolveToken(s.loaded, s.credentials), {
    token: ENV_TOKEN,
    source: "AUGMENT_API_TOKEN",
  });
});

Deno.test("resolveToken() prefers .env over the credentials file, with its path", async () => {
  await using s = await sandbox({ dotenv: FILE_TOKEN, saved: SAVED_TOKEN });
  assert.deepEqual(await resolveToken(s.loaded, s.credentials), {
    token: FILE_TOKEN,
    source: ".env",
    path: join(s.root, ".env"),
  });
});

Deno.test("resolveToken() uses the credentials file when no setting holds a token", async () => {
  await using s = await sandbox({ saved: SAVED_TOKEN });
  assert.deepEqual(await resolveToken(s.loaded, s.credentials), {
    token: SAVED_TOKEN,
    source: "credentials file",
    path: s.credentials,
  });
});

Deno.test("resolveToken() falls through an empty AUGMENT_API_TOKEN to the credentials file", async () => {
  await using s = await sandbox({ env: "", dotenv: "", saved: SAVED_TOKEN });
  assert.equal((await resolveToken(s.loaded, s.credentials)).source, "credentials file");
});

Deno.test("resolveToken() says how to provide a token when there is none", async () => {
  await using s = await sandbox({});
  await assert.rejects(resolveToken(s.loaded, s.credentials), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.equal(
      err.message,
      `No API token found in AUGMENT_API_TOKEN, .env or "${s.credentials}": ` +
        "set AUGMENT_API_TOKEN or run `augment-metrics auth login`",
    );
    assert.match(err.hint ?? "", /service-accounts/);
    return true;
  });
});

Deno.test("resolveToken() refuses a credentials file readable by others", async () => {
  await using s = await sandbox({ saved: SAVED_TOKEN });
  await Deno.chmod(s.credentials, 0o644);
  await assert.rejects(resolveToken(s.loaded, s.credentials), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /run `chmod 600 .*credentials`$/);
    assert.ok(!err.message.includes(SAVED_TOKEN));
    return true;
  });
});

Deno.test("resolveToken() does not read the credentials file when a setting holds a token", async () => {
  await using s = await sandbox({ env: ENV_TOKEN, saved: SAVED_TOKEN });
  await Deno.chmod(s.credentials, 0o644); // would be refused if it were read
  assert.equal((await resolveToken(s.loaded, s.credentials)).token, ENV_TOKEN);
});

Deno.test("refusedTokenHint() names the token's source: variable, .env file or credentials file", () => {
  const env = refusedTokenHint({ source: "AUGMENT_API_TOKEN" });
  assert.match(env, /AUGMENT_API_TOKEN environment variable/);
  const dotenv = refusedTokenHint({ source: ".env", path: "/p/.env" });
  assert.match(dotenv, /AUGMENT_API_TOKEN in "\/p\/\.env"/);
  assert.doesNotMatch(dotenv, /environment variable|auth login/);
  const file = refusedTokenHint({ source: "credentials file", path: "/h/.augment/credentials" });
  assert.match(file, /"\/h\/\.augment\/credentials".*`augment-metrics auth login`/);
  assert.doesNotMatch(file, /AUGMENT_API_TOKEN/);
});

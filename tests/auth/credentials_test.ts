import assert from "node:assert/strict";
import { join } from "node:path";
import {
  credentialsPath,
  readCredentials,
  removeCredentials,
  saveCredentials,
} from "../../src/auth/credentials.ts";
import { UsageError } from "../../src/errors.ts";

const TOKEN = "saved-token-0123456789abcdef";
const OTHER_TOKEN = "other-token-0123456789abcdef";

/** A fake home directory, removed at the end of the scope. Never the real ~/.augment. */
async function fakeHome() {
  const home = await Deno.makeTempDir({ prefix: "credentials_test_" });
  return {
    home,
    dir: join(home, ".augment"),
    file: join(home, ".augment", "credentials"),
    async [Symbol.asyncDispose]() {
      await Deno.remove(home, { recursive: true });
    },
  };
}

async function modeOf(path: string): Promise<number> {
  return ((await Deno.stat(path)).mode ?? 0) & 0o777;
}

async function writeCredentials(path: string, text: string, mode: number): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, mode);
}

Deno.test("credentialsPath() uses HOME, else USERPROFILE, and fails without either", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  assert.equal(credentialsPath(env({ HOME: "/h", USERPROFILE: "/u" })), "/h/.augment/credentials");
  assert.equal(credentialsPath(env({ USERPROFILE: "/u" })), "/u/.augment/credentials");
  assert.equal(credentialsPath(env({ HOME: "", USERPROFILE: "/u" })), "/u/.augment/credentials");
  assert.throws(() => credentialsPath(env({})), {
    name: "UsageError",
    message: "Cannot locate the credentials file: neither HOME nor USERPROFILE is set; " +
      "set HOME, or set AUGMENT_API_TOKEN instead",
  });
});

Deno.test("saveCredentials() creates ~/.augment with 0700 and the file with 0600", async () => {
  await using h = await fakeHome();
  await saveCredentials(h.file, TOKEN);
  assert.equal(await modeOf(h.dir), 0o700);
  assert.equal(await modeOf(h.file), 0o600);
  const saved = JSON.parse(await Deno.readTextFile(h.file));
  assert.equal(saved.token, TOKEN);
  assert.ok(!Number.isNaN(Date.parse(saved.saved_at)), saved.saved_at);
  assert.equal(await readCredentials(h.file), TOKEN);
});

Deno.test("saveCredentials() never changes the mode of an existing ~/.augment", async () => {
  await using h = await fakeHome();
  await Deno.mkdir(h.dir);
  await Deno.chmod(h.dir, 0o755);
  await Deno.writeTextFile(join(h.dir, "session.json"), "{}");
  await saveCredentials(h.file, TOKEN);
  assert.equal(await modeOf(h.dir), 0o755);
  assert.equal(await modeOf(h.file), 0o600);
  assert.equal(await Deno.readTextFile(join(h.dir, "session.json")), "{}");
});

Deno.test("saveCredentials() replaces the file by rename, leaving no temp file", async () => {
  await using h = await fakeHome();
  await writeCredentials(h.file, JSON.stringify({ token: OTHER_TOKEN }), 0o644);
  const before = await Deno.stat(h.file);
  await saveCredentials(h.file, TOKEN);
  const after = await Deno.stat(h.file);
  assert.notEqual(after.ino, before.ino, "the file was rewritten in place, not renamed");
  assert.equal(await modeOf(h.file), 0o600);
  assert.equal(await readCredentials(h.file), TOKEN);
  const names = [];
  for await (const entry of Deno.readDir(h.dir)) names.push(entry.name);
  assert.deepEqual(names, ["credentials"]);
});

Deno.test("saveCredentials() removes its temp file when the rename fails", async () => {
  await using h = await fakeHome();
  await Deno.mkdir(h.file, { recursive: true });
  await Deno.writeTextFile(join(h.file, "keep"), "x");
  await assert.rejects(saveCredentials(h.file, TOKEN), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /^Cannot save credentials ".*credentials": /);
    assert.ok(!err.message.includes(TOKEN));
    return true;
  });
  const names = [];
  for await (const entry of Deno.readDir(h.dir)) names.push(entry.name);
  assert.deepEqual(names, ["credentials"]);
});

Deno.test("readCredentials() returns undefined when the file does not exist", async () => {
  await using h = await fakeHome();
  assert.equal(await readCredentials(h.file), undefined);
});

for (const mode of [0o600, 0o400]) {
  Deno.test(`readCredentials() accepts a file with mode ${mode.toString(8)}`, async () => {
    await using h = await fakeHome();
    await writeCredentials(h.file, JSON.stringify({ token: TOKEN, saved_at: "x" }), mode);
    assert.equal(await readCredentials(h.file), TOKEN);
  });
}

for (const mode of [0o644, 0o640, 0o604, 0o620]) {
  Deno.test(`readCredentials() refuses mode ${mode.toString(8)} with a chmod hint`, async () => {
    await using h = await fakeHome();
    await writeCredentials(h.file, JSON.stringify({ token: TOKEN }), mode);
    await assert.rejects(readCredentials(h.file), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(
        err.message,
        `Cannot read credentials "${h.file}": the file is accessible by other users ` +
          `(mode 0${mode.toString(8)}); run \`chmod 600 ${h.file}\``,
      );
      return true;
    });
  });
}

Deno.test("readCredentials() quotes a path with spaces in the chmod hint", async () => {
  await using h = await fakeHome();
  const file = join(h.home, "my dir", "credentials");
  await writeCredentials(file, JSON.stringify({ token: TOKEN }), 0o644);
  await assert.rejects(readCredentials(file), {
    message: new RegExp(`run \`chmod 600 '${h.home}/my dir/credentials'\`$`),
  });
});

const MALFORMED: [string, string][] = [
  ["not JSON", `token=${TOKEN}`],
  ["an array", `["${TOKEN}"]`],
  ["without a token", `{"access_token": "${TOKEN}"}`],
  ["with a number token", `{"token": 12345678901234567890}`],
];

for (const [what, text] of MALFORMED) {
  Deno.test(`readCredentials() refuses a file ${what}, without quoting it`, async () => {
    await using h = await fakeHome();
    await writeCredentials(h.file, text, 0o600);
    await assert.rejects(readCredentials(h.file), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(
        err.message,
        `Cannot read credentials "${h.file}": it is not a JSON object with a "token" string; ` +
          "run `augment-metrics auth login` to write it again",
      );
      assert.ok(!err.message.includes(TOKEN));
      return true;
    });
  });
}

Deno.test("readCredentials() refuses a malformed token, naming the file", async () => {
  await using h = await fakeHome();
  await writeCredentials(h.file, JSON.stringify({ token: `${TOKEN} x` }), 0o600);
  await assert.rejects(readCredentials(h.file), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /^Invalid token from credentials file ".*": contains whitespace;/);
    assert.ok(!err.message.includes(TOKEN));
    return true;
  });
});

Deno.test("readCredentials() refuses a directory in place of the file", async () => {
  await using h = await fakeHome();
  await Deno.mkdir(h.file, { recursive: true });
  await assert.rejects(readCredentials(h.file), {
    name: "UsageError",
    message: /it is not a regular file; remove it and run `augment-metrics auth login`$/,
  });
});

Deno.test("removeCredentials() removes only the credentials file", async () => {
  await using h = await fakeHome();
  await saveCredentials(h.file, TOKEN);
  await Deno.writeTextFile(join(h.dir, "session.json"), "{}");
  await Deno.mkdir(join(h.dir, "rules"));
  assert.equal(await removeCredentials(h.file), true);
  const names = [];
  for await (const entry of Deno.readDir(h.dir)) names.push(entry.name);
  assert.deepEqual(names.sort(), ["rules", "session.json"]);
  assert.equal(await removeCredentials(h.file), false);
});

Deno.test("removeCredentials() returns false when ~/.augment does not exist", async () => {
  await using h = await fakeHome();
  assert.equal(await removeCredentials(h.file), false);
});

Deno.test("removeCredentials() refuses to remove a directory", async () => {
  await using h = await fakeHome();
  await Deno.mkdir(h.file, { recursive: true });
  await assert.rejects(removeCredentials(h.file), {
    name: "UsageError",
    message: `Cannot remove credentials "${h.file}": it is not a regular file; remove it yourself`,
  });
  assert.ok((await Deno.stat(h.file)).isDirectory);
});

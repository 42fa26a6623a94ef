import assert from "node:assert/strict";
import { join } from "node:path";
import { dotenvProblem, parseDotenv, readDotenv } from "../../src/config/dotenv.ts";
import { loadSettings } from "../../src/config/settings.ts";
import { SETTINGS_VARIABLES } from "../../src/config/variables.ts";
import { UsageError } from "../../src/errors.ts";

const SECRET = "secret-token-0123456789abcdef";

async function tempDir() {
  const path = await Deno.makeTempDir({ prefix: "dotenv_test_" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

Deno.test("parseDotenv() reads comments, export, quotes, CRLF, a BOM and multi-line values", () => {
  const text = "\uFEFF# settings\r\n\r\nexport A=1\r\nB = 'two words' # note\r\n" +
    'C="line one\nline two"\nD=`x`\nE=\n';
  assert.deepEqual(parseDotenv(text, "/x/.env"), {
    A: "1",
    B: "two words",
    C: "line one\nline two",
    D: "x",
    E: "",
  });
});

const MALFORMED: [string, string, string][] = [
  ["a line without =", `A=1\n${SECRET}\n`, "line 2 is not a NAME=value line"],
  ["a name with a space", `AUGMENT API TOKEN=${SECRET}\n`, "line 1 is not a NAME=value line"],
  ["a line starting with =", "=value\n", "line 1 is not a NAME=value line"],
  [
    "an unclosed double quote",
    `A=1\nAUGMENT_API_TOKEN="${SECRET}\nB=2\n`,
    "line 2 opens a quoted value that is never closed",
  ],
  ["an unclosed single quote", "A='x\n", "line 1 opens a quoted value that is never closed"],
];

for (const [what, text, problem] of MALFORMED) {
  Deno.test(`parseDotenv() refuses ${what}, naming the file and the line only`, () => {
    assert.equal(dotenvProblem(text), problem);
    assert.throws(() => parseDotenv(text, "/w/.env"), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(
        err.message,
        `Cannot read settings file "/w/.env": ${problem}; ` +
          "expected NAME=value lines, # comments and blank lines",
      );
      assert.ok(!err.message.includes(SECRET));
      return true;
    });
  });
}

Deno.test("readDotenv() returns undefined when there is no .env", async () => {
  await using dir = await tempDir();
  assert.equal(await readDotenv(dir.path), undefined);
});

Deno.test("readDotenv() returns the path and the values of the .env", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, ".env"), "AUGMENT_MAX_RETRIES=3\n");
  if (Deno.build.os !== "windows") await Deno.chmod(join(dir.path, ".env"), 0o640);
  assert.deepEqual(await readDotenv(dir.path), {
    path: join(dir.path, ".env"),
    values: { AUGMENT_MAX_RETRIES: "3" },
    ...(Deno.build.os !== "windows" ? { mode: 0o640 } : {}),
  });
});

Deno.test("readDotenv() refuses a .env that is not UTF-8, in one line", async () => {
  await using dir = await tempDir();
  await Deno.writeFile(join(dir.path, ".env"), new Uint8Array([0x41, 0x3d, 0xff, 0xfe, 0x0a]));
  await assert.rejects(readDotenv(dir.path), {
    name: "UsageError",
    message: `Cannot read settings file "${join(dir.path, ".env")}": it is not UTF-8 text; ` +
      "save it as UTF-8",
  });
});

Deno.test("readDotenv() refuses a .env that is a directory", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, ".env"));
  await assert.rejects(readDotenv(dir.path), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /^Cannot read settings file ".*\.env": .+; fix or remove it$/);
    assert.ok(!err.message.includes("\n"));
    return true;
  });
});

Deno.test("loadSettings() fails on a malformed .env even when the environment sets everything", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, ".env"), "oops\n");
  await assert.rejects(
    loadSettings({ env: () => "1", cwd: dir.path }),
    { name: "UsageError", message: /^Cannot read settings file ".*\.env": line 1 / },
  );
});

Deno.test(".env.example lists every variable with its default and a comment", async () => {
  const text = await Deno.readTextFile(new URL("../../.env.example", import.meta.url));
  const lines = text.split("\n");
  const values = parseDotenv(text, ".env.example");
  for (const variable of SETTINGS_VARIABLES) {
    const index = lines.findIndex((l) => l.startsWith(`${variable.name}=`));
    assert.ok(index > 0, `${variable.name} missing`);
    assert.match(lines[index - 1], /^# \S/, `${variable.name} has no comment`);
    const expected = variable.default.startsWith("(") || variable.default.startsWith("<")
      ? ""
      : variable.default;
    assert.equal(values[variable.name], expected, variable.name);
  }
});

Deno.test(".env.example copied to .env gives the default settings", async () => {
  await using dir = await tempDir();
  await Deno.copyFile(new URL("../../.env.example", import.meta.url), join(dir.path, ".env"));
  const fromExample = await loadSettings({ env: () => undefined, cwd: dir.path });
  await using empty = await tempDir();
  const defaults = await loadSettings({ env: () => undefined, cwd: empty.path });
  assert.deepEqual(fromExample.settings, defaults.settings);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSettings, type Settings } from "../../src/config/settings.ts";
import { type SettingName, SETTINGS_VARIABLES } from "../../src/config/variables.ts";
import { UsageError } from "../../src/errors.ts";

const TOKEN_ENV = "env-token-0123456789abcdef";
const TOKEN_FILE = "file-token-0123456789abcdef";

/** A temp directory removed at the end of the scope, with an optional `.env`. */
async function workDir(dotenv?: string) {
  const path = await Deno.makeTempDir({ prefix: "settings_test_" });
  if (dotenv !== undefined) await Deno.writeTextFile(join(path, ".env"), dotenv);
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

function envOf(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

/** Loads settings and returns the UsageError it throws. */
async function loadError(env: Record<string, string>, dotenv?: string): Promise<UsageError> {
  await using dir = await workDir(dotenv);
  try {
    await loadSettings({ env: envOf(env), cwd: dir.path });
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${err}`);
    return err;
  }
  assert.fail("loadSettings() did not throw");
}

function assertOneLine(message: string): void {
  assert.ok(!/[\r\n]/.test(message), `not one line: ${JSON.stringify(message)}`);
}

// For every variable: a value for the environment, one for .env, and the settings each gives.
const PRECEDENCE: {
  name: SettingName;
  key: keyof Settings;
  env: string;
  file: string;
  fromEnv: unknown;
  fromFile: unknown;
  byDefault: unknown;
}[] = [
  {
    name: "AUGMENT_API_TOKEN",
    key: "token",
    env: TOKEN_ENV,
    file: TOKEN_FILE,
    fromEnv: TOKEN_ENV,
    fromFile: TOKEN_FILE,
    byDefault: undefined,
  },
  {
    name: "AUGMENT_API_BASE_URL",
    key: "baseUrl",
    env: "https://env.example.com/",
    file: "http://127.0.0.1:8080/api/",
    fromEnv: "https://env.example.com",
    fromFile: "http://127.0.0.1:8080/api",
    byDefault: "https://api.augmentcode.com",
  },
  {
    name: "AUGMENT_RATE_LIMIT_PER_MINUTE",
    key: "ratePerMinute",
    env: "60",
    file: "30",
    fromEnv: 60,
    fromFile: 30,
    byDefault: 10,
  },
  {
    name: "AUGMENT_RATE_LIMIT_BURST",
    key: "burst",
    env: "5",
    file: "7",
    fromEnv: 5,
    fromFile: 7,
    byDefault: 20,
  },
  {
    name: "AUGMENT_CREDITS_RATE_LIMIT_PER_MINUTE",
    key: "creditsRatePerMinute",
    env: "120",
    file: "60",
    fromEnv: 120,
    fromFile: 60,
    byDefault: 30,
  },
  {
    name: "AUGMENT_MAX_RETRIES",
    key: "maxRetries",
    env: "0",
    file: "10",
    fromEnv: 0,
    fromFile: 10,
    byDefault: 5,
  },
  {
    name: "AUGMENT_REQUEST_TIMEOUT_SECONDS",
    key: "timeoutSeconds",
    env: "600",
    file: "1",
    fromEnv: 600,
    fromFile: 1,
    byDefault: 30,
  },
  {
    name: "AUGMENT_OUTPUT_DIR",
    key: "outputDir",
    env: "/tmp/env-out",
    file: "file-out",
    fromEnv: "/tmp/env-out",
    fromFile: "file-out",
    byDefault: "./data",
  },
  {
    name: "AUGMENT_ENTERPRISE_ID",
    key: "enterpriseId",
    env: "acme-env",
    file: "acme-file",
    fromEnv: "acme-env",
    fromFile: "acme-file",
    byDefault: "augment",
  },
  {
    name: "AUGMENT_STORE_DIR",
    key: "storeDir",
    env: "/tmp/env-store",
    file: "file-store",
    fromEnv: "/tmp/env-store",
    fromFile: "file-store",
    byDefault: undefined,
  },
  {
    name: "AUGMENT_COMPRESS_AFTER_DAYS",
    key: "compressAfterDays",
    env: "7",
    file: "14",
    fromEnv: 7,
    fromFile: 14,
    byDefault: undefined,
  },
  {
    name: "AUGMENT_RETENTION_DAYS",
    key: "retentionDays",
    env: "365",
    file: "90",
    fromEnv: 365,
    fromFile: 90,
    byDefault: undefined,
  },
  {
    name: "AUGMENT_TEAMS_FILE",
    key: "teamsFile",
    env: "/tmp/teams.csv",
    file: "teams.json",
    fromEnv: "/tmp/teams.csv",
    fromFile: "teams.json",
    byDefault: undefined,
  },
  {
    name: "AUGMENT_TEAM_MIN_SIZE",
    key: "teamMinSize",
    env: "3",
    file: "10",
    fromEnv: 3,
    fromFile: 10,
    byDefault: 5,
  },
  {
    name: "AUGMENT_PSEUDONYMIZE_KEY",
    key: "pseudonymizeKey",
    env: "k".repeat(40),
    file: "f".repeat(40),
    fromEnv: "k".repeat(40),
    fromFile: "f".repeat(40),
    byDefault: undefined,
  },
];

Deno.test("PRECEDENCE covers every variable of variables.ts", () => {
  assert.deepEqual(PRECEDENCE.map((p) => p.name), SETTINGS_VARIABLES.map((v) => v.name));
});

for (const p of PRECEDENCE) {
  Deno.test(`${p.name}: the environment wins over .env`, async () => {
    await using dir = await workDir(`${p.name}=${p.file}\n`);
    const loaded = await loadSettings({ env: envOf({ [p.name]: p.env }), cwd: dir.path });
    assert.equal(loaded.settings[p.key], p.fromEnv);
    assert.equal(loaded.sources[p.name], "environment");
  });

  Deno.test(`${p.name}: .env wins over the default`, async () => {
    await using dir = await workDir(`${p.name}=${p.file}\n`);
    const loaded = await loadSettings({ env: envOf({}), cwd: dir.path });
    assert.equal(loaded.settings[p.key], p.fromFile);
    assert.equal(loaded.sources[p.name], ".env");
  });

  Deno.test(`${p.name}: the default applies when neither sets it`, async () => {
    await using dir = await workDir();
    const loaded = await loadSettings({ env: envOf({}), cwd: dir.path });
    assert.equal(loaded.settings[p.key], p.byDefault);
    assert.equal(loaded.sources[p.name], "default");
  });

  Deno.test(`${p.name}: an empty value counts as unset, in the environment and in .env`, async () => {
    await using dir = await workDir(`${p.name}=${p.file}\n`);
    const fromFile = await loadSettings({ env: envOf({ [p.name]: "" }), cwd: dir.path });
    assert.equal(fromFile.settings[p.key], p.fromFile);
    assert.equal(fromFile.sources[p.name], ".env");

    await using empty = await workDir(`${p.name}=\n`);
    const byDefault = await loadSettings({ env: envOf({ [p.name]: "" }), cwd: empty.path });
    assert.equal(byDefault.settings[p.key], p.byDefault);
    assert.equal(byDefault.sources[p.name], "default");
  });
}

Deno.test("loadSettings() reports the .env path only when a .env was read", async () => {
  await using withFile = await workDir("# nothing set\n");
  const a = await loadSettings({ env: envOf({}), cwd: withFile.path });
  assert.equal(a.envFile, join(withFile.path, ".env"));

  await using without = await workDir();
  const b = await loadSettings({ env: envOf({}), cwd: without.path });
  assert.equal(b.envFile, undefined);
});

Deno.test("loadSettings() reads only the listed variables from the env function", async () => {
  await using dir = await workDir();
  const asked: string[] = [];
  await loadSettings({
    env: (name) => {
      asked.push(name);
      return undefined;
    },
    cwd: dir.path,
  });
  assert.deepEqual(asked, SETTINGS_VARIABLES.map((v) => v.name));
});

Deno.test("loadSettings() ignores other names in .env", async () => {
  await using dir = await workDir("HOME=/elsewhere\nAUGMENT_UNKNOWN=1\nAUGMENT_MAX_RETRIES=2\n");
  const loaded = await loadSettings({ env: envOf({}), cwd: dir.path });
  assert.equal(loaded.settings.maxRetries, 2);
});

Deno.test("loadSettings() accepts whole numbers with surrounding spaces", async () => {
  await using dir = await workDir();
  const loaded = await loadSettings({
    env: envOf({ AUGMENT_RATE_LIMIT_PER_MINUTE: " 12 " }),
    cwd: dir.path,
  });
  assert.equal(loaded.settings.ratePerMinute, 12);
});

// Every validation error: [variable, value, exact message].
const INVALID: [SettingName, string, string][] = [
  [
    "AUGMENT_RATE_LIMIT_PER_MINUTE",
    "abc",
    'Invalid AUGMENT_RATE_LIMIT_PER_MINUTE "abc": expected a whole number from 1 to 6000',
  ],
  [
    "AUGMENT_RATE_LIMIT_PER_MINUTE",
    "0",
    'Invalid AUGMENT_RATE_LIMIT_PER_MINUTE "0": expected a whole number from 1 to 6000',
  ],
  [
    "AUGMENT_RATE_LIMIT_PER_MINUTE",
    "6001",
    'Invalid AUGMENT_RATE_LIMIT_PER_MINUTE "6001": expected a whole number from 1 to 6000',
  ],
  [
    "AUGMENT_RATE_LIMIT_PER_MINUTE",
    "1.5",
    'Invalid AUGMENT_RATE_LIMIT_PER_MINUTE "1.5": expected a whole number from 1 to 6000',
  ],
  [
    "AUGMENT_RATE_LIMIT_BURST",
    "101",
    'Invalid AUGMENT_RATE_LIMIT_BURST "101": expected a whole number from 1 to 100',
  ],
  [
    "AUGMENT_RATE_LIMIT_BURST",
    "0",
    'Invalid AUGMENT_RATE_LIMIT_BURST "0": expected a whole number from 1 to 100',
  ],
  [
    "AUGMENT_MAX_RETRIES",
    "-1",
    'Invalid AUGMENT_MAX_RETRIES "-1": expected a whole number from 0 to 10',
  ],
  [
    "AUGMENT_MAX_RETRIES",
    "11",
    'Invalid AUGMENT_MAX_RETRIES "11": expected a whole number from 0 to 10',
  ],
  [
    "AUGMENT_REQUEST_TIMEOUT_SECONDS",
    "0",
    'Invalid AUGMENT_REQUEST_TIMEOUT_SECONDS "0": expected a whole number from 1 to 600',
  ],
  [
    "AUGMENT_REQUEST_TIMEOUT_SECONDS",
    "1e3",
    'Invalid AUGMENT_REQUEST_TIMEOUT_SECONDS "1e3": expected a whole number from 1 to 600',
  ],
  [
    "AUGMENT_OUTPUT_DIR",
    "  ",
    'Invalid AUGMENT_OUTPUT_DIR "  ": is blank; expected a directory path',
  ],
  [
    "AUGMENT_OUTPUT_DIR",
    "out\u0000put",
    'Invalid AUGMENT_OUTPUT_DIR "out\\u0000put": contains control characters; ' +
    "expected a directory path",
  ],
  [
    "AUGMENT_STORE_DIR",
    "a\nb",
    'Invalid AUGMENT_STORE_DIR "a\\nb": contains control characters; expected a directory path',
  ],
  [
    "AUGMENT_COMPRESS_AFTER_DAYS",
    "0",
    'Invalid AUGMENT_COMPRESS_AFTER_DAYS "0": expected a whole number from 1 to 3650',
  ],
  [
    "AUGMENT_RETENTION_DAYS",
    "30d",
    'Invalid AUGMENT_RETENTION_DAYS "30d": expected a whole number from 1 to 3650',
  ],
  [
    "AUGMENT_ENTERPRISE_ID",
    " ",
    'Invalid AUGMENT_ENTERPRISE_ID " ": is blank; expected a non-empty id',
  ],
  [
    "AUGMENT_ENTERPRISE_ID",
    "acme\tcorp",
    'Invalid AUGMENT_ENTERPRISE_ID "acme\\tcorp": contains control characters; ' +
    "expected a printable id",
  ],
];

for (const [name, value, expected] of INVALID) {
  Deno.test(`loadSettings() refuses ${name}=${JSON.stringify(value)} in one line`, async () => {
    const err = await loadError({ [name]: value, AUGMENT_API_TOKEN: TOKEN_ENV });
    assert.equal(err.message, expected);
    assertOneLine(err.message);
    assert.ok(!err.message.includes(TOKEN_ENV));
  });
}

Deno.test("loadSettings() says (from .env) when the invalid value came from .env", async () => {
  const err = await loadError({}, "AUGMENT_MAX_RETRIES=99\n");
  assert.equal(
    err.message,
    'Invalid AUGMENT_MAX_RETRIES "99": expected a whole number from 0 to 10 (from .env)',
  );
});

Deno.test("loadSettings() reports the first invalid variable in list order", async () => {
  const err = await loadError({ AUGMENT_MAX_RETRIES: "x", AUGMENT_RATE_LIMIT_BURST: "x" });
  assert.match(err.message, /^Invalid AUGMENT_RATE_LIMIT_BURST /);
});

const BAD_TOKENS: [string, string, string][] = [
  ["whitespace", "abcdefgh ijklmnopqrst", "contains whitespace"],
  ["a newline", "abcdefghijklmnop\nqrst", "contains whitespace"],
  ["a control character", "abcdefghij\u0007klmnopqrst", "contains control characters"],
  ["non-ASCII", "abcdefghijklmnopé", "contains non-ASCII characters"],
  ["15 characters", "abcdefghijklmno", "is shorter than 16 characters"],
  ["4097 characters", "a".repeat(4097), "is longer than 4096 characters"],
];

for (const [what, token, problem] of BAD_TOKENS) {
  Deno.test(`loadSettings() refuses a token with ${what} without quoting it`, async () => {
    const fromEnv = await loadError({ AUGMENT_API_TOKEN: token });
    assert.equal(
      fromEnv.message,
      `Invalid AUGMENT_API_TOKEN: ${problem}; expected the service-account token as one word ` +
        "of 16 to 4096 printable ASCII characters",
    );
    assertOneLine(fromEnv.message);

    const quoted = token.includes("\n") ? JSON.stringify(token) : token;
    const fromFile = await loadError({}, `AUGMENT_API_TOKEN=${quoted}\n`);
    assert.match(fromFile.message, /^Invalid AUGMENT_API_TOKEN: .* \(from \.env\)$/);
    for (const part of token.split(/\s/)) assert.ok(!fromFile.message.includes(part));
    assertOneLine(fromFile.message);
  });
}

Deno.test("loadSettings() hides the token when it was pasted into another variable", async () => {
  const err = await loadError({
    AUGMENT_API_TOKEN: TOKEN_ENV,
    AUGMENT_ENTERPRISE_ID: `${TOKEN_ENV}\u0001`,
  });
  assert.ok(!err.message.includes(TOKEN_ENV));
  assert.match(err.message, /^Invalid AUGMENT_ENTERPRISE_ID "\*\*\*\\u0001"/);
});

Deno.test("loadSettings() shortens a very long invalid value", async () => {
  const err = await loadError({ AUGMENT_MAX_RETRIES: "9".repeat(500) });
  assert.ok(err.message.length < 200, err.message);
  assert.ok(err.message.includes("…"));
});

// Base URL rules.
const GOOD_URLS: [string, string][] = [
  ["https://api.augmentcode.com", "https://api.augmentcode.com"],
  ["https://API.AugmentCode.com:443/", "https://api.augmentcode.com"],
  ["https://proxy.example.com/augment//", "https://proxy.example.com/augment"],
  ["http://127.0.0.1:8787", "http://127.0.0.1:8787"],
  ["http://localhost:3000/", "http://localhost:3000"],
  ["http://[::1]:9000/v1", "http://[::1]:9000/v1"],
  [" https://api.augmentcode.com ", "https://api.augmentcode.com"],
];

for (const [value, normalized] of GOOD_URLS) {
  Deno.test(`loadSettings() accepts base URL ${JSON.stringify(value)}`, async () => {
    await using dir = await workDir();
    const loaded = await loadSettings({
      env: envOf({ AUGMENT_API_BASE_URL: value }),
      cwd: dir.path,
    });
    assert.equal(loaded.settings.baseUrl, normalized);
  });
}

const URL_FORM = "expected an https:// URL without credentials, query or fragment " +
  "(http:// only on 127.0.0.1, localhost or [::1])";

const BAD_URLS: [string, string][] = [
  ["http://example.com", '"http://example.com": uses http:// on a host that is not loopback'],
  ["http://127.0.0.2", '"http://127.0.0.2": uses http:// on a host that is not loopback'],
  [
    "http://localhost.example.com",
    '"http://localhost.example.com": uses http:// on a host that is not loopback',
  ],
  ["https://user:secret@api.example.com", '"https://***@api.example.com": contains credentials'],
  ["https://user@api.example.com", '"https://***@api.example.com": contains credentials'],
  ["https://api.example.com/?x=1", '"https://api.example.com/?x=1": has a query or fragment'],
  ["https://api.example.com/#top", '"https://api.example.com/#top": has a query or fragment'],
  ["https://api.example.com/?", '"https://api.example.com/?": has a query or fragment'],
  ["ftp://api.example.com", '"ftp://api.example.com": uses the "ftp" scheme'],
  ["api.augmentcode.com", '"api.augmentcode.com": is not a URL'],
];

for (const [value, detail] of BAD_URLS) {
  Deno.test(`loadSettings() refuses base URL ${JSON.stringify(value)}`, async () => {
    const err = await loadError({ AUGMENT_API_BASE_URL: value });
    assert.equal(err.message, `Invalid AUGMENT_API_BASE_URL ${detail}; ${URL_FORM}`);
    assertOneLine(err.message);
    assert.ok(!err.message.includes("secret"));
  });
}

Deno.test("loadSettings() warns of an unknown AUGMENT_* name in .env, with the likely one", async () => {
  await using dir = await workDir(
    "AUGMENT_RETENTON_DAYS=30\nAUGMENT_SOMETHING_ELSE_ENTIRELY=1\nOTHER_TOOL=1\n",
  );
  const loaded = await loadSettings({ env: envOf({}), cwd: dir.path });
  assert.equal(loaded.settings.retentionDays, undefined, "the typo is not applied");
  const path = join(dir.path, ".env");
  assert.deepEqual(loaded.warnings, [
    `Unknown setting "AUGMENT_RETENTON_DAYS" in "${path}" is ignored; ` +
    `did you mean "AUGMENT_RETENTION_DAYS"?`,
    `Unknown setting "AUGMENT_SOMETHING_ELSE_ENTIRELY" in "${path}" is ignored; ` +
    "the settings are listed by --help",
  ]);
  loaded.warnings.forEach(assertOneLine);
});

Deno.test({
  name: "loadSettings() warns when .env holds the token and others can read it, never showing it",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using dir = await workDir(`AUGMENT_API_TOKEN=${TOKEN_FILE}\n`);
    const path = join(dir.path, ".env");
    await Deno.chmod(path, 0o644);
    const loose = await loadSettings({ env: envOf({}), cwd: dir.path });
    assert.deepEqual(loose.warnings, [
      `"${path}" holds AUGMENT_API_TOKEN and others can read it (mode 0644); ` +
      `run: chmod 600 "${path}"`,
    ]);
    assert.ok(!loose.warnings.join().includes(TOKEN_FILE));
    await Deno.chmod(path, 0o600);
    assert.deepEqual((await loadSettings({ env: envOf({}), cwd: dir.path })).warnings, []);
    // The pseudonym key is a secret too.
    const key = "k".repeat(40);
    await Deno.writeTextFile(path, `AUGMENT_PSEUDONYMIZE_KEY=${key}\n`);
    await Deno.chmod(path, 0o644);
    const keyWarnings = (await loadSettings({ env: envOf({}), cwd: dir.path })).warnings;
    assert.deepEqual(keyWarnings, [
      `"${path}" holds AUGMENT_PSEUDONYMIZE_KEY and others can read it (mode 0644); ` +
      `run: chmod 600 "${path}"`,
    ]);
    assert.ok(!keyWarnings.join().includes(key));
    // Without a secret in it, a readable .env is normal.
    await Deno.writeTextFile(path, "AUGMENT_OUTPUT_DIR=out\n");
    await Deno.chmod(path, 0o644);
    assert.deepEqual((await loadSettings({ env: envOf({}), cwd: dir.path })).warnings, []);
  },
});

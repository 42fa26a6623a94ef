import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import {
  DESTINATION_VARIABLES,
  parseIni,
  resolveStorageSettings,
} from "../../src/destinations/credentials.ts";
import { UsageError } from "../../src/errors.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("resolveStorageSettings() takes the key pair, session token, region and endpoint from the environment", async () => {
  const s = await resolveStorageSettings(
    envOf({
      AWS_ACCESS_KEY_ID: "AKIAENV",
      AWS_SECRET_ACCESS_KEY: "env-secret",
      AWS_SESSION_TOKEN: "tok",
      AWS_REGION: "eu-central-1",
      AWS_DEFAULT_REGION: "us-west-1",
      AWS_ENDPOINT_URL: "https://generic.example",
      AWS_ENDPOINT_URL_S3: "https://s3.example",
    }),
    () => Promise.resolve(undefined),
  );
  deepEqual(s, {
    credentials: { accessKeyId: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "tok" },
    source: "environment",
    region: "eu-central-1",
    endpointUrl: "https://s3.example",
  });
});

Deno.test("resolveStorageSettings() reads AWS_PROFILE from the shared credentials and config files", async () => {
  const home = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${home}/.aws`);
    await Deno.writeTextFile(
      `${home}/.aws/credentials`,
      "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = def-secret\n\n" +
        "# team key\n[team]\naws_access_key_id=AKIATEAM\naws_secret_access_key=team-secret\naws_session_token=t2\n",
    );
    await Deno.writeTextFile(
      `${home}/.aws/config`,
      "[default]\nregion=us-west-2\n[profile team]\nregion = ap-south-1\n",
    );
    const team = await resolveStorageSettings(envOf({ HOME: home, AWS_PROFILE: "team" }));
    deepEqual(team, {
      credentials: { accessKeyId: "AKIATEAM", secretAccessKey: "team-secret", sessionToken: "t2" },
      source: 'profile "team"',
      region: "ap-south-1",
      endpointUrl: undefined,
    });
    const def = await resolveStorageSettings(envOf({ HOME: home }));
    equal(def.credentials.accessKeyId, "AKIADEF");
    equal(def.region, "us-west-2");
    await rejects(
      resolveStorageSettings(envOf({ HOME: home, AWS_PROFILE: "nope" })),
      (e: unknown) =>
        e instanceof UsageError && /No profile "nope" \(AWS_PROFILE\)/.test(e.message),
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("resolveStorageSettings() says what is missing, never a value", async () => {
  const none = () => Promise.resolve(undefined);
  await rejects(
    resolveStorageSettings(envOf({ AWS_ACCESS_KEY_ID: "AKIAHALF" }), none),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
  );
  await rejects(
    resolveStorageSettings(envOf({ AWS_SECRET_ACCESS_KEY: "only-secret" }), none),
    (e: unknown) => e instanceof UsageError && !e.message.includes("only-secret"),
  );
  await rejects(
    resolveStorageSettings(envOf({ HOME: "/nonexistent-home" }), none),
    (e: unknown) =>
      e instanceof UsageError && e.message === "No object-storage credentials found" &&
      /AWS_ACCESS_KEY_ID/.test(e.hint ?? ""),
  );
});

Deno.test("parseIni() reads [profile x] and [x] sections, ignores comments and continuation lines", () => {
  const ini = parseIni("; c\n[profile a]\nRegion = r1\n  nested = x\n[b]\nk=v=w\n");
  deepEqual([...ini.keys()], ["a", "b"]);
  deepEqual([...ini.get("a")!], [["region", "r1"]]);
  equal(ini.get("b")!.get("k"), "v=w");
});

Deno.test("DESTINATION_VARIABLES lists every variable src/destinations/ reads by name", async () => {
  const dir = new URL("../../src/destinations/", import.meta.url);
  const read = new Set<string>();
  for await (const e of Deno.readDir(dir)) {
    const text = await Deno.readTextFile(new URL(e.name, dir));
    for (const m of text.matchAll(/\b(?:get|env)\(\s*"([A-Z][A-Z0-9_]+)"/g)) read.add(m[1]);
  }
  ok(read.has("AWS_SECRET_ACCESS_KEY") && read.has("AWS_ENDPOINT_URL_S3"), "the scan finds names");
  deepEqual([...read].filter((n) => !DESTINATION_VARIABLES.includes(n as never)), []);
});

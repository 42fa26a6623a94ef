/**
 * Object-storage credentials and settings, from the standard places only:
 *
 * 1. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
 * 2. else the profile `AWS_PROFILE` (or `default`) of the shared credentials file
 *    (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`).
 *
 * Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region` in the shared config
 * file (`AWS_CONFIG_FILE`, default `~/.aws/config`). Endpoint: `AWS_ENDPOINT_URL_S3`, then
 * `AWS_ENDPOINT_URL`. GCS HMAC keys are given the same way (GCS interoperability).
 *
 * No value read here ever appears in a message.
 *
 * @module
 */
import { AWS_VARIABLES } from "../config/variables.ts";
import { UsageError } from "../errors.ts";

/** Every environment variable this module reads (for `--allow-env`). */
export const DESTINATION_VARIABLES = [...AWS_VARIABLES, "HOME", "USERPROFILE"] as const;

/** Reads one environment variable; `undefined` when unset or not permitted. */
export type EnvReader = (name: string) => string | undefined;

/** `Deno.env.get`, reading `undefined` for a variable the permissions do not allow. */
export const denoEnv: EnvReader = (name) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/** SigV4 credentials. Never logged, never in a URL. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where the credentials came from, for messages (never the values). */
export type CredentialSource = "environment" | `profile "${string}"`;

/** Everything a destination needs besides its URL. */
export interface StorageSettings {
  readonly credentials: Credentials;
  readonly source: CredentialSource;
  readonly region?: string;
  readonly endpointUrl?: string;
}

/** Reads a text file; `undefined` when it does not exist. */
export type FileReader = (path: string) => Promise<string | undefined>;

const readIfExists: FileReader = async (path) => {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    const reason = err instanceof Deno.errors.PermissionDenied ? "permission denied" : "unreadable";
    throw new UsageError(
      `Cannot read "${path}": ${reason}`,
      "fix the file's permissions, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }
};

/**
 * Parses an AWS INI file into sections of lower-cased keys. `[profile x]` (config file) and
 * `[x]` (credentials file) both name profile `x`; comments start with `#` or `;`.
 */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]) ?? new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current && eq > 0 && !/^\s/.test(rawLine)) {
      current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
    }
  }
  return sections;
}

function homeDir(env: EnvReader): string | undefined {
  return env("HOME") || env("USERPROFILE") || undefined;
}

const NO_CREDENTIALS_HINT =
  "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE with ~/.aws/credentials";

/**
 * Resolves credentials, region and endpoint. Throws {@link UsageError} (exit 2) when no
 * credentials are found, when only half of a key pair is set, or when a named profile is
 * missing; the message names variables, files and profiles, never values.
 */
export async function resolveStorageSettings(
  env: EnvReader = denoEnv,
  readFile: FileReader = readIfExists,
): Promise<StorageSettings> {
  const get = (name: string) => {
    const v = env(name)?.trim();
    return v ? v : undefined;
  };
  const home = homeDir(env);
  const profileSet = get("AWS_PROFILE");
  const profile = profileSet ?? "default";
  const region = get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ??
    await profileRegion(get("AWS_CONFIG_FILE") ?? join(home, ".aws", "config"), profile, readFile);
  const endpointUrl = get("AWS_ENDPOINT_URL_S3") ?? get("AWS_ENDPOINT_URL");

  const keyId = get("AWS_ACCESS_KEY_ID");
  const secret = get("AWS_SECRET_ACCESS_KEY");
  if (keyId && secret) {
    const sessionToken = get("AWS_SESSION_TOKEN");
    return {
      credentials: { accessKeyId: keyId, secretAccessKey: secret, sessionToken },
      source: "environment",
      region,
      endpointUrl,
    };
  }
  if (keyId || secret) {
    const missing = keyId ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID";
    const present = keyId ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY";
    throw new UsageError(
      `${present} is set but ${missing} is not`,
      `set both, or neither and use AWS_PROFILE`,
    );
  }

  const file = get("AWS_SHARED_CREDENTIALS_FILE") ?? join(home, ".aws", "credentials");
  const text = file === undefined ? undefined : await readFile(file);
  const section = text === undefined ? undefined : parseIni(text).get(profile);
  const fileKeyId = section?.get("aws_access_key_id");
  const fileSecret = section?.get("aws_secret_access_key");
  if (fileKeyId && fileSecret) {
    return {
      credentials: {
        accessKeyId: fileKeyId,
        secretAccessKey: fileSecret,
        sessionToken: section?.get("aws_session_token") || undefined,
      },
      source: `profile "${profile}"`,
      region,
      endpointUrl,
    };
  }
  if (profileSet) {
    const where = file ?? "~/.aws/credentials";
    throw new UsageError(
      section
        ? `Profile "${profile}" in "${where}" has no aws_access_key_id and aws_secret_access_key`
        : `No profile "${profile}" (AWS_PROFILE) in "${where}"`,
      "add the profile's keys to the file, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }
  throw new UsageError("No object-storage credentials found", NO_CREDENTIALS_HINT);
}

async function profileRegion(
  file: string | undefined,
  profile: string,
  readFile: FileReader,
): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const text = await readFile(file);
  if (text === undefined) return undefined;
  return parseIni(text).get(profile)?.get("region") || undefined;
}

function join(base: string | undefined, ...parts: string[]): string | undefined {
  if (base === undefined) return undefined;
  const sep = base.includes("\\") && !base.includes("/") ? "\\" : "/";
  return [base.replace(/[\\/]+$/, ""), ...parts].join(sep);
}

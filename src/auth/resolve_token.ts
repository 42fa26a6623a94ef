/**
 * Where the API token comes from, first found wins: the `AUGMENT_API_TOKEN` environment
 * variable, then `AUGMENT_API_TOKEN` in the `.env` file of the working directory, then the
 * credentials file `~/.augment/credentials` (see `credentials.ts`).
 *
 * @module
 */
import type { LoadedSettings } from "../config/settings.ts";
import { UsageError } from "../errors.ts";
import { credentialsPath, readCredentials } from "./credentials.ts";
import { checkTokenFormat } from "./token_format.ts";

/** Where a token was found. */
export type TokenSource = "AUGMENT_API_TOKEN" | ".env" | "credentials file";

/** A token and where it was found (`path`: the `.env` or credentials file). */
export interface ResolvedToken {
  token: string;
  source: TokenSource;
  path?: string;
}

/**
 * What to do when the service refuses the token (401), naming where it came from: the
 * environment variable, the `.env` file or the credentials file.
 */
export function refusedTokenHint(
  resolved: { readonly source: TokenSource | "simulator"; readonly path?: string },
): string {
  switch (resolved.source) {
    case "AUGMENT_API_TOKEN":
      return "the token came from the AUGMENT_API_TOKEN environment variable: set it to a " +
        `valid token (create one at ${TOKEN_HELP_URL})`;
    case ".env":
      return `the token came from AUGMENT_API_TOKEN in "${resolved.path ?? ".env"}": ` +
        `put a valid token there (create one at ${TOKEN_HELP_URL})`;
    case "credentials file":
      return `the token came from "${resolved.path ?? "~/.augment/credentials"}": ` +
        "run `augment-metrics auth login` to save a valid one";
    default:
      return "check the token";
  }
}

/** Where to create a service-account token, for hints. */
export const TOKEN_HELP_URL = "https://app.augmentcode.com/settings/service-accounts";

/**
 * The token to use, from the settings (environment, then `.env`) or else the credentials file.
 *
 * @param loaded the settings, as `loadSettings` returned them
 * @param credentialsFile the credentials file (default `credentialsPath()`)
 * @throws {UsageError} when no source holds a token (the message says to set
 *   `AUGMENT_API_TOKEN` or run `augment-metrics auth login`), or when the token found is
 *   malformed or the credentials file is unsafe
 */
export async function resolveToken(
  loaded: LoadedSettings,
  credentialsFile?: string,
): Promise<ResolvedToken> {
  const token = loaded.settings.token;
  if (token !== undefined) {
    if (loaded.sources.AUGMENT_API_TOKEN === "environment") {
      checkTokenFormat(token, "AUGMENT_API_TOKEN");
      return { token, source: "AUGMENT_API_TOKEN" };
    }
    checkTokenFormat(token, loaded.envFile ? `"${loaded.envFile}"` : ".env");
    return { token, source: ".env", ...(loaded.envFile ? { path: loaded.envFile } : {}) };
  }
  let path = credentialsFile;
  if (path === undefined) {
    try {
      path = credentialsPath();
    } catch {
      path = undefined; // no home directory: there is no credentials file to read
    }
  }
  if (path !== undefined) {
    const saved = await readCredentials(path);
    if (saved !== undefined) return { token: saved, source: "credentials file", path };
  }
  const looked = path === undefined
    ? "AUGMENT_API_TOKEN or .env"
    : `AUGMENT_API_TOKEN, .env or "${path}"`;
  throw new UsageError(
    `No API token found in ${looked}: set AUGMENT_API_TOKEN or run \`augment-metrics auth login\``,
    `Create a service-account token at ${TOKEN_HELP_URL}`,
  );
}

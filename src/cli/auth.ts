/**
 * `augment-metrics auth login | status | logout`: the token in `~/.augment/credentials`.
 *
 * @module
 */
import { checkTokenFormat } from "../auth/token_format.ts";
import { resolveToken, TOKEN_HELP_URL } from "../auth/resolve_token.ts";
import { credentialsPath, removeCredentials, saveCredentials } from "../auth/credentials.ts";
import { AuthError, ServiceError, UsageError } from "../errors.ts";
import { connect, loadContextSettings } from "./connect.ts";
import type { CommandContext } from "./context.ts";
import { readAllStdin, readSecret } from "./prompt.ts";

/** Options of `auth login`. */
export interface LoginFlags {
  /** Read the token from standard input. */
  tokenStdin?: true;
  /** Check the token with one request before saving it (`--no-verify` sets `false`). */
  verify?: boolean;
}

/**
 * `auth login`: prompt without echo (terminal only), or read `--token-stdin`; check the token
 * with one request (unless `--no-verify`), and save it only when the service accepts it.
 */
export async function authLogin(flags: LoginFlags, ctx: CommandContext): Promise<void> {
  let token: string;
  if (flags.tokenStdin) {
    token = (await readAllStdin()).trim();
  } else {
    if (!Deno.stdin.isTerminal()) {
      throw new UsageError(
        "Cannot prompt for the token: standard input is not a terminal",
        "pipe it with `auth login --token-stdin`, or set AUGMENT_API_TOKEN",
      );
    }
    token = (await readSecret("Augment service-account token: ")).trim();
  }
  checkTokenFormat(token, flags.tokenStdin ? "standard input" : "the prompt");
  const path = credentialsPath();
  const checked = flags.verify === false ? undefined : await verifyToken(token, ctx);
  await saveCredentials(path, token);
  ctx.output.result(
    checked
      ? `Checked the token with ${checked.baseUrl} (accepted: ${checked.users} active users on ` +
        `${checked.day}) and saved it to ${path} (mode 0600)`
      : `Saved the token to ${path} (mode 0600) without checking it (--no-verify)`,
    {
      event: "login",
      path,
      verified: checked !== undefined,
      ...(checked ? { base_url: checked.baseUrl } : {}),
    },
  );
}

/**
 * One request with `token` (dau-count for yesterday) to the configured service.
 *
 * @throws {AuthError} (exit 3) when the service refuses it: the token is not saved
 * @throws {ServiceError} (exit 4) when the service cannot be reached: not saved either
 */
async function verifyToken(
  token: string,
  ctx: CommandContext,
): Promise<{ baseUrl: string; day: string; users: number }> {
  const loaded = await loadContextSettings(ctx);
  const baseUrl = loaded.settings.baseUrl;
  const { client } = await connect(loaded, ctx, {
    token,
    refusedTokenHint: `the token was not saved; check it, or create one at ${TOKEN_HELP_URL}`,
  });
  const day = new Date(ctx.now() - 86_400_000).toISOString().slice(0, 10);
  try {
    const counts = await client.dauCount({ start: day, end: day }, { signal: ctx.signal });
    return { baseUrl, day, users: counts.get(day) ?? 0 };
  } catch (err) {
    if (err instanceof AuthError && err.status === 403) {
      throw new AuthError(
        `${err.message}; the token was not saved`,
        err.status,
        err.code,
        err.endpoint,
      );
    }
    if (err instanceof ServiceError) {
      throw new ServiceError(
        `${err.message}; the token was not saved (\`auth login --no-verify\` saves it unchecked)`,
        err.details,
      );
    }
    throw err;
  }
}

/** `auth status`: where the token comes from, and one cheap request that proves it works. */
export async function authStatus(ctx: CommandContext): Promise<void> {
  const loaded = await loadContextSettings(ctx);
  const { token, source, path } = await resolveToken(loaded);
  const where = source === "credentials file" ? `${source} ${path}` : source;
  const { client, http } = await connect(loaded, ctx, { token });
  // dau-count for yesterday: one request, no pagination.
  const yesterday = new Date(ctx.now() - 86_400_000).toISOString().slice(0, 10);
  const counts = await client.dauCount({ start: yesterday, end: yesterday }, {
    signal: ctx.signal,
  });
  ctx.output.result(
    `Token from ${where}: accepted by ${loaded.settings.baseUrl} ` +
      `(${
        counts.get(yesterday) ?? 0
      } active users on ${yesterday}; ${http.stats.requests} request)`,
    { event: "status", source, path, base_url: loaded.settings.baseUrl, ok: true },
  );
}

/** `auth logout`: removes the credentials file, and only that file. */
export async function authLogout(ctx: CommandContext): Promise<void> {
  const path = credentialsPath();
  const removed = await removeCredentials(path);
  ctx.output.result(
    removed ? `Removed ${path}` : `No credentials file at ${path}: nothing to remove`,
    { event: "logout", path, removed },
  );
}

/**
 * `augment-metrics auth login | status | logout`: the token in `~/.augment/credentials`.
 *
 * @module
 */
import { checkTokenFormat } from "../auth/token_format.ts";
import { resolveToken } from "../auth/resolve_token.ts";
import { credentialsPath, removeCredentials, saveCredentials } from "../auth/credentials.ts";
import { UsageError } from "../errors.ts";
import { connect, loadContextSettings } from "./connect.ts";
import type { CommandContext } from "./context.ts";
import { readAllStdin, readSecret } from "./prompt.ts";

/** `auth login`: prompt without echo (terminal only), or read `--token-stdin`. */
export async function authLogin(flags: { tokenStdin?: true }, ctx: CommandContext): Promise<void> {
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
  await saveCredentials(path, token);
  ctx.output.result(`Saved the token to ${path} (mode 0600)`, { event: "login", path });
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

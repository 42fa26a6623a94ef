/**
 * From settings to a ready Analytics client: resolve the token, build the paced, retrying
 * HTTP client, and log retries.
 *
 * @module
 */
import { AnalyticsClient } from "../augment/client.ts";
import { CREDITS_BUCKET, CreditsClient } from "../augment/credits.ts";
import { refusedTokenHint, resolveToken, type TokenSource } from "../auth/resolve_token.ts";
import { type LoadedSettings, loadSettings } from "../config/settings.ts";
import { HttpClient } from "../http/client.ts";
import { NAME, VERSION } from "../version.ts";
import type { CommandContext } from "./context.ts";

/** Loads the settings (environment, then `.env`, then defaults) and warns of `.env` problems. */
export async function loadContextSettings(ctx: CommandContext): Promise<LoadedSettings> {
  const loaded = await loadSettings();
  for (const w of loaded.warnings) ctx.output.warn(w, { event: "settings_warning" });
  return loaded;
}

/** What the demo changes: its simulator's address, token and a faster rate. */
export interface ConnectOverrides {
  readonly ratePerMinute?: number;
  readonly burst?: number;
  readonly baseUrl?: string;
  readonly token?: string;
  /** What to do when the token is refused (default: from where the token was found). */
  readonly refusedTokenHint?: string;
}

/** A client for the configured service, with the token resolved. */
export async function connect(
  loaded: LoadedSettings,
  ctx: CommandContext,
  overrides: ConnectOverrides = {},
): Promise<
  {
    http: HttpClient;
    client: AnalyticsClient;
    /** The token itself: only to scrub it from what leaves the program (notifications). */
    token: string;
    tokenSource: TokenSource | "simulator";
    tokenPath?: string;
  }
> {
  const s = loaded.settings;
  const resolved = overrides.token !== undefined
    ? { token: overrides.token, source: "simulator" as const, path: undefined }
    : await resolveToken(loaded);
  const http = new HttpClient({
    baseUrl: overrides.baseUrl ?? s.baseUrl,
    token: resolved.token,
    userAgent: `${NAME}/${VERSION}`,
    timeoutMs: s.timeoutSeconds * 1000,
    maxRetries: s.maxRetries,
    ratePerMinute: overrides.ratePerMinute ?? s.ratePerMinute,
    burst: overrides.burst ?? s.burst,
    buckets: [{ ...CREDITS_BUCKET, ratePerMinute: s.creditsRatePerMinute }],
    refusedTokenHint: overrides.refusedTokenHint ?? refusedTokenHint(resolved),
    onRetry: (info) =>
      ctx.output.debug(
        `Retrying ${info.endpoint} in ${
          (info.delayMs / 1000).toFixed(1)
        }s (attempt ${info.attempt}): ${info.reason}`,
        { event: "retry", endpoint: info.endpoint, attempt: info.attempt, delay_ms: info.delayMs },
      ),
  });
  const client = new AnalyticsClient(http, { now: ctx.now });
  client.credits = new CreditsClient(http);
  return {
    http,
    client,
    token: resolved.token,
    tokenSource: resolved.source,
    tokenPath: resolved.path,
  };
}

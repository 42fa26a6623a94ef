/**
 * The end of a run, in one place for the CLI: read and check the notification settings before
 * the run (so a bad URL, `--notify-on` or secret is exit 2 at once), then after the run send
 * the notifications and report to GitHub Actions. Everything after the run only returns
 * warnings; nothing here changes the exit code.
 *
 * @module
 */
import { RUN_END_VARIABLES } from "../config/variables.ts";
import { type ActionsEnv, reportToGitHubActions } from "../ci/github_actions.ts";
import type { RunEvent } from "./event.ts";
import { notify, type NotifyOn, parseNotifyOn } from "./notify.ts";
import { parseWebhookSecret, type WebhookSecret } from "./sign.ts";
import { type NotifyTarget, notifyTargets } from "./target.ts";

/** What the end of a run needs, checked. */
export interface RunEndConfig {
  readonly targets: readonly NotifyTarget[];
  readonly on: NotifyOn;
  readonly secret?: WebhookSecret;
  /** The secret as given, so that it is scrubbed from every payload too. */
  readonly secretText?: string;
  readonly actions: ActionsEnv;
}

/** The variables read here (listed with every other in `src/config/variables.ts`). */
export { RUN_END_VARIABLES };

/**
 * Reads and checks the settings: `--notify` values, then `AUGMENT_NOTIFY_URLS`; `--notify-on`,
 * else `AUGMENT_NOTIFY_ON`, else `always`; `AUGMENT_NOTIFY_SECRET`; the GitHub Actions variables.
 * An empty variable counts as unset.
 *
 * @param env reads one variable (e.g. from the loaded settings, or `Deno.env.get`)
 * @throws UsageError (exit 2) naming the flag or variable, never a URL's secret part
 */
export async function runEndConfig(
  flags: { readonly notify?: readonly string[]; readonly notifyOn?: string },
  env: (name: typeof RUN_END_VARIABLES[number]) => string | undefined,
): Promise<RunEndConfig> {
  const get = (name: typeof RUN_END_VARIABLES[number]) => {
    const v = env(name);
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  const targets = notifyTargets(flags.notify, get("AUGMENT_NOTIFY_URLS"));
  const onText = flags.notifyOn ?? get("AUGMENT_NOTIFY_ON");
  const on = onText === undefined
    ? "always"
    : parseNotifyOn(onText, flags.notifyOn !== undefined ? "--notify-on" : "AUGMENT_NOTIFY_ON");
  const secretText = get("AUGMENT_NOTIFY_SECRET");
  const secret = secretText === undefined ? undefined : await parseWebhookSecret(secretText);
  return {
    targets,
    on,
    ...(secret ? { secret, secretText } : {}),
    actions: {
      GITHUB_ACTIONS: get("GITHUB_ACTIONS"),
      GITHUB_STEP_SUMMARY: get("GITHUB_STEP_SUMMARY"),
    },
  };
}

/**
 * After a run (success or failure): GitHub Actions summary and annotations, then the
 * notifications. Never throws.
 *
 * @param io.stdout where workflow commands go (GitHub reads them from standard output)
 * @param io.secrets strings no payload may hold: pass the Augment token
 * @param io.annotate false when warnings were already printed as `::warning::` lines
 * @returns warning lines for the caller to print
 */
export async function reportRunEnd(
  config: RunEndConfig,
  event: RunEvent,
  io: {
    readonly stdout: (text: string) => void;
    readonly secrets?: readonly string[];
    readonly annotate?: boolean;
    readonly signal?: AbortSignal;
  },
): Promise<string[]> {
  const warnings: string[] = [];
  try {
    warnings.push(
      ...await reportToGitHubActions(event, {
        env: config.actions,
        stdout: io.stdout,
        annotate: io.annotate,
      }),
    );
  } catch (err) {
    warnings.push(`GitHub Actions summary failed: ${err instanceof Error ? err.name : "error"}`);
  }
  const result = await notify(config.targets, event, {
    on: config.on,
    secret: config.secret,
    secrets: [...(io.secrets ?? []), ...(config.secretText ? [config.secretText] : [])],
    signal: io.signal,
  });
  warnings.push(...result.warnings);
  return warnings;
}

/**
 * Every environment variable the tool reads, in one list: the settings schema, `--help`, the
 * README table and the permission flags (`--allow-env=…`) are all derived from it.
 *
 * @module
 */

/** One environment variable: its name, default (as text) and meaning. */
export interface EnvVariable {
  readonly name: string;
  readonly default: string;
  readonly description: string;
}

/** The settings read from the environment (or `.env`), in the order the README lists them. */
export const SETTINGS_VARIABLES = [
  {
    name: "AUGMENT_API_TOKEN",
    default: "(none)",
    description: "Service-account token; else ~/.augment/credentials (see `auth login`)",
  },
  {
    name: "AUGMENT_API_BASE_URL",
    default: "https://api.augmentcode.com",
    description: "Analytics API base URL; https, or http on a loopback host",
  },
  {
    name: "AUGMENT_RATE_LIMIT_PER_MINUTE",
    default: "10",
    description: "Client-side pacing: requests per minute (1 to 6000; the service allows 10)",
  },
  {
    name: "AUGMENT_RATE_LIMIT_BURST",
    default: "20",
    description: "Client-side pacing: requests allowed in a burst (1 to 100)",
  },
  {
    name: "AUGMENT_CREDITS_RATE_LIMIT_PER_MINUTE",
    default: "30",
    description:
      "Client-side pacing of the credits and cost endpoints, their own limit (1 to 6000; reported as 30)",
  },
  {
    name: "AUGMENT_MAX_RETRIES",
    default: "5",
    description: "Retries of a request on 429, 5xx, resets and time-outs (0 to 10)",
  },
  {
    name: "AUGMENT_REQUEST_TIMEOUT_SECONDS",
    default: "30",
    description: "Time-out of one HTTP request, in seconds (1 to 600)",
  },
  {
    name: "AUGMENT_OUTPUT_DIR",
    default: "./data",
    description: "Where exports are written",
  },
  {
    name: "AUGMENT_ENTERPRISE_ID",
    default: "augment",
    description:
      "The `enterprise_id` written into Copilot usage-metrics reports (default: a placeholder)",
  },
  {
    name: "AUGMENT_STORE_DIR",
    default: "<output-dir>/.store",
    description: "The local store of published days (never fetched twice)",
  },
  {
    name: "AUGMENT_COMPRESS_AFTER_DAYS",
    default: "(never)",
    description: "Gzip outputs whose data ended more than this many days ago (1 to 3650)",
  },
  {
    name: "AUGMENT_RETENTION_DAYS",
    default: "(keep all)",
    description:
      "Remove outputs whose data ended more than this many days ago, and store days no kept output needs (1 to 3650)",
  },
  {
    name: "AUGMENT_TEAMS_FILE",
    default: "(none)",
    description:
      "Teams file (CSV or JSON, identity to team slug) for the team outputs; same as `--teams`",
  },
  {
    name: "AUGMENT_TEAM_MIN_SIZE",
    default: "5",
    description: "Teams with fewer members are left out of every output (1 to 1000; GitHub: 5)",
  },
  {
    name: "AUGMENT_PSEUDONYMIZE_KEY",
    default: "(none)",
    description:
      "Secret key of `--pseudonymize` (at least 32 characters); never written to any output or log",
  },
] as const satisfies readonly EnvVariable[];

/** Names of the settings variables. */
export type SettingName = typeof SETTINGS_VARIABLES[number]["name"];

/**
 * Other variables read: the home directory (credentials file) and `NO_COLOR`.
 * Everything else is invisible to the program (`--ignore-env`).
 */
export const OTHER_VARIABLES = ["HOME", "USERPROFILE", "NO_COLOR"] as const;

/** The variables of `serve` (read by `src/cli/serve.ts`, documented in the README's serve section). */
export const SERVE_VARIABLES = [
  "AUGMENT_SERVE_TOKENS",
  "AUGMENT_SERVE_ORG",
  "AUGMENT_SERVE_ENTERPRISE",
] as const;

/**
 * The variables of the end of a run: notifications and GitHub Actions (read by
 * `src/notify/run_end.ts`, documented in the README's Notifications and CI sections).
 */
export const RUN_END_VARIABLES = [
  "AUGMENT_NOTIFY_URLS",
  "AUGMENT_NOTIFY_SECRET",
  "AUGMENT_NOTIFY_ON",
  "GITHUB_STEP_SUMMARY",
  "GITHUB_ACTIONS",
] as const;

/**
 * The destinations of object storage, `AUGMENT_DESTINATIONS` (read by `src/cli/export.ts`,
 * documented in the README's Object storage section).
 */
export const DESTINATION_VARIABLES = ["AUGMENT_DESTINATIONS"] as const;

/** The standard AWS variables object storage reads (`src/destinations/credentials.ts`). */
export const AWS_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL",
  "AWS_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
] as const;

/** Every variable the program may read. */
export const ALL_VARIABLES: readonly string[] = [
  ...SETTINGS_VARIABLES.map((v) => v.name),
  ...OTHER_VARIABLES,
  ...SERVE_VARIABLES,
  ...RUN_END_VARIABLES,
  ...DESTINATION_VARIABLES,
  ...AWS_VARIABLES,
];

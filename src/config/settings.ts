/**
 * The settings: one zod-validated object built from, in priority order, the environment, the
 * `.env` file of the working directory, and the defaults of `variables.ts`.
 *
 * - Only the names listed in `variables.ts` are read, through `Deno.env.get(name)` (the program
 *   runs with `--allow-env=<list> --ignore-env`).
 * - An empty value (`AUGMENT_OUTPUT_DIR=`) counts as unset, in the environment and in `.env`
 *   alike: it falls through to the next source. Whitespace only is a value, and invalid.
 * - An invalid value fails with a one-line `UsageError`: the variable, the value in quotes
 *   (never for the token), what is wrong, the accepted form, and `(from .env)` when it came from
 *   the file. Only the first problem, in the order of `variables.ts`, is reported.
 * - `AUGMENT_API_TOKEN`, `AUGMENT_STORE_DIR`, `AUGMENT_COMPRESS_AFTER_DAYS` and
 *   `AUGMENT_RETENTION_DAYS` have no literal default: unset, they are `undefined` (the token
 *   then comes from the credentials file, the store from `<output-dir>/.store`; nothing is
 *   compressed or removed).
 *
 * @module
 */
import * as z from "zod";
import { UsageError } from "../errors.ts";
import { type DotenvFile, readDotenv } from "./dotenv.ts";
import { TOKEN_FORM, tokenProblem } from "./token_format.ts";
import { type SettingName, SETTINGS_VARIABLES } from "./variables.ts";

/** The validated settings. */
export interface Settings {
  /** The token from the environment or `.env`; `undefined` when neither sets it. */
  token?: string;
  /** Analytics API base URL, normalized: lower-case origin and path, no trailing slash. */
  baseUrl: string;
  /** Client-side pacing: requests per minute (1–6000; the service allows 10). */
  ratePerMinute: number;
  /** Client-side pacing: burst size (1–100). */
  burst: number;
  /** Client-side pacing of the credits and cost endpoints (1–6000; reported as 30). */
  creditsRatePerMinute: number;
  /** Retries of one request (0–10). */
  maxRetries: number;
  /** Time-out of one request, in seconds (1–600). */
  timeoutSeconds: number;
  /** Where exports are written. */
  outputDir: string;
  /** The `enterprise_id` written into Copilot usage-metrics reports. */
  enterpriseId: string;
  /** The local store of published days; `undefined` means `<outputDir>/.store`. */
  storeDir?: string;
  /** Gzip outputs whose data ended more than this many days ago; never when undefined. */
  compressAfterDays?: number;
  /** Remove outputs older than this many days; keep everything when undefined. */
  retentionDays?: number;
  /** The teams file (`--teams`); none when undefined. */
  teamsFile?: string;
  /** Teams with fewer members are left out of every output (1–1000). */
  teamMinSize: number;
  /** The key of `--pseudonymize`, checked when asked (never shown in a message). */
  pseudonymizeKey?: string;
}

/** Where a setting's value came from. */
export type SettingSource = "environment" | ".env" | "default";

/** The settings, where each came from, and the `.env` file read (if any). */
export interface LoadedSettings {
  settings: Settings;
  sources: Record<SettingName, SettingSource>;
  /** Path of the `.env` file read, if there was one. */
  envFile?: string;
  /**
   * Problems worth a warning that do not stop the run: an unknown `AUGMENT_*` name in `.env`
   * (a typo would otherwise be silently ignored), or a `.env` holding the token that others
   * can read. One line each.
   */
  warnings: string[];
}

/** Hosts on which the base URL may use plain `http://` (simulator, tests). */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/** Variables whose `variables.ts` default is a description, not a value. */
const NO_LITERAL_DEFAULT: ReadonlySet<SettingName> = new Set([
  "AUGMENT_API_TOKEN",
  "AUGMENT_STORE_DIR",
  "AUGMENT_COMPRESS_AFTER_DAYS",
  "AUGMENT_RETENTION_DAYS",
  "AUGMENT_TEAMS_FILE",
  "AUGMENT_PSEUDONYMIZE_KEY",
]);

// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\x00-\x1f\x7f]/;

const BASE_URL_FORM = "expected an https:// URL without credentials, query or fragment " +
  `(http:// only on ${LOOPBACK_HOSTS.slice(0, -1).join(", ")} or ${LOOPBACK_HOSTS.at(-1)})`;

function wholeNumber(min: number, max: number) {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z.string().trim().regex(/^\d{1,9}$/, expected).transform(Number)
    .pipe(z.number().int().min(min, expected).max(max, expected));
}

function directory() {
  const expected = "expected a directory path";
  return z.string()
    .refine((s) => s.trim() !== "", `is blank; ${expected}`)
    .refine((s) => !CONTROL_CHARS.test(s), `contains control characters; ${expected}`);
}

const token = z.string().check((ctx) => {
  const problem = tokenProblem(ctx.value);
  if (problem !== undefined) {
    ctx.issues.push({ code: "custom", input: ctx.value, message: `${problem}; ${TOKEN_FORM}` });
  }
});

const baseUrl = z.string().trim().transform((text, ctx) => {
  const fail = (problem: string) => {
    ctx.issues.push({ code: "custom", input: text, message: `${problem}; ${BASE_URL_FORM}` });
    return z.NEVER;
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return fail(`uses the "${url.protocol.slice(0, -1)}" scheme`);
  }
  if (url.username !== "" || url.password !== "") return fail("contains credentials");
  if (text.includes("?") || text.includes("#")) return fail("has a query or fragment");
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.includes(url.hostname)) {
    return fail("uses http:// on a host that is not loopback");
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
});

const enterpriseId = z.string().trim()
  .min(1, "is blank; expected a non-empty id")
  .refine((s) => !CONTROL_CHARS.test(s), "contains control characters; expected a printable id");

/** The zod schema of the settings, over the raw text of each variable (defaults applied). */
export const SettingsSchema = z.object({
  AUGMENT_API_TOKEN: token.optional(),
  AUGMENT_API_BASE_URL: baseUrl,
  AUGMENT_RATE_LIMIT_PER_MINUTE: wholeNumber(1, 6000),
  AUGMENT_RATE_LIMIT_BURST: wholeNumber(1, 100),
  AUGMENT_CREDITS_RATE_LIMIT_PER_MINUTE: wholeNumber(1, 6000),
  AUGMENT_MAX_RETRIES: wholeNumber(0, 10),
  AUGMENT_REQUEST_TIMEOUT_SECONDS: wholeNumber(1, 600),
  AUGMENT_OUTPUT_DIR: directory(),
  AUGMENT_ENTERPRISE_ID: enterpriseId,
  AUGMENT_STORE_DIR: directory().optional(),
  AUGMENT_COMPRESS_AFTER_DAYS: wholeNumber(1, 3650).optional(),
  AUGMENT_RETENTION_DAYS: wholeNumber(1, 3650).optional(),
  AUGMENT_TEAMS_FILE: z.string().refine((s) => s.trim() !== "", "is blank; expected a file path")
    .optional(),
  AUGMENT_TEAM_MIN_SIZE: wholeNumber(1, 1000),
  // Never refused here: a message would quote it. `--pseudonymize` checks it.
  AUGMENT_PSEUDONYMIZE_KEY: z.string().optional(),
}).transform((v): Settings => ({
  token: v.AUGMENT_API_TOKEN,
  baseUrl: v.AUGMENT_API_BASE_URL,
  ratePerMinute: v.AUGMENT_RATE_LIMIT_PER_MINUTE,
  burst: v.AUGMENT_RATE_LIMIT_BURST,
  creditsRatePerMinute: v.AUGMENT_CREDITS_RATE_LIMIT_PER_MINUTE,
  maxRetries: v.AUGMENT_MAX_RETRIES,
  timeoutSeconds: v.AUGMENT_REQUEST_TIMEOUT_SECONDS,
  outputDir: v.AUGMENT_OUTPUT_DIR,
  enterpriseId: v.AUGMENT_ENTERPRISE_ID,
  storeDir: v.AUGMENT_STORE_DIR,
  compressAfterDays: v.AUGMENT_COMPRESS_AFTER_DAYS,
  retentionDays: v.AUGMENT_RETENTION_DAYS,
  teamsFile: v.AUGMENT_TEAMS_FILE,
  teamMinSize: v.AUGMENT_TEAM_MIN_SIZE,
  pseudonymizeKey: v.AUGMENT_PSEUDONYMIZE_KEY,
}));

/**
 * Builds the settings from the environment, `<cwd>/.env` and the defaults.
 *
 * @param options.env reads one variable (default `Deno.env.get`); inject it in tests
 * @param options.cwd where `.env` is looked for (default `Deno.cwd()`)
 * @throws {UsageError} a one-line message when a value or the `.env` file is invalid
 */
export async function loadSettings(
  options: { env?: (name: string) => string | undefined; cwd?: string } = {},
): Promise<LoadedSettings> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const dotenv = await readDotenv(options.cwd ?? Deno.cwd());

  const raw: Partial<Record<SettingName, string>> = {};
  const sources = {} as Record<SettingName, SettingSource>;
  for (const variable of SETTINGS_VARIABLES) {
    const name = variable.name;
    const fromEnv = env(name);
    const fromFile = dotenv?.values[name];
    if (fromEnv !== undefined && fromEnv !== "") {
      raw[name] = fromEnv;
      sources[name] = "environment";
    } else if (fromFile !== undefined && fromFile !== "") {
      raw[name] = fromFile;
      sources[name] = ".env";
    } else {
      if (!NO_LITERAL_DEFAULT.has(name)) raw[name] = variable.default;
      sources[name] = "default";
    }
  }

  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(invalidMessage(parsed.error, raw, sources));
  }
  const warnings = dotenv ? dotenvWarnings(dotenv) : [];
  return {
    settings: parsed.data,
    sources,
    warnings,
    ...(dotenv ? { envFile: dotenv.path } : {}),
  };
}

/**
 * Warnings about a `.env` file: unknown `AUGMENT_*` names, and a token or pseudonym key others
 * can read.
 */
export function dotenvWarnings(dotenv: DotenvFile): string[] {
  const known = SETTINGS_VARIABLES.map((v) => v.name as string);
  const warnings: string[] = [];
  for (const name of Object.keys(dotenv.values)) {
    if (!name.startsWith("AUGMENT_") || known.includes(name)) continue;
    const near = closest(name, known);
    warnings.push(
      `Unknown setting "${name}" in "${dotenv.path}" is ignored` +
        (near ? `; did you mean "${near}"?` : `; the settings are listed by --help`),
    );
  }
  for (const secret of ["AUGMENT_API_TOKEN", "AUGMENT_PSEUDONYMIZE_KEY"]) {
    if (dotenv.values[secret] && dotenv.mode !== undefined && (dotenv.mode & 0o077) !== 0) {
      warnings.push(
        `"${dotenv.path}" holds ${secret} and others can read it ` +
          `(mode ${dotenv.mode.toString(8).padStart(4, "0")}); run: chmod 600 "${dotenv.path}"`,
      );
    }
  }
  return warnings;
}

/**
 * The likely intended name: the nearest by edit distance when within 3 edits, else one that
 * the name starts with or that starts with the name (`AUGMENT_OUTPUT_DIRECTORY`).
 */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best ?? candidates.find((c) => name.startsWith(c) || c.startsWith(name));
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The one-line message for the first invalid variable, in the order of `variables.ts`. */
function invalidMessage(
  error: z.ZodError,
  raw: Partial<Record<SettingName, string>>,
  sources: Record<SettingName, SettingSource>,
): string {
  const order = SETTINGS_VARIABLES.map((v) => v.name as string);
  const issue = error.issues
    .filter((i) => order.includes(String(i.path[0])))
    .sort((a, b) => order.indexOf(String(a.path[0])) - order.indexOf(String(b.path[0])))[0];
  if (issue === undefined) return `Invalid settings: ${error.issues[0]?.message ?? "unknown"}`;
  const name = String(issue.path[0]) as SettingName;
  const from = sources[name] === ".env" ? " (from .env)" : "";
  const oneLine = issue.message.replace(/\s+/g, " ");
  if (name === "AUGMENT_API_TOKEN") return `Invalid ${name}: ${oneLine}${from}`;
  let message = `Invalid ${name} ${quote(raw[name] ?? "", name)}: ${oneLine}${from}`;
  // Last line of defence: the token is valid here (it is checked first), so never shown.
  const secret = raw.AUGMENT_API_TOKEN;
  if (secret) message = message.replaceAll(secret, "***");
  return message;
}

/** The value in double quotes, on one line, shortened, with URL credentials hidden. */
function quote(value: string, name: SettingName): string {
  let shown = name === "AUGMENT_API_BASE_URL" ? value.replace(/\/\/[^/?#]*@/, "//***@") : value;
  if (shown.length > 100) shown = `${shown.slice(0, 97)}…`;
  return JSON.stringify(shown);
}

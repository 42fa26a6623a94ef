/**
 * Where notifications go: a URL, and the kind of receiver it is (Slack incoming webhook,
 * Microsoft Teams Workflows webhook, or a generic JSON receiver signed per Standard Webhooks).
 *
 * Slack and Teams webhook URLs are secrets in themselves (whoever has one can post): they are
 * never printed whole, only as {@link NotifyTarget.label}.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** The receivers notifications know how to talk to. */
export const NOTIFY_KINDS = ["slack", "teams", "json"] as const;
/** A receiver kind. */
export type NotifyKind = typeof NOTIFY_KINDS[number];

/** A parsed notification URL. */
export interface NotifyTarget {
  readonly kind: NotifyKind;
  /** The URL to POST to (without any `kind+` prefix). Secret: never print it. */
  readonly url: URL;
  /** What may be printed: kind, scheme and host, e.g. `slack https://hooks.slack.com/…`. */
  readonly label: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The kind a URL's host implies: Slack, Teams (Power Automate / Logic Apps), else JSON. */
export function kindOfHost(hostname: string): NotifyKind {
  const h = hostname.toLowerCase();
  if (h === "hooks.slack.com" || h === "hooks.slack-gov.com") return "slack";
  if (
    h.endsWith(".logic.azure.com") || h.endsWith(".logic.azure.us") ||
    h.endsWith(".api.powerplatform.com") || h.endsWith(".powerautomate.com")
  ) return "teams";
  return "json";
}

/** The part of a URL that may be printed: scheme and host (with port), then `/…`. */
export function redactUrl(url: URL | string): string {
  try {
    const u = typeof url === "string" ? new URL(url) : url;
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(an invalid URL)";
  }
}

/**
 * Parses one `--notify` value: a URL, optionally prefixed with its kind (`slack+https://…`,
 * `teams+https://…`, `json+https://…`). Without a prefix the kind comes from the host.
 * Only `https`, or `http` to a loopback host, is accepted.
 *
 * @throws UsageError (exit 2) naming the problem, never the whole URL
 */
export function parseNotifyTarget(spec: string, flag = "--notify"): NotifyTarget {
  const text = spec.trim();
  const m = /^([a-z]+)\+(.*)$/i.exec(text);
  let kind: NotifyKind | undefined;
  let rest = text;
  if (m && !/^https?$/i.test(m[1]!)) {
    const k = m[1]!.toLowerCase();
    if (!(NOTIFY_KINDS as readonly string[]).includes(k)) {
      throw new UsageError(
        `Invalid ${flag} kind "${m[1]}"`,
        `write slack+https://…, teams+https://…, json+https://… or a plain https URL`,
      );
    }
    kind = k as NotifyKind;
    rest = m[2]!;
  }
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new UsageError(
      `Invalid ${flag} URL: not a URL`,
      "give an https URL, e.g. https://hooks.slack.com/services/…",
    );
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (!(url.protocol === "https:" || (url.protocol === "http:" && loopback))) {
    throw new UsageError(
      `Invalid ${flag} URL "${redactUrl(url)}": notifications go over https`,
      "use an https URL (http only to 127.0.0.1, localhost or [::1])",
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(
      `Invalid ${flag} URL "${redactUrl(url)}": it holds a user name or password`,
      "use a webhook URL without credentials; sign generic JSON with AUGMENT_NOTIFY_SECRET",
    );
  }
  url.hash = "";
  const k = kind ?? kindOfHost(url.hostname);
  return { kind: k, url, label: `${k} ${redactUrl(url)}` };
}

/**
 * The URLs in `AUGMENT_NOTIFY_URLS`: separated by spaces, commas or line breaks (a comma
 * inside a URL must be written `%2C`).
 */
export function splitNotifyUrls(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Every notification target of a run: the `--notify` values, then those of
 * `AUGMENT_NOTIFY_URLS`, without duplicates. Call it before the run starts, so a bad URL is a
 * usage error (exit 2) and not a surprise at the end.
 *
 * @throws UsageError for a bad URL (the variable is named when it came from there)
 */
export function notifyTargets(
  flagValues: readonly string[] | undefined,
  envValue: string | undefined,
): NotifyTarget[] {
  const out: NotifyTarget[] = [];
  const seen = new Set<string>();
  const add = (t: NotifyTarget) => {
    const key = `${t.kind} ${t.url.href}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  };
  for (const v of flagValues ?? []) add(parseNotifyTarget(v, "--notify"));
  for (const v of splitNotifyUrls(envValue)) add(parseNotifyTarget(v, "AUGMENT_NOTIFY_URLS"));
  return out;
}

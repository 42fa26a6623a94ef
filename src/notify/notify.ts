/**
 * Sends the end-of-run notification to every target, concurrently. Bounded: a few attempts
 * with backoff, each with its own time-out. Never throws and never changes the run's outcome:
 * what went wrong comes back as warning lines for the caller to print.
 *
 * Nothing secret leaves: strings of the event are scrubbed of the secrets given (the Augment
 * token), of the signing secret and of every target URL, and a body that still holds one is
 * not sent. Warnings name targets by {@link NotifyTarget.label} only.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { systemClock } from "../http/clock.ts";
import type { Clock } from "../http/types.ts";
import { VERSION } from "../version.ts";
import type { RunEvent, RunOutcome } from "./event.ts";
import { jsonPayload, slackPayload, teamsPayload } from "./payloads.ts";
import {
  newMessageId,
  parseWebhookSecret,
  standardWebhookHeaders,
  type WebhookSecret,
} from "./sign.ts";
import { type NotifyTarget, parseNotifyTarget, redactUrl } from "./target.ts";

/** When to notify (`--notify-on`, `AUGMENT_NOTIFY_ON`). */
export const NOTIFY_ON = ["always", "warnings", "failure", "never"] as const;
/** One of {@link NOTIFY_ON}. */
export type NotifyOn = typeof NOTIFY_ON[number];

/**
 * Whether a run that ended with `outcome` is notified: `always`; `warnings` = a failure or a
 * run with warnings; `failure` = failures only; `never`.
 */
export function shouldNotify(on: NotifyOn, outcome: RunOutcome): boolean {
  switch (on) {
    case "always":
      return true;
    case "warnings":
      return outcome !== "success";
    case "failure":
      return outcome === "failure";
    case "never":
      return false;
  }
}

/**
 * Parses a `--notify-on` / `AUGMENT_NOTIFY_ON` value.
 *
 * @throws UsageError naming the accepted values
 */
export function parseNotifyOn(value: string, name = "--notify-on"): NotifyOn {
  const v = value.trim().toLowerCase();
  if ((NOTIFY_ON as readonly string[]).includes(v)) return v as NotifyOn;
  throw new UsageError(`Invalid ${name} "${value}": expected one of ${NOTIFY_ON.join(", ")}`);
}

/** Tuning and inputs of {@link notify}. */
export interface NotifyOptions {
  /** Which outcomes are notified (default `always`). */
  readonly on?: NotifyOn;
  /** `AUGMENT_NOTIFY_SECRET` (`whsec_…`), or the parsed secret: signs generic JSON. */
  readonly secret?: string | WebhookSecret;
  /** Strings that must appear in no payload and no warning (the Augment token). */
  readonly secrets?: readonly string[];
  /** Attempts per target, first included (default 3, at most 10). */
  readonly attempts?: number;
  /** Time-out of one attempt, in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Wait before the second attempt (default 1 000 ms); doubles each time. */
  readonly backoffMs?: number;
  /** The longest `Retry-After` honoured, in milliseconds (default 10 000). */
  readonly maxRetryAfterMs?: number;
  /** Time and sleeps (tests pass a fake clock). Time-outs always use real timers. */
  readonly clock?: Clock;
  /** Aborts every attempt and wait (e.g. a second ^C). Not the run's own signal: a failed run is still notified. */
  readonly signal?: AbortSignal;
}

/** What {@link notify} did. */
export interface NotifyResult {
  /** False when `on` filtered this outcome out, or there was no target. */
  readonly attempted: boolean;
  /** Labels of the targets that accepted the message (2xx). */
  readonly delivered: readonly string[];
  /** One line per target that did not: for the caller to print as a warning. */
  readonly warnings: readonly string[];
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
const REDACTED = "***";

/** `text` with every secret (and its JSON and URL encodings) replaced by `***`. */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    for (const form of new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)])) {
      out = out.replaceAll(form, REDACTED);
    }
  }
  // Any URL a message carries is cut to its scheme and host: webhook URLs are secrets.
  return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
}

/** Every string in `value` scrubbed. */
function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === "string") return scrub(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)]),
    ) as T;
  }
  return value;
}

/** The strings that must not leave: given secrets, the signing secret, each URL and its path. */
function secretsOf(targets: readonly NotifyTarget[], options: NotifyOptions): string[] {
  const out = new Set<string>();
  for (const s of options.secrets ?? []) if (s.length >= 4) out.add(s);
  if (typeof options.secret === "string" && options.secret.trim() !== "") {
    out.add(options.secret.trim());
    const b64 = options.secret.trim().replace(/^whsec_/, "");
    if (b64.length >= 8) out.add(b64);
  }
  for (const t of targets) {
    out.add(t.url.href);
    const rest = t.url.pathname + t.url.search;
    if (rest.length >= 8) out.add(rest);
  }
  // Longest first, so a URL is replaced whole before its path.
  return [...out].sort((a, b) => b.length - a.length);
}

/** The `Retry-After` of a response in milliseconds, when it has a usable one. */
function retryAfterMs(res: Response, nowMs: number): number | undefined {
  const v = res.headers.get("retry-after");
  if (v === null) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A short, printable, scrubbed excerpt of a receiver's answer. */
function excerpt(text: string, secrets: readonly string[]): string {
  // deno-lint-ignore no-control-regex
  const one = text.replace(/[\x00-\x1f\x7f-\x9f]+/g, " ").trim();
  const s = scrub(one, secrets);
  return s.length > 120 ? s.slice(0, 119) + "…" : s;
}

function bodyFor(target: NotifyTarget, event: RunEvent): string {
  switch (target.kind) {
    case "slack":
      return JSON.stringify(slackPayload(event));
    case "teams":
      return JSON.stringify(teamsPayload(event));
    case "json":
      return JSON.stringify(jsonPayload(event));
  }
}

type Attempt =
  | { readonly ok: true }
  | {
    readonly ok: false;
    readonly retry: boolean;
    readonly reason: string;
    readonly waitMs?: number;
  };

async function attemptOnce(
  target: NotifyTarget,
  body: string,
  headers: Record<string, string>,
  o: Required<Pick<NotifyOptions, "timeoutMs">> & { signal?: AbortSignal; clock: Clock },
  secrets: readonly string[],
): Promise<Attempt> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": `augment-metrics/${VERSION}`,
        ...headers,
      },
      body,
      signal,
      redirect: "manual",
    });
    const text = await res.text().catch(() => "");
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const said = excerpt(text, secrets);
    return {
      ok: false,
      retry: RETRYABLE.has(res.status),
      reason: `HTTP ${res.status}${said ? ` "${said}"` : ""}`,
      waitMs: res.status === 429 || res.status === 503
        ? retryAfterMs(res, o.clock.now())
        : undefined,
    };
  } catch (err) {
    if (o.signal?.aborted) return { ok: false, retry: false, reason: "interrupted" };
    if (timeout.aborted || (err instanceof DOMException && err.name === "TimeoutError")) {
      return { ok: false, retry: true, reason: `no answer within ${o.timeoutMs / 1000}s` };
    }
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return {
        ok: false,
        retry: false,
        reason: `this program may not connect to "${target.url.host}" (see "Notifications" ` +
          `in the README: the hosts a binary may reach are set when it is built)`,
      };
    }
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, retry: true, reason: `connection failed: ${excerpt(msg, secrets)}` };
  }
}

async function deliver(
  target: NotifyTarget,
  event: RunEvent,
  secret: WebhookSecret | undefined,
  o: {
    attempts: number;
    timeoutMs: number;
    backoffMs: number;
    maxRetryAfterMs: number;
    clock: Clock;
    signal?: AbortSignal;
  },
  secrets: readonly string[],
): Promise<string | undefined> {
  const body = bodyFor(target, event);
  for (const s of secrets) {
    if (s.length >= 8 && body.includes(s)) {
      return `Notification to ${target.label} not sent: its message would hold a secret`;
    }
  }
  const id = newMessageId();
  let last: Attempt = { ok: false, retry: false, reason: "not attempted" };
  let n = 0;
  while (n < o.attempts) {
    n++;
    const headers = target.kind === "json"
      ? await standardWebhookHeaders(id, o.clock.now() / 1000, body, secret)
      : {};
    last = await attemptOnce(target, body, headers, o, secrets);
    if (last.ok) return undefined;
    if (!last.retry || n >= o.attempts) break;
    const backoff = o.backoffMs * 2 ** (n - 1);
    const wait = last.waitMs === undefined ? backoff : Math.min(last.waitMs, o.maxRetryAfterMs);
    try {
      await o.clock.sleep(Math.max(wait, 0), o.signal);
    } catch {
      last = { ok: false, retry: false, reason: "interrupted" };
      break;
    }
  }
  return `Notification to ${target.label} failed after ${n} ${n === 1 ? "attempt" : "attempts"}: ${
    last.ok ? "" : last.reason
  }; the run's result is unchanged`;
}

/**
 * Notifies every target of the end of a run, when `options.on` selects its outcome.
 *
 * @param urls `--notify` values or parsed targets (parse them with `notifyTargets()` before
 *   the run, so a bad URL is a usage error; an unparsable string here is only a warning)
 * @param event the run's event (`runEvent()`)
 * @returns what was delivered, and one warning line per failed target; never throws
 */
export async function notify(
  urls: readonly (string | NotifyTarget)[],
  event: RunEvent,
  options: NotifyOptions = {},
): Promise<NotifyResult> {
  const warnings: string[] = [];
  const delivered: string[] = [];
  try {
    if (urls.length === 0 || !shouldNotify(options.on ?? "always", event.outcome)) {
      return { attempted: false, delivered, warnings };
    }
    const targets: NotifyTarget[] = [];
    for (const u of urls) {
      if (typeof u !== "string") {
        targets.push(u);
        continue;
      }
      try {
        targets.push(parseNotifyTarget(u));
      } catch (err) {
        warnings.push(`Notification not sent: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const secrets = secretsOf(targets, options);
    let secret: WebhookSecret | undefined;
    let secretProblem: string | undefined;
    if (typeof options.secret === "string" && options.secret.trim() !== "") {
      try {
        secret = await parseWebhookSecret(options.secret);
      } catch (err) {
        secretProblem = err instanceof Error ? err.message : String(err);
      }
    } else if (options.secret !== undefined && typeof options.secret !== "string") {
      secret = options.secret;
    }
    const clean = scrubDeep(event, secrets);
    const tuning = {
      attempts: Math.min(Math.max(Math.trunc(options.attempts ?? 3), 1), 10),
      timeoutMs: Math.max(options.timeoutMs ?? 10_000, 1),
      backoffMs: Math.max(options.backoffMs ?? 1000, 0),
      maxRetryAfterMs: Math.max(options.maxRetryAfterMs ?? 10_000, 0),
      clock: options.clock ?? systemClock,
      signal: options.signal,
    };
    const results = await Promise.all(targets.map(async (t) => {
      if (t.kind === "json" && secretProblem !== undefined) {
        return `Notification to ${t.label} not sent: ${secretProblem}`;
      }
      try {
        return await deliver(t, clean, secret, tuning, secrets);
      } catch (err) {
        return `Notification to ${t.label} failed: ${
          excerpt(err instanceof Error ? err.message : String(err), secrets)
        }`;
      }
    }));
    results.forEach((w, i) =>
      w === undefined ? delivered.push(targets[i]!.label) : warnings.push(w)
    );
    return { attempted: true, delivered, warnings };
  } catch (err) {
    warnings.push(`Notifications failed: ${err instanceof Error ? err.name : "unknown error"}`);
    return { attempted: true, delivered, warnings };
  }
}

/**
 * `augment-metrics serve`: GitHub's Copilot metrics REST API over the output folder `export`
 * writes, so dashboards made for GitHub read Augment usage unmodified.
 *
 * Routes (GitHub's paths, shapes, headers and error bodies):
 *
 * - `/orgs/{org}/copilot/metrics/reports/{organization-1-day?day=, organization-28-day/latest,
 *   users-1-day?day=, users-28-day/latest}` and the `/enterprises/{enterprise}/…` equivalents
 *   (`enterprise-1-day`, `enterprise-28-day/latest`): `{download_links[], report_day}` or
 *   `{download_links[], report_start_day, report_end_day}`; the links are signed URLs of this
 *   server (`/downloads/…`). Beyond GitHub: any stored day, and `…/latest?end_day=YYYY-MM-DD`
 *   for the 28-day report ending on any stored day.
 * - `/orgs/{org}/copilot/metrics`, `/enterprises/{enterprise}/copilot/metrics` (the closed
 *   Copilot metrics API): Format B days, `since`, `until`, `page`, `per_page`, `Link` header.
 * - `…/copilot/metrics/reports/user-teams-1-day?day=` (orgs and enterprises; the days
 *   `export --teams` wrote), `/orgs/{org}/teams` (the teams of `latest/teams.json`, else empty).
 * - `/orgs/{org}/copilot/billing/seats` (and the enterprise one).
 * - `/healthz`, `/readyz`, `/metrics` (Prometheus), without authentication.
 *
 * Rendered bodies are cached per snapshot generation with an ETag (`If-None-Match` → 304) and
 * gzipped once when a client asks; user rows are streamed from their files.
 *
 * @module
 */
import { addDays, dayOf, isDay } from "../model/dates.ts";
import type { Day } from "../model/types.ts";
import { newestPublishedDay } from "../augment/dates.ts";
import { ClientTokens, LinkSigner } from "./auth.ts";
import { FolderIndex, openBytes, type Snapshot } from "./folder_index.ts";
import { counter, creditLines, gauge, HttpMetrics, syncLines, type SyncState } from "./metrics.ts";
import {
  entityReport1,
  entityReport28,
  filesKey,
  legacyPage,
  reportDaysIn,
  users1Stream,
  users28Stream,
  window28,
} from "./reports.ts";
import {
  DAILY_SYNC,
  type SchedulerClock,
  type SyncFunction,
  type SyncSchedule,
  SyncScheduler,
  systemClock,
} from "./scheduler.ts";
import { SeatIndex, seatsPage } from "./seats.ts";
import { readTeamList, teamMembersPage, teamsPage } from "./teams.ts";

export type { SyncReport } from "./metrics.ts";
export type { SyncFunction, SyncSchedule } from "./scheduler.ts";

/** Where log lines go (the CLI's `Output` fits). */
export interface ServeLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Everything `serve` is started with. */
export interface ServeOptions {
  /** The output folder `export` writes (`daily/<day>/…`). */
  readonly outputDir: string;
  /** Address to listen on (loopback unless the user asked otherwise). */
  readonly hostname: string;
  /** Port (0: a free one). */
  readonly port: number;
  /** Client tokens (`AUGMENT_SERVE_TOKENS`); empty: no authentication (loopback only). */
  readonly tokens: readonly string[];
  /** The organisation and enterprise names the paths answer to (case-insensitive). */
  readonly org: string;
  readonly enterprise: string;
  /** Base URL of the download links; default: `http://<Host header>`. */
  readonly publicUrl?: string;
  readonly log: ServeLog;
  /** One log line per request (default true). */
  readonly accessLog?: boolean;
  /** The sync hook (the locked export); without it, the folder is only watched. */
  readonly sync?: SyncFunction;
  /** When to run {@link sync} (default: daily after the publication hour). */
  readonly schedule?: SyncSchedule;
  /** Time (tests inject a fake one for the schedule). */
  readonly clock?: SchedulerClock;
  /** How often to look for a changed folder, in ms (default 2000; 0: only on reload()). */
  readonly pollMs?: number;
  /** Lifetime of download links (default one hour). */
  readonly linkTtlMs?: number;
}

/** A running server. */
export interface ServeHandle extends AsyncDisposable {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Reads the folder again now (the sync calls it; so can anything that wrote the folder). */
  reload(): Promise<void>;
  /** Stops accepting requests, lets the ones in flight finish, stops the sync. */
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
  readonly index: FolderIndex;
  readonly syncState: SyncState | undefined;
  readonly httpMetrics: HttpMetrics;
}

const DOCS = "https://docs.github.com/rest";
const DOCS_REPORTS = `${DOCS}/copilot/copilot-usage-metrics`;
const DOCS_LEGACY = `${DOCS}/copilot/copilot-metrics`;
const DOCS_SEATS = `${DOCS}/copilot/copilot-user-management`;
const DOCS_TEAMS = `${DOCS}/teams/teams#list-teams`;
const DOCS_MEMBERS = `${DOCS}/teams/members#list-team-members`;
const JSON_TYPE = "application/json; charset=utf-8";
const NDJSON_TYPE = "application/x-ndjson";
const API_VERSION = "2022-11-28";
/** The headers every API answer carries (GitHub's). */
const COMMON_HEADERS: readonly [string, string][] = [
  ["x-github-media-type", "github.v3; format=json"],
  ["x-ratelimit-limit", "5000"],
  ["x-ratelimit-remaining", "5000"],
  ["x-ratelimit-used", "0"],
  ["x-ratelimit-resource", "core"],
  ["access-control-allow-origin", "*"],
  [
    "access-control-expose-headers",
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-GitHub-Media-Type, X-GitHub-Request-Id",
  ],
  ["vary", "Accept, Authorization, Accept-Encoding"],
];
/** Cached bodies kept (least recently used go first). */
const CACHE_ENTRIES = 512;

/** An HTTP error in GitHub's shape. */
class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly docs: string = DOCS) {
    super(message);
  }
}

interface Cached {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly type: string;
  readonly link?: string;
  /** The gzipped body, made once (in the background when the body is filled). */
  gz?: Promise<Uint8Array>;
}

/** Bodies smaller than this go out uncompressed. */
const GZIP_MIN_BYTES = 256;
/** Access-log lines are written this often (never on a request's path). */
const ACCESS_LOG_FLUSH_MS = 200;
/** Access-log lines held at most between flushes (beyond: written at once). */
const ACCESS_LOG_MAX_LINES = 2_000;
/** Checked download signatures remembered (a dashboard fetches the same link many times). */
const VERIFIED_LINKS = 256;

/** A response to build: a cacheable body, a stream, or no content. */
type Reply =
  | {
    kind: "body";
    cacheKey: string;
    make: () => Promise<{ text: string; link?: string }>;
    type?: string;
  }
  | {
    kind: "stream";
    etagOf: string;
    open: () => Promise<ReadableStream<Uint8Array>>;
    type: string;
  }
  | { kind: "empty"; status: number }
  | { kind: "raw"; response: Response };

async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d, 0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The gzipped body of a cached entry, compressed once whoever asks first. */
function gzipOf(c: Cached): Promise<Uint8Array> {
  c.gz ??= gzip(c.body);
  return c.gz;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function acceptsGzip(req: Request): boolean {
  const h = req.headers.get("accept-encoding");
  if (!h) return false;
  return h.split(",").some((part) => {
    const [name, ...params] = part.trim().split(";");
    if (name.trim().toLowerCase() !== "gzip" && name.trim() !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function etagMatches(req: Request, etag: string): boolean {
  const h = req.headers.get("if-none-match");
  if (!h) return false;
  if (h.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return h.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

/** A query parameter day (`YYYY-MM-DD`), or an error naming the parameter. */
function dayParam(
  q: URLSearchParams,
  name: string,
  required: boolean,
  docs: string,
): Day | undefined {
  const v = q.get(name);
  if (v === null || v === "") {
    if (required) {
      throw new ApiError(400, `Missing required parameter "${name}": expected YYYY-MM-DD`, docs);
    }
    return undefined;
  }
  if (!isDay(v)) {
    throw new ApiError(400, `Invalid "${name}" "${v}": expected a calendar day YYYY-MM-DD`, docs);
  }
  return v;
}

/** `since` / `until` of the legacy API: an ISO 8601 time or day; its UTC day. */
function timeParam(q: URLSearchParams, name: string): Day | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (isDay(v)) return v;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) {
    throw new ApiError(
      400,
      `Invalid "${name}" "${v}": expected an ISO 8601 time such as 2024-01-31T00:00:00Z`,
      DOCS_LEGACY,
    );
  }
  return dayOf(ms);
}

function intParam(
  q: URLSearchParams,
  name: string,
  def: number,
  max: number,
  docs: string,
): number {
  const v = q.get(name);
  if (v === null || v === "") return def;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new ApiError(400, `Invalid "${name}" "${v}": expected a whole number from 1`, docs);
  }
  return Math.min(Number(v), max);
}

/** GitHub's `Link` header for page `page` of `last`. */
function linkHeader(url: URL, base: string, page: number, last: number): string | undefined {
  if (last <= 1) return undefined;
  const at = (p: number) => {
    const u = new URL(url.pathname + url.search, base);
    u.searchParams.set("page", String(p));
    return `<${u.href}>`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`${at(page - 1)}; rel="prev"`);
  if (page < last) parts.push(`${at(page + 1)}; rel="next"`);
  parts.push(`${at(last)}; rel="last"`);
  if (page > 1) parts.push(`${at(1)}; rel="first"`);
  return parts.join(", ");
}

type Scope = "orgs" | "enterprises";

interface RouteMatch {
  readonly route: string;
  readonly scope?: Scope;
  readonly name?: string;
  readonly rest: string;
  /** The team slug of `/orgs/{org}/teams/{team_slug}/members`. */
  readonly team?: string;
}

const REPORT_NAMES = {
  orgs: { entity1: "organization-1-day", entity28: "organization-28-day" },
  enterprises: { entity1: "enterprise-1-day", entity28: "enterprise-28-day" },
} as const;

/** Matches a path against the routes; `route` is the template (the metrics label). */
function matchRoute(path: string): RouteMatch | undefined {
  if (path === "/healthz" || path === "/readyz" || path === "/metrics") {
    return { route: path, rest: path };
  }
  const d = /^\/downloads\/([a-z0-9-]+)\/(\d{4}-\d{2}-\d{2})\.(json|ndjson)$/.exec(path);
  if (d) return { route: `/downloads/${d[1]}/{day}`, rest: path };
  const m = /^\/(orgs|enterprises)\/([^/]+)(\/.*)$/.exec(path);
  if (!m) return undefined;
  const scope = m[1] as Scope;
  let name: string;
  try {
    name = decodeURIComponent(m[2]);
  } catch {
    return undefined;
  }
  const rest = m[3].replace(/\/+$/, "");
  const r = REPORT_NAMES[scope];
  const known = [
    `/copilot/metrics/reports/${r.entity1}`,
    `/copilot/metrics/reports/${r.entity28}/latest`,
    "/copilot/metrics/reports/users-1-day",
    "/copilot/metrics/reports/users-28-day/latest",
    "/copilot/metrics/reports/user-teams-1-day",
    "/copilot/metrics",
    "/copilot/billing/seats",
    ...(scope === "orgs" ? ["/teams"] : []),
  ];
  const param = scope === "orgs" ? "{org}" : "{enterprise}";
  const members = /^\/teams\/([^/]+)\/members$/.exec(rest);
  if (scope === "orgs" && members) {
    let team: string;
    try {
      team = decodeURIComponent(members[1]);
    } catch {
      return undefined;
    }
    return { route: `/orgs/{org}/teams/{team_slug}/members`, scope, name, rest, team };
  }
  if (!known.includes(rest)) return undefined;
  return { route: `/${scope}/${param}${rest}`, scope, name, rest };
}

/** Starts the server and the folder watch (and the sync, when given). */
export async function startServe(o: ServeOptions): Promise<ServeHandle> {
  const clock = o.clock ?? systemClock;
  const now = () => clock.now();
  const index = new FolderIndex(o.outputDir, (m) => o.log.warn(m), now);
  await index.reload();
  const seats = new SeatIndex();
  const tokens = new ClientTokens(o.tokens);
  const signer = await LinkSigner.create();
  const http = new HttpMetrics();
  const cache = new Map<string, Cached>();
  const linkTtl = o.linkTtlMs ?? 3_600_000;
  let reloads = 0;

  const reload = async () => {
    const before = index.snapshot.generation;
    await index.reload();
    reloads++;
    if (index.snapshot.generation !== before) cache.clear();
    seats.update(index.snapshot).catch((e) =>
      o.log.warn(`Cannot read the seats from the user rows: ${(e as Error).message}`)
    );
  };
  seats.update(index.snapshot).catch(() => {});

  const scheduler = o.sync
    ? new SyncScheduler({
      sync: o.sync,
      schedule: o.schedule ?? DAILY_SYNC,
      clock,
      onSuccess: () => reload(),
      log: o.log,
    })
    : undefined;

  const baseOf = (req: Request): string => {
    if (o.publicUrl) return o.publicUrl.replace(/\/+$/, "");
    const host = req.headers.get("host");
    if (host && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) return `http://${host}`;
    return `http://${
      o.hostname.includes(":") ? `[${o.hostname}]` : o.hostname
    }:${server.addr.port}`;
  };

  /** Signed links of a report: the path and an expiry bucketed so answers stay cacheable. */
  const linkBucketMs = Math.max(60_000, Math.floor(linkTtl / 6));
  /** Expiry (Unix s) of links signed now; part of the cache key of the answers holding links. */
  const linkExpiry = () => Math.ceil((now() + linkTtl) / linkBucketMs) * linkBucketMs / 1000;
  const signedLink = async (base: string, path: string, expiresS: number): Promise<string> =>
    `${base}${path}?${await signer.sign(path, expiresS)}`;

  const checkName = (m: RouteMatch) => {
    const want = m.scope === "orgs" ? o.org : o.enterprise;
    if (m.name!.toLowerCase() !== want.toLowerCase()) throw new ApiError(404, "Not Found");
  };

  /** The day answer of a 1-day report: 204 no data on a day of the stored span, 404 outside. */
  const oneDay = (snap: Snapshot, day: Day): Day | undefined => {
    if (snap.byDay.get(day)?.entity && snap.byDay.get(day)?.users) return day;
    const first = snap.reportDays[0];
    const last = snap.reportDays.at(-1);
    if (first !== undefined && last !== undefined && day >= first && day <= last) {
      return undefined; // 204
    }
    throw new ApiError(
      404,
      first === undefined
        ? `No report for day "${day}": no day is stored yet`
        : `No report for day "${day}": stored days are "${first}" to "${last}"`,
      DOCS_REPORTS,
    );
  };

  const reports = (m: RouteMatch, url: URL, snap: Snapshot, base: string): Reply => {
    const r = REPORT_NAMES[m.scope!];
    const q = url.searchParams;
    const rest = m.rest.slice("/copilot/metrics/reports/".length);
    if (rest === "user-teams-1-day") {
      const day = oneDay(snap, dayParam(q, "day", true, DOCS_REPORTS)!);
      if (day === undefined) return { kind: "empty", status: 204 };
      if (!snap.byDay.get(day)!.userTeams) {
        throw new ApiError(
          404,
          `No user-teams report for day "${day}": the folder was exported without --teams`,
          DOCS_REPORTS,
        );
      }
      const expires = linkExpiry();
      return {
        kind: "body",
        cacheKey: `links|${base}|${rest}|${day}|${expires}`,
        make: async () => ({
          text: JSON.stringify({
            download_links: [await signedLink(base, `/downloads/${rest}/${day}.ndjson`, expires)],
            report_day: day,
          }),
        }),
      };
    }
    const daily = rest === r.entity1 || rest === "users-1-day";
    const users = rest.startsWith("users-");
    const kind = users ? (daily ? "users-1-day" : "users-28-day") : daily ? r.entity1 : r.entity28;
    const ext = users ? "ndjson" : "json";
    if (daily) {
      const day = oneDay(snap, dayParam(q, "day", true, DOCS_REPORTS)!);
      if (day === undefined) return { kind: "empty", status: 204 };
      const expires = linkExpiry();
      return {
        kind: "body",
        cacheKey: `links|${base}|${kind}|${day}|${expires}`,
        make: async () => ({
          text: JSON.stringify({
            download_links: [await signedLink(base, `/downloads/${kind}/${day}.${ext}`, expires)],
            report_day: day,
          }),
        }),
      };
    }
    const asked = dayParam(q, "end_day", false, DOCS_REPORTS);
    const end = asked === undefined ? snap.reportDays.at(-1) : oneDay(snap, asked);
    if (end === undefined) return { kind: "empty", status: 204 };
    const { start } = window28(end);
    const expires = linkExpiry();
    return {
      kind: "body",
      cacheKey: `links|${base}|${kind}|${end}|${expires}`,
      make: async () => ({
        text: JSON.stringify({
          download_links: [await signedLink(base, `/downloads/${kind}/${end}.${ext}`, expires)],
          report_start_day: start,
          report_end_day: end,
        }),
      }),
    };
  };

  /** Signed links already checked: `path?query` → expiry (ms); a hit costs one map look-up. */
  const verified = new Map<string, number>();
  const verifySigned = async (path: string, query: string, q: URLSearchParams) => {
    const key = `${path}${query}`;
    const t = now();
    const until = verified.get(key);
    if (until !== undefined) {
      if (until >= t) return true;
      verified.delete(key);
      return false;
    }
    if (!(await signer.verify(path, q, t))) return false;
    if (verified.size >= VERIFIED_LINKS) verified.delete(verified.keys().next().value!);
    verified.set(key, Number(q.get("expires")) * 1000);
    return true;
  };

  const download = async (url: URL, req: Request, snap: Snapshot) => {
    const path = url.pathname;
    const q = url.searchParams;
    const signed = await verifySigned(path, url.search, q);
    if (!signed) {
      const auth = tokens.check(req.headers.get("authorization"));
      if (auth !== "ok") {
        throw new ApiError(
          q.has("signature") ? 403 : 401,
          q.has("signature")
            ? "Request has expired or its signature is invalid"
            : "Requires authentication",
          DOCS_REPORTS,
        );
      }
    }
    const m = /^\/downloads\/([a-z0-9-]+)\/(\d{4}-\d{2}-\d{2})\.(json|ndjson)$/.exec(path)!;
    const [, kind, day, ext] = m;
    const entry = snap.byDay.get(day);
    const notFound = () => new ApiError(404, "Not Found", DOCS_REPORTS);
    if (!entry?.entity || !entry.users) throw notFound();
    switch (kind) {
      case "organization-1-day":
      case "enterprise-1-day":
        if (ext !== "json") throw notFound();
        return {
          kind: "body",
          cacheKey: `entity1|${day}`,
          make: async () => ({ text: await entityReport1(snap, day) }),
        } satisfies Reply;
      case "organization-28-day":
      case "enterprise-28-day":
        if (ext !== "json") throw notFound();
        return {
          kind: "body",
          cacheKey: `entity28|${day}`,
          make: () => Promise.resolve({ text: entityReport28(snap, day) }),
        } satisfies Reply;
      case "users-1-day":
        if (ext !== "ndjson") throw notFound();
        return {
          kind: "stream",
          etagOf: `users1|${filesKey(snap, [day], "users")}`,
          open: () => users1Stream(snap, day),
          type: NDJSON_TYPE,
        } satisfies Reply;
      case "user-teams-1-day": {
        const file = entry.userTeams;
        if (ext !== "ndjson" || !file) throw notFound();
        return {
          kind: "stream",
          etagOf: `userteams|${file.path}:${file.size}:${file.mtimeMs}`,
          open: () => openBytes(file),
          type: NDJSON_TYPE,
        } satisfies Reply;
      }
      case "users-28-day": {
        if (ext !== "ndjson") throw notFound();
        const w = window28(day);
        return {
          kind: "stream",
          etagOf: `users28|${day}|${filesKey(snap, reportDaysIn(snap, w.start, w.end), "users")}`,
          open: () => Promise.resolve(users28Stream(snap, day)),
          type: NDJSON_TYPE,
        } satisfies Reply;
      }
    }
    throw notFound();
  };

  const legacy = (url: URL, snap: Snapshot, base: string): Reply => {
    const q = url.searchParams;
    const newest = snap.legacyDays.at(-1);
    const until = timeParam(q, "until") ?? newest;
    const since = timeParam(q, "since") ?? (until ? addDays(until, -27) : undefined);
    const page = intParam(q, "page", 1, Number.MAX_SAFE_INTEGER, DOCS_LEGACY);
    const perPage = intParam(q, "per_page", 100, 100, DOCS_LEGACY);
    if (since && until && since > until) {
      throw new ApiError(400, `Invalid range: "since" is after "until"`, DOCS_LEGACY);
    }
    const days = since && until ? snap.legacyDays.filter((d) => d >= since && d <= until) : [];
    const last = Math.max(1, Math.ceil(days.length / perPage));
    const slice = days.slice((page - 1) * perPage, page * perPage);
    return {
      kind: "body",
      cacheKey: `legacy|${base}|${url.pathname}|${since}|${until}|${page}|${perPage}|${url.search}`,
      make: () =>
        Promise.resolve({
          text: legacyPage(snap, slice),
          link: linkHeader(url, base, page, last),
        }),
    };
  };

  const readiness = () => {
    const snap = index.snapshot;
    const newest = snap.reportDays.at(-1) ?? snap.legacyDays.at(-1);
    const published = newestPublishedDay(now());
    const state = scheduler?.state;
    const checks = {
      data: newest !== undefined,
      fresh: newest !== undefined && newest >= published,
      sync: state === undefined || state.lastOk !== false,
    };
    return {
      ready: checks.data && checks.fresh && checks.sync,
      body: {
        status: checks.data && checks.fresh && checks.sync ? "ready" : "not ready",
        checks,
        newest_day: newest ?? null,
        newest_published_day: published,
        stored_days: snap.days.length,
        sync: state
          ? {
            last_ok: state.lastOk ?? null,
            last_success_at: state.lastSuccessMs
              ? new Date(state.lastSuccessMs).toISOString()
              : null,
            last_error: state.lastError ?? null,
            running: state.running,
            next_at: state.nextMs ? new Date(state.nextMs).toISOString() : null,
          }
          : null,
      },
    };
  };

  const metricsText = (): string => {
    const snap = index.snapshot;
    const newest = snap.reportDays.at(-1) ?? snap.legacyDays.at(-1);
    const lines = [
      ...gauge("augment_serve_stored_days", "Days under daily/ with any output.", snap.days.length),
      ...gauge(
        "augment_serve_report_days",
        "Days with both usage-metrics files (the 1-day and 28-day reports).",
        snap.reportDays.length,
      ),
      ...gauge(
        "augment_serve_legacy_days",
        "Days with a Format B file (the legacy metrics endpoint).",
        snap.legacyDays.length,
      ),
      ...gauge(
        "augment_serve_newest_day_timestamp_seconds",
        "00:00 UTC of the newest stored day (Unix time; 0: none).",
        newest ? Date.parse(`${newest}T00:00:00Z`) / 1000 : 0,
      ),
      ...gauge("augment_serve_identities", "Identities the history knows (seats).", seats.size),
      ...gauge("augment_serve_snapshot_generation", "Changes of the folder seen.", snap.generation),
      ...creditLines(
        snap.reportDays.slice(-28)
          .filter((d) => newest !== undefined && d >= addDays(newest, -27))
          .map((d) => snap.byDay.get(d)?.entity?.row)
          .filter((r) => r !== undefined),
      ),
      ...counter("augment_serve_reloads_total", "Reloads of the folder index.", [{
        value: reloads,
      }]),
      ...syncLines(
        scheduler?.state ?? { running: false, ok: 0, failed: 0 },
        scheduler !== undefined,
      ),
      ...http.lines(),
    ];
    return lines.join("\n") + "\n";
  };

  const dispatch = async (req: Request, url: URL, m: RouteMatch): Promise<Reply> => {
    const snap = index.snapshot;
    if (m.route === "/healthz") {
      return { kind: "raw", response: Response.json({ status: "ok" }) };
    }
    if (m.route === "/readyz") {
      const r = readiness();
      return { kind: "raw", response: Response.json(r.body, { status: r.ready ? 200 : 503 }) };
    }
    if (m.route === "/metrics") {
      return {
        kind: "raw",
        response: new Response(metricsText(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        }),
      };
    }
    const base = baseOf(req);
    if (m.route.startsWith("/downloads/")) {
      return await download(url, req, snap);
    }
    const auth = tokens.check(req.headers.get("authorization"));
    if (auth === "missing") throw new ApiError(401, "Requires authentication");
    if (auth === "bad") throw new ApiError(401, "Bad credentials");
    checkName(m);
    if (m.rest.startsWith("/copilot/metrics/reports/")) return reports(m, url, snap, base);
    if (m.rest === "/copilot/metrics") return legacy(url, snap, base);
    if (m.rest === "/copilot/billing/seats") {
      const page = intParam(url.searchParams, "page", 1, Number.MAX_SAFE_INTEGER, DOCS_SEATS);
      const perPage = intParam(url.searchParams, "per_page", 50, 100, DOCS_SEATS);
      await seats.update(snap);
      const list = seats.list();
      const last = Math.max(1, Math.ceil(list.length / perPage));
      return {
        kind: "body",
        cacheKey: `seats|${base}|${page}|${perPage}|${url.search}`,
        make: () =>
          Promise.resolve({
            text: seatsPage(list, page, perPage, base),
            link: linkHeader(url, base, page, last),
          }),
      };
    }
    if (m.rest === "/teams") {
      const page = intParam(url.searchParams, "page", 1, Number.MAX_SAFE_INTEGER, DOCS_TEAMS);
      const perPage = intParam(url.searchParams, "per_page", 30, 100, DOCS_TEAMS);
      const list = await readTeamList(o.outputDir);
      const last = Math.max(1, Math.ceil(list.length / perPage));
      return {
        kind: "body",
        // The list itself in the key: teams.json may change while the days do not.
        cacheKey: `teams|${base}|${page}|${perPage}|${url.search}|${
          list.map((t) => `${t.id}:${t.members}`).join(",")
        }`,
        make: () =>
          Promise.resolve({
            text: teamsPage(list, page, perPage, base, m.name!),
            link: linkHeader(url, base, page, last),
          }),
      };
    }
    if (m.team !== undefined) {
      const page = intParam(url.searchParams, "page", 1, Number.MAX_SAFE_INTEGER, DOCS_MEMBERS);
      const perPage = intParam(url.searchParams, "per_page", 30, 100, DOCS_MEMBERS);
      const team = (await readTeamList(o.outputDir)).find((t) => t.slug === m.team);
      if (!team) throw new ApiError(404, "Not Found", DOCS_MEMBERS);
      const count = team.active_members?.length ?? 0;
      const last = Math.max(1, Math.ceil(count / perPage));
      return {
        kind: "body",
        cacheKey: `members|${base}|${team.slug}|${page}|${perPage}|${url.search}|${
          (team.active_members ?? []).map((x) => x.login).join(",")
        }`,
        make: () =>
          Promise.resolve({
            text: teamMembersPage(team, page, perPage, base),
            link: linkHeader(url, base, page, last),
          }),
      };
    }
    throw new ApiError(404, "Not Found");
  };

  const common = (req: Request): Headers => {
    const h = new Headers(COMMON_HEADERS);
    h.set("x-github-api-version-selected", req.headers.get("x-github-api-version") ?? API_VERSION);
    h.set("x-ratelimit-reset", String(Math.ceil(now() / 1000) + 3600));
    return h;
  };

  const toResponse = async (req: Request, reply: Reply, gen: number): Promise<Response> => {
    const head = req.method === "HEAD";
    if (reply.kind === "raw") return reply.response;
    const headers = common(req);
    if (reply.kind === "empty") return new Response(null, { status: reply.status, headers });
    if (reply.kind === "stream") {
      const etag = `"${await sha256Hex(reply.etagOf)}"`;
      headers.set("etag", etag);
      headers.set("cache-control", "private, max-age=60");
      if (etagMatches(req, etag)) return new Response(null, { status: 304, headers });
      headers.set("content-type", reply.type);
      if (head) return new Response(null, { headers });
      let body = await reply.open();
      if (acceptsGzip(req)) {
        body = body.pipeThrough(
          new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
        );
        headers.set("content-encoding", "gzip");
      }
      return new Response(body, { headers });
    }
    const key = `${gen}|${reply.cacheKey}`;
    let c = cache.get(key);
    if (c) {
      cache.delete(key); // most recently used last
      cache.set(key, c);
    } else {
      const made = await reply.make();
      const body = new TextEncoder().encode(made.text);
      c = {
        body,
        etag: `"${await sha256Hex(body)}"`,
        type: reply.type ?? JSON_TYPE,
        link: made.link,
      };
      cache.set(key, c);
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      // Pre-gzip large bodies now: dashboards ask for gzip, and the first of them must not wait.
      if (body.length > GZIP_MIN_BYTES) gzipOf(c).catch(() => {});
    }
    headers.set("etag", c.etag);
    headers.set("cache-control", "private, max-age=60, s-maxage=60");
    if (c.link) headers.set("link", c.link);
    if (etagMatches(req, c.etag)) return new Response(null, { status: 304, headers });
    headers.set("content-type", c.type);
    let body = c.body;
    if (body.length > GZIP_MIN_BYTES && acceptsGzip(req)) {
      body = await gzipOf(c);
      headers.set("content-encoding", "gzip");
    }
    headers.set("content-length", String(body.length));
    return new Response(head ? null : body as Uint8Array<ArrayBuffer>, { headers });
  };

  const errorResponse = (req: Request, e: ApiError): Response => {
    const headers = common(req);
    headers.set("content-type", JSON_TYPE);
    if (e.status === 401) headers.set("www-authenticate", 'Bearer realm="augment-metrics"');
    return new Response(
      JSON.stringify({ message: e.message, documentation_url: e.docs, status: String(e.status) }),
      { status: e.status, headers },
    );
  };

  const handler = async (req: Request): Promise<Response> => {
    const started = performance.now();
    http.inFlight++;
    const url = new URL(req.url);
    const m = matchRoute(url.pathname);
    const route = m?.route ?? "unknown";
    let res: Response;
    try {
      if (!m) throw new ApiError(404, "Not Found");
      if (req.method !== "GET" && req.method !== "HEAD") throw new ApiError(404, "Not Found");
      const gen = index.snapshot.generation;
      res = await toResponse(req, await dispatch(req, url, m), gen);
    } catch (e) {
      if (e instanceof ApiError) res = errorResponse(req, e);
      else {
        o.log.error(`Cannot answer ${req.method} ${route}: ${(e as Error).message}`);
        res = errorResponse(req, new ApiError(500, "Internal Server Error"));
      }
    } finally {
      http.inFlight--;
    }
    const seconds = (performance.now() - started) / 1000;
    http.observe(route, res.status, seconds);
    if (o.accessLog !== false) {
      accessLog.push({
        method: req.method,
        path: url.pathname + redactQuery(url.searchParams),
        route,
        status: res.status,
        ms: Math.round(seconds * 10000) / 10,
      });
    }
    return res;
  };

  /** Access-log lines, written in batches off the requests' path. */
  const accessLog = new AccessLog(o.log);

  const server = Deno.serve({
    hostname: o.hostname,
    port: o.port,
    onListen: () => {},
  }, handler);

  let poll: ReturnType<typeof setInterval> | undefined;
  if ((o.pollMs ?? 2000) > 0) {
    let busy = false;
    poll = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const before = index.snapshot.generation;
        if (await index.reloadIfChanged()) {
          reloads++;
          if (index.snapshot.generation !== before) cache.clear();
          seats.update(index.snapshot).catch(() => {});
        }
      } catch (e) {
        o.log.warn(`Cannot read the output folder: ${(e as Error).message}`);
      } finally {
        busy = false;
      }
    }, o.pollMs ?? 2000);
  }
  scheduler?.start();

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      if (poll !== undefined) clearInterval(poll);
      await Promise.all([server.shutdown(), scheduler?.stop()]);
      accessLog.close();
    })();
    return stopping;
  };
  const hostForUrl = o.hostname.includes(":") ? `[${o.hostname}]` : o.hostname;
  return {
    url: `http://${hostForUrl}:${server.addr.port}`,
    port: server.addr.port,
    reload,
    shutdown,
    finished: server.finished,
    index,
    syncState: scheduler?.state,
    httpMetrics: http,
    [Symbol.asyncDispose]: shutdown,
  };
}

interface AccessEntry {
  readonly method: string;
  readonly path: string;
  readonly route: string;
  readonly status: number;
  readonly ms: number;
}

/**
 * The access log: a request only appends its entry; the lines are written together a moment
 * later (or at once past {@link ACCESS_LOG_MAX_LINES}), so a slow log never delays an answer.
 */
class AccessLog {
  #lines: AccessEntry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(private readonly log: ServeLog) {}

  push(e: AccessEntry): void {
    this.#lines.push(e);
    if (this.#closed || this.#lines.length >= ACCESS_LOG_MAX_LINES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), ACCESS_LOG_FLUSH_MS);
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const lines = this.#lines;
    this.#lines = [];
    for (const e of lines) {
      this.log.info(`${e.method} ${e.path} ${e.status} ${e.ms.toFixed(1)}ms`, {
        event: "request",
        ...e,
      });
    }
  }

  /** Writes what is held; later lines are written at once. */
  close(): void {
    this.#closed = true;
    this.flush();
  }
}

/** The query as logged: signatures shown as `…`. */
function redactQuery(q: URLSearchParams): string {
  if (q.size === 0) return "";
  const parts: string[] = [];
  for (const [k, v] of q) {
    const key = encodeURIComponent(k);
    parts.push(k === "signature" ? `${key}=…` : `${key}=${encodeURIComponent(v)}`);
  }
  return `?${parts.join("&")}`;
}

/**
 * Credits and cost sync: fetch the credits (`credit-usage-by-user`) and cost (`cost-analytics`)
 * of the days a run shows that the store lacks, through their own pacing bucket, while the
 * activity endpoints are fetched; keep each published day, hold unpublished ones (today's
 * credits come with about 90 minutes' lag) for this run only; and give the views a history
 * whose days carry their credits.
 *
 * Credits add to an export and never stop it: an endpoint that fails after its retries is one
 * warning (asked again by the next run). One that answers 403 or 404 is not enabled for the
 * enterprise: one warning, the run goes on without it, and the store remembers it so that the next runs ask again only once
 * {@link RECHECK_NOT_ENABLED_MS} has passed (a day: an enterprise that has it switched on sees
 * it by the next daily run, and a run without it costs at most one request a day).
 *
 * @module
 */
import { withDayFields } from "../model/day_columns.ts";
import {
  CREDIT_ENDPOINTS,
  type CreditEndpointName,
  type CreditsClient,
  type CreditSeries,
  CreditsNotEnabledError,
} from "../augment/credits.ts";
import { isPublishedAt, oldestQueryableDay } from "../augment/dates.ts";
import { ServiceError } from "../errors.ts";
import {
  type CostPoint,
  type CreditRecord,
  CreditRecordList,
  type DayCredits,
} from "../model/credits.ts";
import type { Day } from "../model/types.ts";
import { type CreditsKind, CreditsStore, KIND_ENDPOINT } from "../store/credits_store.ts";
import { coverDays, type PlanItem, type RequestPlan } from "../store/plan.ts";
import type { Reporter } from "../job/reporter.ts";
import type { DaySource } from "../views/render.ts";

/** How long a "not enabled" answer is trusted before the endpoint is asked again. */
export const RECHECK_NOT_ENABLED_MS = 24 * 3_600_000;

const KINDS: readonly CreditsKind[] = ["usage", "cost"];

/** What a credits sync will fetch. */
export interface CreditsPlan {
  /** Per series, the days to fetch (not held, unpublished, or `--refresh`), sorted. */
  readonly fetchDays: Readonly<Record<CreditsKind, readonly Day[]>>;
  /** Endpoints not asked this run: they answered "not enabled" less than a day ago. */
  readonly skipped: readonly CreditEndpointName[];
  /** The requests (one page a ≤90-day window estimated). */
  readonly items: readonly PlanItem[];
}

/** Plans the credits of `days` (the days the run shows). No request is made. */
export async function planCredits(
  storeDir: string | undefined,
  days: readonly Day[],
  options: { refresh: boolean; nowMs: number },
): Promise<CreditsPlan> {
  const store = storeDir === undefined ? undefined : new CreditsStore(storeDir);
  const fetchDays = { usage: [] as Day[], cost: [] as Day[] };
  const skipped: CreditEndpointName[] = [];
  for (const kind of KINDS) {
    const endpoint = KIND_ENDPOINT[kind];
    const since = store && await store.notEnabledAt(endpoint);
    if (since !== undefined && options.nowMs - since < RECHECK_NOT_ENABLED_MS) {
      skipped.push(endpoint);
      continue;
    }
    const held = store && !options.refresh ? await store.days(kind) : new Set<Day>();
    // Days beyond the service's 2 years are not asked (it would refuse the whole request).
    const oldest = oldestQueryableDay(options.nowMs);
    fetchDays[kind] = [...days].sort().filter((d) => d >= oldest && !held.has(d));
  }
  const items: PlanItem[] = [];
  for (const kind of KINDS) {
    const windows = coverDays(fetchDays[kind]).length;
    if (windows > 0) {
      items.push({
        endpoint: KIND_ENDPOINT[kind],
        series: windows,
        requests: windows,
        exact: false,
      });
    }
  }
  return { fetchDays, skipped, items };
}

/** `plan` with the credits requests added. */
export function withCreditItems(plan: RequestPlan, items: readonly PlanItem[]): RequestPlan {
  if (items.length === 0) return plan;
  const all = [...plan.items, ...items];
  return {
    items: all,
    requests: all.reduce((s, i) => s + i.requests, 0),
    exact: all.every((i) => i.exact),
  };
}

/** What a credits sync did. */
export interface CreditsSyncResult {
  /** Credits of days fetched before their publication: used by this run, never kept. */
  readonly provisional: ReadonlyMap<Day, Omit<DayCredits, "day">>;
  /** The plan's minimum for what arrived: per series, the pages its items fill. */
  readonly minimum: readonly PlanItem[];
  /** Endpoints that answered "not enabled" in this run. */
  readonly notEnabled: readonly CreditEndpointName[];
}

/** Fetches the credits and cost the plan says, keeps the published days. */
export async function syncCredits(o: {
  readonly client: CreditsClient;
  readonly storeDir: string;
  readonly plan: CreditsPlan;
  readonly now: () => number;
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
}): Promise<CreditsSyncResult> {
  const store = new CreditsStore(o.storeDir);
  const provisional = new Map<Day, { records?: CreditRecord[]; cost?: CostPoint[] }>();
  const series: CreditSeries[] = [];
  const notEnabled: CreditEndpointName[] = [];
  const onSeries = (s: CreditSeries) => series.push(s);

  const one = async (kind: CreditsKind) => {
    const endpoint = KIND_ENDPOINT[kind];
    const days = o.plan.fetchDays[kind];
    if (days.length === 0) return;
    const wanted = new Set(days);
    try {
      for (const window of coverDays(days)) {
        const byDay: Map<Day, CreditRecordList | readonly CostPoint[]> = kind === "usage"
          ? await o.client.creditUsage(window, { signal: o.signal, onSeries })
          : await o.client.costByDay(window, { signal: o.signal, onSeries });
        const fetchedAt = o.now();
        for (const d of days) {
          if (d < window.start || d > window.end || !wanted.has(d)) continue;
          const list = byDay.get(d);
          byDay.delete(d); // kept or used below: its memory goes with it
          if (kind === "usage") {
            const records = list as CreditRecordList | undefined;
            if (isPublishedAt(d, fetchedAt)) {
              await store.putUsage(d, records ?? new CreditRecordList(), fetchedAt);
            } else {
              const p = provisional.get(d) ?? {};
              p.records = records?.records() ?? [];
              provisional.set(d, p);
            }
          } else {
            const points = (list ?? []) as CostPoint[];
            if (isPublishedAt(d, fetchedAt)) await store.putCost(d, points, fetchedAt);
            else {
              const p = provisional.get(d) ?? {};
              p.cost = points;
              provisional.set(d, p);
            }
          }
        }
      }
      await store.setNotEnabled(endpoint, undefined);
    } catch (e) {
      if (e instanceof ServiceError) {
        // Credits are an addition to the export: a failure after the retries is one warning,
        // and the days not read are asked again by the next run.
        series.push({ endpoint, range: { start: days[0], end: days[0] }, pages: 1, items: 0 });
        o.reporter.warn(
          `${kind === "usage" ? "Credits" : "Cost"} could not be read: ${e.message}; ` +
            `the export goes on without them and tries again on the next run`,
          { event: "credits_failed", endpoint, status: e.details.status ?? null },
        );
        return;
      }
      if (!(e instanceof CreditsNotEnabledError)) throw e;
      // The refused request was sent: the minimum counts it.
      series.push({ endpoint, range: { start: days[0], end: days[0] }, pages: 1, items: 0 });
      notEnabled.push(endpoint);
      await store.setNotEnabled(endpoint, o.now());
      o.reporter.warn(
        `${kind === "usage" ? "Credits are" : "Cost is"} not available: "${
          CREDIT_ENDPOINTS[endpoint].path
        }" is not enabled for this enterprise (${e.status}); the export goes on without them ` +
          `and asks again in a day`,
        { event: "credits_not_enabled", endpoint, status: e.status },
      );
    }
  };
  await Promise.all(KINDS.map(one));

  const minimum: PlanItem[] = [];
  for (const kind of KINDS) {
    const endpoint = KIND_ENDPOINT[kind];
    const mine = series.filter((s) => s.endpoint === endpoint);
    if (mine.length === 0) continue;
    const pageSize = CREDIT_ENDPOINTS[endpoint].maxPageSize;
    minimum.push({
      endpoint,
      series: mine.length,
      requests: mine.reduce((n, s) => n + Math.max(1, Math.ceil(s.items / pageSize)), 0),
      exact: true,
    });
  }
  return { provisional, minimum, notEnabled };
}

/**
 * The history with each day's credits: `credits` on a day's data when its credits or cost are
 * known (stored, or fetched in this run), and a version that changes when they arrive, so that
 * the day's files are rendered again.
 */
export function withCredits(
  source: DaySource,
  storeDir: string,
  provisional: ReadonlyMap<Day, Omit<DayCredits, "day">> = new Map(),
): DaySource {
  const store = new CreditsStore(storeDir);
  const run = crypto.randomUUID();
  return {
    async info(day) {
      const base = await source.info(day);
      if (!base) return base;
      const tags: string[] = [];
      if (provisional.has(day)) tags.push(`provisional:${run}`);
      else {
        for (const kind of KINDS) if ((await store.days(kind)).has(day)) tags.push(kind);
      }
      return tags.length === 0 ? base : { ...base, version: `${base.version}+${tags.join("+")}` };
    },
    async get(day) {
      const data = await source.get(day);
      const p = provisional.get(day);
      const records = p?.records ?? await store.usage(day);
      const cost = p?.cost ?? await store.cost(day);
      if (records === undefined && cost === undefined) return data;
      const credits: DayCredits = {
        day,
        ...(records === undefined ? {} : { records }),
        ...(cost === undefined ? {} : { cost }),
      };
      return withDayFields(data, { credits });
    },
    release: (day) => source.release?.(day),
  };
}

/**
 * `client` with a gate that opens when one of its calls first answers (or by `open()`): the
 * credits requests wait for it, so that a refused token or a service that is down costs one
 * request, not one per endpoint, while the credits still go beside the activity requests.
 */
export function gateOnFirstAnswer<T extends object>(
  client: T,
): { client: T; opened: Promise<void>; open(): void } {
  const gate = Promise.withResolvers<void>();
  const wrapped = new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const out = value.apply(target, args);
        if (out instanceof Promise) out.then(() => gate.resolve(), () => {});
        return out;
      };
    },
  });
  return { client: wrapped, opened: gate.promise, open: () => gate.resolve() };
}

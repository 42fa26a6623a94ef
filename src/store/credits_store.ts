/**
 * The local store of published days' credits and cost, beside the day store:
 *
 * ```
 * credits/usage/<YYYY-MM-DD>.json  {version, day, fetched_at, records: [[identity, kind, model, credits]]}
 * credits/cost/<YYYY-MM-DD>.json   {version, day, fetched_at, points: [{resource, …, billed_usd, …}]}
 * credits/status.json              {version, not_enabled: {<endpoint>: <ISO time of the answer>}}
 * ```
 *
 * Amounts are kept as canonical decimal strings (exact). A day is kept only when it was
 * fetched after its publication, and then never fetched again; a day without credits is kept
 * with an empty list (known to be none). `status.json` remembers an endpoint that answered
 * 403/404 (not enabled for the enterprise), so that runs ask again only once a day. Files are
 * written atomically; one that does not parse is a `StoreError` naming it.
 *
 * @module
 */
import { join } from "node:path";
import * as z from "zod";
import type { CreditEndpointName } from "../augment/credits.ts";
import { StoreError } from "../errors.ts";
import { writeFileAtomic } from "../fs/atomic.ts";
import { readDirOrEmpty } from "../fs/dir.ts";
import { type CostPoint, type CreditRecord, CreditRecordList } from "../model/credits.ts";
import { Decimal } from "../model/money.ts";
import type { Day } from "../model/types.ts";

const VERSION = 1;
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const amount = z.string().regex(/^\d+(\.\d+)?$/);

const AMOUNT = /^\d+(\.\d+)?$/;

/** A usage record as stored: identity, kind, model, amount. */
type UsageRecord = [string, "user" | "service_account", string, string];

/**
 * The stored usage records, checked in one pass: `z.array(z.tuple(…))` makes several objects
 * per record, and a large day has tens of thousands of records.
 */
const usageRecords = z.custom<UsageRecord[]>((v) => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const r = v[i];
    if (
      !Array.isArray(r) || r.length !== 4 || typeof r[0] !== "string" ||
      (r[1] !== "user" && r[1] !== "service_account") || typeof r[2] !== "string" ||
      typeof r[3] !== "string" || !AMOUNT.test(r[3])
    ) return false;
  }
  return true;
});

const UsageFile = z.object({
  version: z.literal(VERSION),
  day,
  fetched_at: z.string(),
  records: usageRecords,
});

const CostFile = z.object({
  version: z.literal(VERSION),
  day,
  fetched_at: z.string(),
  points: z.array(z.object({
    resource: z.string(),
    resource_type: z.string().optional(),
    input_tokens: z.number().int().nonnegative().optional(),
    output_tokens: z.number().int().nonnegative().optional(),
    cache_read_tokens: z.number().int().nonnegative().optional(),
    cache_write_tokens: z.number().int().nonnegative().optional(),
    billed_usd: amount.optional(),
    estimated_customer_cost_usd: amount.optional(),
    credits: amount.optional(),
  })),
});

const StatusFile = z.object({
  version: z.literal(VERSION),
  not_enabled: z.record(z.string(), z.string()),
});

/** Which of the two series. */
export type CreditsKind = "usage" | "cost";

/** The endpoint of each series. */
export const KIND_ENDPOINT: Readonly<Record<CreditsKind, CreditEndpointName>> = {
  usage: "credit-usage-by-user",
  cost: "cost-analytics",
};

/** The credits and cost of published days, in `<store>/credits/`. */
export class CreditsStore {
  readonly dir: string;
  readonly #days = new Map<CreditsKind, Set<Day>>();
  /** Status updates, one after another (the two series may finish together). */
  #statusWrites: Promise<void> = Promise.resolve();

  constructor(storeDir: string) {
    this.dir = join(storeDir, "credits");
  }

  #file(kind: CreditsKind, d: Day): string {
    return join(this.dir, kind, `${d}.json`);
  }

  /** The days of `kind` held. */
  async days(kind: CreditsKind): Promise<ReadonlySet<Day>> {
    let days = this.#days.get(kind);
    if (!days) {
      days = new Set();
      for (const entry of await readDirOrEmpty(join(this.dir, kind))) {
        const m = /^(\d{4}-\d{2}-\d{2})\.json$/.exec(entry.name);
        if (m) days.add(m[1]);
      }
      this.#days.set(kind, days);
    }
    return days;
  }

  /** When the day of `kind` was fetched (ISO), or `undefined` when it is not held. */
  async fetchedAt(kind: CreditsKind, d: Day): Promise<string | undefined> {
    if (!(await this.days(kind)).has(d)) return undefined;
    return (kind === "usage" ? await this.#readUsage(d) : await this.#readCost(d)).fetched_at;
  }

  /** The credit records of a held day; `undefined` when not held. */
  async usage(d: Day): Promise<CreditRecord[] | undefined> {
    if (!(await this.days("usage")).has(d)) return undefined;
    return (await this.#readUsage(d)).records.map(([identity, kind, model, credits]) => ({
      identity,
      kind,
      model,
      credits: Decimal.parse(credits),
    }));
  }

  /** The cost points of a held day; `undefined` when not held. */
  async cost(d: Day): Promise<CostPoint[] | undefined> {
    if (!(await this.days("cost")).has(d)) return undefined;
    return (await this.#readCost(d)).points.map((p) => {
      const out: Record<string, unknown> = { resource: p.resource };
      if (p.resource_type !== undefined) out.resourceType = p.resource_type;
      if (p.input_tokens !== undefined) out.inputTokens = p.input_tokens;
      if (p.output_tokens !== undefined) out.outputTokens = p.output_tokens;
      if (p.cache_read_tokens !== undefined) out.cacheReadTokens = p.cache_read_tokens;
      if (p.cache_write_tokens !== undefined) out.cacheWriteTokens = p.cache_write_tokens;
      if (p.billed_usd !== undefined) out.billedUsd = Decimal.parse(p.billed_usd);
      if (p.estimated_customer_cost_usd !== undefined) {
        out.estimatedCustomerCostUsd = Decimal.parse(p.estimated_customer_cost_usd);
      }
      if (p.credits !== undefined) out.credits = Decimal.parse(p.credits);
      return out as unknown as CostPoint;
    });
  }

  /** Keeps a published day's credit records (an empty list: no credits that day). */
  async putUsage(
    d: Day,
    records: readonly CreditRecord[] | CreditRecordList,
    fetchedAtMs: number,
  ): Promise<void> {
    const file: z.infer<typeof UsageFile> = {
      version: VERSION,
      day: d,
      fetched_at: new Date(fetchedAtMs).toISOString(),
      records: records instanceof CreditRecordList
        ? records.rows()
        : records.map((r) => [r.identity, r.kind, r.model, r.credits.toString()]),
    };
    await this.#write("usage", d, file);
  }

  /** Keeps a published day's cost points. */
  async putCost(d: Day, points: readonly CostPoint[], fetchedAtMs: number): Promise<void> {
    const file: z.infer<typeof CostFile> = {
      version: VERSION,
      day: d,
      fetched_at: new Date(fetchedAtMs).toISOString(),
      points: points.map((p) => ({
        resource: p.resource,
        resource_type: p.resourceType,
        input_tokens: p.inputTokens,
        output_tokens: p.outputTokens,
        cache_read_tokens: p.cacheReadTokens,
        cache_write_tokens: p.cacheWriteTokens,
        billed_usd: p.billedUsd?.toString(),
        estimated_customer_cost_usd: p.estimatedCustomerCostUsd?.toString(),
        credits: p.credits?.toString(),
      })),
    };
    await this.#write("cost", d, file);
  }

  /** When `endpoint` last answered "not enabled" (ms), if it did and has not answered since. */
  async notEnabledAt(endpoint: CreditEndpointName): Promise<number | undefined> {
    const iso = (await this.#readStatus()).not_enabled[endpoint];
    return iso === undefined ? undefined : Date.parse(iso);
  }

  /** Remembers that `endpoint` answered "not enabled" at `atMs`, or (`undefined`) that it answered. */
  setNotEnabled(endpoint: CreditEndpointName, atMs: number | undefined): Promise<void> {
    const next = this.#statusWrites.then(() => this.#setNotEnabled(endpoint, atMs));
    this.#statusWrites = next.catch(() => {});
    return next;
  }

  async #setNotEnabled(endpoint: CreditEndpointName, atMs: number | undefined): Promise<void> {
    const status = await this.#readStatus();
    const had = status.not_enabled[endpoint];
    if (atMs === undefined) {
      if (had === undefined) return;
      delete status.not_enabled[endpoint];
    } else status.not_enabled[endpoint] = new Date(atMs).toISOString();
    await Deno.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, "status.json"), JSON.stringify(status) + "\n");
  }

  /**
   * Removes the credits and cost of days before `daysBefore` (retention); returns how many
   * files (would) go.
   */
  async prune(options: { daysBefore: Day; dryRun?: boolean }): Promise<number> {
    let n = 0;
    for (const kind of ["usage", "cost"] as const) {
      const days = await this.days(kind) as Set<Day>;
      for (const d of [...days].filter((d) => d < options.daysBefore)) {
        if (!options.dryRun) {
          await Deno.remove(this.#file(kind, d));
          days.delete(d);
        }
        n++;
      }
    }
    return n;
  }

  async #write(kind: CreditsKind, d: Day, file: unknown): Promise<void> {
    await Deno.mkdir(join(this.dir, kind), { recursive: true });
    await writeFileAtomic(this.#file(kind, d), JSON.stringify(file) + "\n");
    (await this.days(kind) as Set<Day>).add(d);
  }

  async #readUsage(d: Day): Promise<z.infer<typeof UsageFile>> {
    return await this.#read(this.#file("usage", d), UsageFile);
  }

  async #readCost(d: Day): Promise<z.infer<typeof CostFile>> {
    return await this.#read(this.#file("cost", d), CostFile);
  }

  async #readStatus(): Promise<z.infer<typeof StatusFile>> {
    try {
      return await this.#read(join(this.dir, "status.json"), StatusFile);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { version: VERSION, not_enabled: {} };
      throw e;
    }
  }

  async #read<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const text = await Deno.readTextFile(path);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const r = schema.safeParse(parsed);
    if (!r.success) {
      throw new StoreError(
        `Cannot read the stored credits "${path}": the file is damaged or of another version`,
        { hint: "delete that file and run again: its day is fetched anew" },
      );
    }
    return r.data;
  }
}

/**
 * Rendering: every output is a view of the history. Given the days whose per-day files must
 * exist and the range targets to write, the renderer works out from the manifest what is
 * missing or stale (a day's fingerprint covers its data and the 27 days of its window), runs
 * the fewest passes of the {@link RangeAccumulator} over the day source, feeds each view, and
 * records what each file was rendered from. A file whose inputs did not change is not
 * written again.
 *
 * @module
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import { addDays, type DayRange, daysBetween, eachDay } from "../model/dates.ts";
import { isKnownCounter } from "../model/metrics.ts";
import type { Day, DayData, UserActivity } from "../model/types.ts";
import { LOOKBACK_DAYS, RangeAccumulator } from "./accumulator.ts";
import type { OutputDir } from "./output_dir.ts";
import type { RangeFacts, RangeTarget, ReconciliationWarning, View } from "./view.ts";

/** What the renderer needs to know of a held day without reading its records. */
export interface DayInfo {
  /** Changes whenever the day's data may have changed (e.g. when it was fetched). */
  readonly version: string;
  /** Every counter name of the day's records. */
  readonly counters: readonly string[];
  /** Kept in the store (published), or fetched before publication for this run only. */
  readonly final: boolean;
}

/** The history as the renderer reads it: the store, plus this run's provisional days. */
export interface DaySource {
  /** `undefined` when the day is not held. */
  info(day: Day): Promise<DayInfo | undefined>;
  /** A held day's data. */
  get(day: Day): Promise<DayData>;
  /**
   * The renderer is done with the day's data given by {@link get}: neither it nor anything
   * the views made of it is read again, so the source may reuse its memory.
   */
  release?(day: Day): void;
}

/** What to render. */
export interface RenderRequest {
  readonly out: OutputDir;
  readonly views: readonly View[];
  readonly source: DaySource;
  /** Days whose per-day files must exist and be current, sorted. */
  readonly days: readonly Day[];
  /** Range targets (their `extraCounters` are filled in here). */
  readonly targets: readonly Omit<RangeTarget, "extraCounters">[];
  readonly enterpriseId: string;
  readonly createdAt: string;
  /** Days before this are beyond the service's reach: windows go without them. */
  readonly oldest: Day;
  /**
   * `user-activity` over a range, for a target whose records do not match `daily-usage`
   * on every day (then the per-identity activity derived from records may differ from the
   * service's). Without it, the derived activity is used.
   */
  readonly userActivity?: (range: DayRange) => Promise<readonly UserActivity[]>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, day: Day) => void;
  /** Render everything, whatever the manifest says. */
  readonly force?: boolean;
}

/** What rendering did. */
export interface RenderResult {
  /** Files written, relative, sorted. */
  readonly files: string[];
  /** Days analysed (passes, lookback excluded) and days whose per-day files were written. */
  readonly daysRendered: number;
  readonly daysCurrent: number;
  /** Reconciliation warnings of the requested days. */
  readonly warnings: ReconciliationWarning[];
  /** The facts of every target written. */
  readonly targets: RangeFacts[];
  /** Targets whose files were current. */
  readonly targetsCurrent: string[];
}

const MANIFEST = ".manifest.json";
const MANIFEST_VERSION = 1;

const ManifestFile = z.object({
  version: z.literal(MANIFEST_VERSION),
  days: z.record(z.string(), z.record(z.string(), z.string())),
  targets: z.record(z.string(), z.record(z.string(), z.string())),
});
type Manifest = z.infer<typeof ManifestFile>;

async function readManifest(out: OutputDir): Promise<Manifest> {
  try {
    const r = ManifestFile.safeParse(JSON.parse(await Deno.readTextFile(out.abs(MANIFEST))));
    if (r.success) return r.data;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) && !(e instanceof SyntaxError)) throw e;
  }
  // Missing or unreadable: every file is rendered again (and the manifest rewritten).
  return { version: MANIFEST_VERSION, days: {}, targets: {} };
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** Renders what is missing or stale. */
export async function render(req: RenderRequest): Promise<RenderResult> {
  const { out, views, source } = req;
  const manifest = await readManifest(out);
  const infos = new Map<Day, DayInfo | undefined>();
  const info = async (day: Day) => {
    if (!infos.has(day)) infos.set(day, day < req.oldest ? undefined : await source.info(day));
    return infos.get(day);
  };
  const fingerprints = new Map<Day, string>();
  const fingerprint = async (day: Day): Promise<string> => {
    const known = fingerprints.get(day);
    if (known) return known;
    const parts: string[] = [];
    for (const d of eachDay(addDays(day, -LOOKBACK_DAYS), day)) {
      parts.push(`${d}=${(await info(d))?.version ?? "-"}`);
    }
    const fp = hash(parts.join(";"));
    fingerprints.set(day, fp);
    return fp;
  };

  // Targets, with their extra columns: the unknown counters of their days.
  const targets: RangeTarget[] = [];
  for (const t of req.targets) {
    const extra = new Set<string>();
    for (const d of eachDay(t.range.start, t.range.end)) {
      for (const c of (await info(d))?.counters ?? []) if (!isKnownCounter(c)) extra.add(c);
    }
    targets.push({ ...t, extraCounters: [...extra].sort() });
  }

  // Which per-day files and targets are missing or stale, per view.
  const perDay = new Map<View, Set<Day>>(views.map((v) => [v, new Set()]));
  for (const day of req.days) {
    const fp = await fingerprint(day);
    for (const v of views) {
      const current = !req.force && manifest.days[v.optionsKey]?.[day] === fp &&
        await out.exist(v.dayFiles(day));
      if (!current) perDay.get(v)!.add(day);
    }
  }
  const targetPrint = async (t: RangeTarget) => {
    const parts = [t.name, t.range.start, t.range.end, t.extraCounters.join(",")];
    for (const d of eachDay(t.range.start, t.range.end)) parts.push(await fingerprint(d));
    return hash(parts.join(";"));
  };
  const due: RangeTarget[] = [];
  const targetsCurrent: string[] = [];
  const targetPrints = new Map<RangeTarget, string>();
  for (const t of targets) {
    const fp = await targetPrint(t);
    targetPrints.set(t, fp);
    let current = !req.force;
    for (const v of views) {
      current &&= manifest.targets[v.optionsKey]?.[t.name] === fp &&
        await out.exist(v.targetFiles(t));
    }
    if (current) targetsCurrent.push(t.name);
    else due.push(t);
  }

  // The days to analyse, in passes: a gap of more than a window starts a new pass.
  const needed = new Set<Day>();
  for (const set of perDay.values()) for (const d of set) needed.add(d);
  for (const t of due) for (const d of eachDay(t.range.start, t.range.end)) needed.add(d);
  const sorted = [...needed].sort();
  const passes: DayRange[] = [];
  for (const d of sorted) {
    const last = passes.at(-1);
    if (last && daysBetween(last.end, d) <= LOOKBACK_DAYS + 1) {
      passes[passes.length - 1] = { start: last.start, end: d };
    } else passes.push({ start: d, end: d });
  }

  const requested = new Set(req.days);
  const warnings: ReconciliationWarning[] = [];
  const finishedTargets: RangeFacts[] = [];
  const total = passes.reduce((n, p) => n + daysBetween(p.start, p.end) + 1, 0);
  let done = 0;
  const rendered = new Map<View, Set<Day>>(views.map((v) => [v, new Set()]));
  if (passes.length > 0) {
    await out.ensureDir("");
    const extra = new Set<string>();
    for (const d of sorted) {
      for (const c of (await info(d))?.counters ?? []) if (!isKnownCounter(c)) extra.add(c);
    }
    const ctx = {
      out,
      enterpriseId: req.enterpriseId,
      createdAt: req.createdAt,
      extraCounters: [...extra].sort(),
    };
    for (const v of views) await v.open(ctx);
    try {
      for (const pass of passes) {
        const acc = new RangeAccumulator({
          enterpriseId: req.enterpriseId,
          targets: due.filter((t) => pass.start <= t.range.start && t.range.end <= pass.end),
        });
        for (const d of eachDay(addDays(pass.start, -LOOKBACK_DAYS), addDays(pass.start, -1))) {
          if (await info(d)) {
            acc.lookback(await source.get(d));
            source.release?.(d);
          }
        }
        for (const day of eachDay(pass.start, pass.end)) {
          req.signal?.throwIfAborted();
          req.onProgress?.(done, total, day);
          const dayInfo = await info(day);
          if (!dayInfo) {
            throw new Error(`Cannot render day "${day}": the history does not hold it`);
          }
          const { facts, finished } = acc.day(await source.get(day), {
            final: dayInfo.final,
            fingerprint: await fingerprint(day),
          });
          if (requested.has(day)) warnings.push(...facts.reconciliation);
          for (const v of views) {
            const write = perDay.get(v)!.has(day);
            if (write || facts.targets.length > 0) await v.day(facts, write);
            if (write) rendered.get(v)!.add(day);
          }
          for (const r of finished) {
            const facts = r.warnings.length > 0 && req.userActivity
              ? await withFetchedActivity(r, req.userActivity)
              : r;
            for (const v of views) await v.finishTarget(facts);
            finishedTargets.push(facts);
          }
          for (const v of views) v.dayDone?.(facts);
          source.release?.(day);
          done++;
        }
      }
    } catch (e) {
      for (const v of views) await v.abort();
      throw e;
    }
  }
  const files = new Set<string>();
  for (const v of views) {
    if (passes.length > 0) { for (const f of await v.close()) files.add(f); }
    const days = (manifest.days[v.optionsKey] ??= {});
    for (const d of rendered.get(v)!) days[d] = await fingerprint(d);
    const ts = (manifest.targets[v.optionsKey] ??= {});
    for (const t of due) ts[t.name] = targetPrints.get(t)!;
  }
  if (passes.length > 0) await out.write(MANIFEST, JSON.stringify(manifest) + "\n");
  return {
    files: [...files].sort(),
    daysRendered: total,
    daysCurrent: req.days.filter((d) => views.every((v) => !perDay.get(v)!.has(d))).length,
    warnings,
    targets: finishedTargets,
    targetsCurrent,
  };
}

/** A target's facts with `user-activity` from the service, and its counters as columns. */
async function withFetchedActivity(
  r: RangeFacts,
  fetch: (range: DayRange) => Promise<readonly UserActivity[]>,
): Promise<RangeFacts> {
  const userActivity = await fetch(r.target.range);
  const extra = new Set(r.target.extraCounters);
  for (const u of userActivity) for (const k in u.metrics) if (!isKnownCounter(k)) extra.add(k);
  return {
    ...r,
    target: { ...r.target, extraCounters: [...extra].sort() },
    userActivity,
  };
}

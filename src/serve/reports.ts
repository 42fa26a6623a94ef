/**
 * The bodies `serve` answers with, assembled from a {@link Snapshot}'s per-day files exactly as
 * `export` writes its range files:
 *
 * - a 28-day entity report is the report object around the per-day entity rows of its window
 *   (`day_totals` of `daily/<day>/enterprise-1-day.json`), pretty-printed like
 *   `latest/enterprise-28-day.json`; `created_at` is the newest of its days';
 * - a users-28-day line is a users-1-day line with `report_start_day` and `report_end_day`
 *   first, the same bytes otherwise;
 * - a legacy metrics page is a JSON array of Format B day objects.
 *
 * @module
 */
import { addDays } from "../model/dates.ts";
import type { Day } from "../model/types.ts";
import { openBytes, readText, type Snapshot } from "./folder_index.ts";

/** Days in a 28-day report. */
export const REPORT_DAYS = 28;

/** The window of the 28-day report ending on `end`. */
export function window28(end: Day): { start: Day; end: Day } {
  return { start: addDays(end, -(REPORT_DAYS - 1)), end };
}

/** The report days of the snapshot inside `[start, end]`, sorted. */
export function reportDaysIn(snapshot: Snapshot, start: Day, end: Day): Day[] {
  return snapshot.reportDays.filter((d) => d >= start && d <= end);
}

/** The 28-day entity report ending on `end` (a report day of the snapshot), as written by `export`. */
export function entityReport28(snapshot: Snapshot, end: Day): string {
  const { start } = window28(end);
  const days = reportDaysIn(snapshot, start, end);
  const entities = days.map((d) => snapshot.byDay.get(d)!.entity!);
  const last = entities.at(-1);
  const createdAt = entities.map((e) => e.createdAt).sort().at(-1) ?? "";
  const report = {
    report_start_day: start,
    report_end_day: end,
    enterprise_id: last?.enterpriseId ?? "",
    created_at: createdAt,
    day_totals: entities.map((e) => e.row),
  };
  return JSON.stringify(report, null, 2) + "\n";
}

/** The entity report of one day: the day's file as stored. */
export async function entityReport1(snapshot: Snapshot, day: Day): Promise<string> {
  return await readText(snapshot.byDay.get(day)!.entity!.file);
}

/** A key that changes when any file a response is made of changes. */
export function filesKey(
  snapshot: Snapshot,
  days: readonly Day[],
  kind: "users" | "entity",
): string {
  return days.map((d) => {
    const e = snapshot.byDay.get(d)!;
    const f = kind === "users" ? e.users! : e.entity!.file;
    return `${d}:${f.size}:${f.mtimeMs}:${f.gz ? 1 : 0}`;
  }).join(",");
}

/** The user rows of one day (NDJSON), streamed from the stored file. */
export async function users1Stream(
  snapshot: Snapshot,
  day: Day,
): Promise<ReadableStream<Uint8Array>> {
  return await openBytes(snapshot.byDay.get(day)!.users!);
}

/**
 * Prefixes every line of an NDJSON byte stream (each line `{…}\n`) with `prefix`, dropping the
 * line's first byte (`{`): the users-28-day form of a users-1-day line.
 */
export function prefixLines(prefix: Uint8Array): TransformStream<Uint8Array, Uint8Array> {
  let atLineStart = true;
  return new TransformStream({
    transform(chunk, controller) {
      let from = 0;
      while (from < chunk.length) {
        if (atLineStart) {
          if (chunk[from] === 0x0a) { // an empty line stays empty
            controller.enqueue(chunk.subarray(from, from + 1));
            from++;
            continue;
          }
          controller.enqueue(prefix.slice()); // a copy: a consumer may take the buffer
          from++; // the line's `{`: the prefix starts with its own
          atLineStart = false;
          continue;
        }
        const nl = chunk.indexOf(0x0a, from);
        if (nl < 0) {
          controller.enqueue(chunk.subarray(from));
          return;
        }
        controller.enqueue(chunk.subarray(from, nl + 1));
        from = nl + 1;
        atLineStart = true;
      }
    },
  });
}

/** The users-28-day rows ending on `end`: every user row of its window's days, in day order. */
export function users28Stream(snapshot: Snapshot, end: Day): ReadableStream<Uint8Array> {
  const { start } = window28(end);
  const days = reportDaysIn(snapshot, start, end);
  const prefix = new TextEncoder().encode(
    `{"report_start_day":${JSON.stringify(start)},"report_end_day":${JSON.stringify(end)},`,
  );
  let i = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          if (i >= days.length) {
            controller.close();
            return;
          }
          const day = days[i++];
          reader = (await users1Stream(snapshot, day)).pipeThrough(prefixLines(prefix))
            .getReader();
        }
        const { value, done } = await reader.read();
        if (done) {
          reader = undefined;
          continue;
        }
        controller.enqueue(value);
        return;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
}

/** One page of the legacy metrics endpoint: a JSON array of Format B days. */
export function legacyPage(snapshot: Snapshot, days: readonly Day[]): string {
  return `[${days.map((d) => snapshot.byDay.get(d)!.metrics!.json).join(",")}]`;
}

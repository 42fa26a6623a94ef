/**
 * What `serve` knows of the output folder `export` writes (docs/LAYOUT.md): an immutable
 * {@link Snapshot} of the complete days under `daily/`, swapped in one assignment by
 * {@link FolderIndex.reload}, so a request sees one snapshot from start to end.
 *
 * A day counts for the usage-metrics reports once both `enterprise-1-day.json` and
 * `users-1-day.ndjson` exist (plain or `.gz`), and for the legacy metrics endpoint once
 * `copilot_metrics.json` exists. Files are replaced by rename, so a file is always whole; the
 * small ones (the entity row and the Format B day) are read at reload, the user rows only when
 * a request streams them. Files unchanged since the last snapshot (same size and mtime) are
 * not read again.
 *
 * @module
 */
import { join } from "node:path";
import { readDirOrEmpty } from "../fs/dir.ts";
import { isDay } from "../model/dates.ts";
import type { Day } from "../model/types.ts";

/** File names of a day's folder (docs/LAYOUT.md). */
export const DAY_FILES = {
  entity: "enterprise-1-day.json",
  users: "users-1-day.ndjson",
  metrics: "copilot_metrics.json",
  userTeams: "user-teams-1-day.ndjson",
} as const;

/** A file as found on disk. */
export interface FileRef {
  /** Absolute path (ending in `.gz` when compressed). */
  readonly path: string;
  readonly gz: boolean;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The entity row of a day, from `enterprise-1-day.json`. */
export interface EntityDay {
  readonly file: FileRef;
  /** `day_totals[0]`, keys in file order. */
  readonly row: Record<string, unknown>;
  readonly enterpriseId: string;
  readonly createdAt: string;
}

/** One stored day. */
export interface DayEntry {
  readonly day: Day;
  readonly entity?: EntityDay;
  readonly users?: FileRef;
  /** The Format B day object, compact JSON. */
  readonly metrics?: { readonly file: FileRef; readonly json: string };
  /** `user-teams-1-day.ndjson` (written with `export --teams`). */
  readonly userTeams?: FileRef;
}

/** An immutable view of the folder at one moment. */
export interface Snapshot {
  /** Increases with every reload that changed something. */
  readonly generation: number;
  readonly byDay: ReadonlyMap<Day, DayEntry>;
  /** Days with both usage-metrics files, sorted. */
  readonly reportDays: readonly Day[];
  /** Days with a Format B file, sorted. */
  readonly legacyDays: readonly Day[];
  /** Every stored day (any of the files), sorted. */
  readonly days: readonly Day[];
  /** A key that changes whenever any file of the snapshot changes. */
  readonly key: string;
  /** When the snapshot was taken (ms). */
  readonly loadedAtMs: number;
}

/** Something went wrong with one file: the day is left out, the rest is served. */
export type IndexWarning = (message: string) => void;

const EMPTY: Snapshot = {
  generation: 0,
  byDay: new Map(),
  reportDays: [],
  legacyDays: [],
  days: [],
  key: "",
  loadedAtMs: 0,
};

async function statFile(path: string): Promise<FileRef | undefined> {
  for (const [p, gz] of [[path, false], [`${path}.gz`, true]] as const) {
    try {
      const s = await Deno.stat(p);
      if (s.isFile) return { path: p, gz, size: s.size, mtimeMs: s.mtime?.getTime() ?? 0 };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) && !(e instanceof Deno.errors.NotADirectory)) {
        throw e;
      }
    }
  }
  return undefined;
}

function sameFile(a: FileRef | undefined, b: FileRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.path === b.path && a.size === b.size &&
    a.mtimeMs === b.mtimeMs;
}

/** A whole file as text, decompressed when it is a `.gz`. */
export async function readText(file: FileRef): Promise<string> {
  const bytes = await Deno.readFile(file.path);
  if (!file.gz) return new TextDecoder().decode(bytes);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

/** A file's bytes as a stream, decompressed when it is a `.gz`. */
export async function openBytes(file: FileRef): Promise<ReadableStream<Uint8Array>> {
  const f = await Deno.open(file.path, { read: true });
  const stream = f.readable;
  return file.gz
    ? stream.pipeThrough(new DecompressionStream("gzip")) as ReadableStream<Uint8Array>
    : stream;
}

async function readEntity(file: FileRef): Promise<EntityDay> {
  const report = JSON.parse(await readText(file)) as {
    enterprise_id?: unknown;
    created_at?: unknown;
    day_totals?: unknown;
  };
  const rows = report.day_totals;
  if (!Array.isArray(rows) || rows.length !== 1 || typeof rows[0] !== "object") {
    throw new Error("expected one row in day_totals");
  }
  return {
    file,
    row: rows[0] as Record<string, unknown>,
    enterpriseId: String(report.enterprise_id ?? ""),
    createdAt: String(report.created_at ?? ""),
  };
}

/** Reads the folder into a snapshot, reusing what `previous` already read of unchanged files. */
export async function loadSnapshot(
  root: string,
  previous: Snapshot,
  warn: IndexWarning,
  nowMs: number,
): Promise<Snapshot> {
  const dailyDir = join(root, "daily");
  const names = (await readDirOrEmpty(dailyDir))
    .filter((e) => e.isDirectory && isDay(e.name))
    .map((e) => e.name)
    .sort();
  const byDay = new Map<Day, DayEntry>();
  const keyParts: string[] = [];
  for (const day of names) {
    const dir = join(dailyDir, day);
    const before = previous.byDay.get(day);
    const [entityFile, usersFile, metricsFile, userTeams] = await Promise.all([
      statFile(join(dir, DAY_FILES.entity)),
      statFile(join(dir, DAY_FILES.users)),
      statFile(join(dir, DAY_FILES.metrics)),
      statFile(join(dir, DAY_FILES.userTeams)),
    ]);
    let entity: EntityDay | undefined;
    if (entityFile) {
      if (sameFile(before?.entity?.file, entityFile)) entity = before!.entity;
      else {
        try {
          entity = await readEntity(entityFile);
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) {
            warn(`Cannot read "${entityFile.path}": ${(e as Error).message}; the day is left out`);
          }
        }
      }
    }
    let metrics: DayEntry["metrics"];
    if (metricsFile) {
      if (sameFile(before?.metrics?.file, metricsFile)) metrics = before!.metrics;
      else {
        try {
          const value = JSON.parse(await readText(metricsFile));
          metrics = { file: metricsFile, json: JSON.stringify(value) };
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) {
            warn(`Cannot read "${metricsFile.path}": ${(e as Error).message}; the day is left out`);
          }
        }
      }
    }
    if (!entity && !usersFile && !metrics) continue;
    const entry: DayEntry = { day, entity, users: usersFile, metrics, userTeams };
    byDay.set(day, entry);
    for (const f of [entity?.file, usersFile, metrics?.file, userTeams]) {
      keyParts.push(f ? `${f.path}:${f.size}:${f.mtimeMs}` : "-");
    }
  }
  const key = keyParts.join("|");
  const days = [...byDay.keys()];
  return {
    generation: key === previous.key ? previous.generation : previous.generation + 1,
    byDay,
    days,
    reportDays: days.filter((d) => byDay.get(d)!.entity && byDay.get(d)!.users),
    legacyDays: days.filter((d) => byDay.get(d)!.metrics),
    key,
    loadedAtMs: nowMs,
  };
}

/** The current snapshot of an output folder, reloaded on demand or when the folder changes. */
export class FolderIndex {
  #snapshot: Snapshot = EMPTY;
  #reloading: Promise<Snapshot> | undefined;
  #again = false;
  #signature = "";

  constructor(
    readonly root: string,
    private readonly warn: IndexWarning = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The snapshot requests read (never changes under a request holding it). */
  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  /**
   * Reads the folder again and swaps the snapshot in one assignment. Calls made while a
   * reload runs wait for one more reload after it (so they see every change made before them).
   */
  reload(): Promise<Snapshot> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading.then(() => this.reload());
    }
    this.#reloading = (async () => {
      try {
        do {
          this.#again = false;
          this.#signature = await this.#folderSignature();
          this.#snapshot = await loadSnapshot(this.root, this.#snapshot, this.warn, this.now());
        } while (this.#again);
        return this.#snapshot;
      } finally {
        this.#reloading = undefined;
      }
    })();
    return this.#reloading;
  }

  /** The modification times of what every export run changes: `daily/`, the run summary. */
  async #folderSignature(): Promise<string> {
    const parts: string[] = [];
    for (const name of ["daily", "last_run.json", ".manifest.json", "latest"]) {
      try {
        const s = await Deno.stat(join(this.root, name));
        parts.push(`${name}:${s.mtime?.getTime()}:${s.size}`);
      } catch {
        parts.push(`${name}:-`);
      }
    }
    return parts.join("|");
  }

  /** Reloads when the folder's signature changed since the last reload; returns whether it did. */
  async reloadIfChanged(): Promise<boolean> {
    if ((await this.#folderSignature()) === this.#signature) return false;
    await this.reload();
    return true;
  }
}

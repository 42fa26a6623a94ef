/**
 * Mirrors the output directory's files to a destination, uploading only what changed.
 *
 * What the destination holds is remembered in a manifest object under the prefix
 * (`<prefix>/.augment-metrics-manifest.json`: each file's SHA-256 and size). A run hashes the
 * local files, compares them with the manifest and uploads the ones that differ; with nothing
 * changed it sends no PUT at all. When the manifest is missing or unreadable, the objects under
 * the prefix are listed and compared by size and MD5 ETag (or their stored SHA-256, by HEAD),
 * so a lost manifest costs a listing, not a full upload.
 *
 * Order: dated files first, then `latest/` and the top-level files (`last_run.json`), then the
 * manifest, so a reader never sees a `latest` that points at days not there yet. A failure
 * stops before `latest/`, records what did arrive in the manifest (best effort) and throws; the
 * local files are only ever read.
 *
 * Files and folders whose names start with "." (`.store/`, `.manifest.json`, temporary files)
 * and symbolic links are not uploaded. Objects whose local file is gone are left in place.
 *
 * @module
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import { AuthError, UsageError } from "../errors.ts";
import type { Clock } from "../http/types.ts";
import {
  denoEnv,
  type EnvReader,
  resolveStorageSettings,
  type StorageSettings,
} from "./credentials.ts";
import { ObjectStore, type RemoteObject, type StoreRetry, toBase64 } from "./object_store.ts";
import { type Destination, type Endpoint, endpointOf, objectKey } from "./url.ts";

/** The manifest's name under the destination's prefix. */
export const MANIFEST_NAME = ".augment-metrics-manifest.json";
/** Files above this size are sent as multipart uploads (64 MiB). */
export const DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024;
/** Part size of multipart uploads (16 MiB; S3 requires at least 5 MiB but for the last). */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** Uploads in flight at once. */
export const DEFAULT_CONCURRENCY = 4;
const MAX_PARTS = 10_000;

/** What {@link syncToDestination} reports as it goes. */
export type SyncEvent =
  | {
    readonly kind: "plan";
    readonly destination: string;
    readonly files: number;
    readonly toUpload: number;
    readonly bytes: number;
  }
  | { readonly kind: "uploaded"; readonly path: string; readonly bytes: number }
  | ({ readonly kind: "retry" } & StoreRetry);

/** Options of {@link syncToDestination}. */
export interface SyncOptions {
  /** The output directory to mirror. */
  readonly outputDir: string;
  /**
   * Only these files (paths relative to `outputDir`, e.g. the ones a run wrote); all files
   * under `outputDir` when absent.
   */
  readonly files?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: SyncEvent) => void;
  /** Files larger than this go as multipart uploads; default 64 MiB. */
  readonly multipartThreshold?: number;
  /** Part size of multipart uploads; default 16 MiB (raised to keep ≤ 10 000 parts). */
  readonly partSize?: number;
  /** Uploads in flight at once; default 4. */
  readonly concurrency?: number;
  /** Retries of one request; default 5. */
  readonly maxRetries?: number;
  /** Time-out of one request, in milliseconds; default 300 000. */
  readonly requestTimeoutMs?: number;
  /** Environment reader for credentials, region and endpoint; `Deno.env.get` by default. */
  readonly env?: EnvReader;
  /** Already resolved credentials and settings (instead of `env`). */
  readonly settings?: StorageSettings;
  /**
   * Where the objects are, instead of the destination's own (`storage.googleapis.com` for
   * `gs://`): the tests send `gs://` uploads, with GCS's integrity headers and signing region,
   * to an S3-compatible server on loopback.
   */
  readonly endpoint?: Endpoint;
  /** Clock for backoff sleeps (tests use a fake one). */
  readonly clock?: Clock;
  readonly random?: () => number;
}

/** What {@link syncToDestination} did. */
export interface SyncResult {
  /** Files uploaded (paths relative to the output directory), in upload order. */
  readonly uploaded: string[];
  /** Files already at the destination, unchanged. */
  readonly skipped: number;
  /** Bytes uploaded (manifest excluded). */
  readonly bytes: number;
  /** HTTP requests sent, retries included. */
  readonly requests: number;
}

const manifestSchema = z.object({
  version: z.literal(1),
  objects: z.record(
    z.string(),
    z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(0) }),
  ),
});
type ManifestEntry = { sha256: string; size: number };

/** One local file and its digests. */
interface LocalFile {
  readonly path: string;
  readonly abs: string;
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
}

const CONTENT_TYPES: Record<string, string> = {
  json: "application/json",
  ndjson: "application/x-ndjson",
  csv: "text/csv; charset=utf-8",
  parquet: "application/vnd.apache.parquet",
  gz: "application/gzip",
  txt: "text/plain; charset=utf-8",
};

function contentTypeOf(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "";
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

/** Uploaded last: `latest/` and the files at the top of the output directory. */
function isLast(path: string): boolean {
  return path.startsWith("latest/") || !path.includes("/");
}

/**
 * Uploads the output directory's new and changed files to `dest` (see the module's notes).
 * Throws {@link UsageError} (bad file list, no credentials, net permission missing),
 * {@link AuthError} (credentials refused: exit 3) or `ServiceError` (a missing bucket, or an
 * upload that failed after its retries, naming the object: exit 4).
 */
export async function syncToDestination(
  dest: Destination,
  options: SyncOptions,
): Promise<SyncResult> {
  const settings = options.settings ?? await resolveStorageSettings(options.env ?? denoEnv);
  const endpoint = options.endpoint ?? endpointOf(dest, settings);
  const store = new ObjectStore({
    destination: dest,
    endpoint,
    credentials: settings.credentials,
    maxRetries: options.maxRetries,
    requestTimeoutMs: options.requestTimeoutMs,
    clock: options.clock,
    random: options.random,
    signal: options.signal,
    onRetry: (info) => options.onProgress?.({ kind: "retry", ...info }),
  });
  const outputDir = options.outputDir.replace(/[\\/]+$/, "") || "/";
  const paths = options.files
    ? options.files.map((f) => normalisePath(outputDir, f))
    : await listFiles(outputDir);
  const locals: LocalFile[] = [];
  for (const path of [...new Set(paths)].sort()) {
    options.signal?.throwIfAborted();
    locals.push(await hashFile(outputDir, path));
  }

  const manifestKey = objectKey(dest, MANIFEST_NAME);
  const previous = await readManifest(store, manifestKey);
  const entries = new Map<string, ManifestEntry>(Object.entries(previous ?? {}));
  let manifestChanged = previous === undefined;
  const toUpload: LocalFile[] = [];
  if (previous !== undefined) {
    for (const f of locals) {
      const e = previous[f.path];
      if (e?.sha256 !== f.sha256 || e.size !== f.size) toUpload.push(f);
    }
  } else {
    const listed = new Map(
      (await store.listObjects(dest.prefix ? `${dest.prefix}/` : "")).map((o) => [o.key, o]),
    );
    for (const f of locals) {
      if (await sameAsRemote(store, listed.get(objectKey(dest, f.path)), f)) {
        entries.set(f.path, { sha256: f.sha256, size: f.size });
      } else {
        toUpload.push(f);
      }
    }
  }
  options.onProgress?.({
    kind: "plan",
    destination: dest.url,
    files: locals.length,
    toUpload: toUpload.length,
    bytes: toUpload.reduce((n, f) => n + f.size, 0),
  });

  const uploaded: string[] = [];
  let bytes = 0;
  const upload = async (f: LocalFile) => {
    const sent = await uploadFile(store, dest, f, options);
    entries.set(f.path, sent);
    manifestChanged = true;
    uploaded.push(f.path);
    bytes += sent.size;
    options.onProgress?.({ kind: "uploaded", path: f.path, bytes: sent.size });
  };
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  try {
    await pool(toUpload.filter((f) => !isLast(f.path)), concurrency, upload);
    await pool(toUpload.filter((f) => isLast(f.path)), concurrency, upload);
  } catch (err) {
    // Keep what did arrive, so the next run does not send it again.
    if (manifestChanged && !(err instanceof AuthError) && !options.signal?.aborted) {
      await writeManifest(store, manifestKey, entries, dest).catch(() => {});
    }
    throw err;
  }
  if (manifestChanged) await writeManifest(store, manifestKey, entries, dest);
  return { uploaded, skipped: locals.length - toUpload.length, bytes, requests: store.requests };
}

/** Runs `task` over `items`, `limit` at a time; after a failure starts no more, then throws it. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

async function readManifest(
  store: ObjectStore,
  key: string,
): Promise<Record<string, ManifestEntry> | undefined> {
  const bytes = await store.getObject(key);
  if (bytes === undefined) return undefined;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data.objects : undefined;
  } catch {
    return undefined;
  }
}

async function writeManifest(
  store: ObjectStore,
  key: string,
  entries: Map<string, ManifestEntry>,
  dest: Destination,
): Promise<void> {
  const objects = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const body = new TextEncoder().encode(
    JSON.stringify({ version: 1, tool: "augment-metrics", objects }, null, 1) + "\n",
  );
  await store.putObject(key, body, integrityHeaders(dest, body), "application/json");
}

/** Whether a listed object holds the same bytes as the local file. */
async function sameAsRemote(
  store: ObjectStore,
  listed: RemoteObject | undefined,
  f: LocalFile,
): Promise<boolean> {
  if (listed === undefined || listed.size !== f.size) return false;
  if (listed.etag === f.md5) return true;
  const head = await store.headObject(listed.key);
  if (head?.sha256 === undefined) return false;
  return head.sha256 === toBase64(hexBytes(f.sha256));
}

/** The store-checked integrity header of a single PUT: SHA-256 on S3, MD5 on GCS. */
function integrityHeaders(dest: Destination, body: Uint8Array): Record<string, string> {
  if (dest.scheme === "gs") {
    return { "content-md5": createHash("md5").update(body).digest("base64") };
  }
  return { "x-amz-checksum-sha256": createHash("sha256").update(body).digest("base64") };
}

/** Uploads one file (single PUT or multipart); returns the digest of the bytes sent. */
async function uploadFile(
  store: ObjectStore,
  dest: Destination,
  f: LocalFile,
  options: SyncOptions,
): Promise<ManifestEntry> {
  const key = objectKey(dest, f.path);
  const type = contentTypeOf(f.path);
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  if (f.size <= threshold) {
    const body = await Deno.readFile(f.abs);
    await store.putObject(key, body, integrityHeaders(dest, body), type);
    return { sha256: createHash("sha256").update(body).digest("hex"), size: body.length };
  }
  const partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, Math.ceil(f.size / MAX_PARTS));
  const uploadId = await store.createMultipart(key, type);
  const whole = createHash("sha256");
  let size = 0;
  try {
    using file = await Deno.open(f.abs, { read: true });
    const etags: string[] = [];
    for (let part = 1;; part++) {
      const body = await readUpTo(file, partSize);
      if (body.length === 0 && part > 1) break;
      whole.update(body);
      size += body.length;
      const md5 = createHash("md5").update(body).digest("base64");
      etags.push(await store.uploadPart(key, uploadId, part, body, md5));
      if (body.length < partSize) break;
    }
    await store.completeMultipart(key, uploadId, etags);
  } catch (err) {
    await store.abortMultipart(key, uploadId);
    throw err;
  }
  return { sha256: whole.digest("hex"), size };
}

/** Reads up to `n` bytes (fewer only at the end of the file). */
async function readUpTo(file: Deno.FsFile, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let filled = 0;
  while (filled < n) {
    const got = await file.read(buf.subarray(filled));
    if (got === null) break;
    filled += got;
  }
  return buf.subarray(0, filled);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

async function hashFile(outputDir: string, path: string): Promise<LocalFile> {
  const abs = `${outputDir}/${path}`;
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(abs);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UsageError(
        `Cannot upload "${path}": no such file in the output directory "${outputDir}"`,
      );
    }
    throw err;
  }
  if (!info.isFile) {
    throw new UsageError(`Cannot upload "${path}": not a regular file`);
  }
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let size = 0;
  using file = await Deno.open(abs, { read: true });
  const buf = new Uint8Array(1024 * 1024);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    const chunk = buf.subarray(0, n);
    sha.update(chunk);
    md5.update(chunk);
    size += n;
  }
  return { path, abs, size, sha256: sha.digest("hex"), md5: md5.digest("hex") };
}

/** Every regular file under `dir`, relative with "/", skipping dot-names and links. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(rel ? `${dir}/${rel}` : dir));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound && rel === "") {
        throw new UsageError(`Cannot upload "${dir}": the output directory does not exist`);
      }
      throw err;
    }
    for (const e of entries) {
      if (e.name.startsWith(".") || e.isSymlink) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(path);
      else if (e.isFile) out.push(path);
    }
  };
  await walk("");
  return out;
}

/** A file of `options.files` as a clean relative path inside the output directory. */
function normalisePath(outputDir: string, file: string): string {
  let p = file.replace(/\\/g, "/");
  const root = outputDir.replace(/\\/g, "/");
  if (p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  p = p.replace(/^(\.\/)+/, "");
  const segments = p.split("/");
  if (
    p === "" || p.startsWith("/") || /^[a-zA-Z]:/.test(p) ||
    segments.some((s) => s === "" || s === "." || s === ".." || s.startsWith("."))
  ) {
    throw new UsageError(
      `Cannot upload "${file}": not a file inside the output directory "${outputDir}"`,
    );
  }
  return p;
}

/**
 * Object-storage destinations: mirror the output directory to `s3://` or `gs://` URLs.
 *
 * ```ts
 * const dest = parseDestination("s3://bucket/augment");
 * const { uploaded, skipped, bytes } = await syncToDestination(dest, { outputDir: "./data" });
 * ```
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { type Destination, endpointOf, netHostOf, parseDestination } from "./url.ts";

export { DESTINATION_VARIABLES, resolveStorageSettings } from "./credentials.ts";
export type { Credentials, EnvReader, StorageSettings } from "./credentials.ts";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_PART_SIZE,
  MANIFEST_NAME,
  syncToDestination,
} from "./sync.ts";
export type { SyncEvent, SyncOptions, SyncResult } from "./sync.ts";
export { DESTINATION_FORMS, endpointOf, netHostOf, objectKey, parseDestination } from "./url.ts";
export type { Destination, Endpoint } from "./url.ts";

/**
 * Hosts the release binary may reach for destinations (Deno's `--allow-net` accepts a leading
 * `*.` wildcard, matching any depth of subdomain): AWS S3 (virtual-hosted and path-style, every
 * region), Google Cloud Storage's XML API, Cloudflare R2 and Backblaze B2.
 */
export const DESTINATION_NET_HOSTS = [
  "*.amazonaws.com:443",
  "storage.googleapis.com:443",
  "*.r2.cloudflarestorage.com:443",
  "*.backblazeb2.com:443",
] as const;

/**
 * Parses a list of destinations: repeated `--destination` values, or `AUGMENT_DESTINATIONS`
 * (several URLs separated by commas or white space). Duplicates are dropped.
 */
export function parseDestinations(values: readonly string[]): Destination[] {
  const seen = new Map<string, Destination>();
  for (const value of values) {
    for (const part of value.split(/[\s,]+/)) {
      if (part === "") continue;
      const d = parseDestination(part);
      seen.set(d.url, d);
    }
  }
  return [...seen.values()];
}

/**
 * The `--allow-net` entry a custom endpoint needs (`host:port`), for the build option and for
 * the hint given to `deno run` users. Throws {@link UsageError} on a malformed endpoint.
 */
export function endpointNetHost(endpointUrl: string): string {
  const dest: Destination = { url: "s3://x", scheme: "s3", bucket: "xxx", prefix: "" };
  return netHostOf(endpointOf(dest, { endpointUrl }).base);
}

/** Checks an extra host given to the build (`host` or `host:port`, `*.` wildcard allowed). */
export function checkNetHost(host: string): string {
  if (!/^(\*\.)?[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/i.test(host)) {
    throw new UsageError(
      `Invalid destination host "${host.slice(0, 100)}"`,
      "give a host name, optionally with a port and a leading *. wildcard, e.g. minio.example.com:9000",
    );
  }
  return host.toLowerCase();
}

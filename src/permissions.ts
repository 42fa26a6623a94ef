/**
 * The one definition of the flags the program runs with (its permissions, and one V8
 * setting): `deno task start`, the compiled binary, the bundle the tests run and the README
 * all use these flags.
 *
 * - network: the Analytics API host and loopback (simulator, tests) only;
 * - environment: only the variables the tool reads, every other one reads as undefined;
 * - files: read and write (output directory, local store and credentials file are chosen
 *   at run time, so they cannot be listed at build time; the code writes nowhere else);
 * - no subprocesses, no FFI, no system information, and never a prompt.
 *
 * @module
 */
import { ALL_VARIABLES } from "./config/variables.ts";
import { UsageError } from "./errors.ts";

/** Hosts the program may connect to (and, for the simulator, listen on). */
export const NET_HOSTS = [
  "api.augmentcode.com:443",
  "127.0.0.1",
  "localhost",
  "[::1]",
  // Object storage (`--destination`): S3, GCS, R2, B2.
  "*.amazonaws.com:443",
  "storage.googleapis.com:443",
  "*.r2.cloudflarestorage.com:443",
  "*.backblazeb2.com:443",
  // Notifications (`--notify`): Slack, Teams Workflows.
  "hooks.slack.com:443",
  "*.logic.azure.com:443",
  "*.api.powerplatform.com:443",
] as const;

/**
 * V8 settings the program runs with:
 *
 * - `--max-semi-space-size=4` (MiB): the young generation stays small. The program allocates
 *   mostly short-lived values a day at a time, and V8's default young generation (tens of
 *   megabytes, grown under that allocation rate) was a fifth of a large export's peak memory;
 *   with 4 MiB the same export peaks about 60 MB lower at the same speed.
 * - `--max-old-space-size=2047` (MiB, {@link DEFAULT_MAX_HEAP_MB}): below 2 GiB, V8 lets the
 *   heap grow to at most twice what survived the last full collection before the next, not four
 *   times: a 1 M-record export peaks about 40–60 MB lower, at the same speed. It is a ceiling,
 *   about fifty times what 10 000 identities a day need; a build for a larger organisation
 *   raises it (`AUGMENT_BUILD_MAX_HEAP_MB`), as `deno run` users do with `--v8-flags`.
 *
 * Measured by `deno task bench store-e2e` and `deno task bench tables`.
 */
export const DEFAULT_MAX_HEAP_MB = 2047;

/** {@link V8_FLAGS} with an old generation of at most `maxHeapMb` MiB. */
export function v8Flags(maxHeapMb = DEFAULT_MAX_HEAP_MB): string[] {
  if (!Number.isSafeInteger(maxHeapMb) || maxHeapMb < 256) {
    throw new UsageError(
      `Invalid heap size "${maxHeapMb}" MiB: expected a whole number of at least 256, e.g. 4096`,
    );
  }
  return ["--max-semi-space-size=4", `--max-old-space-size=${maxHeapMb}`];
}

/** The V8 settings of {@link runFlags}: see {@link DEFAULT_MAX_HEAP_MB}. */
export const V8_FLAGS: readonly string[] = v8Flags();

/**
 * The `deno run` / `deno compile` flags: the permissions, and {@link V8_FLAGS}. `extraHosts`:
 * an organisation's own hosts (a MinIO endpoint, a webhook receiver), added at build time
 * with `AUGMENT_BUILD_EXTRA_HOSTS`; `maxHeapMb`: the heap ceiling, `AUGMENT_BUILD_MAX_HEAP_MB`.
 */
export function runFlags(
  extraHosts: readonly string[] = [],
  maxHeapMb = DEFAULT_MAX_HEAP_MB,
): string[] {
  for (const h of extraHosts) {
    if (!/^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(h)) {
      throw new UsageError(
        `Invalid extra host "${h}": expected host or host:port, e.g. minio.internal:9000`,
      );
    }
  }
  return [
    `--allow-net=${[...NET_HOSTS, ...extraHosts].join(",")}`,
    `--allow-env=${ALL_VARIABLES.join(",")}`,
    "--ignore-env",
    "--allow-read",
    "--allow-write",
    "--no-prompt",
    `--v8-flags=${v8Flags(maxHeapMb).join(",")}`,
  ];
}

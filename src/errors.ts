/**
 * The error kinds the CLI maps to exit codes. Every layer throws one of these for anything a
 * user can cause or meet; any other error is a bug (exit 1, with its stack under --verbose).
 *
 * Messages follow one style: sentence case, no final period, values in quotes, the failed
 * action first, then what to do — and never a token.
 *
 * @module
 */

/** Exit codes, as documented in the README and `--help`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  service: 4,
  busy: 5,
  interrupted: 130,
} as const;

/** Bad flag, bad date, bad setting, missing token: the user can fix it. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode: number = EXIT.usage;
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** The service refused the token (401) or the action (403). Exit 3, never retried. */
export class AuthError extends Error {
  override name = "AuthError";
  readonly exitCode: number = EXIT.auth;
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly endpoint?: string,
  ) {
    super(message);
  }
}

/**
 * The service or the network failed: an error status, a connection failure, a time-out or a
 * malformed body, after the retries allowed. Exit 4.
 */
export class ServiceError extends Error {
  override name = "ServiceError";
  readonly exitCode: number = EXIT.service;
  constructor(
    message: string,
    readonly details: {
      readonly status?: number;
      readonly code?: string;
      readonly endpoint?: string;
      readonly attempts?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message);
  }
}

/** Another run holds the store's lock (and `--wait` ran out, or was not given). Exit 5. */
export class BusyError extends Error {
  override name = "BusyError";
  readonly exitCode: number = EXIT.busy;
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/**
 * A local store that cannot be used. A corrupted file, or one of another store version, is
 * exit 1 (the default); a store made for another service URL is a configuration error,
 * exit 2 ({@link storeOfAnotherService}). The message names the file or folder and the fix.
 */
export class StoreError extends Error {
  override name = "StoreError";
  readonly exitCode: number;
  /** What to do, printed after the message. */
  readonly hint?: string;
  constructor(
    message: string,
    options: { readonly exitCode?: number; readonly hint?: string; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT.failure;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/**
 * The error for a store bound to another service URL (a configuration error, exit 2).
 *
 * @param dir the store directory
 * @param storedUrl the URL the store was made for
 * @param baseUrl the URL of this run
 */
export function storeOfAnotherService(dir: string, storedUrl: string, baseUrl: string): StoreError {
  return new StoreError(
    `Cannot use the store "${dir}": it holds data from "${storedUrl}", not "${baseUrl}"`,
    {
      exitCode: EXIT.usage,
      hint: "set AUGMENT_API_BASE_URL back, or choose another --output-dir or --store-dir for " +
        "each service",
    },
  );
}

/** The run was interrupted (SIGINT/SIGTERM). Exit 130. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  readonly exitCode: number = EXIT.interrupted;
  constructor(message = "Interrupted") {
    super(message);
  }
}

/**
 * The exit code for any thrown value. A `StoreError` carries its own (1 by default, 2 for a
 * store of another service); an error named "StoreError" from elsewhere is read the same way.
 */
export function exitCodeOf(err: unknown): number {
  if (
    err instanceof UsageError || err instanceof AuthError || err instanceof ServiceError ||
    err instanceof InterruptedError || err instanceof BusyError || err instanceof StoreError
  ) return err.exitCode;
  if (isStoreError(err)) return typeof err.exitCode === "number" ? err.exitCode : EXIT.failure;
  return EXIT.failure;
}

/** Whether `err` is a {@link StoreError}, or an error of that name (with maybe a code and hint). */
export function isStoreError(
  err: unknown,
): err is Error & { readonly exitCode?: number; readonly hint?: string } {
  return err instanceof StoreError || (err instanceof Error && err.name === "StoreError");
}

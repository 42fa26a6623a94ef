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

/** The run was interrupted (SIGINT/SIGTERM). Exit 130. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  readonly exitCode: number = EXIT.interrupted;
  constructor(message = "Interrupted") {
    super(message);
  }
}

/** The exit code for any thrown value. */
export function exitCodeOf(err: unknown): number {
  if (
    err instanceof UsageError || err instanceof AuthError || err instanceof ServiceError ||
    err instanceof InterruptedError || err instanceof BusyError
  ) return err.exitCode;
  return EXIT.failure;
}

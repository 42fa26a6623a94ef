/**
 * What every command receives from the program, in a file of its own so that command files
 * do not import `main.ts` (which imports them).
 *
 * @module
 */
import type { LogFormat, Output } from "./output.ts";

/** Global options every command sees. */
export interface GlobalOptions {
  verbose?: boolean;
  quiet?: boolean;
  logFormat: LogFormat;
  now?: number;
}

/** What a command needs from the program: its output and the clock. */
export interface CommandContext {
  readonly output: Output;
  readonly now: () => number;
  /** Aborted on SIGINT / SIGTERM. */
  readonly signal: AbortSignal;
}

/**
 * How the jobs tell the outside world what they do, without printing: the CLI implements
 * this (text or JSON lines, progress only on a terminal); tests collect the events.
 *
 * @module
 */

/** A job's progress through its fetch and export phases. */
export interface Progress {
  readonly phase: "fetch" | "lookback" | "user-activity" | "export";
  /** Units done and in all (days, or pages for user-activity). */
  readonly done: number;
  readonly total: number;
  /** Requests made so far in the run. */
  readonly requests: number;
  /** What is being worked on (a day, an endpoint). */
  readonly item?: string;
}

/** Where jobs send their events. Every field in `data` must be safe to log (no token). */
export interface Reporter {
  progress(p: Progress): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  debug(message: string, data?: Record<string, unknown>): void;
}

/** A reporter that drops everything. */
export const silentReporter: Reporter = {
  progress() {},
  info() {},
  warn() {},
  debug() {},
};

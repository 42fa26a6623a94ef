/**
 * What a run tells the outside world when it ends: the one event that notifications, the
 * GitHub Actions step summary and annotations are all made from.
 *
 * @module
 */

/** How a run ended: everything fine, done with warnings (reconciliation...), or failed. */
export type RunOutcome = "success" | "partial" | "failure";

/** A range of days, inclusive, `YYYY-MM-DD`. */
export interface DayRangeText {
  readonly start: string;
  readonly end: string;
}

/** The end of a run, as notifications and CI summaries report it. Nothing secret goes here. */
export interface RunEvent {
  readonly outcome: RunOutcome;
  /** The command that ran: `export`, or `serve` for a scheduled sync. */
  readonly command: string;
  /** The program's version. */
  readonly version: string;
  /** The range exported, or null when there was nothing new (or the run failed before). */
  readonly range: DayRangeText | null;
  /** The window `latest/` shows, when known. */
  readonly latest: DayRangeText | null;
  /** Days in the range. */
  readonly days: number;
  /** Identities in the latest window, when it was rendered. */
  readonly identities: number | null;
  /** HTTP requests made to the Analytics API, retries included. */
  readonly requests: number;
  /** One line each: reconciliation differences, housekeeping trouble and the like. */
  readonly warnings: readonly string[];
  /** Seconds from start to end. */
  readonly elapsedSeconds: number;
  /** Where the outputs are (absolute path), when the run got that far. */
  readonly outputDir: string | null;
  /** Files written. */
  readonly files: number;
  /** On failure: the one-line error the terminal showed, and the exit code. */
  readonly error: { readonly message: string; readonly exitCode: number } | null;
  /** When the run ended, ISO 8601 UTC. */
  readonly finishedAt: string;
}

/** What {@link runEvent} needs; everything not given takes a neutral value. */
export interface RunEventInput {
  readonly command?: string;
  readonly version: string;
  readonly range?: DayRangeText | null;
  readonly latest?: DayRangeText | null;
  readonly days?: number;
  readonly identities?: number | null;
  readonly requests?: number;
  readonly warnings?: readonly string[];
  readonly elapsedSeconds: number;
  readonly outputDir?: string | null;
  readonly files?: number;
  /** The error line and exit code, when the run failed (exit code not 0). */
  readonly error?: { readonly message: string; readonly exitCode: number } | null;
  /** Milliseconds since the epoch at the end of the run. */
  readonly finishedAtMs: number;
}

/**
 * The event for a run: `failure` when there is an error, else `partial` when there are
 * warnings, else `success`.
 */
export function runEvent(input: RunEventInput): RunEvent {
  const warnings = [...(input.warnings ?? [])];
  const error = input.error ?? null;
  return {
    outcome: error ? "failure" : warnings.length > 0 ? "partial" : "success",
    command: input.command ?? "export",
    version: input.version,
    range: input.range ?? null,
    latest: input.latest ?? null,
    days: input.days ?? 0,
    identities: input.identities ?? null,
    requests: input.requests ?? 0,
    warnings,
    elapsedSeconds: Math.round(input.elapsedSeconds * 10) / 10,
    outputDir: input.outputDir ?? null,
    files: input.files ?? 0,
    error,
    finishedAt: new Date(input.finishedAtMs).toISOString(),
  };
}

/** Formats seconds as `42s`, `3m 05s` or `1h 02m`. */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** One line saying how the run ended, e.g. `augment-metrics export failed (exit 4)`. */
export function headline(event: RunEvent): string {
  const what = `augment-metrics ${event.command}`;
  switch (event.outcome) {
    case "success":
      return `${what} succeeded`;
    case "partial":
      return `${what} finished with ${event.warnings.length} ${
        event.warnings.length === 1 ? "warning" : "warnings"
      }`;
    case "failure":
      return `${what} failed (exit ${event.error?.exitCode ?? 1})`;
  }
}

/** The headline facts as label/value pairs, in the order every format shows them. */
export function facts(event: RunEvent): [string, string][] {
  const out: [string, string][] = [];
  out.push([
    "Range",
    event.range
      ? `${event.range.start} to ${event.range.end} (${event.days} ${
        event.days === 1 ? "day" : "days"
      })`
      : "nothing new",
  ]);
  if (event.latest) out.push(["latest/", `${event.latest.start} to ${event.latest.end}`]);
  out.push(["Identities", event.identities === null ? "-" : String(event.identities)]);
  out.push(["Requests", String(event.requests)]);
  out.push(["Warnings", String(event.warnings.length)]);
  out.push(["Elapsed", formatElapsed(event.elapsedSeconds)]);
  if (event.outputDir !== null) {
    out.push(["Output", `${event.outputDir} (${event.files} files written)`]);
  }
  return out;
}

/** At most `max` warnings, then one line saying how many more there are. */
export function someWarnings(warnings: readonly string[], max = 10): string[] {
  if (warnings.length <= max) return [...warnings];
  return [...warnings.slice(0, max), `… and ${warnings.length - max} more`];
}

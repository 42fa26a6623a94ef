/**
 * Terminal output in one place: whether stderr is a terminal, colour (`NO_COLOR`), log
 * lines (text or JSON), progress (drawn only on a terminal) and the final summary.
 *
 * Streams and terminal facts are passed in, so tests capture everything.
 *
 * @module
 */
import type { Progress, Reporter } from "../job/reporter.ts";
import { printable, printableDeep } from "../text.ts";

/** Where output goes and what kind of terminal it is. */
export interface OutputStreams {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Whether standard error is a terminal (progress is drawn only then). */
  readonly stderrIsTerminal: boolean;
  /** Whether colour may be used. */
  readonly color: boolean;
}

/** The real process streams. */
export function processStreams(): OutputStreams {
  const enc = new TextEncoder();
  let noColor = false;
  try {
    noColor = (Deno.env.get("NO_COLOR") ?? "") !== "";
  } catch {
    noColor = false;
  }
  const isTty = Deno.stderr.isTerminal();
  return {
    stdout: writerTo(Deno.stdout, enc),
    stderr: writerTo(Deno.stderr, enc),
    stderrIsTerminal: isTty,
    color: isTty && !noColor,
  };
}

/**
 * Whether `err` says the reader went away (`augment-metrics demo | head -1`): EPIPE, which
 * Deno reports as `BrokenPipe`.
 */
export function isBrokenPipe(err: unknown): boolean {
  return err instanceof Deno.errors.BrokenPipe ||
    (err as { code?: unknown } | null)?.code === "EPIPE" ||
    (err instanceof Error && /broken pipe|os error 32\b/i.test(err.message));
}

/**
 * A writer to `w` that falls silent once its reader has gone (a closed pipe): the run goes on
 * to its end, its files complete, and nothing is said about it — what `head` left unread was
 * not wanted.
 */
export function writerTo(
  w: { writeSync(p: Uint8Array): number },
  enc: TextEncoder = new TextEncoder(),
): (text: string) => void {
  let closed = false;
  return (text) => {
    if (closed) return;
    const data = enc.encode(text);
    try {
      let off = 0;
      while (off < data.length) off += w.writeSync(data.subarray(off));
    } catch (err) {
      if (!isBrokenPipe(err)) throw err;
      closed = true;
    }
  };
}

/** How much to say. */
export type Verbosity = "quiet" | "normal" | "verbose";
/** Log line format on stderr. */
export type LogFormat = "text" | "json";

/** Formats a duration in seconds as `42s`, `3m 05s` or `1h 02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s % 3600 / 60)).padStart(2, "0")}m`;
}

/**
 * The progress line for a terminal: phase, units done, requests, and the time left at the
 * configured rate for the requests still planned.
 */
export function formatProgress(
  p: Progress,
  plan: { requests: number; secondsPerRequest: number } | undefined,
): string {
  const unit = p.phase === "user-activity" ? "" : ` ${p.done}/${p.total} days`;
  const label = {
    fetch: "Fetching",
    lookback: "Fetching earlier identities",
    "user-activity": "Fetching user activity",
    export: "Writing",
  }[p.phase];
  let line = `${label}${unit}${p.item ? ` (${printable(p.item)})` : ""} · ${p.requests} requests`;
  if (plan && p.phase !== "export") {
    const left = Math.max(0, plan.requests - p.requests);
    if (left > 0) line += ` · about ${formatDuration(left * plan.secondsPerRequest)} left`;
  }
  return line;
}

/** The CLI's reporter: log lines on stderr, progress on a terminal, results on stdout. */
export class Output implements Reporter {
  private progressShown = false;
  /** Set by the export command so progress can estimate the time left. */
  plan: { requests: number; secondsPerRequest: number } | undefined;

  constructor(
    readonly streams: OutputStreams,
    readonly verbosity: Verbosity = "normal",
    readonly format: LogFormat = "text",
    private readonly clock: () => number = Date.now,
  ) {}

  private paint(code: string, text: string): string {
    return this.streams.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  private clearProgress() {
    if (this.progressShown) {
      this.streams.stderr("\r\x1b[2K");
      this.progressShown = false;
    }
  }

  /**
   * One log line. The message and every string field are made {@link printable} first: text
   * from the service may hold escape sequences or line breaks, and a log line is one line.
   */
  private log(level: string, raw: string, data?: Record<string, unknown>) {
    this.clearProgress();
    const message = printable(raw);
    if (this.format === "json") {
      const fields = data === undefined ? {} : printableDeep(data) as Record<string, unknown>;
      const line = { time: new Date(this.clock()).toISOString(), level, msg: message, ...fields };
      this.streams.stderr(JSON.stringify(line) + "\n");
      return;
    }
    const prefix = level === "info"
      ? ""
      : level === "warn"
      ? this.paint("33", "warning: ")
      : level === "error"
      ? this.paint("31", "error: ")
      : this.paint("2", "debug: ");
    this.streams.stderr(`${prefix}${message}\n`);
  }

  progress(p: Progress): void {
    if (!this.streams.stderrIsTerminal || this.format === "json" || this.verbosity === "quiet") {
      return;
    }
    this.streams.stderr(`\r\x1b[2K${this.paint("2", formatProgress(p, this.plan))}`);
    this.progressShown = true;
  }

  info(message: string, data?: Record<string, unknown>): void {
    if (this.verbosity !== "quiet") this.log("info", message, data);
  }

  warn(message: string, data?: Record<string, unknown>): void {
    this.log("warn", message, data);
  }

  debug(message: string, data?: Record<string, unknown>): void {
    if (this.verbosity === "verbose") this.log("debug", message, data);
  }

  /** One error line (the caller decides the exit code). */
  error(message: string, data?: Record<string, unknown>): void {
    this.log("error", message, data);
  }

  /** A result for the user: on stdout in text mode, an `info` event in JSON mode. */
  result(text: string, data?: Record<string, unknown>): void {
    this.clearProgress();
    if (this.format === "json") {
      this.log("info", text.split("\n")[0], data);
      return;
    }
    if (this.verbosity === "quiet") return;
    const clean = printable(text, { multiline: true });
    this.streams.stdout(clean.endsWith("\n") ? clean : clean + "\n");
  }

  /** Ends any progress line. */
  done(): void {
    this.clearProgress();
  }
}

/**
 * Renders rows as an aligned plain-text table (first row is the header). Columns in
 * `rightAlign` (numbers) are right-aligned, their header too, so it stands over the digits.
 */
export function table(
  rows: readonly (readonly string[])[],
  rightAlign: ReadonlySet<number> = new Set(),
): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows.map((r) =>
    r.map((cell, i) => rightAlign.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
      .join("  ").trimEnd()
  ).join("\n") + "\n";
}

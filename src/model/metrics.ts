/**
 * The Augment `metrics` object: sixteen documented counters plus any unknown ones the
 * service sends. Parsing is lenient (a missing counter is 0) and lossless (unknown numeric
 * counters are kept under their own name).
 *
 * @module
 */

/** The sixteen counters documented by the Analytics API, in the documented order. */
export const KNOWN_COUNTERS = [
  "total_modified_lines_of_code",
  "total_messages",
  "total_tool_calls",
  "completions_count",
  "completions_accepted",
  "completions_lines_of_code",
  "completions_suggested_lines_of_code",
  "chat_messages",
  "remote_agent_messages",
  "remote_agent_lines_of_code",
  "ide_agent_messages",
  "ide_agent_lines_of_code",
  "cli_agent_interactive_messages",
  "cli_agent_interactive_lines_of_code",
  "cli_agent_non_interactive_messages",
  "cli_agent_non_interactive_lines_of_code",
] as const;

/** One of the sixteen documented counter names. */
export type KnownCounter = typeof KNOWN_COUNTERS[number];

/**
 * A set of counters: every documented counter is present (0 when the service omitted it);
 * unknown counters the service sent are kept as extra keys.
 */
export type Counters = Record<KnownCounter, number> & Record<string, number>;

const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN_COUNTERS);

/** Whether `name` is one of the sixteen documented counters. */
export function isKnownCounter(name: string): name is KnownCounter {
  return KNOWN_SET.has(name);
}

/**
 * A fresh set of counters, all documented ones at 0. Written as one literal (in the documented
 * order): every record's metrics start here, and a literal is one allocation with the sixteen
 * counters inside the object, where an object grown key by key also needs a separate array
 * for most of them.
 */
export function emptyCounters(): Counters {
  return {
    total_modified_lines_of_code: 0,
    total_messages: 0,
    total_tool_calls: 0,
    completions_count: 0,
    completions_accepted: 0,
    completions_lines_of_code: 0,
    completions_suggested_lines_of_code: 0,
    chat_messages: 0,
    remote_agent_messages: 0,
    remote_agent_lines_of_code: 0,
    ide_agent_messages: 0,
    ide_agent_lines_of_code: 0,
    cli_agent_interactive_messages: 0,
    cli_agent_interactive_lines_of_code: 0,
    cli_agent_non_interactive_messages: 0,
    cli_agent_non_interactive_lines_of_code: 0,
  };
}

/**
 * A counter value that cannot be counted exactly: negative, not finite, beyond
 * `Number.MAX_SAFE_INTEGER` (2^53 − 1, where doubles stop holding every whole number), or —
 * for the sixteen documented counters, which are counts — not a whole number. A decimal
 * string is judged by the number it spells.
 */
export class CounterValueError extends RangeError {
  override name = "CounterValueError";
  constructor(
    /** The counter's name. */
    readonly counter: string,
    /** The value as received (a number or a decimal string). */
    readonly value: number | string,
  ) {
    super(
      `Counter "${counter}" is ${describeValue(value)}: expected a whole number from 0 to ` +
        `${Number.MAX_SAFE_INTEGER}`,
    );
  }
}

/** A counter value as a message shows it: numbers as JavaScript prints them, strings quoted. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  const text = typeof value === "string" ? value : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** A decimal number, as a string: optional sign, digits, fraction and exponent. */
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Reads a raw `metrics` value: missing or null counters are 0, decimal strings are numbers,
 * unknown counters are kept. Values that are not numbers at all (objects, words, booleans) are
 * reported through `onIgnored` and not counted.
 *
 * A number (or decimal string) that cannot be summed exactly throws {@link CounterValueError}:
 * negative, not finite, above `Number.MAX_SAFE_INTEGER`, or a fraction in one of the sixteen
 * documented counters (they are counts). An unknown counter may be fractional (the service's
 * documentation does not say what a future counter holds); it is kept as sent.
 */
export function parseCounters(
  raw: unknown,
  onIgnored?: (key: string, value: unknown) => void,
): Counters {
  const out = emptyCounters() as Record<string, number>;
  if (raw === null || raw === undefined) return out as Counters;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    onIgnored?.("metrics", raw);
    return out as Counters;
  }
  const m = raw as Record<string, unknown>;
  for (const key in m) {
    const value = m[key];
    let n: number;
    if (typeof value === "number") n = value;
    else if (value === null || value === undefined) continue;
    else if (typeof value === "string" && DECIMAL.test(value)) n = Number(value);
    else {
      onIgnored?.(key, value);
      continue;
    }
    // One comparison pair for the common case: a whole number in range.
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER) || (n % 1 !== 0 && KNOWN_SET.has(key))) {
      throw new CounterValueError(key, value as number | string);
    }
    out[key] = n;
  }
  return out as Counters;
}

/** Adds `b` into `a` (in place), including unknown counters, and returns `a`. */
export function addCounters(a: Counters, b: Readonly<Record<string, number>>): Counters {
  const t = a as Record<string, number>;
  for (const key in b) t[key] = (t[key] ?? 0) + b[key];
  return a;
}

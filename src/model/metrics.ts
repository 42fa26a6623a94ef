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
 * Reads a raw `metrics` value leniently: missing or null counters are 0, numeric strings are
 * numbers, unknown numeric counters are kept. Values that are not numbers (objects, words)
 * are reported through `onIgnored` and not counted.
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
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    const n = typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))
      ? Number(value)
      : NaN;
    if (Number.isFinite(n)) out[key] = n;
    else onIgnored?.(key, value);
  }
  return out as Counters;
}

/** Adds `b` into `a` (in place), including unknown counters, and returns `a`. */
export function addCounters(a: Counters, b: Readonly<Record<string, number>>): Counters {
  const t = a as Record<string, number>;
  for (const key in b) t[key] = (t[key] ?? 0) + b[key];
  return a;
}

/** The names of the unknown (undocumented) counters in `c`, sorted. */
export function unknownCounterNames(c: Readonly<Record<string, number>>): string[] {
  return Object.keys(c).filter((k) => !KNOWN_SET.has(k)).sort();
}

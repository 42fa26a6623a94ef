/**
 * Text from outside (the service's error messages, names in its data) made safe to print on
 * a terminal or in a log: no escape sequence can move the cursor, recolour the screen, set
 * the window title or hide the text before it, and a one-line message stays one line.
 *
 * Files keep the data as the service sent it; only what is shown is cleaned.
 *
 * @module
 */

/**
 * Escape sequences, removed whole: CSI (`ESC [` or the C1 `0x9B`, parameters, intermediates,
 * final byte), OSC, DCS, SOS, PM and APC strings (up to BEL or ST, or the end of the text),
 * and the two-byte `ESC x` forms.
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    "(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?",
    "(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?",
    "\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?",
  ].join("|"),
  "g",
);

/** C0 controls but tab and line breaks, DEL, C1 controls, and bidirectional overrides. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Line breaks: CRLF, LF, CR, NEL and the Unicode line and paragraph separators. */
const LINE_BREAK = /\r\n|[\n\r\x85\u2028\u2029]/g;

/**
 * `text` safe to print: escape sequences and control characters removed (tab kept).
 *
 * @param text any text, typically from the service
 * @param options.multiline keep line breaks (as `\n`; a lone CR, which would let text
 *   overwrite its own line, becomes one too); by default every line break becomes one space,
 *   so a message stays on one line
 */
export function printable(text: string, options: { multiline?: boolean } = {}): string {
  const out = text.replace(ESCAPE_SEQUENCE, "");
  if (options.multiline) return out.replace(LINE_BREAK, "\n").replace(CONTROL, "");
  return out.replace(LINE_BREAK, " ").replace(CONTROL, "");
}

/**
 * `value` with {@link printable} applied to every string in it (object keys too), deeply;
 * numbers, booleans and `null` unchanged. For the fields of a log line.
 */
export function printableDeep(value: unknown): unknown {
  if (typeof value === "string") return printable(value);
  if (Array.isArray(value)) return value.map(printableDeep);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[printable(k)] = printableDeep(v);
    return out;
  }
  return value;
}

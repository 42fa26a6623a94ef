/**
 * The last line of defence against a token leaking into a message, a log line or a file.
 *
 * @module
 */

/** The text that replaces a token. */
export const REDACTED = "***";

/**
 * `text` with every occurrence of `token` (and of its URL-encoded form) replaced by `***`.
 * An empty token changes nothing.
 */
export function redact(text: string, token: string): string {
  if (token === "") return text;
  let out = text.replaceAll(token, REDACTED);
  const encoded = encodeURIComponent(token);
  if (encoded !== token) out = out.replaceAll(encoded, REDACTED);
  return out;
}

/**
 * Opaque pagination cursors: base64 of a small JSON object holding the offset of the next
 * item and a fingerprint of the request, so that a cursor replayed with other parameters is
 * refused.
 *
 * @module
 */
import { hash32 } from "./prng.ts";

/** The fingerprint of a request: its path and every parameter but `cursor`, sorted. */
export function requestFingerprint(path: string, params: URLSearchParams): string {
  const pairs = [...params].filter(([k]) => k !== "cursor").sort(([a], [b]) => a < b ? -1 : 1);
  return hash32(path, JSON.stringify(pairs)).toString(36);
}

/** The cursor of the page starting at `offset`. */
export function encodeCursor(offset: number, fingerprint: string): string {
  return btoa(JSON.stringify({ offset, fp: fingerprint }));
}

/**
 * The offset a cursor points at, or an error message when the cursor is not one of ours or
 * belongs to a request with other parameters.
 */
export function decodeCursor(
  cursor: string,
  fingerprint: string,
): { offset: number } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(atob(cursor));
  } catch {
    return { error: "invalid cursor" };
  }
  if (typeof value !== "object" || value === null) return { error: "invalid cursor" };
  const { offset, fp } = value as { offset?: unknown; fp?: unknown };
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    return { error: "invalid cursor" };
  }
  if (fp !== fingerprint) {
    return { error: "cursor does not match the request parameters" };
  }
  return { offset };
}

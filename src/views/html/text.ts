/**
 * Text of the HTML report: escaping (every string from the data is user data: identities,
 * editor and language names) and the one way numbers, rates and days are written.
 *
 * @module
 */
import type { Day } from "../../model/types.ts";

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for an HTML element or a quoted attribute (also SVG: the same rules). */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const INTEGER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A count as the page writes it: `12,345`. */
export function int(n: number): string {
  return INTEGER.format(n);
}

/** A ratio as a percentage with one decimal (`42.3%`), or `–` when the denominator is 0. */
export function pct(part: number, whole: number): string {
  return whole > 0 ? `${(100 * part / whole).toFixed(1)}%` : "–";
}

/** `part / whole`, or `null` when the denominator is 0 (data attributes, chart points). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** An axis label: `950`, `1.2k`, `3.4M`. */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(n: number): string {
  return String(Number(n.toFixed(1)));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-10-05` → `Oct 5`. */
export function shortDay(day: Day): string {
  return `${MONTHS[Number(day.slice(5, 7)) - 1]} ${Number(day.slice(8, 10))}`;
}

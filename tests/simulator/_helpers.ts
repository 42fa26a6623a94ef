/** Shared helpers of the simulator tests: plain `fetch` against a started simulator. */
import { SIMULATOR_TOKEN } from "../../src/simulator/mod.ts";

/** The tests' "now": 2026-11-20 12:00 UTC, so yesterday is 2026-11-19. */
export const NOW = Date.parse("2026-11-20T12:00:00Z");

/** What a GET returned. */
export interface Got {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** GET `/analytics/v0/<endpoint>` with `params` and the simulator token (or `token`). */
export async function get(
  url: string,
  endpoint: string,
  params: Record<string, string | number> = {},
  token: string | null = SIMULATOR_TOKEN,
): Promise<Got> {
  const u = new URL(`/analytics/v0/${endpoint}`, url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  const res = await fetch(u, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) };
}

/** Every page of a paginated endpoint, failing past `maxPages`. */
export async function allPages(
  url: string,
  endpoint: string,
  listField: string,
  params: Record<string, string | number>,
  maxPages: number,
  // deno-lint-ignore no-explicit-any
): Promise<{ items: any[]; pages: number }> {
  // deno-lint-ignore no-explicit-any
  const items: any[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages <= maxPages; pages++) {
    const r = await get(url, endpoint, cursor ? { ...params, cursor } : params);
    if (r.status !== 200) throw new Error(`page ${pages}: ${r.status} ${JSON.stringify(r.body)}`);
    items.push(...r.body[listField]);
    if (!r.body.pagination.has_more) return { items, pages };
    cursor = r.body.pagination.next_cursor;
  }
  throw new Error(`more than ${maxPages} pages`);
}

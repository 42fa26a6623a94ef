/**
 * The teams file (`--teams FILE`, `AUGMENT_TEAMS_FILE`): which identities belong to which
 * teams, many-to-many. Either a CSV with a header naming an identity column (`identity`,
 * `email`, `user_email`, `service_account_name` or `login`) and a team column (`team`, `slug`
 * or `team_slug`), or JSON: `{"<slug>": ["<identity>", …]}` or
 * `[{"identity": "…", "team": "<slug>"}, …]`.
 *
 * A slug follows GitHub's rules: lower-case letters, digits, `-` and `_`, starting and ending
 * with a letter or digit, at most 100 characters. A row with a bad slug or no identity, or a
 * row given twice, is left out with one warning each; a file that cannot be read or parsed is
 * a usage error (exit 2). Identities are matched exactly as the service sends them, ignoring
 * case.
 *
 * @module
 */
import * as z from "zod";
import { UsageError } from "../errors.ts";
import { userIdOf } from "../copilot/user_id.ts";

/** The teams of the file. */
export interface Teams {
  /** Slugs of an identity (lower-cased), sorted; empty when it is in no team. */
  of(identity: string): readonly string[];
  /** Every team, by slug: its members as written in the file (first spelling kept). */
  readonly members: ReadonlyMap<string, readonly string[]>;
  /** Rows left out, one line each. */
  readonly warnings: readonly string[];
  /** Changes when the file's teams change (for the manifest). */
  readonly key: string;
}

const SLUG = /^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$/;

/** Whether `slug` follows GitHub's slug rules. */
export function isSlug(slug: string): boolean {
  return SLUG.test(slug);
}

/** GitHub's slug for a team name: lower-cased, every other run of characters a `-`. */
export function slugOf(name: string): string {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9_]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 100);
}

/**
 * A team's stable numeric `team_id`: the 53-bit FNV-1a hash of `team:<slug>` (as `user_id` is
 * of the identity), the same on every run and machine.
 */
export function teamIdOf(slug: string): number {
  return userIdOf(`team:${slug}`);
}

const IDENTITY_COLUMNS = ["identity", "email", "user_email", "service_account_name", "login"];
const TEAM_COLUMNS = ["team", "slug", "team_slug"];

const JsonTeams = z.union([
  z.record(z.string(), z.array(z.string())),
  z.array(z.object({ identity: z.string(), team: z.string() })),
]);

/** RFC 4180 CSV: fields, quoted fields with `""`, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
    } else field += c;
  }
  if (quoted) throw new Error("a quoted field is not closed");
  row.push(field);
  if (row.length > 1 || row[0] !== "") rows.push(row);
  return rows;
}

function fail(path: string, problem: string): never {
  throw new UsageError(
    `Cannot read the teams file "${path}": ${problem}`,
    'give a CSV with a header "identity,team" or JSON {"<team-slug>": ["<identity>", …]}',
  );
}

/** The pairs of a file's text (`path` names it in messages). */
function pairsOf(path: string, text: string): { identity: string; team: string; at: string }[] {
  const trimmed = text.trimStart().replace(/^\uFEFF/, "");
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch (e) {
      fail(path, `invalid JSON (${(e as Error).message})`);
    }
    const r = JsonTeams.safeParse(raw);
    if (!r.success) {
      fail(path, "JSON must map team slugs to lists of identities, or list {identity, team} rows");
    }
    if (Array.isArray(r.data)) {
      return r.data.map((p, i) => ({ identity: p.identity, team: p.team, at: `row ${i + 1}` }));
    }
    return Object.entries(r.data).flatMap(([team, ids]) =>
      ids.map((identity, i) => ({ identity, team, at: `team "${team}" entry ${i + 1}` }))
    );
  }
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    fail(path, `invalid CSV (${(e as Error).message})`);
  }
  if (rows.length === 0) fail(path, "the file is empty");
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const idCol = header.findIndex((h) => IDENTITY_COLUMNS.includes(h));
  const teamCol = header.findIndex((h) => TEAM_COLUMNS.includes(h));
  if (idCol < 0 || teamCol < 0) {
    fail(
      path,
      `the CSV header needs an identity column (${
        IDENTITY_COLUMNS.join(", ")
      }) and a team column (${TEAM_COLUMNS.join(", ")})`,
    );
  }
  return rows.slice(1).map((r, i) => ({
    identity: (r[idCol] ?? "").trim(),
    team: (r[teamCol] ?? "").trim(),
    at: `line ${i + 2}`,
  }));
}

/** Parses a teams file's text. */
export function parseTeams(path: string, text: string): Teams {
  const warnings: string[] = [];
  const byIdentity = new Map<string, Set<string>>();
  const members = new Map<string, string[]>();
  for (const { identity, team, at } of pairsOf(path, text)) {
    if (identity === "") {
      warnings.push(`Teams file "${path}", ${at}: no identity; the row is left out`);
      continue;
    }
    if (!isSlug(team)) {
      const hint = slugOf(team);
      warnings.push(
        `Teams file "${path}", ${at}: "${team}" is not a team slug (lower-case letters, digits, - and _)` +
          `; the row is left out${hint && isSlug(hint) ? ` (did you mean "${hint}"?)` : ""}`,
      );
      continue;
    }
    const key = identity.toLowerCase();
    let teams = byIdentity.get(key);
    if (!teams) byIdentity.set(key, teams = new Set());
    if (teams.has(team)) {
      warnings.push(`Teams file "${path}", ${at}: a duplicate row of team "${team}"; left out`);
      continue;
    }
    teams.add(team);
    let list = members.get(team);
    if (!list) members.set(team, list = []);
    list.push(identity);
  }
  const sorted = new Map<string, readonly string[]>();
  for (const [id, set] of byIdentity) sorted.set(id, [...set].sort());
  const canonical = [...members.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([t, ids]) => `${t}:${ids.map((i) => i.toLowerCase()).sort().join(",")}`).join(";");
  return {
    of: (identity) => sorted.get(identity.toLowerCase()) ?? [],
    members,
    warnings,
    key: teamIdOf(canonical).toString(36),
  };
}

/** Reads and parses a teams file; a usage error (exit 2) when it cannot be read. */
export async function readTeams(path: string): Promise<Teams> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) fail(path, "no such file");
    if (e instanceof Deno.errors.IsADirectory) fail(path, "it is a folder");
    if (e instanceof Deno.errors.PermissionDenied) fail(path, "permission denied");
    if (e instanceof TypeError) fail(path, "it is not UTF-8 text");
    throw e;
  }
  return parseTeams(path, text);
}

/**
 * `GET /orgs/{org}/teams` from the teams `export --teams` wrote (`latest/teams.json`): GitHub's
 * team objects, paginated. Only teams of at least the minimum size are in that file, so the
 * list never names a smaller team. No teams file: an empty list, as before teams existed.
 *
 * @module
 */
import { join } from "node:path";
import * as z from "zod";

/** A team as `export` writes it. */
export interface TeamEntry {
  readonly id: number;
  readonly slug: string;
  readonly members: number;
  /** Members active in the latest window, as the users reports name them. */
  readonly active_members?: readonly { readonly login: string; readonly id: number }[];
}

const TeamsFile = z.array(z.object({
  id: z.number(),
  slug: z.string(),
  members: z.number(),
  active_members: z.array(z.object({ login: z.string(), id: z.number() })).optional(),
}));

/** The teams of the output folder; empty when there is no (valid) teams file. */
export async function readTeamList(outputDir: string): Promise<TeamEntry[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(outputDir, "latest", "teams.json"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  try {
    const r = TeamsFile.safeParse(JSON.parse(text));
    return r.success ? r.data : [];
  } catch {
    return [];
  }
}

/** One page of GitHub's list-teams answer, URLs under `base`. */
export function teamsPage(
  teams: readonly TeamEntry[],
  page: number,
  perPage: number,
  base: string,
  org: string,
): string {
  const o = encodeURIComponent(org);
  return JSON.stringify(
    teams.slice((page - 1) * perPage, page * perPage).map((t) => {
      const url = `${base}/orgs/${o}/teams/${t.slug}`;
      return {
        id: t.id,
        node_id: btoa(`04:Team${t.id}`),
        url,
        html_url: `https://github.com/orgs/${o}/teams/${t.slug}`,
        name: t.slug,
        slug: t.slug,
        description: null,
        privacy: "closed",
        notification_setting: "notifications_enabled",
        permission: "pull",
        members_url: `${url}/members{/member}`,
        repositories_url: `${url}/repos`,
        parent: null,
      };
    }),
  );
}

/**
 * One page of GitHub's list-team-members answer (simple users, URLs under `base`): the team's
 * members active in the latest window, as the users reports name them, so a dashboard that
 * filters the users report by a team's members finds them.
 */
export function teamMembersPage(
  team: TeamEntry,
  page: number,
  perPage: number,
  base: string,
): string {
  return JSON.stringify(
    (team.active_members ?? []).slice((page - 1) * perPage, page * perPage).map((m) => ({
      login: m.login,
      id: m.id,
      node_id: btoa(`04:User${m.id}`),
      avatar_url: "",
      gravatar_id: "",
      url: `${base}/users/${encodeURIComponent(m.login)}`,
      html_url: `https://github.com/${encodeURIComponent(m.login)}`,
      type: "User",
      site_admin: false,
    })),
  );
}

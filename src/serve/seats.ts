/**
 * Copilot seats (`GET /orgs/{org}/copilot/billing/seats`) from the identities the history
 * knows: one seat per identity seen in a `users-1-day` file, with its first day (`created_at`),
 * its last active day (`last_activity_at`) and the editor it used most on that day
 * (`last_activity_editor`).
 *
 * The index folds in each day's user rows once (and again when the file changes); folding is
 * idempotent (first day = min, last day = max), so a changed day is simply folded again.
 *
 * @module
 */
import type { Day } from "../model/types.ts";
import { type FileRef, openBytes, type Snapshot } from "./folder_index.ts";

/** What is known of one identity. */
export interface SeatFacts {
  readonly login: string;
  readonly userId: number;
  firstDay: Day;
  lastDay: Day;
  lastEditor: string | null;
}

function fileKey(f: FileRef): string {
  return `${f.path}:${f.size}:${f.mtimeMs}`;
}

interface UserRowLite {
  user_login?: unknown;
  user_id?: unknown;
  day?: unknown;
  totals_by_ide?: unknown;
}

/** The editor with the most activity in a row's `totals_by_ide`, lower-case; null when none. */
function mainEditor(totals: unknown): string | null {
  if (!Array.isArray(totals)) return null;
  let best: string | null = null;
  let bestScore = -1;
  for (const t of totals as Record<string, unknown>[]) {
    const score = Number(t.user_initiated_interaction_count ?? 0) +
      Number(t.code_generation_activity_count ?? 0);
    if (typeof t.ide === "string" && score > bestScore) {
      best = t.ide.toLowerCase();
      bestScore = score;
    }
  }
  return best;
}

/** Seats of the history, updated from snapshots. */
export class SeatIndex {
  readonly #seats = new Map<string, SeatFacts>();
  readonly #folded = new Map<Day, string>();
  #sorted: SeatFacts[] | undefined;
  #updating: Promise<void> | undefined;
  #key = "";

  /** Identities known. */
  get size(): number {
    return this.#seats.size;
  }

  /** Folds in the user rows of every day of `snapshot` not folded yet (or changed). */
  update(snapshot: Snapshot): Promise<void> {
    if (snapshot.key === this.#key) return this.#updating ?? Promise.resolve();
    const previous = this.#updating ?? Promise.resolve();
    const run = previous.then(() => this.#fold(snapshot));
    this.#updating = run;
    this.#key = snapshot.key;
    return run;
  }

  async #fold(snapshot: Snapshot): Promise<void> {
    for (const day of snapshot.reportDays) {
      const file = snapshot.byDay.get(day)!.users!;
      const key = fileKey(file);
      if (this.#folded.get(day) === key) continue;
      await this.#foldFile(day, file);
      this.#folded.set(day, key);
      this.#sorted = undefined;
    }
  }

  async #foldFile(day: Day, file: FileRef): Promise<void> {
    let stream: ReadableStream<Uint8Array>;
    try {
      stream = await openBytes(file);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return; // removed since the snapshot
      throw e;
    }
    let rest = "";
    const lines = stream.pipeThrough(new TextDecoderStream());
    for await (const text of lines) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      for (const line of parts) this.#foldLine(day, line);
    }
    this.#foldLine(day, rest);
  }

  #foldLine(day: Day, line: string): void {
    if (line.trim() === "") return;
    let row: UserRowLite;
    try {
      row = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof row.user_login !== "string") return;
    const login = row.user_login;
    const seat = this.#seats.get(login);
    const editor = mainEditor(row.totals_by_ide);
    if (!seat) {
      this.#seats.set(login, {
        login,
        userId: typeof row.user_id === "number" ? row.user_id : 0,
        firstDay: day,
        lastDay: day,
        lastEditor: editor,
      });
      return;
    }
    if (day < seat.firstDay) seat.firstDay = day;
    if (day >= seat.lastDay) {
      seat.lastDay = day;
      seat.lastEditor = editor ?? seat.lastEditor;
    }
  }

  /** Every seat, by login. */
  list(): readonly SeatFacts[] {
    this.#sorted ??= [...this.#seats.values()].sort((a, b) =>
      a.login < b.login ? -1 : a.login > b.login ? 1 : 0
    );
    return this.#sorted;
  }
}

/** GitHub's `simple-user` for a login, with URLs under `base`. */
function simpleUser(base: string, s: SeatFacts) {
  const u = `${base}/users/${encodeURIComponent(s.login)}`;
  return {
    login: s.login,
    id: s.userId,
    node_id: btoa(`04:User${s.userId}`),
    avatar_url: "",
    gravatar_id: "",
    url: u,
    html_url: u,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: "User",
    user_view_type: "public",
    site_admin: false,
  };
}

/** One seat of GitHub's seats answer, with URLs under `base`. */
export function seatObject(s: SeatFacts, base: string) {
  return {
    created_at: `${s.firstDay}T00:00:00Z`,
    updated_at: `${s.lastDay}T00:00:00Z`,
    pending_cancellation_date: null,
    last_activity_at: `${s.lastDay}T00:00:00Z`,
    last_activity_editor: s.lastEditor,
    last_authenticated_at: `${s.lastDay}T00:00:00Z`,
    plan_type: "business",
    assignee: simpleUser(base, s),
    assigning_team: null,
  };
}

/** One page of GitHub's seats answer. */
export function seatsPage(
  seats: readonly SeatFacts[],
  page: number,
  perPage: number,
  base: string,
): string {
  const slice = seats.slice((page - 1) * perPage, page * perPage);
  return JSON.stringify({
    total_seats: seats.length,
    seats: slice.map((s) => seatObject(s, base)),
  });
}

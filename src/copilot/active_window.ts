/**
 * Trailing 7- and 28-day distinct-identity counts (weekly and monthly actives).
 *
 * @module
 */
import { daysBetween, dayToEpochMs } from "../model/dates.ts";
import type { Day } from "../model/types.ts";

/** Distinct identities over the trailing windows ending on a day (that day included). */
export interface WindowCounts {
  /** Distinct active identities over the 7 days ending on the day. */
  weekly: number;
  /** Distinct active identities over the 28 days ending on the day. */
  monthly: number;
  /** Distinct identities with chat or IDE-agent messages over the 28 days. */
  monthlyChat: number;
  /** Distinct identities with any agent messages over the 28 days. */
  monthlyAgent: number;
  /** All 28 days present, with chat/agent known: otherwise the counts are lower bounds. */
  complete: boolean;
}

/** The identity sets of one day, as given to {@link ActiveWindow.add}. */
export interface WindowDaySets {
  active: Iterable<string>;
  chat?: Iterable<string>;
  agent?: Iterable<string>;
}

interface StoredDay {
  readonly active: ReadonlySet<string>;
  readonly chat: ReadonlySet<string>;
  readonly agent: ReadonlySet<string>;
  readonly complete: boolean;
}

const WEEK = 7;
const MONTH = 28;
const EMPTY: ReadonlySet<string> = new Set();

function asSet(items: Iterable<string> | undefined): ReadonlySet<string> {
  if (items === undefined) return EMPTY;
  return items instanceof Set ? items : new Set(items);
}

/** Days since the epoch of a day (an ordinal to compare and subtract). */
function ordinal(day: Day): number {
  return Math.round(dayToEpochMs(day) / 86_400_000);
}

/**
 * Trailing 7/28-day distinct counts. Add each day's identity sets (a day without activity
 * should be added with empty sets, so that the window knows it is not missing), then ask
 * {@link counts}. Memory: keeps at most 28 days of identity sets (the newest), holding the
 * given `Set`s by reference, never copying them.
 *
 * Counting the newest day (the usual order: add a day, then count it) reads an index of the
 * newest day each identity was seen, so it costs one look at each distinct identity rather
 * than a union of 28 sets; any other day is counted by that union.
 */
export class ActiveWindow {
  readonly #days = new Map<Day, StoredDay>();
  #newest: Day | undefined;
  /** Newest day ordinal each identity was seen on, per kind; undefined when stale. */
  #lastSeen:
    | { active: Map<string, number>; chat: Map<string, number>; agent: Map<string, number> }
    | undefined = {
      active: new Map(),
      chat: new Map(),
      agent: new Map(),
    };

  /**
   * Records a day's identity sets. `complete` is false when only the active identities are
   * known (from the `dau` endpoint): chat and agent sets are then missing, and windows that
   * include the day say so. Adding a day again replaces it.
   */
  add(
    day: Day,
    sets: WindowDaySets,
    complete = true,
  ): void {
    const stored: StoredDay = {
      active: asSet(sets.active),
      chat: asSet(sets.chat),
      agent: asSet(sets.agent),
      complete: complete && sets.chat !== undefined && sets.agent !== undefined,
    };
    const inOrder = this.#newest === undefined || day > this.#newest;
    if (inOrder && this.#lastSeen !== undefined) {
      const at = ordinal(day);
      for (const k of stored.active) this.#lastSeen.active.set(k, at);
      for (const k of stored.chat) this.#lastSeen.chat.set(k, at);
      for (const k of stored.agent) this.#lastSeen.agent.set(k, at);
    } else if (!inOrder) {
      this.#lastSeen = undefined; // rebuilt on the next count of the newest day
    }
    this.#days.set(day, stored);
    if (inOrder) this.#newest = day;
    // Drop what no window ending on or after the newest day can need.
    for (const d of this.#days.keys()) {
      if (daysBetween(d, this.#newest!) >= MONTH) this.#days.delete(d);
    }
  }

  /** Distinct counts over the 7 and 28 days ending on `day`. */
  counts(day: Day): WindowCounts {
    let complete = true;
    let present = 0;
    for (const [d, sets] of this.#days) {
      const age = daysBetween(d, day);
      if (age < 0 || age >= MONTH) continue;
      present++;
      if (!sets.complete) complete = false;
    }
    complete &&= present === MONTH;
    const counted = day === this.#newest ? this.#countNewest(day) : this.#countByUnion(day);
    return { ...counted, complete };
  }

  #countNewest(day: Day): Omit<WindowCounts, "complete"> {
    if (this.#lastSeen === undefined) {
      const seen = { active: new Map(), chat: new Map(), agent: new Map() };
      const days = [...this.#days.keys()].sort();
      for (const d of days) {
        const at = ordinal(d);
        const sets = this.#days.get(d)!;
        for (const k of sets.active) seen.active.set(k, at);
        for (const k of sets.chat) seen.chat.set(k, at);
        for (const k of sets.agent) seen.agent.set(k, at);
      }
      this.#lastSeen = seen;
    }
    const now = ordinal(day);
    // Counts identities seen within `days` days; forgets those older than the month.
    const count = (seen: Map<string, number>, days: number): number => {
      let n = 0;
      for (const [k, at] of seen) {
        const age = now - at;
        if (age >= MONTH) seen.delete(k);
        else if (age < days) n++;
      }
      return n;
    };
    const seen = this.#lastSeen;
    return {
      weekly: count(seen.active, WEEK),
      monthly: count(seen.active, MONTH),
      monthlyChat: count(seen.chat, MONTH),
      monthlyAgent: count(seen.agent, MONTH),
    };
  }

  #countByUnion(day: Day): Omit<WindowCounts, "complete"> {
    // Newest first, so that the weekly count is the union's size once the first 7 days are in.
    const inWindow: { age: number; sets: StoredDay }[] = [];
    for (const [d, sets] of this.#days) {
      const age = daysBetween(d, day);
      if (age >= 0 && age < MONTH) inWindow.push({ age, sets });
    }
    inWindow.sort((a, b) => a.age - b.age);
    const active = new Set<string>();
    const chat = new Set<string>();
    const agent = new Set<string>();
    let weekly = -1;
    for (const { age, sets } of inWindow) {
      if (age >= WEEK && weekly < 0) weekly = active.size;
      for (const k of sets.active) active.add(k);
      for (const k of sets.chat) chat.add(k);
      for (const k of sets.agent) agent.add(k);
    }
    if (weekly < 0) weekly = active.size;
    return { weekly, monthly: active.size, monthlyChat: chat.size, monthlyAgent: agent.size };
  }
}

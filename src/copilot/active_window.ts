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

/** A day's identities, as ids of {@link ActiveWindow}'s index (4 bytes each, not a `Set`). */
interface StoredDay {
  readonly active: Int32Array;
  readonly chat: Int32Array;
  readonly agent: Int32Array;
  readonly complete: boolean;
}

const WEEK = 7;
const MONTH = 28;
const EMPTY = new Int32Array(0);
/** "Never seen" in a {@link LastSeen}: older than any window. */
const NEVER = -(2 ** 31);

/** Days since the epoch of a day (an ordinal to compare and subtract). */
function ordinal(day: Day): number {
  return Math.round(dayToEpochMs(day) / 86_400_000);
}

/** The newest day ordinal each identity id was seen on. */
class LastSeen {
  #at = new Int32Array(1024).fill(NEVER);

  set(id: number, at: number): void {
    if (id >= this.#at.length) {
      const grown = new Int32Array(Math.max(2 * this.#at.length, id + 1)).fill(NEVER);
      grown.set(this.#at);
      this.#at = grown;
    }
    this.#at[id] = at;
  }

  /** Identities among the first `ids` seen within `days` days up to day ordinal `now`. */
  count(ids: number, now: number, days: number): number {
    const at = this.#at;
    let n = 0;
    for (let id = 0; id < ids && id < at.length; id++) {
      const age = now - at[id];
      if (age >= 0 && age < days) n++;
    }
    return n;
  }
}

/** {@link LastSeen} of each kind of identity set. */
interface SeenByKind {
  readonly active: LastSeen;
  readonly chat: LastSeen;
  readonly agent: LastSeen;
}

/**
 * Trailing 7/28-day distinct counts. Add each day's identity sets (a day without activity
 * should be added with empty sets, so that the window knows it is not missing), then ask
 * {@link counts}. Memory: each identity key is indexed once, to a small id, and the (at most
 * 28) kept days hold their identities as arrays of ids: four bytes an identity a day, where
 * keeping the given `Set`s would cost far more, as every day builds new key strings.
 *
 * Counting the newest day (the usual order: add a day, then count it) reads the newest day
 * each identity was seen, so it costs one look at each indexed identity rather than a union
 * of 28 days; any other day is counted by that union.
 */
export class ActiveWindow {
  /** Identity key → id. One entry per distinct identity ever added (as many as a run has). */
  readonly #ids = new Map<string, number>();
  readonly #days = new Map<Day, StoredDay>();
  #newest: Day | undefined;
  /** Newest day each identity was seen on, per kind; undefined when stale. */
  #lastSeen: SeenByKind | undefined = {
    active: new LastSeen(),
    chat: new LastSeen(),
    agent: new LastSeen(),
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
      active: this.#idsOf(sets.active),
      chat: this.#idsOf(sets.chat),
      agent: this.#idsOf(sets.agent),
      complete: complete && sets.chat !== undefined && sets.agent !== undefined,
    };
    const inOrder = this.#newest === undefined || day > this.#newest;
    if (inOrder && this.#lastSeen !== undefined) {
      this.#see(this.#lastSeen, ordinal(day), stored);
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

  /** The ids of `keys`, indexing the keys not seen before. */
  #idsOf(keys: Iterable<string> | undefined): Int32Array {
    if (keys === undefined) return EMPTY;
    const ids: number[] = [];
    for (const k of keys) {
      let id = this.#ids.get(k);
      if (id === undefined) this.#ids.set(k, id = this.#ids.size);
      ids.push(id);
    }
    return Int32Array.from(ids);
  }

  #see(seen: SeenByKind, at: number, sets: StoredDay): void {
    for (const id of sets.active) seen.active.set(id, at);
    for (const id of sets.chat) seen.chat.set(id, at);
    for (const id of sets.agent) seen.agent.set(id, at);
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
      const seen = { active: new LastSeen(), chat: new LastSeen(), agent: new LastSeen() };
      for (const d of [...this.#days.keys()].sort()) {
        this.#see(seen, ordinal(d), this.#days.get(d)!);
      }
      this.#lastSeen = seen;
    }
    const now = ordinal(day);
    const ids = this.#ids.size;
    const seen = this.#lastSeen;
    return {
      weekly: seen.active.count(ids, now, WEEK),
      monthly: seen.active.count(ids, now, MONTH),
      monthlyChat: seen.chat.count(ids, now, MONTH),
      monthlyAgent: seen.agent.count(ids, now, MONTH),
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
    const union = () => {
      const seen = new Uint8Array(this.#ids.size);
      let size = 0;
      return {
        add(ids: Int32Array): void {
          for (const id of ids) {
            if (seen[id] === 0) {
              seen[id] = 1;
              size++;
            }
          }
        },
        get size(): number {
          return size;
        },
      };
    };
    const active = union();
    const chat = union();
    const agent = union();
    let weekly = -1;
    for (const { age, sets } of inWindow) {
      if (age >= WEEK && weekly < 0) weekly = active.size;
      active.add(sets.active);
      chat.add(sets.chat);
      agent.add(sets.agent);
    }
    if (weekly < 0) weekly = active.size;
    return { weekly, monthly: active.size, monthlyChat: chat.size, monthlyAgent: agent.size };
  }
}

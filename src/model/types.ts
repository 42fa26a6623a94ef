/**
 * The internal model every layer below the client speaks: identities, the unit record
 * (day × identity × editor × language × counters) and a day's data.
 *
 * @module
 */
import type { DayCredits } from "./credits.ts";
import type { Counters } from "./metrics.ts";

/** A calendar day in UTC, `YYYY-MM-DD`. */
export type Day = string;

/** Whether an identity is a person (`user_email`) or a service account. */
export type IdentityKind = "user" | "service_account";

/** Who did something: an e-mail or a service-account name, with its kind kept. */
export interface Identity {
  /** `user_email` or `service_account_name` exactly as received. */
  readonly name: string;
  readonly kind: IdentityKind;
}

/** One record of `daily-user-activity-by-editor-language`: the unit of data. */
export interface ActivityRecord {
  readonly day: Day;
  readonly identity: string;
  readonly kind: IdentityKind;
  /** Editor name exactly as received (case kept). */
  readonly editor: string;
  /** Language name exactly as received (case kept). */
  readonly language: string;
  readonly metrics: Counters;
}

/** Everything fetched for one published day. */
export interface DayData {
  readonly day: Day;
  /** All editor-language records of the day (every page). */
  readonly records: readonly ActivityRecord[];
  /** `dau-count` `user_count` for the day, when the service reported it. */
  readonly dauCount?: number;
  /** `daily-usage` counters for the day; absent when the service omitted the day. */
  readonly usage?: Counters;
  /** The day's credits and cost, when known (see `model/credits.ts`). */
  readonly credits?: DayCredits;
}

/** One identity's totals over a range, from `user-activity`. */
export interface UserActivity {
  readonly identity: string;
  readonly kind: IdentityKind;
  readonly activeDays: number;
  readonly metrics: Counters;
}

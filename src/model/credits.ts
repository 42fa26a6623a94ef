/**
 * Credits and cost: what the credit and cost endpoints say about one day, in exact decimals.
 *
 * @module
 */
import type { Decimal } from "./money.ts";
import type { Day, IdentityKind } from "./types.ts";

/** Credits one identity consumed with one model on one day (`credit-usage-by-user`). */
export interface CreditRecord {
  readonly identity: string;
  readonly kind: IdentityKind;
  /** The model's name as received (`"unknown"` when none was sent). */
  readonly model: string;
  readonly credits: Decimal;
}

/**
 * One resource's cost on one day (`cost-analytics`, grouped by resource). Token counts are kept
 * apart (no total of the four kinds is defined); a value the service did not send is absent.
 */
export interface CostPoint {
  /** `resource_display_name` (`"unknown"` when none was sent). */
  readonly resource: string;
  /** `resource_type`, when sent. */
  readonly resourceType?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly billedUsd?: Decimal;
  readonly estimatedCustomerCostUsd?: Decimal;
  readonly credits?: Decimal;
}

/**
 * A day's credits and cost. `records` is absent when the enterprise has no
 * `credit-usage-by-user`, `cost` when it has no `cost-analytics`: unknown, never zero.
 */
export interface DayCredits {
  readonly day: Day;
  readonly records?: readonly CreditRecord[];
  readonly cost?: readonly CostPoint[];
}

/**
 * Credits and cost: what the credit and cost endpoints say about one day, in exact decimals.
 *
 * @module
 */
import { Decimal } from "./money.ts";
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

/** An identity's credits on a day: the total and per model (decimal strings). */
export interface IdentityCredits {
  readonly total: Decimal;
  readonly byModel: ReadonlyMap<string, Decimal>;
}

/** `augment.credits` of a user row or a day. */
export interface CreditsExtension {
  /** Σ credits, a decimal string. */
  total: string;
  /** Per model, sorted by model name. */
  by_model: Record<string, string>;
}

/** The `augment.credits` object of an identity's credits. */
export function creditsExtension(i: IdentityCredits): CreditsExtension {
  const by_model: Record<string, string> = {};
  for (const model of [...i.byModel.keys()].sort()) {
    by_model[model] = i.byModel.get(model)!.toString();
  }
  return { total: i.total.toString(), by_model };
}

/** A credit record as kept: identity, kind, model, canonical decimal string. */
export type CreditRow = [string, IdentityKind, string, string];

/**
 * Credit records as they arrive from a series, kept compact until used: a series covers up to
 * 90 days of a whole organisation (hundreds of thousands of records), so each is kept as four
 * references — its identity and model shared with every other record of that name, its amount
 * as its canonical decimal string — rather than an object, a `Decimal` and a `bigint`.
 */
export class CreditRecordList {
  readonly #identities: string[] = [];
  readonly #kinds: IdentityKind[] = [];
  readonly #models: string[] = [];
  readonly #amounts: string[] = [];

  constructor(
    /** The names seen so far, shared by the lists of one series. */
    private readonly names: Map<string, string> = new Map(),
  ) {}

  get length(): number {
    return this.#amounts.length;
  }

  push(identity: string, kind: IdentityKind, model: string, credits: Decimal): void {
    this.#identities.push(this.#intern(identity));
    this.#kinds.push(kind);
    this.#models.push(this.#intern(model));
    this.#amounts.push(credits.toString());
  }

  #intern(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }

  /** The records, in the order they arrived. */
  records(): CreditRecord[] {
    return this.#amounts.map((amount, i) => ({
      identity: this.#identities[i],
      kind: this.#kinds[i],
      model: this.#models[i],
      credits: Decimal.parse(amount),
    }));
  }

  /** The records as kept in the store, in the order they arrived. */
  rows(): CreditRow[] {
    return this.#amounts.map((amount, i) => [
      this.#identities[i],
      this.#kinds[i],
      this.#models[i],
      amount,
    ]);
  }
}

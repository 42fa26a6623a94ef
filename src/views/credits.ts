/**
 * Credits and cost in the outputs: per identity (`ai_credits_used` and the user row's
 * `augment.credits`), per day (the `augment` extension's `credits` and `cost`), and summed
 * exactly over days. Amounts are exact decimals written as decimal strings, except GitHub's
 * `ai_credits_used`, which its schema makes a JSON number.
 *
 * Models are carried only here: credit records name a model but no feature or language, so
 * GitHub's `totals_by_model_feature` / `totals_by_language_model` cannot be filled exactly and
 * stay as they are (docs/MAPPING.md).
 *
 * @module
 */
import {
  type CostPoint,
  type CreditsExtension,
  creditsExtension,
  type DayCredits,
  type IdentityCredits,
} from "../model/credits.ts";
import { Decimal } from "../model/money.ts";

/** One resource of `augment.cost`. */
export interface CostResourceExtension {
  resource: string;
  resource_type?: string;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  billed_amount_usd?: string;
  estimated_customer_cost_usd?: string;
  credits_consumed?: string;
}

/** `augment.cost` of a day: sums (where every resource sent the field) and each resource. */
export interface CostExtension {
  billed_amount_usd?: string;
  estimated_customer_cost_usd?: string;
  credits_consumed?: string;
  by_resource: CostResourceExtension[];
}

/** Per identity key (`${kind}:${name}`, as in the day analysis), its credits of the day. */
export function creditsByIdentity(c: DayCredits | undefined): Map<string, IdentityCredits> {
  const out = new Map<string, { total: Decimal; byModel: Map<string, Decimal> }>();
  for (const r of c?.records ?? []) {
    const key = `${r.kind}:${r.identity}`;
    let e = out.get(key);
    if (!e) out.set(key, e = { total: Decimal.ZERO, byModel: new Map() });
    e.total = e.total.plus(r.credits);
    e.byModel.set(r.model, (e.byModel.get(r.model) ?? Decimal.ZERO).plus(r.credits));
  }
  return out;
}

/** The day's credits summed over identities; `undefined` when the day's credits are unknown. */
export function dayCreditsTotal(c: DayCredits | undefined): IdentityCredits | undefined {
  if (c?.records === undefined) return undefined;
  let total = Decimal.ZERO;
  const byModel = new Map<string, Decimal>();
  for (const r of c.records) {
    total = total.plus(r.credits);
    byModel.set(r.model, (byModel.get(r.model) ?? Decimal.ZERO).plus(r.credits));
  }
  return { total, byModel };
}

/** Σ of one field over the points; `undefined` when any point lacks it (unknown, not zero). */
function sumField(
  points: readonly CostPoint[],
  field: "billedUsd" | "estimatedCustomerCostUsd" | "credits",
): Decimal | undefined {
  let sum = Decimal.ZERO;
  for (const p of points) {
    const v = p[field];
    if (v === undefined) return undefined;
    sum = sum.plus(v);
  }
  return sum;
}

/** The `augment.cost` object of a day; `undefined` when the day's cost is unknown. */
export function costExtension(c: DayCredits | undefined): CostExtension | undefined {
  const points = c?.cost;
  if (points === undefined) return undefined;
  const out: CostExtension = { by_resource: [] };
  const billed = sumField(points, "billedUsd");
  const estimated = sumField(points, "estimatedCustomerCostUsd");
  const credits = sumField(points, "credits");
  if (billed !== undefined) out.billed_amount_usd = billed.toString();
  if (estimated !== undefined) out.estimated_customer_cost_usd = estimated.toString();
  if (credits !== undefined) out.credits_consumed = credits.toString();
  const sorted = [...points].sort((a, b) =>
    a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0
  );
  for (const p of sorted) {
    const r: CostResourceExtension = { resource: p.resource };
    if (p.resourceType !== undefined) r.resource_type = p.resourceType;
    if (p.inputTokens !== undefined) r.input_tokens = p.inputTokens;
    if (p.outputTokens !== undefined) r.output_tokens = p.outputTokens;
    if (p.cacheReadTokens !== undefined) r.cache_read_tokens = p.cacheReadTokens;
    if (p.cacheWriteTokens !== undefined) r.cache_write_tokens = p.cacheWriteTokens;
    if (p.billedUsd !== undefined) r.billed_amount_usd = p.billedUsd.toString();
    if (p.estimatedCustomerCostUsd !== undefined) {
      r.estimated_customer_cost_usd = p.estimatedCustomerCostUsd.toString();
    }
    if (p.credits !== undefined) r.credits_consumed = p.credits.toString();
    out.by_resource.push(r);
  }
  return out;
}

/** {@link dayCreditFields} of each day's credits: several views ask for them. */
const fieldsOf = new WeakMap<DayCredits, { credits?: CreditsExtension; cost?: CostExtension }>();

/**
 * The day's `augment.credits` / `augment.cost`, for the day's `augment` extension: made once
 * per day's credits (a large day has tens of thousands of records to add up) and shared, so
 * never to be changed by a caller.
 */
export function dayCreditFields(
  c: DayCredits | undefined,
): { readonly credits?: CreditsExtension; readonly cost?: CostExtension } {
  if (c === undefined) return {};
  let out = fieldsOf.get(c);
  if (out === undefined) fieldsOf.set(c, out = creditFieldsOf(c));
  return out;
}

function creditFieldsOf(
  c: DayCredits,
): { credits?: CreditsExtension; cost?: CostExtension } {
  const out: { credits?: CreditsExtension; cost?: CostExtension } = {};
  const total = dayCreditsTotal(c);
  if (total !== undefined) out.credits = creditsExtension(total);
  const cost = costExtension(c);
  if (cost !== undefined) out.cost = cost;
  return out;
}

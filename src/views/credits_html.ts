/**
 * The HTML report's credits section: credits and cost by day, by model, and the identities that
 * used the most credits, over a range target's days. Rendered only when at least one day's
 * credits or cost are known; amounts are exact (summed as decimals, printed as they sum).
 *
 * @module
 */
import { Decimal } from "../model/money.ts";
import type { Day } from "../model/types.ts";
import { esc, int } from "./html/text.ts";
import type { DayFacts } from "./view.ts";

interface DayRow {
  readonly day: Day;
  readonly credits?: Decimal;
  readonly billed?: Decimal;
  readonly estimated?: Decimal;
}

function plus(a: Decimal | undefined, b: Decimal | undefined): Decimal | undefined {
  return b === undefined ? a : (a ?? Decimal.ZERO).plus(b);
}

/** Credits and cost of a range target's days, as they are given. */
export class CreditsTotals {
  readonly #days: DayRow[] = [];
  readonly #byModel = new Map<string, Decimal>();
  readonly #byIdentity = new Map<string, { name: string; kind: string; credits: Decimal }>();

  /** Adds a day of the pass (nothing when its credits are unknown). */
  add(f: DayFacts): void {
    const c = f.data.credits;
    if (c === undefined) return;
    let credits: Decimal | undefined;
    if (c.records !== undefined) {
      credits = Decimal.ZERO;
      for (const r of c.records) {
        credits = credits.plus(r.credits);
        this.#byModel.set(r.model, (this.#byModel.get(r.model) ?? Decimal.ZERO).plus(r.credits));
        const key = `${r.kind}:${r.identity}`;
        const e = this.#byIdentity.get(key);
        if (e) e.credits = e.credits.plus(r.credits);
        else this.#byIdentity.set(key, { name: r.identity, kind: r.kind, credits: r.credits });
      }
    }
    let billed: Decimal | undefined;
    let estimated: Decimal | undefined;
    for (const p of c.cost ?? []) {
      billed = plus(billed, p.billedUsd);
      estimated = plus(estimated, p.estimatedCustomerCostUsd);
    }
    this.#days.push({ day: f.day, credits, billed, estimated });
  }

  /** The `<section id="credits">`, or "" when no day's credits or cost are known. */
  section(hideIdentities: boolean, top: number): string {
    if (this.#days.length === 0) return "";
    const sum = (pick: (d: DayRow) => Decimal | undefined) =>
      this.#days.reduce<Decimal | undefined>((s, d) => plus(s, pick(d)), undefined);
    const credits = sum((d) => d.credits);
    const billed = sum((d) => d.billed);
    const estimated = sum((d) => d.estimated);
    const cards = [
      card("credits_total", "Credits used", credits),
      card("billed_usd_total", "Billed (USD)", billed),
      card("estimated_usd_total", "Estimated customer cost (USD)", estimated),
    ].join("");
    const byDay = table(
      "credits-by-day",
      "Credits and cost by day",
      ["Day", "Credits", "Billed (USD)", "Estimated (USD)"],
      this.#days.map((d) => [d.day, d.credits, d.billed, d.estimated]),
    );
    const models = [...this.#byModel].sort(([a, x], [b, y]) => y.compare(x) || (a < b ? -1 : 1));
    const byModel = table(
      "credits-by-model",
      "Credits by model",
      ["Model", "Credits"],
      models.map(([m, v]) => [m, v]),
    );
    const people = [...this.#byIdentity.values()].sort((a, b) =>
      b.credits.compare(a.credits) || (a.name < b.name ? -1 : 1)
    );
    // With hidden identities the activity tables number people in their own order: a second
    // numbering here could be matched against it, so the list is left out.
    const topRows = hideIdentities ? "" : table(
      "credits-top-users",
      `Top ${int(Math.min(top, people.length))} of ${int(people.length)} by credits`,
      ["Identity", "Kind", "Credits"],
      people.slice(0, top).map((
        p,
      ) => [p.name, p.kind === "user" ? "person" : "service account", p.credits]),
    );
    return `<section id="credits" aria-labelledby="credits-h"><h2 id="credits-h">Credits and cost</h2>` +
      `<div class="cards">${cards}</div>${byDay}${byModel}${topRows}</section>`;
  }
}

function card(metric: string, label: string, v: Decimal | undefined): string {
  const text = v === undefined ? "–" : v.toFixed(Math.min(Math.max(v.scale, 2), 6));
  return `<div class="card" data-metric="${metric}"${v === undefined ? "" : ` data-v="${v}"`}>` +
    `<div class="label">${esc(label)}</div><div class="value">${esc(text)}</div></div>`;
}

function table(
  id: string,
  caption: string,
  head: readonly string[],
  rows: readonly (readonly (string | Decimal | undefined)[])[],
): string {
  const cell = (v: string | Decimal | undefined, i: number) =>
    i === 0 || typeof v === "string"
      ? `<td class="name">${esc(String(v ?? ""))}</td>`
      : v === undefined
      ? "<td>–</td>"
      : `<td data-v="${v}">${esc(v.toString())}</td>`;
  return `<h3>${esc(caption)}</h3><div class="scroll"><table id="${id}">` +
    `<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("") + `</tbody></table></div>`;
}

/**
 * The views a run can write, by `--format` name: one place where a new output plugs in.
 *
 * @module
 */
import { AggregateView } from "./aggregate.ts";
import { CsvView } from "./csv.ts";
import { CreditsCsvView } from "./credits_csv.ts";
import { CreditsTablesView } from "./credits_tables.ts";
import { HtmlView } from "./html.ts";
import { ndjsonTablesView, parquetTablesView } from "./tables.ts";
import { copilotView, legacyUsageView } from "./json_days.ts";
import { UsageMetricsView } from "./usage_metrics.ts";
import { seatsSection, SeatsView } from "./seats.ts";
import { TeamsView, type TeamsViewOptions } from "./teams.ts";
import { TeamTableView } from "./team_tables.ts";
import type { RangeFacts, View } from "./view.ts";
import { type Format, FORMATS } from "./formats.ts";

/** What the views are made with. */
export interface ViewOptions {
  readonly enterpriseId: string;
  /** Also write one CSV row per (day, identity, editor, language). */
  readonly csvDetail?: boolean;
  /** Write `aggregated_metrics.json` (default true). */
  readonly aggregate?: boolean;
  /** HTML report: leave identities out of the page. */
  readonly htmlHideIdentities?: boolean;
  /** HTML report: rows of the most active people and service accounts (default 50). */
  readonly htmlTopUsers?: number;
  /** Teams (`--teams`): `user-teams-1-day` files, team CSV, and team totals in the aggregate. */
  readonly teams?: TeamsViewOptions;
}

/** The views of `formats`, plus the aggregate unless turned off. */
export function viewsFor(formats: Iterable<Format>, o: ViewOptions): View[] {
  const chosen = new Set(formats);
  const views: View[] = [];
  const seatsView = chosen.has("seats") ? new SeatsView() : undefined;
  for (const f of FORMATS) {
    if (!chosen.has(f)) continue;
    switch (f) {
      case "copilot":
        views.push(copilotView());
        break;
      case "usage-metrics":
        views.push(new UsageMetricsView(o.enterpriseId));
        break;
      case "legacy-usage":
        views.push(legacyUsageView());
        break;
      case "csv":
        views.push(new CsvView(o.csvDetail ?? false), new CreditsCsvView());
        break;
      case "html":
        views.push(
          new HtmlView({
            hideIdentities: o.htmlHideIdentities,
            topUsers: o.htmlTopUsers,
            sections: seatsView && ((r) => [seatsSection(seatsView.summary(r))]),
          }),
        );
        break;
      case "parquet":
        views.push(parquetTablesView(), new CreditsTablesView("parquet"));
        break;
      case "ndjson-tables":
        views.push(ndjsonTablesView(), new CreditsTablesView("ndjson"));
        break;
      case "seats":
        views.push(seatsView!);
        break;
    }
  }
  const teams = o.teams && new TeamsView(o.teams);
  if (teams) {
    views.push(teams);
    if (chosen.has("parquet")) views.push(new TeamTableView("parquet", teams));
    if (chosen.has("ndjson-tables")) views.push(new TeamTableView("ndjson", teams));
  }
  if (o.aggregate !== false) {
    // Teams and seats finish each target before the aggregate, which carries their totals.
    const extras = [];
    const keys = [];
    if (teams) {
      extras.push((r: RangeFacts) => teams.aggregateOf(r));
      keys.push(teams.optionsKey);
    }
    if (seatsView) {
      extras.push((r: RangeFacts) => seatsView.aggregateOf(r));
      keys.push(seatsView.optionsKey);
    }
    views.push(new AggregateView(o.enterpriseId, extras, keys.join("+")));
  }
  return views;
}

/**
 * The aggregate (`aggregated_metrics.json`, on unless `--no-aggregate`): a range target's
 * 28-day entity report plus the `augment` totals over the whole range.
 *
 * @module
 */
import { toEntityReport } from "../copilot/mod.ts";
import { FileView } from "./file_view.ts";
import type { RangeFacts, RangeTarget } from "./view.ts";
import { paths, pretty } from "./writer.ts";

const NAME = "aggregated_metrics.json";

/** The aggregate of each range target; no per-day file. */
export class AggregateView extends FileView {
  readonly name = "aggregate";
  readonly optionsKey: string;

  /**
   * `extras`: more `augment` fields of a finished target (teams, seats), from views finished
   * before this one; `extrasKey` changes when what they hold changes.
   */
  constructor(
    readonly enterpriseId: string,
    readonly extras: readonly ((r: RangeFacts) => Record<string, unknown>)[] = [],
    extrasKey = "",
  ) {
    super();
    this.optionsKey = `aggregate/1/${enterpriseId}${extrasKey ? `/${extrasKey}` : ""}`;
  }

  dayFiles(): readonly string[] {
    return [];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return [paths.targetFile(target, NAME)];
  }

  protected writeDay(): Promise<void> {
    return Promise.resolve();
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const aggregated = {
      ...toEntityReport([...r.entityRows], {
        startDay: r.report.start,
        endDay: r.report.end,
        enterpriseId: this.enterpriseId,
        createdAt: this.ctx.createdAt,
      }),
      augment: {
        report_start_day: r.target.range.start,
        report_end_day: r.target.range.end,
        days: r.days,
        metrics: r.totals,
        active_identities: r.identities,
        service_accounts: r.serviceAccounts,
        ...Object.assign({}, ...this.extras.map((extra) => extra(r))),
      },
    };
    await this.files.write(paths.targetFile(r.target, NAME), pretty(aggregated));
  }
}

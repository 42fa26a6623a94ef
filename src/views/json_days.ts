/**
 * Day-object formats: a day's JSON object in `daily/<day>/`, and the JSON array of the days of
 * each range target. Format B (`--format copilot`, GitHub's Copilot metrics API) and Format A
 * (`--format legacy-usage`, GitHub's closed usage API) are both of this kind.
 *
 * @module
 */
import { type DayAnalysis, toLegacyUsageDay, toMetricsDay } from "../copilot/mod.ts";
import type { Day, DayData } from "../model/types.ts";
import { dayCreditFields } from "./credits.ts";
import { FileView } from "./file_view.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { JsonArrayStream, paths } from "./writer.ts";

/** A format of one JSON object a day. */
export class JsonDaysView extends FileView {
  readonly #arrays = new Map<string, JsonArrayStream>();

  constructor(
    readonly name: string,
    readonly optionsKey: string,
    readonly fileName: string,
    readonly convert: (a: DayAnalysis, data: DayData) => unknown,
  ) {
    super();
  }

  dayFiles(day: Day): readonly string[] {
    return [paths.dayFile(day, this.fileName)];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return [paths.targetFile(target, this.fileName)];
  }

  protected async writeDay(f: DayFacts, perDay: boolean): Promise<void> {
    const json = JSON.stringify(this.convert(f.analysis, f.data), null, 2);
    if (perDay) await this.files.dayFile(paths.dayFile(f.day, this.fileName), json + "\n");
    for (const t of f.targets) {
      const rel = paths.targetFile(t, this.fileName);
      let array = this.#arrays.get(rel);
      if (!array) {
        array = new JsonArrayStream(await this.files.stream(rel));
        this.#arrays.set(rel, array);
      }
      array.add(json);
    }
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const rel = paths.targetFile(r.target, this.fileName);
    this.#arrays.get(rel)?.end();
    this.#arrays.delete(rel);
    await this.files.commitStream(rel);
  }
}

/** Format B: `copilot_metrics.json`. */
export function copilotView(): JsonDaysView {
  return new JsonDaysView("copilot", "copilot/1", "copilot_metrics.json", (a, data) => {
    const day = toMetricsDay(a);
    // The day's credits and cost, when known, in the `augment` extension (credits.ts).
    if (data.credits) Object.assign(day.augment, dayCreditFields(data.credits));
    return day;
  });
}

/** Format A: `copilot_usage.json`. */
export function legacyUsageView(): JsonDaysView {
  return new JsonDaysView("legacy-usage", "legacy-usage/1", "copilot_usage.json", toLegacyUsageDay);
}

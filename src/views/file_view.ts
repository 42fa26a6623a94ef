/**
 * The base of the views that write files: a {@link FileWriter}, the context, and the steps
 * every one of them takes in the same order.
 *
 * @module
 */
import type { Day } from "../model/types.ts";
import type { DayFacts, RangeFacts, RangeTarget, View, ViewContext } from "./view.ts";
import { FileWriter } from "./writer.ts";

/** A view whose output is files in the output directory. */
export abstract class FileView implements View {
  abstract readonly name: string;
  abstract readonly optionsKey: string;
  #ctx: ViewContext | undefined;
  #writer: FileWriter | undefined;

  protected get ctx(): ViewContext {
    if (!this.#ctx) throw new Error(`View "${this.name}" used before open()`);
    return this.#ctx;
  }

  protected get files(): FileWriter {
    if (!this.#writer) throw new Error(`View "${this.name}" used before open()`);
    return this.#writer;
  }

  abstract dayFiles(day: Day): readonly string[];
  abstract targetFiles(target: RangeTarget): readonly string[];

  open(ctx: ViewContext): Promise<void> {
    this.#ctx = ctx;
    this.#writer = new FileWriter(ctx.out);
    return Promise.resolve();
  }

  /** Writes the day's per-day files (when `perDay`) and its part of each target's files. */
  protected abstract writeDay(facts: DayFacts, perDay: boolean): Promise<void>;

  async day(facts: DayFacts, perDay: boolean): Promise<void> {
    await this.writeDay(facts, perDay);
    await this.files.endDay();
  }

  abstract finishTarget(facts: RangeFacts): Promise<void>;

  close(): Promise<string[]> {
    return this.files.close();
  }

  async abort(): Promise<void> {
    await this.#writer?.abort();
  }
}

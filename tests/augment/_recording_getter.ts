/**
 * A {@link JsonGetter} that passes every call to a real one and records the path and the
 * parameters sent, so that tests can check that only documented parameters ever leave.
 *
 * @module
 */
import type { z } from "zod";
import type { JsonGetter, QueryParams, RequestStats } from "../../src/http/types.ts";

/** One call as made. */
export interface RecordedCall {
  readonly path: string;
  readonly params: QueryParams;
}

/** Records calls, then delegates to `inner`. */
export class RecordingGetter implements JsonGetter {
  readonly calls: RecordedCall[] = [];
  constructor(readonly inner: JsonGetter) {}

  get stats(): RequestStats {
    return this.inner.stats;
  }

  getJson<T>(
    path: string,
    params: QueryParams,
    schema: z.ZodType<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T> {
    this.calls.push({ path, params: { ...params } });
    return this.inner.getJson(path, params, schema, options);
  }
}

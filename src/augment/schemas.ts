/**
 * zod schemas of the Analytics API envelopes (CONTRACT.md), shared by the client (which
 * parses what the service sends) and the built-in simulator (which checks what it serves).
 * Parsing is lenient where the contract says the service varies: `metadata` fields,
 * `next_cursor` empty or null, metrics counters missing or extra.
 *
 * @module
 */
import * as z from "zod";

/** Base path of every endpoint. */
export const API_PREFIX = "/analytics/v0";

/** The documented endpoints, their query parameters and paging limits. */
export const ENDPOINTS = {
  "dau-count": {
    path: `${API_PREFIX}/dau-count`,
    params: ["start_date", "end_date"],
    listField: "daily_active_user_counts",
    paged: false,
  },
  "dau": {
    path: `${API_PREFIX}/dau`,
    params: ["date", "cursor", "page_size"],
    listField: "users",
    paged: true,
    defaultPageSize: 100,
    maxPageSize: 250,
  },
  "daily-usage": {
    path: `${API_PREFIX}/daily-usage`,
    params: ["start_date", "end_date"],
    listField: "daily_usage",
    paged: false,
  },
  "user-activity": {
    path: `${API_PREFIX}/user-activity`,
    params: ["start_date", "end_date", "cursor", "page_size"],
    listField: "users",
    paged: true,
    defaultPageSize: 50,
    maxPageSize: 100,
  },
  "daily-user-activity-by-editor-language": {
    path: `${API_PREFIX}/daily-user-activity-by-editor-language`,
    params: ["date", "cursor", "page_size"],
    listField: "records",
    paged: true,
    defaultPageSize: 50,
    maxPageSize: 100,
  },
} as const;

/** The name of a documented endpoint. */
export type EndpointName = keyof typeof ENDPOINTS;

/** Longest range one range request may span, in days. */
export const MAX_RANGE_DAYS = 90;
/** How far back the service answers, in days (2 years). */
export const MAX_LOOKBACK_DAYS = 730;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");

/** `metadata`: every field optional, unknown fields kept (they vary between versions). */
export const Metadata = z.looseObject({
  effective_start_date: day.optional(),
  effective_end_date: day.optional(),
  effective_date: day.optional(),
  date: day.optional(),
  generated_at: z.string().optional(),
  total_days: z.number().optional(),
  returned_user_count: z.number().optional(),
  returned_record_count: z.number().optional(),
  total_user_count: z.number().optional(),
  total_record_count: z.number().optional(),
});
export type Metadata = z.infer<typeof Metadata>;

/** `pagination`: `next_cursor` documented as "" at the end, observed as null. */
export const Pagination = z.looseObject({
  next_cursor: z.string().nullish(),
  has_more: z.boolean().nullish(),
});
export type Pagination = z.infer<typeof Pagination>;

/** The raw `metrics` object: validated as an object, read by `parseCounters`. */
export const RawMetrics = z.record(z.string(), z.unknown());

/** Exactly one of `user_email` / `service_account_name` (checked by `identityOf`). */
const IdentityFields = {
  user_email: z.string().min(1).nullish(),
  service_account_name: z.string().min(1).nullish(),
};

function exactlyOneIdentity(
  v: { user_email?: string | null; service_account_name?: string | null },
) {
  return (v.user_email ? 1 : 0) + (v.service_account_name ? 1 : 0) === 1;
}
const identityMessage = "each record must carry exactly one of user_email or service_account_name";

export const DauCountItem = z.looseObject({
  date: day,
  user_count: z.number().int().nonnegative(),
});
export const DauCountResponse = z.looseObject({
  daily_active_user_counts: z.array(DauCountItem),
  metadata: Metadata.optional(),
});
export type DauCountResponse = z.infer<typeof DauCountResponse>;

export const DauUser = z.looseObject(IdentityFields).refine(exactlyOneIdentity, identityMessage);
export const DauResponse = z.looseObject({
  users: z.array(DauUser),
  pagination: Pagination.optional(),
  metadata: Metadata.optional(),
});
export type DauResponse = z.infer<typeof DauResponse>;

export const DailyUsageItem = z.looseObject({ date: day, metrics: RawMetrics.nullish() });
export const DailyUsageResponse = z.looseObject({
  daily_usage: z.array(DailyUsageItem),
  metadata: Metadata.optional(),
});
export type DailyUsageResponse = z.infer<typeof DailyUsageResponse>;

export const UserActivityItem = z.looseObject({
  ...IdentityFields,
  active_days: z.number().int().nonnegative().nullish(),
  metrics: RawMetrics.nullish(),
}).refine(exactlyOneIdentity, identityMessage);
export const UserActivityResponse = z.looseObject({
  users: z.array(UserActivityItem),
  pagination: Pagination.optional(),
  metadata: Metadata.optional(),
});
export type UserActivityResponse = z.infer<typeof UserActivityResponse>;

export const EditorLanguageRecord = z.looseObject({
  ...IdentityFields,
  editor: z.string().nullish(),
  language: z.string().nullish(),
  metrics: RawMetrics.nullish(),
}).refine(exactlyOneIdentity, identityMessage);
export const EditorLanguageResponse = z.looseObject({
  records: z.array(EditorLanguageRecord),
  pagination: Pagination.optional(),
  metadata: Metadata.optional(),
});
export type EditorLanguageResponse = z.infer<typeof EditorLanguageResponse>;

/** The error body: `{"error": {"code": "InvalidArgument", "message": "..."}}`. */
export const ErrorBody = z.looseObject({
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The identity carried by a record: its name and kind. */
export function identityOf(
  v: { user_email?: string | null; service_account_name?: string | null },
): { name: string; kind: "user" | "service_account" } {
  return v.user_email
    ? { name: v.user_email, kind: "user" }
    : { name: v.service_account_name as string, kind: "service_account" };
}

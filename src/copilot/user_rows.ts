/**
 * Format C, user level: one row per identity per day.
 *
 * @module
 */
import { KNOWN_COUNTERS } from "../model/metrics.ts";
import { creditsExtension, type IdentityCredits } from "../model/credits.ts";
import type { Day } from "../model/types.ts";
import { type DayAnalysis, type IdentityDay, IdentityParts } from "./analyze.ts";
import {
  C,
  FEATURES,
  featureValues,
  hasCli,
  interactions,
  type KnownSums,
  linesAdded,
} from "./features.ts";
import { ascii, type JsonBytes } from "./json_bytes.ts";
import { isCliEditor } from "./names.ts";
import { reportBreakdowns, reportCounters } from "./report_rows.ts";
import type { UserRow } from "./types.ts";
import { userIdOf } from "./user_id.ts";

/** The period of a 28-day users file: its rows start with these two keys. */
export interface UserRowPeriod {
  readonly startDay: Day;
  readonly endDay: Day;
}

/**
 * The user rows of one day, made one identity at a time, so that a caller streaming them
 * never holds more than one (a row is ~3.5 KB of JSON; a large organisation has thousands).
 *
 * `user_id` is {@link userIdOf} the identity key; the counters and breakdown lists are those
 * of an entity day row (`report_rows.ts`) over the identity's sums, except that
 * `totals_by_cli` comes last; `used_chat` means chat or IDE-agent messages, `used_agent` IDE
 * or Remote agent messages, `used_cli` any CLI agent activity; the `augment` extension carries
 * the identity's own counters (shared with the analysis, not copied) and kind. `period` adds
 * `report_start_day` / `report_end_day` first (28-day files).
 */
export class UserRows {
  readonly #parts = new IdentityParts();
  /** Whether any record of the day has an unknown counter (then `metrics` is written as is). */
  readonly #unknownCounters: boolean;
  readonly #head: Uint8Array;

  constructor(
    readonly analysis: DayAnalysis,
    readonly enterpriseId: string,
    readonly period?: UserRowPeriod,
    /**
     * The day's credits per identity key, when the day's credits are known: each row then has
     * `ai_credits_used` (0 for an identity without credits) and `augment.credits`.
     */
    readonly credits?: ReadonlyMap<string, IdentityCredits>,
  ) {
    this.#unknownCounters = Object.keys(analysis.totals).length !== KNOWN_COUNTERS.length;
    const periodKeys = period === undefined
      ? ""
      : `"report_start_day":${JSON.stringify(period.startDay)},"report_end_day":${
        JSON.stringify(period.endDay)
      },`;
    this.#head = ascii(
      `{${periodKeys}"day":${JSON.stringify(analysis.day)},"enterprise_id":${
        JSON.stringify(enterpriseId)
      },"user_id":`,
    );
  }

  /** The row of `identity`, one of the analysis' identities. */
  row(identity: IdentityDay): UserRow {
    const a = this.analysis;
    const { editors, languages } = this.#parts.of(a, identity);
    const c = reportCounters(identity.sums);
    const b = reportBreakdowns(identity.sums, editors, languages);
    let row: UserRow = {
      day: a.day,
      enterprise_id: this.enterpriseId,
      user_id: userIdOf(identity.key),
      user_login: identity.name,
      user_initiated_interaction_count: c.user_initiated_interaction_count,
      code_generation_activity_count: c.code_generation_activity_count,
      code_acceptance_activity_count: c.code_acceptance_activity_count,
      loc_suggested_to_add_sum: c.loc_suggested_to_add_sum,
      loc_suggested_to_delete_sum: c.loc_suggested_to_delete_sum,
      loc_added_sum: c.loc_added_sum,
      loc_deleted_sum: c.loc_deleted_sum,
      totals_by_ide: b.totals_by_ide,
      totals_by_feature: b.totals_by_feature,
      totals_by_language_feature: b.totals_by_language_feature,
      totals_by_language_model: b.totals_by_language_model,
      totals_by_model_feature: b.totals_by_model_feature,
      used_chat: identity.chat,
      used_agent: identity.ideOrRemoteAgent,
      used_cli: identity.cli,
      augment: { metrics: identity.counters, identity_kind: identity.kind },
    };
    if (b.totals_by_cli !== undefined) row.totals_by_cli = b.totals_by_cli;
    if (this.credits !== undefined) {
      const c = this.credits.get(identity.key);
      row.ai_credits_used = c ? c.total.toNumber() : 0;
      if (c) row.augment = { ...row.augment, credits: creditsExtension(c) };
    }
    const period = this.period;
    if (period !== undefined) {
      row = { report_start_day: period.startDay, report_end_day: period.endDay, ...row };
    }
    return row;
  }

  /**
   * Writes `JSON.stringify(this.row(identity))` into `out`, byte for byte, without making the
   * row: the hot path of the users files (the tests hold the two to the same bytes).
   */
  write(identity: IdentityDay, out: JsonBytes): void {
    const a = this.analysis;
    const { editors, languages } = this.#parts.of(a, identity);
    const s = identity.sums;
    out.raw(this.#head);
    out.num(userIdOf(identity.key));
    out.raw(K_USER_LOGIN);
    out.str(identity.name);
    out.byte(0x2c); // ,
    writeCounters(out, s);
    out.raw(K_BY_IDE);
    let first = true;
    for (const e of editors) {
      if (isCliEditor(e.name)) continue;
      if (!first) out.byte(0x2c);
      first = false;
      out.raw(K_IDE);
      out.str(e.name);
      out.byte(0x2c);
      writeCounters(out, e.sums);
      out.byte(0x7d);
    }
    out.raw(K_BY_FEATURE);
    first = true;
    for (let f = 0; f < FEATURES.length; f++) {
      if (!featureValues(FEATURES[f], s, values)) continue;
      if (!first) out.byte(0x2c);
      first = false;
      out.raw(FEATURE_KEYS[f]);
      writeFeatureValues(out);
      out.byte(0x7d);
    }
    out.raw(K_BY_LANGUAGE_FEATURE);
    first = true;
    for (let f = 0; f < FEATURES.length; f++) {
      for (const l of languages) {
        if (!featureValues(FEATURES[f], l.sums, values)) continue;
        if (!first) out.byte(0x2c);
        first = false;
        out.raw(K_LANGUAGE);
        out.str(l.name);
        out.raw(FEATURE_AFTER_LANGUAGE[f]);
        writeFeatureValues(out);
        out.byte(0x7d);
      }
    }
    out.raw(K_MODEL_LISTS);
    out.bool(identity.chat);
    out.raw(K_USED_AGENT);
    out.bool(identity.ideOrRemoteAgent);
    out.raw(K_USED_CLI);
    out.bool(identity.cli);
    out.raw(K_AUGMENT);
    if (this.#unknownCounters) {
      out.json(identity.counters);
      out.raw(K_KIND_AFTER_UNKNOWN);
    } else {
      for (let k = 0; k < K_KNOWN.length; k++) {
        out.raw(K_KNOWN[k]);
        out.num(s[k]);
      }
      out.raw(K_KIND);
    }
    out.str(identity.kind);
    const credits = this.credits?.get(identity.key);
    if (credits) {
      out.raw(K_CREDITS);
      out.json(creditsExtension(credits));
    }
    out.byte(0x7d); // } of augment
    if (hasCli(s)) {
      out.raw(K_CLI);
      out.num(s[C.cliInteractiveMessages] + s[C.cliNonInteractiveMessages]);
      out.raw(K_PROMPTS);
      out.num(s[C.cliInteractiveMessages]);
      out.byte(0x7d);
    }
    if (this.credits !== undefined) {
      out.raw(K_AI_CREDITS);
      out.num(credits ? credits.total.toNumber() : 0);
    }
    out.byte(0x7d);
  }
}

/**
 * The seven counters of a scope, from `"user_initiated_interaction_count":` on, as
 * {@link reportCounters} has them (their constant parts as bytes).
 */
function writeCounters(out: JsonBytes, s: KnownSums): void {
  out.raw(K_INTERACTIONS);
  out.num(interactions(s));
  out.raw(K_GENERATED);
  out.num(s[C.completionsCount]);
  out.raw(K_ACCEPTED);
  out.num(s[C.completionsAccepted]);
  out.raw(K_SUGGESTED);
  out.num(s[C.completionsSuggestedLines]);
  out.raw(K_ADDED);
  out.num(linesAdded(s));
  out.raw(K_DELETED);
}

const K_INTERACTIONS = ascii(`"user_initiated_interaction_count":`);
const K_GENERATED = ascii(`,"code_generation_activity_count":`);
const K_ACCEPTED = ascii(`,"code_acceptance_activity_count":`);
const K_SUGGESTED = ascii(`,"loc_suggested_to_add_sum":`);
const K_ADDED = ascii(`,"loc_suggested_to_delete_sum":0,"loc_added_sum":`);
const K_DELETED = ascii(`,"loc_deleted_sum":0`);

const values = new Float64Array(5);

/** A feature row's counters (see `featureRow`), from `"user_initiated_interaction_count":` on. */
function writeFeatureValues(out: JsonBytes): void {
  out.raw(K_INTERACTIONS);
  out.num(values[0]);
  out.raw(K_GENERATED);
  out.num(values[1]);
  out.raw(K_ACCEPTED);
  out.num(values[2]);
  out.raw(K_SUGGESTED);
  out.num(values[3]);
  out.raw(K_ADDED);
  out.num(values[4]);
  out.raw(K_DELETED);
}

const FEATURE_KEYS = FEATURES.map((f) => ascii(`{"feature":${JSON.stringify(f)},`));
const FEATURE_AFTER_LANGUAGE = FEATURES.map((f) => ascii(`,"feature":${JSON.stringify(f)},`));
const K_USER_LOGIN = ascii(`,"user_login":`);
const K_BY_IDE = ascii(`,"totals_by_ide":[`);
const K_IDE = ascii(`{"ide":`);
const K_BY_FEATURE = ascii(`],"totals_by_feature":[`);
const K_BY_LANGUAGE_FEATURE = ascii(`],"totals_by_language_feature":[`);
const K_LANGUAGE = ascii(`{"language":`);
const K_MODEL_LISTS = ascii(
  `],"totals_by_language_model":[],"totals_by_model_feature":[],"used_chat":`,
);
const K_USED_AGENT = ascii(`,"used_agent":`);
const K_USED_CLI = ascii(`,"used_cli":`);
const K_AUGMENT = ascii(`,"augment":{"metrics":`);
const K_KNOWN = KNOWN_COUNTERS.map((k, i) => ascii(`${i === 0 ? "{" : ","}${JSON.stringify(k)}:`));
const K_KIND = ascii(`},"identity_kind":`);
const K_KIND_AFTER_UNKNOWN = ascii(`,"identity_kind":`);
const K_CREDITS = ascii(`,"credits":`);
const K_CLI = ascii(`,"totals_by_cli":{"request_count":`);
const K_PROMPTS = ascii(`,"prompt_count":`);
const K_AI_CREDITS = ascii(`,"ai_credits_used":`);

/**
 * One row per identity of the day (see {@link UserRows}), sorted by `user_login` (an e-mail
 * and a service account of the same name are two rows).
 */
export function toUserRows(
  a: DayAnalysis,
  enterpriseId: string,
  period?: UserRowPeriod,
): UserRow[] {
  const rows = new UserRows(a, enterpriseId, period);
  return a.identities.map((identity) => rows.row(identity));
}

/**
 * The HTML report (`--format html`): `report.html` in each range target's folder
 * (`latest/report.html`, and `reports/<start>_to_<end>/report.html` for dated copies). One
 * self-contained page, charts drawn as inline SVG here: every number comes from the range
 * accumulator's facts (the same as the JSON reports), collected day by day in {@link HtmlView.day}
 * and written in {@link HtmlView.finishTarget}.
 *
 * @module
 */
import { C, KNOWN_COUNT } from "../copilot/features.ts";
import type { ScopeSummary } from "../copilot/mod.ts";
import type { Counters } from "../model/metrics.ts";
import type { Day, IdentityKind, UserActivity } from "../model/types.ts";
import { NAME, VERSION } from "../version.ts";
import { CreditsTotals } from "./credits_html.ts";
import { FileView } from "./file_view.ts";
import {
  renderPage,
  type ReportDay,
  type ReportModel,
  type ScopeRow,
  type TopUsers,
  type UserRow,
} from "./html/page.ts";
import type { DayFacts, RangeFacts, RangeTarget } from "./view.ts";
import { paths } from "./writer.ts";

/** The report's file name in a target's folder. */
export const REPORT_FILE = "report.html";

/** Most active identities listed per kind, unless told otherwise. */
export const DEFAULT_TOP_USERS = 50;

/** What the HTML report is made with. */
export interface HtmlViewOptions {
  /**
   * Replace e-mails and service-account names with `User 1`, `Service account 1`, … (in
   * ranking order): no identity appears anywhere in the page (`--html-hide-identities`).
   */
  readonly hideIdentities?: boolean;
  /** Most active identities listed per kind (people, service accounts); default 50. */
  readonly topUsers?: number;
  /** More sections of a target's page (already HTML), e.g. the seats of `--format seats`. */
  readonly sections?: (r: RangeFacts) => string[];
}

/** An editor's or a language's sums over the days given so far. */
class ScopeTotals {
  readonly sums = new Float64Array(KNOWN_COUNT);
  userDays = 0;
  peakUsers = 0;

  add(s: ScopeSummary): void {
    for (let k = 0; k < this.sums.length; k++) this.sums[k] += s.sums[k];
    this.userDays += s.identities;
    if (s.identities > this.peakUsers) this.peakUsers = s.identities;
  }

  row(name: string): ScopeRow {
    const s = this.sums;
    return {
      name,
      userDays: this.userDays,
      peakUsers: this.peakUsers,
      suggested: s[C.completionsCount],
      accepted: s[C.completionsAccepted],
      linesSuggested: s[C.completionsSuggestedLines],
      linesAccepted: s[C.completionsLines],
      chat: s[C.chatMessages],
      ideAgent: s[C.ideAgentMessages],
      remoteAgent: s[C.remoteAgentMessages],
      cli: s[C.cliInteractiveMessages] + s[C.cliNonInteractiveMessages],
    };
  }
}

/** What a target collects from its days: small, whatever the number of identities. */
class TargetPage {
  readonly days: ReportDay[] = [];
  readonly editors = new Map<string, ScopeTotals>();
  readonly languages = new Map<string, ScopeTotals>();
  readonly credits = new CreditsTotals();

  add(f: DayFacts): void {
    this.credits.add(f);
    const a = f.analysis;
    const t = a.totals;
    this.days.push({
      day: f.day,
      final: f.final,
      windowComplete: f.window.complete,
      dau: f.entityRow.daily_active_users,
      wau: f.entityRow.weekly_active_users,
      mau: f.entityRow.monthly_active_users,
      monthlyChat: f.entityRow.monthly_active_chat_users,
      monthlyAgent: f.entityRow.monthly_active_agent_users,
      cliUsers: f.entityRow.daily_active_cli_users,
      people: a.identityCount - a.serviceAccountCount,
      serviceAccounts: a.serviceAccountCount,
      suggested: t.completions_count,
      accepted: t.completions_accepted,
      linesSuggested: t.completions_suggested_lines_of_code,
      linesAccepted: t.completions_lines_of_code,
      chat: t.chat_messages,
      ideAgent: t.ide_agent_messages,
      remoteAgent: t.remote_agent_messages,
      cli: t.cli_agent_interactive_messages + t.cli_agent_non_interactive_messages,
      reconciliation: f.reconciliation.map((w) => ({
        counter: w.counter,
        records: w.records,
        dailyUsage: w.dailyUsage,
      })),
    });
    addScopes(this.editors, a.editors);
    addScopes(this.languages, a.languages);
  }
}

function addScopes(into: Map<string, ScopeTotals>, scopes: readonly ScopeSummary[]): void {
  for (const s of scopes) {
    let t = into.get(s.name);
    if (t === undefined) into.set(s.name, t = new ScopeTotals());
    t.add(s);
  }
}

/** Scope rows, most user-days first (then by name). */
function scopeRows(scopes: Map<string, ScopeTotals>): ScopeRow[] {
  return [...scopes].map(([name, t]) => t.row(name))
    .sort((a, b) => b.userDays - a.userDays || cmp(a.name, b.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Messages of every kind plus accepted completions: the tie-break after active days. */
function activity(m: Counters): number {
  return m.chat_messages + m.ide_agent_messages + m.remote_agent_messages +
    m.cli_agent_interactive_messages + m.cli_agent_non_interactive_messages +
    m.completions_accepted;
}

/**
 * The `top` most active identities of `kind`: by active days, then messages and accepted
 * completions, then name. Hidden identities are numbered in that order.
 */
export function topUsers(
  all: readonly UserActivity[],
  kind: IdentityKind,
  top: number,
  hide: boolean,
): TopUsers {
  const ofKind = all.filter((u) => u.kind === kind);
  const ranked = ofKind
    .map((u) => ({ u, score: activity(u.metrics) }))
    .sort((a, b) =>
      b.u.activeDays - a.u.activeDays || b.score - a.score || cmp(a.u.identity, b.u.identity)
    )
    .slice(0, Math.max(0, top));
  const noun = kind === "user" ? "User" : "Service account";
  const rows: UserRow[] = ranked.map(({ u }, i) => ({
    label: hide ? `${noun} ${i + 1}` : u.identity,
    kind,
    activeDays: u.activeDays,
    metrics: u.metrics,
  }));
  return { rows, total: ofKind.length };
}

/** The HTML report of each range target; no per-day file. */
export class HtmlView extends FileView {
  readonly name = "html";
  readonly optionsKey: string;
  readonly #hide: boolean;
  readonly #top: number;
  readonly #sections: ((r: RangeFacts) => string[]) | undefined;
  readonly #pages = new Map<string, TargetPage>();

  constructor(options: HtmlViewOptions = {}) {
    super();
    this.#hide = options.hideIdentities ?? false;
    this.#top = options.topUsers ?? DEFAULT_TOP_USERS;
    this.#sections = options.sections;
    if (!Number.isInteger(this.#top) || this.#top < 0) {
      throw new RangeError(`topUsers must be a whole number ≥ 0, not ${this.#top}`);
    }
    this.optionsKey = `html/1/${this.#hide ? "hidden" : "named"}/${this.#top}`;
  }

  dayFiles(_day: Day): readonly string[] {
    return [];
  }

  targetFiles(target: RangeTarget): readonly string[] {
    return [paths.targetFile(target, REPORT_FILE)];
  }

  protected writeDay(facts: DayFacts): Promise<void> {
    for (const t of facts.targets) {
      let page = this.#pages.get(t.name);
      if (page === undefined) this.#pages.set(t.name, page = new TargetPage());
      page.add(facts);
    }
    return Promise.resolve();
  }

  /** The page of a finished target, as written (for tests and previews). */
  page(r: RangeFacts): string {
    const page = this.#pages.get(r.target.name) ?? new TargetPage();
    const last = r.entityRows.at(-1);
    const model: ReportModel = {
      enterpriseId: this.ctx.enterpriseId,
      createdAt: this.ctx.createdAt,
      generator: `${NAME} ${VERSION}`,
      name: r.target.name,
      range: r.target.range,
      days: page.days,
      totals: r.totals,
      identities: r.identities,
      serviceAccounts: r.serviceAccounts,
      last: last && {
        day: last.day,
        dau: last.daily_active_users,
        wau: last.weekly_active_users,
        mau: last.monthly_active_users,
      },
      editors: scopeRows(page.editors),
      languages: scopeRows(page.languages),
      people: topUsers(r.userActivity, "user", this.#top, this.#hide),
      accounts: topUsers(r.userActivity, "service_account", this.#top, this.#hide),
      hideIdentities: this.#hide,
      extraSections: [
        creditsSection(r),
        page.credits.section(this.#hide, this.#top),
        ...(this.#sections?.(r) ?? []),
      ].filter((s) => s !== ""),
    };
    return renderPage(model);
  }

  async finishTarget(r: RangeFacts): Promise<void> {
    const html = this.page(r);
    this.#pages.delete(r.target.name);
    await this.files.write(paths.targetFile(r.target, REPORT_FILE), html);
  }

  override async abort(): Promise<void> {
    this.#pages.clear();
    await super.abort();
  }
}

/**
 * Credits or cost from the range's facts: `RangeFacts` carries none, so this renders nothing.
 * The credits section is made from the days' own credits instead (`credits_html.ts`, through
 * `TargetPage.credits`).
 */
export function creditsSection(_r: RangeFacts): string {
  return "";
}

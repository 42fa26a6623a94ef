/**
 * The HTML report's page: one self-contained file written from a {@link ReportModel} (numbers
 * the view took from the range accumulator's facts; the page computes nothing). Inline style
 * and script only, locked by a Content-Security-Policy that allows nothing else: no network,
 * and no script but the page's own even if a string escaped its escaping.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { DayRange } from "../../model/dates.ts";
import type { Counters } from "../../model/metrics.ts";
import type { Day, IdentityKind } from "../../model/types.ts";
import { SCRIPT, STYLE } from "./assets.ts";
import { barList, columnChart, lineChart } from "./charts.ts";
import { esc, int, pct, ratio, shortDay } from "./text.ts";

/** A counter's difference between the day's records and `daily-usage`. */
export interface DayMismatch {
  readonly counter: string;
  readonly records: number;
  /** `null`: the service sent no `daily-usage` for the day. */
  readonly dailyUsage: number | null;
}

/** One day of the report, as the view collected it from its `DayFacts`. */
export interface ReportDay {
  readonly day: Day;
  readonly final: boolean;
  /** All 28 days of history before the day were known (otherwise WAU / MAU are lower bounds). */
  readonly windowComplete: boolean;
  readonly dau: number;
  readonly wau: number;
  readonly mau: number;
  /** Distinct chat (or IDE agent) and agent users over the 28 days; CLI users of the day. */
  readonly monthlyChat: number;
  readonly monthlyAgent: number;
  readonly cliUsers: number;
  /** Identities with a record that day: people, and service accounts. */
  readonly people: number;
  readonly serviceAccounts: number;
  readonly suggested: number;
  readonly accepted: number;
  readonly linesSuggested: number;
  readonly linesAccepted: number;
  readonly chat: number;
  readonly ideAgent: number;
  readonly remoteAgent: number;
  /** CLI agent messages, interactive and non-interactive. */
  readonly cli: number;
  readonly reconciliation: readonly DayMismatch[];
}

/** An editor or a language over the range. */
export interface ScopeRow {
  readonly name: string;
  /** Σ over days of the identities active in the scope that day. */
  readonly userDays: number;
  /** The most identities active in the scope on one day. */
  readonly peakUsers: number;
  readonly suggested: number;
  readonly accepted: number;
  readonly linesSuggested: number;
  readonly linesAccepted: number;
  readonly chat: number;
  readonly ideAgent: number;
  readonly remoteAgent: number;
  readonly cli: number;
}

/** One identity over the range (from the range's per-identity activity). */
export interface UserRow {
  /** Its name, or `User 12` / `Service account 3` when identities are hidden. */
  readonly label: string;
  readonly kind: IdentityKind;
  readonly activeDays: number;
  readonly metrics: Counters;
}

/** The most active identities of one kind: the top rows, and how many there are in all. */
export interface TopUsers {
  readonly rows: readonly UserRow[];
  readonly total: number;
}

/** Everything the page shows. */
export interface ReportModel {
  readonly enterpriseId: string;
  readonly createdAt: string;
  readonly generator: string;
  /** The target's range and its name (`latest`, `<start>_to_<end>`). */
  readonly name: string;
  readonly range: DayRange;
  readonly days: readonly ReportDay[];
  /** Totals over the range (every counter). */
  readonly totals: Counters;
  /** Distinct identities with a record in the range, and service accounts among them. */
  readonly identities: number;
  readonly serviceAccounts: number;
  /** The last day's DAU / WAU / MAU (its Format C entity row). */
  readonly last?: {
    readonly day: Day;
    readonly dau: number;
    readonly wau: number;
    readonly mau: number;
  };
  readonly editors: readonly ScopeRow[];
  readonly languages: readonly ScopeRow[];
  readonly people: TopUsers;
  readonly accounts: TopUsers;
  readonly hideIdentities: boolean;
  /**
   * Extra sections, already HTML, after the fixed ones: the extension point for data the
   * facts do not carry yet (credits / cost). Empty today.
   */
  readonly extraSections: readonly string[];
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("base64");
}

const CSP = `default-src 'none'; style-src 'sha256-${sha256(STYLE)}'; ` +
  `script-src 'sha256-${sha256(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;

/** The page, complete. */
export function renderPage(m: ReportModel): string {
  const title = `Augment usage · ${m.range.start} to ${m.range.end}`;
  const body = [
    header(m),
    headline(m),
    activeUsers(m),
    completions(m),
    messages(m),
    editorsAndLanguages(m),
    topUsers(m, "people"),
    topUsers(m, "accounts"),
    reconciliation(m),
    ...m.extraSections,
  ].join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="${esc(m.generator)}">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<footer>Generated by ${esc(m.generator)} at ${esc(m.createdAt)} from the Augment Analytics API.
Self-contained: no network is used to view this page.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function header(m: ReportModel): string {
  const provisional = m.days.filter((d) => !d.final).length;
  return `<header class="top"><div><h1>Augment usage report</h1>` +
    `<p class="meta"><b>${esc(m.range.start)}</b> to <b>${esc(m.range.end)}</b> · ` +
    `${int(m.days.length)} day${m.days.length === 1 ? "" : "s"} with data` +
    (provisional > 0 ? ` · ${int(provisional)} provisional` : "") + `</p></div>` +
    `<p class="meta">Enterprise <b>${esc(m.enterpriseId)}</b> · generated ${esc(m.createdAt)}</p>` +
    `</header>`;
}

function card(
  metric: string,
  label: string,
  value: string,
  v: number | null,
  sub = "",
  cls = "",
): string {
  return `<div class="card${cls ? " " + cls : ""}" data-metric="${metric}"` +
    (v === null ? "" : ` data-v="${v}"`) +
    `><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div>` +
    (sub ? `<div class="sub">${esc(sub)}</div>` : "") + `</div>`;
}

function cliMessages(c: Counters): number {
  return c.cli_agent_interactive_messages + c.cli_agent_non_interactive_messages;
}

function headline(m: ReportModel): string {
  const t = m.totals;
  const people = m.identities - m.serviceAccounts;
  const mismatched = m.days.filter((d) => d.reconciliation.length > 0).length;
  const users = [
    card("people", "People active", int(people), people, `in ${int(m.days.length)} days`),
    card("service_accounts", "Service accounts", int(m.serviceAccounts), m.serviceAccounts),
  ];
  if (m.last) {
    const on = `on ${shortDay(m.last.day)}`;
    users.push(
      card("daily_active_users", "Daily active users", int(m.last.dau), m.last.dau, on),
      card("weekly_active_users", "Weekly active users", int(m.last.wau), m.last.wau, on),
      card("monthly_active_users", "Monthly active users", int(m.last.mau), m.last.mau, on),
    );
  }
  const completions = [
    card(
      "completions_accepted",
      "Completions accepted",
      int(t.completions_accepted),
      t.completions_accepted,
      `of ${int(t.completions_count)} suggested`,
    ),
    card(
      "acceptance_rate",
      "Acceptance rate",
      pct(t.completions_accepted, t.completions_count),
      ratio(t.completions_accepted, t.completions_count),
      "by count",
    ),
    card(
      "acceptance_rate_lines",
      "Acceptance by lines",
      pct(t.completions_lines_of_code, t.completions_suggested_lines_of_code),
      ratio(t.completions_lines_of_code, t.completions_suggested_lines_of_code),
      `${int(t.completions_lines_of_code)} of ${int(t.completions_suggested_lines_of_code)} lines`,
    ),
    card(
      "reconciled_days",
      "Days matching daily-usage",
      `${int(m.days.length - mismatched)} / ${int(m.days.length)}`,
      m.days.length - mismatched,
      mismatched === 0 ? "records add up" : `${int(mismatched)} with differences`,
      mismatched === 0 ? "ok" : "warn",
    ),
  ];
  const messages = [
    card("chat_messages", "Chat", int(t.chat_messages), t.chat_messages),
    card("ide_agent_messages", "IDE agent", int(t.ide_agent_messages), t.ide_agent_messages),
    card(
      "remote_agent_messages",
      "Remote agent",
      int(t.remote_agent_messages),
      t.remote_agent_messages,
    ),
    card("cli_messages", "CLI agent", int(cliMessages(t)), cliMessages(t)),
  ];
  const group = (title: string, cards: string[]) =>
    `<div class="group"><h3>${esc(title)}</h3><div class="cards">${cards.join("")}</div></div>`;
  return `<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>` +
    group("Users", users) + group("Completions and data", completions) +
    group("Messages", messages) + `</section>`;
}

function activeUsers(m: ReportModel): string {
  const days = m.days.map((d) => d.day);
  const lowerBound = m.days.some((d) => !d.windowComplete);
  return `<section id="users" aria-labelledby="users-h"><h2 id="users-h">Active users</h2>` +
    (lowerBound
      ? `<p class="note">Some days have fewer than 28 days of history before them: their weekly ` +
        `and monthly counts are lower bounds.</p>`
      : "") +
    `<div class="grid2">` +
    lineChart({
      id: "chart-active",
      title: "Daily, weekly and monthly active users",
      desc: "Distinct active users each day, over the 7 days and over the 28 days ending that day.",
      days,
      series: [
        { name: "Daily", color: "s1", values: m.days.map((d) => d.dau) },
        { name: "Weekly", color: "s2", values: m.days.map((d) => d.wau) },
        { name: "Monthly", color: "s4", values: m.days.map((d) => d.mau) },
      ],
      format: int,
    }) +
    columnChart({
      id: "chart-identities",
      title: "People and service accounts per day",
      desc: "Identities with activity records each day: people and service accounts, stacked.",
      days,
      stacked: true,
      series: [
        { name: "People", color: "s1", values: m.days.map((d) => d.people) },
        { name: "Service accounts", color: "s6", values: m.days.map((d) => d.serviceAccounts) },
      ],
      format: int,
    }) + `</div></section>`;
}

function completions(m: ReportModel): string {
  const days = m.days.map((d) => d.day);
  const percent = (n: number) => `${(100 * n).toFixed(1)}%`;
  return `<section id="completions" aria-labelledby="completions-h">` +
    `<h2 id="completions-h">Code completions</h2><div class="grid2">` +
    columnChart({
      id: "chart-completions",
      title: "Completions suggested and accepted",
      desc: "Code completions suggested and accepted each day.",
      days,
      stacked: false,
      series: [
        { name: "Suggested", color: "s6", values: m.days.map((d) => d.suggested) },
        { name: "Accepted", color: "s1", values: m.days.map((d) => d.accepted) },
      ],
      format: int,
    }) +
    lineChart({
      id: "chart-acceptance",
      title: "Acceptance rate",
      desc: "Share of suggested completions accepted each day, by count and by lines of code.",
      days,
      fraction: true,
      axis: (n) => `${Math.round(100 * n)}%`,
      series: [
        {
          name: "By count",
          color: "s1",
          values: m.days.map((d) => ratio(d.accepted, d.suggested)),
        },
        {
          name: "By lines",
          color: "s3",
          values: m.days.map((d) => ratio(d.linesAccepted, d.linesSuggested)),
        },
      ],
      format: percent,
    }) + `</div></section>`;
}

function messages(m: ReportModel): string {
  const days = m.days.map((d) => d.day);
  return `<section id="messages" aria-labelledby="messages-h">` +
    `<h2 id="messages-h">Chat and agents</h2><div class="grid2">` +
    columnChart({
      id: "chart-messages",
      title: "Messages per day",
      desc: "Chat, IDE agent, remote agent and CLI agent messages each day, stacked.",
      days,
      stacked: true,
      series: [
        { name: "Chat", color: "s1", values: m.days.map((d) => d.chat) },
        { name: "IDE agent", color: "s2", values: m.days.map((d) => d.ideAgent) },
        { name: "Remote agent", color: "s3", values: m.days.map((d) => d.remoteAgent) },
        { name: "CLI agent", color: "s4", values: m.days.map((d) => d.cli) },
      ],
      format: int,
    }) +
    lineChart({
      id: "chart-feature-users",
      title: "Chat and agent users",
      desc: "Distinct chat users and agent users over the 28 days ending each day, and CLI " +
        "agent users each day.",
      days,
      series: [
        { name: "Chat, 28 days", color: "s1", values: m.days.map((d) => d.monthlyChat) },
        { name: "Agent, 28 days", color: "s2", values: m.days.map((d) => d.monthlyAgent) },
        { name: "CLI agent, daily", color: "s4", values: m.days.map((d) => d.cliUsers) },
      ],
      format: int,
    }) + `</div></section>`;
}

interface Column<T> {
  readonly head: string;
  /** A number (sorted as such, written with `int` unless `text` says otherwise) or text. */
  readonly value: (row: T) => number | string | null;
  readonly text?: (row: T) => string;
  readonly name?: boolean;
}

function num(v: number | null): string {
  return v === null ? "–" : int(v);
}

/** A table; `sortable`: header buttons sort it. */
function table<T>(
  id: string,
  caption: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  sortable: boolean,
): string {
  const head = columns.map((c) => {
    const numeric = typeof (rows.length ? c.value(rows[0]) : 0) !== "string";
    const label = sortable ? `<button type="button">${esc(c.head)}</button>` : esc(c.head);
    return `<th scope="col"${c.name ? ' class="name"' : ""} data-type="${
      numeric ? "number" : "text"
    }">${label}</th>`;
  }).join("");
  const body = rows.map((r) =>
    `<tr>${
      columns.map((c) => {
        const v = c.value(r);
        const text = c.text ? c.text(r) : typeof v === "string" ? v : num(v);
        const cls = c.name ? ' class="name"' : "";
        return typeof v === "string"
          ? `<td${cls}>${esc(text)}</td>`
          : `<td${cls}${v === null ? "" : ` data-v="${v}"`}>${esc(text)}</td>`;
      }).join("")
    }</tr>`
  ).join("");
  return `<div class="scroll"><table id="${id}"${sortable ? ' class="sortable"' : ""}>` +
    `<caption class="visually-hidden">${esc(caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function scopeColumns(name: string): Column<ScopeRow>[] {
  return [
    { head: name, value: (r) => r.name, name: true },
    { head: "User-days", value: (r) => r.userDays },
    { head: "Peak daily users", value: (r) => r.peakUsers },
    { head: "Suggested", value: (r) => r.suggested },
    { head: "Accepted", value: (r) => r.accepted },
    {
      head: "Acceptance",
      value: (r) => ratio(r.accepted, r.suggested),
      text: (r) => pct(r.accepted, r.suggested),
    },
    { head: "Lines accepted", value: (r) => r.linesAccepted },
    {
      head: "By lines",
      value: (r) => ratio(r.linesAccepted, r.linesSuggested),
      text: (r) => pct(r.linesAccepted, r.linesSuggested),
    },
    { head: "Chat", value: (r) => r.chat },
    { head: "IDE agent", value: (r) => r.ideAgent },
    { head: "Remote agent", value: (r) => r.remoteAgent },
    { head: "CLI agent", value: (r) => r.cli },
  ];
}

/** Editors or languages in the bar chart: the top eight by user-days. */
const TOP_SCOPES = 8;

function editorsAndLanguages(m: ReportModel): string {
  const bars = (id: string, what: string, rows: readonly ScopeRow[]) =>
    barList({
      id,
      title: `Top ${what} by user-days`,
      desc: `The ${what} with the most user-days (one user active one day) in the range.`,
      measure: "User-days",
      rows: rows.slice(0, TOP_SCOPES).map((r) => ({ label: r.name, value: r.userDays })),
      format: int,
    });
  return `<section id="editors" aria-labelledby="editors-h">` +
    `<h2 id="editors-h">Editors and languages</h2>` +
    `<p class="note">A user-day is one identity active in the editor or language on one day.</p>` +
    `<div class="grid2">${bars("chart-editors", "editors", m.editors)}${
      bars("chart-languages", "languages", m.languages)
    }</div>` +
    `<h3>Editors</h3>` +
    table("table-editors", "Editors", scopeColumns("Editor"), m.editors, true) +
    `<h3>Languages</h3>` +
    table("table-languages", "Languages", scopeColumns("Language"), m.languages, true) +
    `</section>`;
}

/** A row of a top-users table and its place in the default order. */
interface Ranked {
  readonly r: UserRow;
  readonly i: number;
}

function topUsers(m: ReportModel, which: "people" | "accounts"): string {
  const top = which === "people" ? m.people : m.accounts;
  const title = which === "people" ? "Most active people" : "Most active service accounts";
  const id = which === "people" ? "top-people" : "top-accounts";
  if (top.total === 0 && which === "accounts") return "";
  const c = (x: Ranked) => x.r.metrics;
  const columns: Column<Ranked>[] = [
    { head: "#", value: (x) => x.i + 1 },
    {
      head: which === "people" ? "User" : "Service account",
      value: (x) => x.r.label,
      name: true,
    },
    { head: "Active days", value: (x) => x.r.activeDays },
    { head: "Suggested", value: (x) => c(x).completions_count },
    { head: "Accepted", value: (x) => c(x).completions_accepted },
    {
      head: "Acceptance",
      value: (x) => ratio(c(x).completions_accepted, c(x).completions_count),
      text: (x) => pct(c(x).completions_accepted, c(x).completions_count),
    },
    { head: "Lines accepted", value: (x) => c(x).completions_lines_of_code },
    { head: "Chat", value: (x) => c(x).chat_messages },
    { head: "IDE agent", value: (x) => c(x).ide_agent_messages },
    { head: "Remote agent", value: (x) => c(x).remote_agent_messages },
    { head: "CLI agent", value: (x) => cliMessages(c(x)) },
    { head: "Modified lines", value: (x) => c(x).total_modified_lines_of_code },
  ];
  const ranked: Ranked[] = top.rows.map((r, i) => ({ r, i }));
  const shown = top.rows.length < top.total
    ? `The ${int(top.rows.length)} most active of ${int(top.total)}`
    : `All ${int(top.total)}`;
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>` +
    `<p class="note">${shown}, ranked by active days, then messages and accepted completions. ` +
    `Click a column header to sort.${
      m.hideIdentities ? " Identities are hidden in this report." : ""
    }</p>` +
    table(`table-${id}`, title, columns, ranked, true) + `</section>`;
}

function dayStatus(d: ReportDay): { key: string; text: string; tag: string } {
  if (d.reconciliation.length === 0) return { key: "ok", text: "matches", tag: "ok" };
  if (d.reconciliation.some((w) => w.dailyUsage === null)) {
    return { key: "missing", text: "no daily-usage", tag: "bad" };
  }
  const n = d.reconciliation.length;
  return {
    key: "differs",
    text: `${int(n)} counter${n === 1 ? " differs" : "s differ"}`,
    tag: "warn",
  };
}

function reconciliation(m: ReportModel): string {
  const chips = m.days.map((d) => {
    const s = dayStatus(d);
    const label = `${d.day}: ${s.text}${d.final ? "" : " (provisional)"}`;
    return `<li class="chip ${s.tag}${d.final ? "" : " provisional"}" data-day="${d.day}" ` +
      `data-status="${s.key}" title="${esc(label)}"><span class="visually-hidden">` +
      `${esc(label)}</span><span aria-hidden="true">${esc(shortDay(d.day))}</span></li>`;
  }).join("");
  const rows = m.days.filter((d) => d.reconciliation.length > 0 || !d.final).map((d) => {
    const s = dayStatus(d);
    const detail = s.key === "missing"
      ? "The service sent no daily-usage for this day."
      : d.reconciliation
        .map((w) => `${w.counter}: records ${int(w.records)}, daily-usage ${int(w.dailyUsage!)}`)
        .join("; ");
    return `<tr data-day="${d.day}" data-status="${s.key}"><th scope="row">${d.day}</th>` +
      `<td class="status">${d.final ? "" : `<span class="tag muted">provisional</span> `}` +
      `<span class="tag ${s.tag}">${esc(s.text)}</span></td>` +
      `<td class="detail">${esc(detail)}</td></tr>`;
  }).join("");
  return `<section id="reconciliation" aria-labelledby="reconciliation-h">` +
    `<h2 id="reconciliation-h">Reconciliation</h2>` +
    `<p class="note">Whether each day's records add up to the service's daily-usage counters. ` +
    `Provisional days (dashed) were fetched before the service published them and may still ` +
    `change.</p><ul class="chips" aria-label="Status of each day">${chips}</ul>` +
    (rows
      ? `<div class="scroll"><table id="table-reconciliation"><thead><tr>` +
        `<th scope="col">Day</th><th scope="col" class="status">Status</th>` +
        `<th scope="col" class="name">Differences</th></tr></thead><tbody>${rows}</tbody>` +
        `</table></div>`
      : `<p>Every day's records match daily-usage.</p>`) +
    `</section>`;
}

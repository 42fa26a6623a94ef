/**
 * The HTML report (`HtmlView`): facts from simulated days run through the range accumulator,
 * the page written beside the JSON aggregate, then checked as text (self-contained, escaped,
 * hidden identities, size) and in headless Chromium with the network blocked (no console
 * errors, every chart drawn, headline numbers equal to `aggregated_metrics.json`, sorting,
 * a screenshot in `dist/artifacts/`).
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { addDays, eachDay } from "../../src/model/dates.ts";
import { addCounters, emptyCounters, parseCounters } from "../../src/model/metrics.ts";
import type { ActivityRecord, Day, DayData } from "../../src/model/types.ts";
import { generateDayRecords } from "../../src/simulator/mod.ts";
import { LOOKBACK_DAYS, RangeAccumulator } from "../../src/views/accumulator.ts";
import { AggregateView } from "../../src/views/aggregate.ts";
import { creditsSection, HtmlView, type HtmlViewOptions } from "../../src/views/html.ts";
import { OutputDir } from "../../src/views/output_dir.ts";
import type { RangeFacts, View } from "../../src/views/view.ts";
import { datedTarget, latestTarget } from "../../src/views/writer.ts";
import { CHROMIUM, ignoreBrowserTests, openFile, withBrowser } from "../_chromium.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ARTIFACTS = join(ROOT, "dist", "artifacts");
const EVIL_USER = "<script>alert(1)</script>@x.com";
const EVIL_EDITOR = `"><img src=x onerror=alert(2)>`;
const EVIL_LANGUAGE = "</style><b>Lang";
const RANGE = { start: "2026-10-01", end: "2026-10-28" };
const DATED = { start: "2026-10-15", end: "2026-10-28" };

interface Scenario {
  readonly users: number;
  /** Add records whose identity, editor and language are HTML. */
  readonly evil?: boolean;
  readonly options?: HtmlViewOptions;
  readonly dated?: boolean;
}

/** A simulated day as the store holds it; `drift`: `daily-usage` off by one or missing. */
function dayData(users: number, day: Day, evil: boolean): DayData {
  const records: ActivityRecord[] = generateDayRecords(1, users, day).map((r) => ({
    day,
    identity: r.user_email ?? r.service_account_name!,
    kind: r.user_email !== undefined ? "user" : "service_account",
    editor: r.editor,
    language: r.language,
    metrics: parseCounters(r.metrics),
  }));
  if (evil) {
    records.push({
      day,
      identity: EVIL_USER,
      kind: "user",
      editor: EVIL_EDITOR,
      language: EVIL_LANGUAGE,
      metrics: parseCounters({
        completions_count: 400,
        completions_accepted: 300,
        completions_lines_of_code: 500,
        completions_suggested_lines_of_code: 900,
        chat_messages: 50,
        ide_agent_messages: 40,
        total_messages: 90,
      }),
    });
  }
  const usage = emptyCounters();
  for (const r of records) addCounters(usage, r.metrics);
  const n = Number(day.slice(8));
  if (n === 10) usage.completions_count += 1;
  const ids = new Set(records.map((r) => `${r.kind}:${r.identity}`));
  return { day, records, dauCount: ids.size, ...(n === 14 ? {} : { usage }) };
}

/** What a scenario wrote. */
interface Rendered {
  readonly dir: string;
  readonly latest: RangeFacts;
  readonly html: string;
  readonly aggregate: {
    day_totals: { day: string; [k: string]: unknown }[];
    augment: {
      metrics: Record<string, number>;
      active_identities: number;
      service_accounts: number;
      days: number;
    };
  };
  readonly files: string[];
}

/**
 * Runs the days of {@link RANGE} (after 27 days of lookback) through the range accumulator
 * into an {@link HtmlView} and the JSON aggregate, as a render pass does.
 */
async function renderScenario(dir: string, s: Scenario): Promise<Rendered> {
  const targets = [latestTarget(RANGE, [])];
  if (s.dated) targets.push(datedTarget(DATED, []));
  const acc = new RangeAccumulator({ enterpriseId: "acme", targets });
  const html = new HtmlView(s.options);
  const views: View[] = [html, new AggregateView("acme")];
  const out = new OutputDir(dir);
  for (const v of views) {
    await v.open({
      out,
      enterpriseId: "acme",
      createdAt: "2026-10-29T06:00:00Z",
      extraCounters: [],
    });
  }
  for (const day of eachDay(addDays(RANGE.start, -LOOKBACK_DAYS), addDays(RANGE.start, -1))) {
    acc.lookback(dayData(s.users, day, false));
  }
  let latest: RangeFacts | undefined;
  for (const day of eachDay(RANGE.start, RANGE.end)) {
    const { facts, finished } = acc.day(dayData(s.users, day, s.evil ?? false), {
      final: day !== RANGE.end,
      fingerprint: day,
    });
    for (const v of views) await v.day(facts, true);
    for (const f of finished) {
      if (f.target.name === "latest") latest = f;
      for (const v of views) await v.finishTarget(f);
    }
  }
  const files = (await Promise.all(views.map((v) => v.close()))).flat().sort();
  assert.ok(latest, "the latest target finished");
  return {
    dir,
    latest,
    html: await Deno.readTextFile(join(dir, "latest", "report.html")),
    aggregate: JSON.parse(await Deno.readTextFile(join(dir, "latest", "aggregated_metrics.json"))),
    files,
  };
}

async function withScenario<T>(s: Scenario, fn: (r: Rendered) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "augment-html-test-" });
  try {
    return await fn(await renderScenario(dir, s));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const fmt = new Intl.NumberFormat("en-US");

// The few DOM shapes the in-page functions use: the project is type-checked without the DOM
// library (adding it would change the types of every other file's streams).
interface DomGraphic {
  getBBox(): { width: number; height: number };
}
interface DomPolyline {
  points: { numberOfItems: number };
}
interface DomRow {
  cells: ArrayLike<{ textContent: string | null; dataset: Record<string, string | undefined> }>;
}

// ------------------------------------------------------------------ the file

Deno.test("HtmlView writes report.html for latest/ and each dated copy, and no per-day file", async () => {
  await withScenario({ users: 40, dated: true }, async (r) => {
    assert.deepEqual(r.files.filter((f) => f.endsWith(".html")), [
      "latest/report.html",
      "reports/2026-10-15_to_2026-10-28/report.html",
    ]);
    const dated = await Deno.readTextFile(
      join(r.dir, "reports", "2026-10-15_to_2026-10-28", "report.html"),
    );
    assert.match(dated, /<b>2026-10-15<\/b> to <b>2026-10-28<\/b>/);
    assert.match(r.html, /<b>2026-10-01<\/b> to <b>2026-10-28<\/b>/);
    assert.equal(new HtmlView().dayFiles("2026-10-01").length, 0);
  });
});

Deno.test("report.html is self-contained: no URL, one inline script and style, a strict CSP", async () => {
  await withScenario({ users: 40 }, (r) => {
    assert.doesNotMatch(r.html, /https?:\/\//);
    assert.doesNotMatch(r.html, /\b(src|href)="(?!data:)/);
    assert.doesNotMatch(r.html, /@import|url\(/);
    assert.equal(r.html.match(/<script\b/g)?.length, 1);
    assert.equal(r.html.match(/<style\b/g)?.length, 1);
    assert.match(
      r.html,
      /Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/,
    );
    assert.match(r.html, /@media \(prefers-color-scheme:dark\)/);
    assert.match(r.html, /@media print/);
    return Promise.resolve();
  });
});

Deno.test("identities, editors and languages are escaped: HTML in the data stays text", async () => {
  await withScenario({ users: 30, evil: true }, (r) => {
    for (const raw of [EVIL_USER, EVIL_EDITOR, EVIL_LANGUAGE]) {
      assert.equal(r.html.includes(raw), false, `raw ${raw} in the page`);
    }
    assert.ok(r.html.includes("&lt;script&gt;alert(1)&lt;/script&gt;@x.com"));
    assert.ok(r.html.includes("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert.ok(r.html.includes("&lt;/style&gt;&lt;b&gt;lang")); // normalized to lower case
    return Promise.resolve();
  });
});

Deno.test("hideIdentities: no e-mail or service-account name of the range appears in the page", async () => {
  await withScenario({ users: 60, evil: true, options: { hideIdentities: true } }, (r) => {
    assert.ok(r.latest.userActivity.length > 50);
    for (const u of r.latest.userActivity) {
      assert.equal(r.html.includes(u.identity), false, u.identity);
    }
    assert.doesNotMatch(r.html, /alert\(1\)|@example\.com|@x\.com/);
    assert.match(r.html, /<td class="name">User 1<\/td>/);
    assert.match(r.html, /<td class="name">Service account 1<\/td>/);
    assert.match(r.html, /Identities are hidden in this report/);
    return Promise.resolve();
  });
});

Deno.test("the most active table lists the top N, ranked by active days, with the total", async () => {
  await withScenario({ users: 60, options: { topUsers: 5 } }, (r) => {
    const people = r.latest.userActivity.filter((u) => u.kind === "user");
    const section = r.html.slice(r.html.indexOf('id="top-people"'));
    const tbody = section.slice(section.indexOf("<tbody>"), section.indexOf("</tbody>"));
    assert.equal(tbody.match(/<tr>/g)?.length, 5);
    assert.match(section, new RegExp(`The 5 most active of ${people.length}`));
    const maxDays = Math.max(...people.map((u) => u.activeDays));
    assert.match(
      tbody,
      new RegExp(
        `^<tbody><tr><td data-v="1">1</td><td class="name">[^<]+</td><td data-v="${maxDays}">`,
      ),
    );
    return Promise.resolve();
  });
  assert.throws(() => new HtmlView({ topUsers: -1 }), RangeError);
});

Deno.test("reconciliation: each day says whether its records match daily-usage", async () => {
  await withScenario({ users: 30 }, (r) => {
    const chips = [
      ...r.html.matchAll(/<li class="chip [^"]*" data-day="([\d-]+)" data-status="(\w+)"/g),
    ]
      .map((m) => [m[1], m[2]]);
    assert.equal(chips.length, 28);
    assert.deepEqual(chips.filter(([, s]) => s !== "ok"), [
      ["2026-10-10", "differs"],
      ["2026-10-14", "missing"],
    ]);
    assert.match(r.html, /<tr data-day="2026-10-10" data-status="differs">/);
    assert.match(r.html, /completions_count: records [\d,]+, daily-usage [\d,]+/);
    assert.match(r.html, /<tr data-day="2026-10-14" data-status="missing">/);
    assert.match(
      r.html,
      /<li class="chip ok provisional" data-day="2026-10-28" data-status="ok" title="2026-10-28: matches \(provisional\)">/,
    );
    assert.match(r.html, /data-metric="reconciled_days" data-v="26"/);
    return Promise.resolve();
  });
});

Deno.test("credits: nothing is rendered while the facts carry none", async () => {
  await withScenario({ users: 20 }, (r) => {
    assert.equal(creditsSection(r.latest), "");
    assert.doesNotMatch(r.html, /id="credits"|[Cc]redits/);
    return Promise.resolve();
  });
});

Deno.test("a 28-day report of a 10 000-identity organisation stays under 400 KB", async () => {
  await withScenario({ users: 10_000 }, (r) => {
    const bytes = new TextEncoder().encode(r.html).length;
    assert.ok(r.latest.identities > 9_000, `${r.latest.identities} identities`);
    assert.ok(bytes < 400 * 1024, `${bytes} bytes`);
    // The 50 most active people (the default), of thousands.
    assert.equal(r.html.match(/<td class="name">[^<]*@example\.com<\/td>/g)?.length, 50);
    return Promise.resolve();
  });
});

// ------------------------------------------------------------------ in the browser

const BROWSER = { ignore: ignoreBrowserTests, sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "in Chromium, offline: no error, every chart drawn, headline numbers equal the JSON",
  ...BROWSER,
  fn: async () => {
    await withScenario({ users: 120, evil: true }, async (r) => {
      await withBrowser(async (browser) => {
        const { page, errors, blocked, dialogs } = await openFile(
          browser,
          join(r.dir, "latest", "report.html"),
        );
        assert.deepEqual(errors, []);
        assert.deepEqual(blocked, []);
        assert.deepEqual(dialogs, [], "no injected script ran");

        // Every chart: an SVG with marks that have a size, a point per day on lines.
        const charts = await page.$$eval("figure.chart svg", (svgs) =>
          svgs.map((svg) => {
            const marks = [...svg.querySelectorAll(".mark")] as unknown as DomGraphic[];
            return {
              id: svg.parentElement!.id,
              height: svg.getBoundingClientRect().height,
              days: Number(svg.getAttribute("data-days") ?? "0"),
              marks: marks.length,
              drawn: marks.filter((m) => {
                const b = m.getBBox();
                return b.width > 0 || b.height > 0;
              }).length,
              points: [...svg.querySelectorAll("polyline.mark")].map((p) =>
                (p as unknown as DomPolyline).points.numberOfItems
              ),
            };
          }));
        assert.deepEqual(charts.map((c) => c.id), [
          "chart-active",
          "chart-identities",
          "chart-completions",
          "chart-acceptance",
          "chart-messages",
          "chart-feature-users",
          "chart-editors",
          "chart-languages",
        ]);
        for (const c of charts) {
          assert.ok(c.height > 40, `${c.id} has height ${c.height}`);
          assert.ok(c.marks > 0 && c.drawn === c.marks, `${c.id}: ${c.drawn}/${c.marks} drawn`);
          for (const p of c.points) assert.equal(p, 28, `${c.id}: a point per day`);
        }

        // Headline numbers, as text, equal the JSON aggregate of the same range.
        const cards = Object.fromEntries(
          await page.$$eval("[data-metric]", (els) =>
            els.map((e) => [
              e.getAttribute("data-metric"),
              e.querySelector(".value")!.textContent,
            ])),
        );
        const j = r.aggregate;
        const m = j.augment.metrics;
        const last = j.day_totals.at(-1)!;
        const pct = (a: number, b: number) => `${(100 * a / b).toFixed(1)}%`;
        assert.deepEqual(cards, {
          people: fmt.format(j.augment.active_identities - j.augment.service_accounts),
          service_accounts: fmt.format(j.augment.service_accounts),
          daily_active_users: fmt.format(last.daily_active_users as number),
          weekly_active_users: fmt.format(last.weekly_active_users as number),
          monthly_active_users: fmt.format(last.monthly_active_users as number),
          completions_accepted: fmt.format(m.completions_accepted),
          acceptance_rate: pct(m.completions_accepted, m.completions_count),
          acceptance_rate_lines: pct(
            m.completions_lines_of_code,
            m.completions_suggested_lines_of_code,
          ),
          chat_messages: fmt.format(m.chat_messages),
          ide_agent_messages: fmt.format(m.ide_agent_messages),
          remote_agent_messages: fmt.format(m.remote_agent_messages),
          cli_messages: fmt.format(
            m.cli_agent_interactive_messages + m.cli_agent_non_interactive_messages,
          ),
          reconciled_days: `26 / ${j.augment.days}`,
        });
        // The chart's accepted bars add up to the JSON total too.
        const accepted = await page.$$eval(
          "#chart-completions rect.mark.s1",
          (rs) => rs.reduce((n, e) => n + Number(e.getAttribute("data-v")), 0),
        );
        assert.equal(accepted, m.completions_accepted);
        // DAU per day in the chart's data table equals the JSON's day rows.
        const dau = await page.$$eval(
          "#chart-active table.data tbody tr",
          (rows) => rows.map((tr) => (tr as unknown as DomRow).cells[1].textContent),
        );
        assert.deepEqual(dau, j.day_totals.map((d) => fmt.format(d.daily_active_users as number)));

        // The HTML identity is shown as text.
        const names = await page.$$eval(
          "#table-top-people td.name",
          (tds) => tds.map((td) => td.textContent),
        );
        assert.ok(names.includes(EVIL_USER));

        // Sorting: a click sorts by active days high to low, another low to high; names A to Z.
        const column = async (col: number) =>
          await page.$$eval(
            "#table-top-people tbody tr",
            (rows, c) =>
              rows.map((tr) => {
                const cell = (tr as unknown as DomRow).cells[c];
                return cell.dataset.v === undefined ? cell.textContent! : Number(cell.dataset.v);
              }),
            col,
          );
        const headers = page.locator("#table-top-people thead th");
        await headers.nth(4).locator("button").click(); // Accepted
        const desc = await column(4) as number[];
        assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
        assert.notDeepEqual(await column(0), [...Array(desc.length).keys()].map((i) => i + 1));
        assert.equal(await headers.nth(4).getAttribute("aria-sort"), "descending");
        await headers.nth(4).locator("button").click();
        const asc = await column(4) as number[];
        assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
        assert.equal(await headers.nth(4).getAttribute("aria-sort"), "ascending");
        await headers.nth(1).locator("button").click(); // User
        const byName = await column(1) as string[];
        assert.deepEqual(
          byName,
          [...byName].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
        );
        assert.deepEqual(errors, []);

        await Deno.mkdir(ARTIFACTS, { recursive: true });
        await headers.nth(2).locator("button").click(); // back to active days
        await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: true });
        await page.pdf({ path: join(ARTIFACTS, "report.pdf"), format: "A4" });
      });
    });
  },
});

Deno.test({
  name: "in Chromium: hidden identities show no e-mail; dark mode turns the page dark",
  ...BROWSER,
  fn: async () => {
    await withScenario({ users: 80, evil: true, options: { hideIdentities: true } }, async (r) => {
      await withBrowser(async (browser) => {
        const { page, errors } = await openFile(browser, join(r.dir, "latest", "report.html"), {
          colorScheme: "dark",
        });
        const text = await page.content();
        assert.doesNotMatch(text, /@example\.com|@x\.com/);
        const names = await page.$$eval(
          "#table-top-people td.name",
          (tds) => tds.map((td) => td.textContent),
        );
        assert.ok(names.length > 0 && names.every((n) => /^User \d+$/.test(n!)), String(names));
        const background = await page.evaluate<string>(
          "getComputedStyle(document.body).backgroundColor",
        );
        const [red, green, blue] = background.match(/\d+/g)!.map(Number);
        assert.ok(red + green + blue < 120, `dark background, got ${background}`);
        assert.deepEqual(errors, []);
        await Deno.mkdir(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, "report-dark.png"), fullPage: true });
      });
    });
  },
});

if (CHROMIUM !== undefined) {
  // Say which browser the tests used, once, for CI logs.
  console.log(`Browser tests use ${CHROMIUM}`);
}

import assert from "node:assert/strict";
import { join, resolve, sep } from "node:path";
import {
  Exporter,
  type ExportOptions,
  type ExportResult,
  type Format,
} from "../../src/export/exporter.ts";
import { addDays, type DayRange, eachDay } from "../../src/model/dates.ts";
import {
  addCounters,
  type Counters,
  emptyCounters,
  KNOWN_COUNTERS,
} from "../../src/model/metrics.ts";
import type { DayData, UserActivity } from "../../src/model/types.ts";
import { analyzeDay, toUserRows } from "../../src/copilot/mod.ts";
import { validate } from "../fixtures/schemas.ts";
import { generateDay, type GenerateOptions, IDENTITIES, listFiles, parseCsv } from "./helpers.ts";

const ALL: ReadonlySet<Format> = new Set(["copilot", "usage-metrics", "legacy-usage", "csv"]);
const CREATED_AT = "2026-04-01T04:00:00.000Z";

function options(
  outputDir: string,
  range: DayRange,
  over: Partial<ExportOptions> = {},
): ExportOptions {
  return {
    outputDir,
    range,
    formats: ALL,
    enterpriseId: "ent-42",
    createdAt: CREATED_AT,
    extraCounters: [],
    ...over,
  };
}

function userActivityOf(days: readonly DayData[]): UserActivity[] {
  const by = new Map<string, { u: UserActivity; metrics: Counters; days: Set<string> }>();
  for (const d of days) {
    for (const r of d.records) {
      const key = `${r.kind}:${r.identity}`;
      let e = by.get(key);
      if (!e) {
        const metrics = emptyCounters();
        e = {
          u: { identity: r.identity, kind: r.kind, activeDays: 0, metrics },
          metrics,
          days: new Set(),
        };
        by.set(key, e);
      }
      addCounters(e.metrics, r.metrics);
      e.days.add(d.day);
    }
  }
  return [...by.values()].map((e) => ({ ...e.u, activeDays: e.days.size }));
}

/** Runs a whole export of generated days; `perturb` may change a day before it is given. */
async function runExport(
  o: ExportOptions,
  gen: GenerateOptions = {},
  perturb: (d: DayData) => DayData = (d) => d,
): Promise<{ result: ExportResult; days: DayData[] }> {
  const exporter = new Exporter(o);
  const days: DayData[] = [];
  try {
    for (const day of eachDay(o.range.start, o.range.end)) {
      const d = perturb(generateDay(day, gen));
      days.push(d);
      await exporter.addDay(d);
    }
    return { result: await exporter.finish(userActivityOf(days)), days };
  } catch (e) {
    await exporter.abort();
    throw e;
  }
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "exporter_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function readJson(dir: string, rel: string): unknown {
  return JSON.parse(Deno.readTextFileSync(join(dir, rel)));
}

function readNdjson(dir: string, rel: string): Record<string, unknown>[] {
  const text = Deno.readTextFileSync(join(dir, rel));
  assert.ok(text === "" || text.endsWith("\n"), `${rel} ends with a newline`);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

function assertValid(schema: Parameters<typeof validate>[0], value: unknown, what: string): void {
  assert.deepEqual(validate(schema, value), [], `${what} against ${schema}`);
}

Deno.test("Exporter writes exactly the documented layout, every JSON valid against GitHub's schemas", () =>
  withDir(async (dir) => {
    const range = { start: "2026-03-01", end: "2026-03-03" };
    const { result, days } = await runExport(options(dir, range, { csvDetail: true }));
    const expected = [
      "aggregated_metrics_20260301_to_20260303.json",
      "copilot_metrics_2026-03-01_to_2026-03-03.json",
      "copilot_usage_2026-03-01_to_2026-03-03.json",
      "daily_exports_2026-03-01_to_2026-03-03/metrics_2026-03-01.json",
      "daily_exports_2026-03-01_to_2026-03-03/metrics_2026-03-02.json",
      "daily_exports_2026-03-01_to_2026-03-03/metrics_2026-03-03.json",
      "metrics_20260301_to_20260303.csv",
      "metrics_detail_20260301_to_20260303.csv",
      "metrics_summary_20260301_to_20260303.csv",
      "usage_metrics/enterprise-1-day_2026-03-01.json",
      "usage_metrics/enterprise-1-day_2026-03-02.json",
      "usage_metrics/enterprise-1-day_2026-03-03.json",
      "usage_metrics/enterprise-28-day_2026-03-01_to_2026-03-03.json",
      "usage_metrics/users-1-day_2026-03-01.ndjson",
      "usage_metrics/users-1-day_2026-03-02.ndjson",
      "usage_metrics/users-1-day_2026-03-03.ndjson",
      "usage_metrics/users-28-day_2026-03-01_to_2026-03-03.ndjson",
    ];
    assert.deepEqual(result.files, expected);
    assert.deepEqual(await listFiles(dir), expected, "no temporary or other file on disk");
    for (const f of result.files) assert.ok(resolve(dir, f).startsWith(resolve(dir) + sep));
    assert.equal(result.days, 3);
    assert.equal(
      result.identities,
      new Set(days.flatMap((d) => d.records.map((r) => `${r.kind}:${r.identity}`))).size,
    );
    assert.deepEqual(result.warnings, []);

    // Format B: daily files and the array.
    const arrayB = readJson(dir, "copilot_metrics_2026-03-01_to_2026-03-03.json") as {
      date: string;
    }[];
    assertValid("copilot-metrics-response.schema.json", arrayB, "B array");
    assert.deepEqual(arrayB.map((d) => d.date), ["2026-03-01", "2026-03-02", "2026-03-03"]);
    for (const [i, day] of ["2026-03-01", "2026-03-02", "2026-03-03"].entries()) {
      const b = readJson(dir, `daily_exports_2026-03-01_to_2026-03-03/metrics_${day}.json`);
      assertValid("copilot-metrics-day.schema.json", b, day);
      assert.deepEqual(b, arrayB[i], "the daily file is the array's element");
    }
    // Format A.
    const arrayA = readJson(dir, "copilot_usage_2026-03-01_to_2026-03-03.json") as {
      day: string;
    }[];
    assertValid("copilot-usage-legacy-response.schema.json", arrayA, "A array");
    assert.deepEqual(arrayA.map((d) => d.day), ["2026-03-01", "2026-03-02", "2026-03-03"]);
    // Format C.
    for (const day of ["2026-03-01", "2026-03-02", "2026-03-03"]) {
      const e = readJson(dir, `usage_metrics/enterprise-1-day_${day}.json`) as Record<
        string,
        unknown
      >;
      assertValid("copilot-usage-metrics-report-entity.schema.json", e, day);
      assert.equal(e.report_start_day, day);
      assert.equal(e.report_end_day, day);
      assert.equal(e.created_at, CREATED_AT);
      assert.equal((e.day_totals as unknown[]).length, 1);
      const users = readNdjson(dir, `usage_metrics/users-1-day_${day}.ndjson`);
      const data = days.find((d) => d.day === day)!;
      assert.equal(users.length, new Set(data.records.map((r) => `${r.kind}:${r.identity}`)).size);
      for (const u of users) {
        assertValid("copilot-usage-metrics-report-user.schema.json", u, `user row ${day}`);
        assert.equal(u.day, day);
        assert.equal(typeof u.user_login, "string");
        assert.equal(u.report_start_day, undefined);
      }
    }
    const e28 = readJson(dir, "usage_metrics/enterprise-28-day_2026-03-01_to_2026-03-03.json") as {
      report_start_day: string;
      day_totals: { day: string }[];
    };
    assertValid("copilot-usage-metrics-report-entity.schema.json", e28, "28-day entity");
    assert.equal(e28.report_start_day, "2026-03-01", "a shorter range gives a shorter report");
    assert.deepEqual(e28.day_totals.map((d) => d.day), ["2026-03-01", "2026-03-02", "2026-03-03"]);
    const u28Text = Deno.readTextFileSync(
      join(dir, "usage_metrics/users-28-day_2026-03-01_to_2026-03-03.ndjson"),
    );
    const period = { startDay: "2026-03-01", endDay: "2026-03-03" };
    assert.equal(
      u28Text,
      days.map((d) =>
        toUserRows(analyzeDay(d), "ent-42", period).map((r) => JSON.stringify(r) + "\n").join("")
      )
        .join(""),
      "the 28-day users file is exactly toUserRows(…, period), day after day",
    );
    const u28 = readNdjson(dir, "usage_metrics/users-28-day_2026-03-01_to_2026-03-03.ndjson");
    assert.equal(
      u28.length,
      days.reduce((n, d) => n + new Set(d.records.map((r) => r.kind + r.identity)).size, 0),
    );
    for (const u of u28) {
      assertValid("copilot-usage-metrics-report-user.schema.json", u, "28-day user row");
      assert.equal(u.report_start_day, "2026-03-01");
      assert.equal(u.report_end_day, "2026-03-03");
    }
    const agg = readJson(dir, "aggregated_metrics_20260301_to_20260303.json") as {
      augment: { metrics: Record<string, number>; days: number };
    };
    assertValid("copilot-usage-metrics-report-entity.schema.json", agg, "aggregated");
    assert.equal(agg.augment.days, 3);
    const total = emptyCounters();
    for (const d of days) for (const r of d.records) addCounters(total, r.metrics);
    assert.deepEqual(agg.augment.metrics, { ...total });
  }));

Deno.test("Exporter writes one CSV row per (day, identity) with exact sums, neutralised and parseable", () =>
  withDir(async (dir) => {
    const range = { start: "2026-03-01", end: "2026-03-02" };
    const { days } = await runExport(
      options(dir, range, { formats: new Set(["csv"]), csvDetail: true }),
    );
    assert.deepEqual(await listFiles(dir), [
      "aggregated_metrics_20260301_to_20260302.json",
      "metrics_20260301_to_20260302.csv",
      "metrics_detail_20260301_to_20260302.csv",
      "metrics_summary_20260301_to_20260302.csv",
    ]);
    const rows = parseCsv(Deno.readTextFileSync(join(dir, "metrics_20260301_to_20260302.csv")));
    assert.deepEqual(rows[0], ["day", "identity", "identity_kind", ...KNOWN_COUNTERS]);
    const expected = new Map<string, Counters>();
    for (const d of days) {
      for (const r of d.records) {
        const k = `${d.day}|${r.identity}|${r.kind}`;
        expected.set(k, addCounters(expected.get(k) ?? emptyCounters(), r.metrics));
      }
    }
    assert.equal(rows.length - 1, expected.size);
    const seen = new Set<string>();
    for (const row of rows.slice(1)) {
      const identity = row[1].replace(/^'(?=[=+\-@\t\r])/, "");
      const k = `${row[0]}|${identity}|${row[2]}`;
      const want = expected.get(k);
      assert.ok(want, `unexpected row ${k}`);
      assert.deepEqual(row.slice(3).map(Number), KNOWN_COUNTERS.map((c) => want[c]), k);
      seen.add(k);
    }
    assert.equal(seen.size, expected.size);
    const text = rows.flat().join("\n");
    assert.ok(text.includes(`'=HYPERLINK("x")`), "a formula identity is neutralised");
    assert.ok(text.includes("'-deploy-bot"));
    assert.ok(text.includes("zoë@exämple.com"));

    const detail = parseCsv(
      Deno.readTextFileSync(join(dir, "metrics_detail_20260301_to_20260302.csv")),
    );
    assert.deepEqual(detail[0], [
      "day",
      "identity",
      "identity_kind",
      "editor",
      "language",
      ...KNOWN_COUNTERS,
    ]);
    assert.equal(detail.length - 1, days.reduce((n, d) => n + d.records.length, 0));
    assert.ok(detail.some((r) => r[3] === "vim\r\nmode"), "names as received, CRLF inside quotes");
    assert.ok(detail.some((r) => r[4] === "'+sql"), "a dangerous language name is neutralised");
    assert.ok(detail.some((r) => r[3] === "VSCode"), "case kept");

    const summary = parseCsv(
      Deno.readTextFileSync(join(dir, "metrics_summary_20260301_to_20260302.csv")),
    );
    assert.deepEqual(summary[0], ["identity", "identity_kind", "active_days", ...KNOWN_COUNTERS]);
    const ua = userActivityOf(days);
    assert.equal(summary.length - 1, ua.length);
    const ada = summary.find((r) => r[0] === "ada@example.com")!;
    const adaUa = ua.find((u) => u.identity === "ada@example.com")!;
    assert.equal(Number(ada[2]), adaUa.activeDays);
    assert.deepEqual(ada.slice(3).map(Number), KNOWN_COUNTERS.map((c) => adaUa.metrics[c]));
  }));

Deno.test("Exporter turns each unknown counter into its own CSV column and rejects one it was not told of", () =>
  withDir(async (dir) => {
    const range = { start: "2026-03-01", end: "2026-03-02" };
    const extra = { future_counter: 7, "=evil": 1 };
    const o = options(dir, range, { extraCounters: ["future_counter", "=evil", "chat_messages"] });
    const { days } = await runExport(o, { extra });
    const rows = parseCsv(Deno.readTextFileSync(join(dir, "metrics_20260301_to_20260302.csv")));
    assert.deepEqual(rows[0], [
      "day",
      "identity",
      "identity_kind",
      ...KNOWN_COUNTERS,
      "future_counter",
      "'=evil",
    ]);
    const ada = rows.filter((r) => r[1] === "ada@example.com");
    assert.ok(ada.length > 0);
    for (const r of ada) {
      assert.equal(r[19], "7", "ada carries the unknown counter on one record a day");
    }
    const bob = rows.filter((r) => r[1] === "bob@example.com");
    for (const r of bob) assert.equal(r[19], "", "no value received: empty cell");
    const b = readJson(dir, "copilot_metrics_2026-03-01_to_2026-03-02.json") as {
      augment: { metrics: Counters };
    }[];
    const sum = days[0].records.reduce((n, r) => n + (r.metrics.future_counter ?? 0), 0);
    assert.equal(b[0].augment.metrics.future_counter, sum, "B keeps the unknown counter");
    const agg = readJson(dir, "aggregated_metrics_20260301_to_20260302.json") as {
      augment: { metrics: Record<string, number> };
    };
    const total: Record<string, number> = emptyCounters();
    for (const d of days) for (const r of d.records) addCounters(total as Counters, r.metrics);
    assert.deepEqual(
      Object.entries(agg.augment.metrics),
      Object.entries(total),
      "range totals: the documented counters in order, then the unknown ones, summed",
    );

    const dir2 = join(dir, "second");
    await assert.rejects(
      () => runExport(options(dir2, range, { formats: new Set(["csv"]) }), { extra }),
      /counter "(future_counter|=evil)" is not among the extra counters/,
    );
    assert.deepEqual(await listFiles(dir2), [], "the failed run left no file");
  }));

Deno.test("Exporter warns exactly for the days whose daily-usage differs from the records", () =>
  withDir(async (dir) => {
    const range = { start: "2026-03-01", end: "2026-03-06" };
    const { result, days } = await runExport(
      options(dir, range, { formats: new Set(["csv"]), aggregate: false }),
      {},
      (d) => {
        if (d.day === "2026-03-02") {
          return {
            ...d,
            usage: { ...d.usage!, completions_accepted: d.usage!.completions_accepted + 5 },
          };
        }
        if (d.day === "2026-03-04") {
          return { ...d, usage: { ...d.usage!, chat_messages: d.usage!.chat_messages - 1 } };
        }
        if (d.day === "2026-03-05") return { ...d, usage: undefined };
        if (d.day === "2026-03-06") return { ...d, records: [] };
        return d;
      },
    );
    const byDay = Map.groupBy(result.warnings, (w) => w.day);
    assert.deepEqual([...byDay.keys()], ["2026-03-02", "2026-03-04", "2026-03-05", "2026-03-06"]);
    const d2 = days[1];
    const sum = (d: DayData, c: string) => d.records.reduce((n, r) => n + (r.metrics[c] ?? 0), 0);
    assert.deepEqual(byDay.get("2026-03-02"), [{
      day: "2026-03-02",
      counter: "completions_accepted",
      records: sum(d2, "completions_accepted"),
      dailyUsage: sum(d2, "completions_accepted") + 5,
    }]);
    assert.deepEqual(byDay.get("2026-03-04")!.map((w) => w.counter), ["chat_messages"]);
    // Records but no daily-usage entry: every non-zero counter is reported, against null.
    const d5 = days[4];
    assert.deepEqual(
      byDay.get("2026-03-05")!.map((w) => [w.counter, w.records, w.dailyUsage]),
      KNOWN_COUNTERS.filter((c) => sum(d5, c) !== 0).map((c) => [c, sum(d5, c), null]),
    );
    // daily-usage but no records.
    const d6 = generateDay("2026-03-06");
    assert.deepEqual(
      byDay.get("2026-03-06")!.map((w) => [w.counter, w.records, w.dailyUsage]),
      KNOWN_COUNTERS.filter((c) => sum(d6, c) !== 0).map((c) => [c, 0, sum(d6, c)]),
    );
  }));

Deno.test("Exporter writes a 28-day report of the last 28 days and replaces overlapping older ones", () =>
  withDir(async (dir) => {
    const gen = { identities: 2 };
    const formats = new Set<Format>(["usage-metrics"]);
    // An old report far before: it does not overlap and stays.
    await runExport(options(dir, { start: "2026-01-01", end: "2026-01-05" }, { formats }), gen);
    // 30 days: the report covers the last 28.
    const first = await runExport(
      options(dir, { start: "2026-03-01", end: "2026-03-30" }, { formats }),
      gen,
    );
    assert.ok(
      first.result.files.includes("usage_metrics/enterprise-28-day_2026-03-03_to_2026-03-30.json"),
    );
    const e28 = readJson(dir, "usage_metrics/enterprise-28-day_2026-03-03_to_2026-03-30.json") as {
      report_start_day: string;
      report_end_day: string;
      day_totals: { day: string; weekly_active_users: number; daily_active_users: number }[];
    };
    assert.equal(e28.report_start_day, "2026-03-03");
    assert.equal(e28.report_end_day, "2026-03-30");
    assert.equal(e28.day_totals.length, 28);
    assert.deepEqual(e28.day_totals.map((d) => d.day), [...eachDay("2026-03-03", "2026-03-30")]);
    for (const d of e28.day_totals) assert.ok(d.weekly_active_users >= d.daily_active_users);
    const u28 = readNdjson(dir, "usage_metrics/users-28-day_2026-03-03_to_2026-03-30.ndjson");
    assert.deepEqual(new Set(u28.map((u) => u.day)), new Set(eachDay("2026-03-03", "2026-03-30")));

    // A later run, 3 days on: the overlapping 28-day files are replaced; 1-day files accumulate.
    await runExport(options(dir, { start: "2026-03-04", end: "2026-04-02" }, { formats }), gen);
    const um = (await listFiles(dir)).filter((f) => f.includes("28-day"));
    assert.deepEqual(um, [
      "usage_metrics/enterprise-28-day_2026-01-01_to_2026-01-05.json",
      "usage_metrics/enterprise-28-day_2026-03-06_to_2026-04-02.json",
      "usage_metrics/users-28-day_2026-01-01_to_2026-01-05.ndjson",
      "usage_metrics/users-28-day_2026-03-06_to_2026-04-02.ndjson",
    ]);
    const oneDay = (await listFiles(dir)).filter((f) =>
      f.startsWith("usage_metrics/enterprise-1-day_")
    );
    assert.equal(oneDay.length, 5 + 33);
  }));

Deno.test("Exporter aborted part-way leaves the previous files byte-identical and no temporary file", () =>
  withDir(async (dir) => {
    const range = { start: "2026-03-01", end: "2026-03-04" };
    const o = options(dir, range, { csvDetail: true });
    await runExport(o);
    const before = new Map<string, string>();
    for (const f of await listFiles(dir)) before.set(f, await Deno.readTextFile(join(dir, f)));

    // Same range, other data (fewer identities), stopped after two days.
    const exporter = new Exporter({ ...o, createdAt: "2026-04-02T00:00:00.000Z" });
    await exporter.addDay(generateDay("2026-03-01", { identities: 2 }));
    await exporter.addDay(generateDay("2026-03-02", { identities: 2 }));
    await exporter.abort();
    const after = await listFiles(dir);
    assert.deepEqual(after, [...before.keys()], "no temporary file left");
    for (const f of after) {
      if (/(enterprise|users)-1-day_2026-03-0[12]|metrics_2026-03-0[12]\.json/.test(f)) continue; // written at once
      assert.equal(await Deno.readTextFile(join(dir, f)), before.get(f), `${f} unchanged`);
    }
    await assert.rejects(() => exporter.addDay(generateDay("2026-03-03")), /closed/);

    // A day that fails to convert mid-way (an unknown counter not announced) also leaves them.
    const failing = new Exporter({ ...o, formats: new Set(["csv"]) });
    await failing.addDay(generateDay("2026-03-01"));
    await assert.rejects(() =>
      failing.addDay(generateDay("2026-03-02", { extra: { surprise: 1 } }))
    );
    await failing.abort();
    assert.deepEqual(await listFiles(dir), [...before.keys()]);
    for (
      const f of ["metrics_20260301_to_20260304.csv", "metrics_detail_20260301_to_20260304.csv"]
    ) {
      assert.equal(await Deno.readTextFile(join(dir, f)), before.get(f), `${f} unchanged`);
    }
  }));

Deno.test("Exporter counts weekly/monthly actives from lookback days and reports incomplete windows", () =>
  withDir(async (dir) => {
    const range = { start: "2026-03-10", end: "2026-03-12" };
    const exporter = new Exporter(options(dir, range, { formats: new Set(["usage-metrics"]) }));
    // 2026-02-10 .. 2026-03-09: 28 days before; the window of a range day needs the last 27.
    exporter.addLookbackIdentities("2026-02-11", [{ name: "old@example.com", kind: "user" }]);
    for (const day of eachDay("2026-02-12", "2026-03-09")) {
      const d = generateDay(day, { identities: 1 });
      if (day === "2026-03-08") {
        const r = { ...d.records[0], identity: "lookback@example.com" };
        exporter.addLookbackDay({ ...d, records: [...d.records, r] });
      } else exporter.addLookbackDay(d);
    }
    assert.throws(() => exporter.addLookbackDay(generateDay("2026-03-01")), /out of order/);
    assert.throws(
      () => exporter.addLookbackDay(generateDay("2026-03-10")),
      /not before the range start/,
    );
    await assert.rejects(
      () => exporter.addDay(generateDay("2026-03-11", { identities: 1 })),
      /out of order/,
    );
    for (const day of eachDay(range.start, range.end)) {
      await exporter.addDay(generateDay(day, { identities: 1 }));
    }
    assert.throws(
      () => exporter.addLookbackDay(generateDay("2026-03-01")),
      /after the range's first day/,
    );
    const result = await exporter.finish([]);
    // 2026-02-11 (known only by identity) is in 2026-03-10's 28-day window only.
    assert.deepEqual(result.incompleteWindows, ["2026-03-10"]);
    const e = readJson(dir, "usage_metrics/enterprise-28-day_2026-03-10_to_2026-03-12.json") as {
      day_totals: {
        day: string;
        daily_active_users: number;
        weekly_active_users: number;
        monthly_active_users: number;
      }[];
    };
    // ada every day, plus lookback@ on 03-08 within 7 days; old@ (02-11) only in 03-10's 28 days.
    assert.deepEqual(
      e.day_totals.map((
        d,
      ) => [d.day, d.daily_active_users, d.weekly_active_users, d.monthly_active_users]),
      [["2026-03-10", 1, 2, 3], ["2026-03-11", 1, 2, 2], ["2026-03-12", 1, 2, 2]],
    );
  }));

Deno.test("Exporter refuses to finish before every day of the range, and invalid options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "exporter_test_" });
  try {
    const range = { start: "2026-03-01", end: "2026-03-02" };
    const exporter = new Exporter(options(dir, range));
    await exporter.addDay(generateDay("2026-03-01"));
    await assert.rejects(() => exporter.finish([]), /day "2026-03-02" and later were not given/);
    await exporter.abort();
    assert.deepEqual(
      (await listFiles(dir)).filter((f) => f.endsWith(".tmp")),
      [],
    );
    assert.throws(
      () => new Exporter(options(dir, { start: "2026-03-01", end: "../x" })),
      RangeError,
    );
    assert.throws(() => new Exporter(options(dir, range, { enterpriseId: "" })), {
      name: "UsageError",
    });
    assert.equal(IDENTITIES.length, 6);
    assert.equal(addDays("2026-03-01", 1), "2026-03-02");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Exporter writes users files identical to toUserRows() for a day with more than one batch of identities", () =>
  withDir(async (dir) => {
    const range = { start: "2026-03-01", end: "2026-03-02" };
    const { days } = await runExport(
      options(dir, range, { formats: new Set(["usage-metrics"]), aggregate: false }),
      { more: 1500 },
    );
    assert.ok(new Set(days[1].records.map((r) => r.identity)).size > 1024);
    const period = { startDay: "2026-03-01", endDay: "2026-03-02" };
    const lines = (rows: unknown[]) => rows.map((r) => JSON.stringify(r) + "\n").join("");
    for (const d of days) {
      assert.equal(
        Deno.readTextFileSync(join(dir, `usage_metrics/users-1-day_${d.day}.ndjson`)),
        lines(toUserRows(analyzeDay(d), "ent-42")),
      );
    }
    assert.equal(
      Deno.readTextFileSync(
        join(dir, "usage_metrics/users-28-day_2026-03-01_to_2026-03-02.ndjson"),
      ),
      days.map((d) => lines(toUserRows(analyzeDay(d), "ent-42", period))).join(""),
    );
  }));

Deno.test("Exporter removes temporary files left by a killed run, and only stale ones", () =>
  withDir(async (dir) => {
    const stale = join(dir, ".copilot_metrics_2026-03-01_to_2026-03-01.json.dead01.tmp");
    const young = join(dir, ".copilot_metrics_2026-03-01_to_2026-03-01.json.live01.tmp");
    await Deno.writeTextFile(stale, "[{");
    await Deno.writeTextFile(young, "[{");
    const longAgo = new Date(Date.now() - 86_400_000);
    await Deno.utime(stale, longAgo, longAgo);
    await runExport(
      options(dir, { start: "2026-03-01", end: "2026-03-01" }, { formats: new Set(["copilot"]) }),
    );
    const left = await listFiles(dir);
    assert.ok(!left.includes(".copilot_metrics_2026-03-01_to_2026-03-01.json.dead01.tmp"));
    assert.ok(left.includes(".copilot_metrics_2026-03-01_to_2026-03-01.json.live01.tmp"));
  }));

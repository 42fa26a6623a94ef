/**
 * The report's charts: plain SVG written here, on the server, from numbers already computed
 * (the page draws nothing and computes nothing). Each chart is a `<figure>` with a title and
 * description the screen reader announces (`role="img"`), a legend, a tooltip (`<title>`) on
 * every mark, and its numbers as a table underneath (in a `<details>`). Colours are CSS
 * classes (`s1` … `s6`), so the page's light and dark palettes and print apply to them.
 *
 * @module
 */
import type { Day } from "../../model/types.ts";
import { compact, esc, shortDay } from "./text.ts";

/** One series of a chart: a value per day (`null`: no value that day, e.g. a rate of 0/0). */
export interface Series {
  readonly name: string;
  /** Colour class: `s1` … `s6`. */
  readonly color: string;
  readonly values: readonly (number | null)[];
}

/** What every chart over days has. */
export interface DayChart {
  /** Unique in the page: the figure's id and the prefix of its inner ids. */
  readonly id: string;
  readonly title: string;
  /** One sentence for screen readers: what the chart shows. */
  readonly desc: string;
  readonly days: readonly Day[];
  readonly series: readonly Series[];
  /** How a value is written in tooltips and the data table. */
  readonly format: (n: number) => string;
}

const W = 600;
const H = 240;
const PAD = { left: 46, right: 10, top: 12, bottom: 26 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;
/** Above this many days, line charts draw no dot per day (the file stays small). */
const MAX_DOTS = 62;

/** `n` rounded to one decimal for coordinates. */
function r1(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** A y scale from 0: a "nice" step and top for `max` (at least 1 when `integer`). */
export function niceScale(max: number, integer: boolean): { step: number; top: number } {
  const m = max > 0 ? max : 1;
  const raw = m / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  let step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
  if (integer) step = Math.max(1, Math.round(step));
  return { step, top: Math.ceil(m / step - 1e-9) * step };
}

function yOf(v: number, top: number): number {
  return PAD.top + PLOT_H - (v / top) * PLOT_H;
}

/** Grid lines and y labels from 0 to `top`. */
function yAxis(step: number, top: number, label: (n: number) => string): string {
  let out = "";
  for (let v = 0; v <= top + step / 2; v += step) {
    const y = r1(yOf(v, top));
    out += `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>` +
      `<text class="axis" x="${PAD.left - 6}" y="${y}" dy="0.32em" text-anchor="end">` +
      `${esc(label(v))}</text>`;
  }
  return out;
}

/** Day labels under the plot: about eight, always the last day. */
function xAxis(days: readonly Day[]): string {
  const n = days.length;
  const every = Math.max(1, Math.ceil(n / 8));
  let out = "";
  for (let i = 0; i < n; i++) {
    if ((n - 1 - i) % every !== 0) continue;
    const x = r1(PAD.left + (i + 0.5) * PLOT_W / n);
    out += `<text class="axis" x="${x}" y="${H - 8}" text-anchor="middle">` +
      `${esc(shortDay(days[i]))}</text>`;
  }
  return out;
}

function legend(series: readonly { name: string; color: string }[]): string {
  return `<ul class="legend">${
    series.map((s) => `<li><span class="key ${s.color}"></span>${esc(s.name)}</li>`).join("")
  }</ul>`;
}

/** The chart's numbers as a table, for screen readers, copying, and no-SVG readers. */
function dataTable(c: DayChart): string {
  const head = c.series.map((s) => `<th scope="col">${esc(s.name)}</th>`).join("");
  const rows = c.days.map((d, i) =>
    `<tr><th scope="row">${d}</th>${
      c.series.map((s) => {
        const v = s.values[i];
        return v === null ? "<td>–</td>" : `<td>${esc(c.format(v))}</td>`;
      }).join("")
    }</tr>`
  ).join("");
  return `<details class="fallback"><summary>Data table</summary><table class="data">` +
    `<thead><tr><th scope="col">Day</th>${head}</tr></thead><tbody>${rows}</tbody></table>` +
    `</details>`;
}

function figure(c: DayChart, svgBody: string, viewH = H): string {
  return `<figure class="chart" id="${c.id}">` +
    `<figcaption><span class="ctitle">${esc(c.title)}</span>${legend(c.series)}</figcaption>` +
    `<svg viewBox="0 0 ${W} ${viewH}" role="img" aria-labelledby="${c.id}-t ${c.id}-d" ` +
    `data-days="${c.days.length}" data-series="${c.series.length}">` +
    `<title id="${c.id}-t">${esc(c.title)}</title><desc id="${c.id}-d">${esc(c.desc)}</desc>` +
    svgBody + `</svg>${dataTable(c)}</figure>`;
}

function tip(day: Day, name: string, value: string): string {
  return `<title>${esc(shortDay(day))} · ${esc(name)}: ${esc(value)}</title>`;
}

/** Columns per day: side by side (`stacked: false`) or stacked. Values are counts. */
export function columnChart(c: DayChart & { readonly stacked: boolean }): string {
  const n = c.days.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const s of c.series) {
      const v = s.values[i] ?? 0;
      max = Math.max(max, v);
      sum += v;
    }
    if (c.stacked) max = Math.max(max, sum);
  }
  const { step, top } = niceScale(max, true);
  const band = PLOT_W / n;
  const group = band * (n > 60 ? 0.9 : 0.74);
  const width = c.stacked ? group : group / c.series.length;
  let marks = "";
  for (let i = 0; i < n; i++) {
    const x0 = PAD.left + i * band + (band - group) / 2;
    let base = 0;
    c.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const y1 = yOf(c.stacked ? base + v : v, top);
      const y0 = yOf(c.stacked ? base : 0, top);
      const x = c.stacked ? x0 : x0 + k * width;
      marks +=
        `<rect class="mark ${s.color}" x="${r1(x)}" y="${r1(y1)}" width="${
          r1(Math.max(width - (c.stacked ? 0 : 1), 0.5))
        }" height="${r1(Math.max(y0 - y1, 0.5))}" data-v="${v}">` +
        `${tip(c.days[i], s.name, c.format(v))}</rect>`;
      base += v;
    });
  }
  return figure(
    c,
    `<g class="axes">${yAxis(step, top, compact)}${xAxis(c.days)}</g><g>${marks}</g>`,
  );
}

/**
 * Lines over days. `fraction`: values are not counts (rates), so the scale may step below 1;
 * `axis` writes y labels. A `null` value breaks the line.
 */
export function lineChart(
  c: DayChart & { readonly fraction?: boolean; readonly axis?: (n: number) => string },
): string {
  const n = c.days.length;
  let max = 0;
  for (const s of c.series) for (const v of s.values) if (v !== null) max = Math.max(max, v);
  const { step, top } = niceScale(max, !c.fraction);
  const band = PLOT_W / n;
  let marks = "";
  for (const s of c.series) {
    let points: string[] = [];
    const flush = () => {
      if (points.length > 0) {
        marks += `<polyline class="mark line ${s.color}" points="${points.join(" ")}"/>`;
      }
      points = [];
    };
    let dots = "";
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      const x = r1(PAD.left + (i + 0.5) * band);
      const y = r1(yOf(v, top));
      points.push(`${x},${y}`);
      if (n <= MAX_DOTS) {
        dots += `<circle class="dot ${s.color}" cx="${x}" cy="${y}" r="3" data-v="${v}">` +
          `${tip(c.days[i], s.name, c.format(v))}</circle>`;
      }
    });
    flush();
    marks += dots;
  }
  return figure(
    c,
    `<g class="axes">${yAxis(step, top, c.axis ?? compact)}${xAxis(c.days)}</g><g>${marks}</g>`,
  );
}

/** A ranked list as horizontal bars (editors, languages). */
export function barList(c: {
  readonly id: string;
  readonly title: string;
  readonly desc: string;
  /** The measure's name (legend, tooltip). */
  readonly measure: string;
  readonly rows: readonly { readonly label: string; readonly value: number }[];
  readonly format: (n: number) => string;
}): string {
  const width = 520;
  const labelW = 120;
  const valueW = 60;
  const rowH = 24;
  const h = Math.max(1, c.rows.length) * rowH + 8;
  const plotW = width - labelW - valueW;
  const max = Math.max(1, ...c.rows.map((r) => r.value));
  let body = "";
  c.rows.forEach((row, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(row.value > 0 ? 1 : 0, (row.value / max) * plotW);
    const label = row.label.length > 16 ? row.label.slice(0, 15) + "…" : row.label;
    body += `<text class="label" x="${labelW - 8}" y="${y + rowH / 2}" dy="0.32em" ` +
      `text-anchor="end">${esc(label)}</text>`;
    if (w > 0) {
      body += `<rect class="mark s1" x="${labelW}" y="${y + 3}" width="${r1(w)}" height="${
        rowH - 6
      }" data-v="${row.value}"><title>${esc(row.label)} · ${esc(c.measure)}: ${
        esc(c.format(row.value))
      }</title></rect>`;
    }
    body += `<text class="axis" x="${r1(labelW + w + 6)}" y="${y + rowH / 2}" dy="0.32em">` +
      `${esc(c.format(row.value))}</text>`;
  });
  return `<figure class="chart bars" id="${c.id}">` +
    `<figcaption><span class="ctitle">${esc(c.title)}</span></figcaption>` +
    `<svg viewBox="0 0 ${width} ${h}" role="img" aria-labelledby="${c.id}-t ${c.id}-d" ` +
    `data-rows="${c.rows.length}">` +
    `<title id="${c.id}-t">${esc(c.title)}</title><desc id="${c.id}-d">${esc(c.desc)}</desc>` +
    `${body}</svg></figure>`;
}

/**
 * The report's inline style and script: no web font, no network, light and dark palettes
 * (`prefers-color-scheme`), and a print style. The script only sorts tables: every number is
 * already in the page.
 *
 * @module
 */

/** The page's style sheet. */
export const STYLE = `
:root{color-scheme:light dark;
--bg:#f6f7f9;--panel:#fff;--fg:#1b1f24;--muted:#5b6470;--line:#e2e5e9;--grid:#eceef1;
--ok:#1e8e5a;--warn:#b86e00;--bad:#c0392b;
--c1:#2f6fdb;--c2:#14a38b;--c3:#e58a2e;--c4:#8e5bc4;--c5:#d24b6c;--c6:#8a96a3}
@media (prefers-color-scheme:dark){:root{
--bg:#0f1216;--panel:#171b21;--fg:#e6e9ed;--muted:#9aa4af;--line:#2a3039;--grid:#222831;
--ok:#4cc38a;--warn:#f0a43a;--bad:#ff7a6b;
--c1:#6ea2ff;--c2:#3fcfb2;--c3:#f5a85a;--c4:#b98ae6;--c5:#f07a94;--c6:#7d8895}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.45;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 20px 40px}
header.top{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:8px 24px;
margin-bottom:18px}
h1{font-size:22px;margin:0}
h2{font-size:17px;margin:0 0 12px}
h3{font-size:14px;margin:0 0 8px}
.meta{color:var(--muted);margin:0}
.meta b{color:var(--fg);font-weight:600}
section{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:18px 18px 14px;
margin:0 0 18px}
section>p.note{color:var(--muted);margin:-6px 0 12px;font-size:13px}
.group+.group{margin-top:14px}
.group h3{font-size:12px;color:var(--muted);font-weight:600;margin:0 0 6px}
.cards{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:12px}
@media (max-width:900px){.cards{grid-template-columns:repeat(auto-fill,minmax(160px,1fr))}}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--panel)}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.card .value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.card .sub{color:var(--muted);font-size:12px}
.card.ok .value{color:var(--ok)}.card.warn .value{color:var(--warn)}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:18px}
figure.chart{margin:0;min-width:0}
figcaption{display:flex;flex-wrap:wrap;align-items:center;gap:4px 14px;margin-bottom:6px}
.ctitle{font-weight:600}
ul.legend{display:flex;flex-wrap:wrap;gap:2px 12px;list-style:none;margin:0;padding:0;color:var(--muted);
font-size:12px}
ul.legend li{display:flex;align-items:center;gap:5px}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;background:var(--k)}
svg{display:block;width:100%;height:auto;overflow:visible}
svg text{font-size:12px;fill:var(--muted);font-family:inherit}
svg text.label{fill:var(--fg)}
svg line.grid{stroke:var(--grid);stroke-width:1}
.s1{--k:var(--c1)}.s2{--k:var(--c2)}.s3{--k:var(--c3)}.s4{--k:var(--c4)}.s5{--k:var(--c5)}.s6{--k:var(--c6)}
rect.mark{fill:var(--k)}
rect.mark:hover,circle.dot:hover{opacity:.75}
polyline.mark{fill:none;stroke:var(--k);stroke-width:2.2;stroke-linejoin:round;stroke-linecap:round}
circle.dot{fill:var(--panel);stroke:var(--k);stroke-width:2}
details.fallback{margin-top:4px;font-size:12px}
details.fallback summary{color:var(--muted);cursor:pointer}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:13px}
th,td{padding:4px 7px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
td.name,th.name{text-align:left}
thead th{font-size:12px;color:var(--muted);font-weight:600;vertical-align:bottom;white-space:normal}
h3+.scroll{margin-bottom:16px}
tbody tr:hover{background:color-mix(in srgb,var(--c1) 7%,transparent)}
table.data th,table.data td{padding:2px 8px}
th button{all:unset;cursor:pointer;display:inline-flex;gap:4px;align-items:center}
th button:focus-visible{outline:2px solid var(--c1);outline-offset:2px;border-radius:2px}
th button::after{content:"↕";opacity:.35;font-size:11px}
th[aria-sort=ascending] button::after{content:"▲";opacity:.8}
th[aria-sort=descending] button::after{content:"▼";opacity:.8}
.tag{display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;border:1px solid currentColor}
.tag.ok{color:var(--ok)}.tag.warn{color:var(--warn)}.tag.bad{color:var(--bad)}.tag.muted{color:var(--muted)}
ul.chips{display:flex;flex-wrap:wrap;gap:6px;list-style:none;margin:0 0 14px;padding:0}
.chip{min-width:58px;text-align:center;font-size:12px;padding:3px 6px;border-radius:6px;
border:1px solid transparent;font-variant-numeric:tabular-nums}
.chip.ok{background:color-mix(in srgb,var(--ok) 16%,transparent);color:var(--ok)}
.chip.warn{background:color-mix(in srgb,var(--warn) 20%,transparent);color:var(--warn);font-weight:600}
.chip.bad{background:color-mix(in srgb,var(--bad) 18%,transparent);color:var(--bad);font-weight:600}
.chip.provisional{border:1px dashed currentColor}
td.status,th.status{text-align:left}
td.detail{text-align:left;white-space:normal;color:var(--muted)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);
white-space:nowrap}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:8px}
@media (max-width:560px){.grid2{grid-template-columns:1fr}main{padding:14px 10px}}
@media print{
:root{--bg:#fff;--panel:#fff;--fg:#000;--muted:#444;--line:#ccc;--grid:#e5e5e5;
--ok:#1e8e5a;--warn:#b86e00;--bad:#c0392b;
--c1:#2f6fdb;--c2:#14a38b;--c3:#e58a2e;--c4:#8e5bc4;--c5:#d24b6c;--c6:#8a96a3;color-scheme:light}
body{font-size:11px}main{max-width:none;padding:0}
section{border:0;padding:0;margin:0 0 14px;break-inside:auto}
figure.chart,.card,tr{break-inside:avoid}
h2{break-after:avoid}
.grid2{grid-template-columns:1fr 1fr}
details.fallback{display:none}
th button::after{content:""}
@page{margin:12mm}}
`;

/**
 * Sorts a `table.sortable` by the column whose header button was clicked: numbers by their
 * `data-v`, text by its content; a first click sorts numbers high to low, text A to Z.
 */
export const SCRIPT = `
for (const table of document.querySelectorAll("table.sortable")) {
  const heads = [...table.tHead.rows[0].cells];
  heads.forEach((th, col) => {
    const button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", () => {
      const numeric = th.dataset.type === "number";
      const now = th.getAttribute("aria-sort");
      const asc = now ? now === "descending" : !numeric;
      for (const h of heads) h.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      const body = table.tBodies[0];
      const key = (row) => {
        const cell = row.cells[col];
        return numeric ? Number(cell.dataset.v ?? "NaN") : cell.textContent.trim();
      };
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a), y = key(b);
        let c;
        if (numeric) c = (Number.isNaN(x) ? -Infinity : x) - (Number.isNaN(y) ? -Infinity : y);
        else c = x.localeCompare(y, undefined, { numeric: true });
        return asc ? c : -c;
      });
      body.append(...rows);
    });
  });
}
`;

// Plain SVG charts (grouped horizontal bars, lines by day), each with its numbers as text: pure, model in, string out.
import { escapeHtml } from './escape';

/** One bar group: a key (slug, origin, partner) and one value per metric. */
export interface BarRow {
  key: string;
  values: readonly number[];
}

/** A bar chart: what it shows, the metrics drawn for each row (one bar each) and the rows, in order. */
export interface BarChart {
  id: string;
  title: string;
  /** The table's first column: "Item", "Site", "Partner". */
  keyName: string;
  metrics: readonly { name: string; label: string }[];
  rows: readonly BarRow[];
}

/** A line chart by day: one line per key (a feed), a value per day. */
export interface LineChart {
  id: string;
  title: string;
  metric: string;
  days: readonly string[];
  lines: readonly BarRow[];
}

const WIDTH = 640;
const LABEL_W = 200;
const BARS_W = 360;
const BAR_H = 14;
const GAP = 10;
// Characters of a key shown beside its bar; the whole key is in the bar's <title> and the table.
const LABEL_CHARS = 30;
const PALETTE = 8;

const nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A count as the page shows it: digits grouped by commas (1,234). */
export const formatCount = (n: number): string => nf.format(n);

const esc = escapeHtml;
const px = (n: number) => String(Math.round(n * 10) / 10);

/** The first `n` characters of `s` (code points, so no surrogate pair is split), with … when cut. */
function clip(s: string, n: number): string {
  const chars = Array.from(s);
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** 1, 2 or 5 times a power of ten, at least `n` (and at least 1): the top of an axis. */
export function niceCeil(n: number): number {
  if (!(n > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** The numbers of a chart as a table, so they can be read (and checked) without the drawing. */
function table(
  id: string,
  keyName: string,
  columns: readonly { name: string; label: string }[],
  rows: readonly BarRow[],
  series?: string,
): string {
  const head = columns.map((c) => `<th scope="col">${esc(c.label)}</th>`).join('');
  const body = rows
    .map((r) => {
      const cells = columns
        .map((c, j) => {
          const data = series === undefined ? `data-metric="${esc(c.name)}"` : `data-series="${esc(c.name)}" data-metric="${esc(series)}"`;
          return `<td ${data} data-value="${r.values[j] ?? 0}">${formatCount(r.values[j] ?? 0)}</td>`;
        })
        .join('');
      return `<tr data-key="${esc(r.key)}"><th scope="row">${esc(r.key)}</th>${cells}</tr>`;
    })
    .join('');
  return `<details><summary>The numbers</summary><table data-chart="${esc(id)}"><thead><tr><th scope="col">${esc(keyName)}</th>${head}</tr></thead><tbody>${body}</tbody></table></details>`;
}

/** A legend: one swatch per metric or line, in the palette's order. */
function legend(entries: readonly string[], kind: 'm' | 's'): string {
  const items = entries.map((e, i) => `<li><span class="swatch ${kind}${i % PALETTE}" aria-hidden="true"></span>${esc(e)}</li>`);
  return `<ul class="legend">${items.join('')}</ul>`;
}

/** Grouped horizontal bars, one group per row, labelled with the key and each bar with its number. */
export function barChart(c: BarChart): string {
  const group = c.metrics.length * BAR_H + GAP;
  const height = c.rows.length * group + GAP;
  const max = Math.max(0, ...c.rows.flatMap((r) => r.values));
  const scale = max > 0 ? BARS_W / max : 0;
  const marks = c.rows.map((r, i) => {
    const top = GAP + i * group;
    const label = `<text class="key" x="${LABEL_W - 6}" y="${px(top + (c.metrics.length * BAR_H) / 2 + 4)}" text-anchor="end">${esc(clip(r.key, LABEL_CHARS))}</text>`;
    const bars = c.metrics.map((m, j) => {
      const v = r.values[j] ?? 0;
      const y = top + j * BAR_H;
      const w = v * scale;
      return (
        `<rect class="bar m${j % PALETTE}" x="${LABEL_W}" y="${px(y + 1)}" width="${px(w)}" height="${BAR_H - 2}" data-key="${esc(r.key)}" data-metric="${esc(m.name)}" data-value="${v}">` +
        `<title>${esc(r.key)}: ${formatCount(v)} ${esc(m.label.toLowerCase())}</title></rect>` +
        `<text class="value" x="${px(LABEL_W + w + 4)}" y="${px(y + BAR_H - 3)}">${formatCount(v)}</text>`
      );
    });
    return `<g class="row">${label}${bars.join('')}</g>`;
  });
  return (
    `<svg class="plot" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${esc(c.id)}-title">` +
    `<title id="${esc(c.id)}-title">${esc(c.title)}</title>${marks.join('')}</svg>` +
    (c.metrics.length > 1
      ? legend(
          c.metrics.map((m) => m.label),
          'm',
        )
      : '') +
    table(c.id, c.keyName, c.metrics, c.rows)
  );
}

const LINE_H = 220;
const PAD_L = 48;
const PAD_R = 16;
const PAD_T = 12;
const PAD_B = 28;
// With this many days or fewer each day gets a dot, so a one-day range still draws something.
const DOTS_UP_TO = 92;

/** Lines by day on one axis from 0, the first and last day below, each line's last value in the legend. */
export function lineChart(c: LineChart): string {
  const n = c.days.length;
  const top = niceCeil(Math.max(0, ...c.lines.flatMap((l) => l.values)));
  const plotW = WIDTH - PAD_L - PAD_R;
  const plotH = LINE_H - PAD_T - PAD_B;
  const x = (i: number) => PAD_L + (n > 1 ? (i * plotW) / (n - 1) : plotW / 2);
  const y = (v: number) => PAD_T + plotH - (v / top) * plotH;
  const grid = [0, top / 2, top].map(
    (v) =>
      `<line class="grid" x1="${PAD_L}" x2="${WIDTH - PAD_R}" y1="${px(y(v))}" y2="${px(y(v))}"/>` +
      `<text class="tick" x="${PAD_L - 6}" y="${px(y(v) + 4)}" text-anchor="end">${formatCount(v)}</text>`,
  );
  const first = c.days[0] ?? '';
  const last = c.days[n - 1] ?? '';
  const axis =
    `<text class="tick" x="${PAD_L}" y="${LINE_H - 8}">${esc(first)}</text>` +
    (n > 1 ? `<text class="tick" x="${WIDTH - PAD_R}" y="${LINE_H - 8}" text-anchor="end">${esc(last)}</text>` : '');
  const lines = c.lines.map((l, k) => {
    const pts = l.values.map((v, i) => `${px(x(i))},${px(y(v))}`).join(' ');
    const end = l.values[n - 1] ?? 0;
    const dots = n <= DOTS_UP_TO ? l.values.map((v, i) => `<circle cx="${px(x(i))}" cy="${px(y(v))}" r="2.5"/>`).join('') : '';
    return (
      `<g class="line s${k % PALETTE}" data-key="${esc(l.key)}">` +
      `<title>${esc(l.key)}: ${formatCount(end)} ${esc(c.metric)} on ${esc(last)}</title>` +
      `<polyline points="${pts}"/>${dots}</g>`
    );
  });
  const byDay: BarRow[] = c.days.map((d, i) => ({ key: d, values: c.lines.map((l) => l.values[i] ?? 0) }));
  return (
    `<svg class="plot" viewBox="0 0 ${WIDTH} ${LINE_H}" width="${WIDTH}" height="${LINE_H}" role="img" aria-labelledby="${esc(c.id)}-title">` +
    `<title id="${esc(c.id)}-title">${esc(c.title)}</title>${grid.join('')}${axis}${lines.join('')}</svg>` +
    legend(
      c.lines.map((l) => `${l.key}: ${formatCount(l.values[n - 1] ?? 0)}`),
      's',
    ) +
    table(
      c.id,
      'Day',
      c.lines.map((l) => ({ name: l.key, label: l.key })),
      byDay,
      c.metric,
    )
  );
}

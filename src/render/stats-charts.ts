// The newsroom's charts (an HTML fragment of SVG and tables) from the rows GET /api/stats answers: pure, model in, string out.
import { escapeHtml, finalXml } from './escape';
import { barChart, lineChart, type BarRow } from './svg-charts';

/** A stats row as GET /api/stats answers it: a key and counts; a count it lacks is 0. */
export type CountsRow = { key: string } & Record<string, number | string>;

/** What the page draws, for one range of whole UTC days. */
export interface ChartsModel {
  from: string;
  to: string;
  /** The feeds drawn, day by day (by=day&feed=), busiest first. */
  feeds: readonly { feed: string; rows: readonly CountsRow[] }[];
  /** Feeds with subscribers in the range that are not drawn. */
  moreFeeds: number;
  /** by=item, by=site and by=partner rows. */
  items: readonly CountsRow[];
  sites: readonly CountsRow[];
  partners: readonly CountsRow[];
}

/** How many rows a bar chart draws; the rest are named as a number. */
export const TOP = 10;

/** A row's count of `metric`: 0 when the row lacks it (a metric not counted yet), or it is not a number. */
export function count(row: CountsRow, metric: string): number {
  const v = row[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * The rows with any of `metrics` counted, busiest first (by their sum, then the first metric, then
 * key), the first TOP of them, and how many were left out.
 */
export function topRows(rows: readonly CountsRow[], metrics: readonly string[]): { rows: BarRow[]; more: number } {
  const all = rows
    .map((r) => ({ key: r.key, values: metrics.map((m) => count(r, m)) }))
    .filter((r) => r.values.some((v) => v > 0))
    .sort(
      (a, b) => sum(b.values) - sum(a.values) || (b.values[0] ?? 0) - (a.values[0] ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  return { rows: all.slice(0, TOP), more: Math.max(0, all.length - TOP) };
}

const sum = (vs: readonly number[]) => vs.reduce((a, b) => a + b, 0);

type Metric = { name: string; label: string };
const M = (name: string, label: string): Metric => ({ name, label });

interface Section {
  id: string;
  heading: string;
  /** What the chart counts, in a sentence, for the reader and the svg's title. */
  about: string;
  keyName: string;
  metrics: readonly Metric[];
  rows: readonly CountsRow[];
  empty: string;
}

function section(id: string, heading: string, body: string): string {
  return `<section class="chart" id="chart-${id}" aria-labelledby="chart-${id}-h"><h2 id="chart-${id}-h">${escapeHtml(heading)}</h2>${body}</section>`;
}

function bars(s: Section, range: string): string {
  const { rows, more } = topRows(
    s.rows,
    s.metrics.map((m) => m.name),
  );
  if (rows.length === 0) return section(s.id, s.heading, `<p class="empty">${escapeHtml(s.empty)}</p>`);
  const chart = barChart({ id: s.id, title: `${s.about}, ${range}`, keyName: s.keyName, metrics: s.metrics, rows });
  const note = more ? `<p class="more">and ${more} more not shown</p>` : '';
  return section(s.id, s.heading, `<p class="about">${escapeHtml(s.about)}.</p>${chart}${note}`);
}

function subscribers(m: ChartsModel, range: string): string {
  const heading = 'Subscribers per feed';
  const drawn = m.feeds.filter((f) => f.rows.length > 0);
  if (drawn.length === 0) return section('subscribers', heading, '<p class="empty">No feed was polled in this range.</p>');
  const days = (drawn[0] as (typeof drawn)[number]).rows.map((r) => r.key);
  const lines = drawn.map((f) => ({ key: f.feed, values: f.rows.map((r) => count(r, 'subscribers')) }));
  const about = 'Subscribers of each feed by day: aggregators’ reported counts plus the day’s distinct direct pollers';
  const chart = lineChart({ id: 'subscribers', title: `${about}, ${range}`, metric: 'subscribers', days, lines });
  const note = m.moreFeeds ? `<p class="more">and ${m.moreFeeds} more feeds not shown</p>` : '';
  return section('subscribers', heading, `<p class="about">${escapeHtml(about)}.</p>${chart}${note}`);
}

/**
 * The newsroom's charts for the model's range: subscribers, items, embedding sites, downloads, partner
 * deliveries. Every key is escaped, and no character XML forbids is left, so any parser reads it alike.
 */
export function renderStatsCharts(m: ChartsModel): string {
  const range = m.from === m.to ? m.from : `${m.from} to ${m.to}`;
  const parts = [
    subscribers(m, range),
    bars(
      {
        id: 'items',
        heading: 'Top items',
        about: 'Item page views by people and player plays, per item',
        keyName: 'Item',
        metrics: [M('views', 'Views'), M('plays', 'Plays')],
        rows: m.items,
        empty: 'No item was viewed or played in this range.',
      },
      range,
    ),
    bars(
      {
        id: 'sites',
        heading: 'Embedding sites',
        about: 'Player impressions and plays, per site that embeds the player',
        keyName: 'Site',
        metrics: [M('impressions', 'Impressions'), M('plays', 'Plays')],
        rows: m.sites,
        empty: 'No embedded player was seen in this range.',
      },
      range,
    ),
    bars(
      {
        id: 'downloads',
        heading: 'Downloads',
        about: 'Podcast downloads (IAB rules), per item',
        keyName: 'Item',
        metrics: [M('downloads', 'Downloads')],
        rows: m.items,
        empty: 'Nothing was downloaded in this range.',
      },
      range,
    ),
    bars(
      {
        id: 'partners',
        heading: 'Partner deliveries',
        about: 'Fetches of partner documents (200 and 304), per partner',
        keyName: 'Partner',
        metrics: [M('fetches', 'Fetches')],
        rows: m.partners,
        empty: 'No partner fetched its documents in this range.',
      },
      range,
    ),
  ];
  return finalXml(
    `<div class="charts" data-from="${escapeHtml(m.from)}" data-to="${escapeHtml(m.to)}"><p class="range">${escapeHtml(range)} (UTC days)</p>${parts.join('')}</div>`,
  );
}

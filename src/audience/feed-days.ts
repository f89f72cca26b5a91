// Per-feed daily series (subscribers and fetches): what "subscribers per feed over time" draws.
import type { StatsRow } from './queries';

const DAY = 86_400_000;

/** One feed's days over the range, in order, every day (zeros too), as `{key: day, subscribers, fetches}`. */
export interface FeedDays {
  feed: string;
  rows: StatsRow[];
}

/**
 * Each of `feeds` by UTC day over [from, to): the day's subscribers (a level: one value a day, made by
 * the rollup) and its fetches (summed over the day's hours). In the order `feeds` gives.
 */
export function feedDaysOf(sql: SqlStorage, feeds: readonly string[], from: number, to: number): FeedDays[] {
  const days: string[] = [];
  for (let d = from; d < to; d += DAY) days.push(new Date(d).toISOString().slice(0, 10));
  const out = new Map<string, Map<string, StatsRow>>();
  for (const feed of feeds) {
    if (!out.has(feed)) out.set(feed, new Map(days.map((day) => [day, { key: day, subscribers: 0, fetches: 0 }])));
  }
  if (out.size === 0) return [];
  const list = [...out.keys()];
  const cells = sql.exec<{ key: string; d: number; metric: string; v: number }>(
    `SELECT key, at - at % ${DAY} AS d, metric, SUM(value) AS v FROM series
     WHERE dim = 'feed' AND key IN (${list.map(() => '?').join(', ')}) AND metric IN ('subscribers', 'fetches') AND at >= ? AND at < ?
     GROUP BY key, d, metric`,
    ...list,
    from,
    to,
  );
  for (const c of cells) {
    const row = out.get(c.key)?.get(new Date(c.d).toISOString().slice(0, 10));
    if (row) row[c.metric] = c.v;
  }
  return list.map((feed) => ({ feed, rows: [...(out.get(feed) as Map<string, StatsRow>).values()] }));
}

// Each item's all-time totals from the audience series: what the live counts on its page are made of.
import { LIVE_METRICS, type ItemTotals, type LiveMetric } from '../render/item-counts';

export type { ItemTotals };

/** Sums the `item` series of every live metric over all time, one entry per slug. */
export function itemTotalsOf(sql: SqlStorage): ItemTotals[] {
  const bySlug = new Map<string, ItemTotals>();
  const rows = sql.exec<{ key: string; metric: LiveMetric; v: number }>(
    `SELECT key, metric, SUM(value) AS v FROM series WHERE dim = 'item' AND metric IN (${LIVE_METRICS.map(() => '?').join(', ')})
     GROUP BY key, metric`,
    ...LIVE_METRICS,
  );
  for (const r of rows) {
    const t = bySlug.get(r.key) ?? { slug: r.key };
    t[r.metric] = r.v;
    bySlug.set(r.key, t);
  }
  return [...bySlug.values()];
}

// Reading the audience store's series and delivery log into the shapes GET /api/stats and /deliveries answer.

/** What a stats row is keyed by. */
export const STATS_BY = ['day', 'item', 'feed', 'partner', 'site'] as const;
export type StatsBy = (typeof STATS_BY)[number];

/** One row: the key (slug, feed path, partner id, site origin or day) and its counts. */
export type StatsRow = { key: string } & Record<string, number | string>;

const DAY = 86_400_000;

// The counts each kind of row always has (0 when nothing was counted), in the order they are shown.
const COUNTS: Record<StatsBy, readonly string[]> = {
  day: ['views', 'fetches', 'subscribers', 'shares', 'impressions', 'plays', 'downloads'],
  item: ['views', 'shares', 'impressions', 'plays', 'q25', 'q50', 'q75', 'completes', 'downloads'],
  feed: ['subscribers', 'fetches'],
  partner: ['fetches'],
  // Keyed by the embedding page's origin; "" when the player did not know it (no referrer, not in a frame).
  site: ['impressions', 'plays', 'q25', 'q50', 'q75', 'completes'],
};

const DAY_ITEM_METRICS = new Set(['views', 'shares', 'impressions', 'plays', 'downloads']);

type Cell = { key: string; metric: string; v: number };

function pivot(by: StatsBy, cells: readonly Cell[], keys: readonly string[] = []): StatsRow[] {
  const rows = new Map<string, StatsRow>();
  const row = (key: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, ...Object.fromEntries(COUNTS[by].map((c) => [c, 0])) }));
    return r;
  };
  for (const k of keys) row(k);
  for (const c of cells) {
    const r = row(c.key);
    r[c.metric] = (Number(r[c.metric]) || 0) + c.v;
  }
  return [...rows.values()];
}

/** The series over [from, to) by `by`: days in order (every day, zeros too), anything else busiest first. */
export function statsOf(sql: SqlStorage, by: StatsBy, from: number, to: number): StatsRow[] {
  if (by === 'day') {
    const cells = sql
      .exec<{ d: number; dim: string; metric: string; v: number }>(
        `SELECT at - at % ${DAY} AS d, dim, metric, SUM(value) AS v FROM series WHERE at >= ? AND at < ? GROUP BY d, dim, metric`,
        from,
        to,
      )
      .toArray()
      .flatMap(({ d, dim, metric, v }): Cell[] => {
        const key = new Date(d).toISOString().slice(0, 10);
        // Player events are summed by item (each is also under its site: counted once here).
        if (dim === 'item' && DAY_ITEM_METRICS.has(metric)) return [{ key, metric, v }];
        if ((dim === 'feed' || dim === 'partner') && metric === 'fetches') return [{ key, metric, v }];
        if (dim === 'feed' && metric === 'subscribers') return [{ key, metric, v }];
        return [];
      });
    const days: string[] = [];
    for (let d = from; d < to; d += DAY) days.push(new Date(d).toISOString().slice(0, 10));
    return pivot(by, cells, days);
  }
  const dim = by;
  const cells = sql
    .exec<Cell>(
      `SELECT key, metric, SUM(value) AS v FROM series WHERE dim = ? AND at >= ? AND at < ? AND metric <> 'subscribers' GROUP BY key, metric`,
      dim,
      from,
      to,
    )
    .toArray();
  // Subscribers are a level, not a sum: a feed's count on the last day of the range that has one.
  const levels = sql
    .exec<Cell>(
      `SELECT key, 'subscribers' AS metric, value AS v FROM series s WHERE dim = ? AND metric = 'subscribers' AND at >= ? AND at < ?
       AND at = (SELECT MAX(at) FROM series WHERE dim = s.dim AND key = s.key AND metric = 'subscribers' AND at >= ? AND at < ?)`,
      dim,
      from,
      to,
      from,
      to,
    )
    .toArray();
  const first = COUNTS[by][0] as string;
  return pivot(by, [...cells, ...levels]).sort((a, b) => Number(b[first]) - Number(a[first]) || (a.key < b.key ? -1 : 1));
}

/** One fetch of a partner document. */
export interface Delivery {
  doc: string;
  etag: string;
  status: number;
  credential: string;
  at: string;
}

/** A credential's fetches in the range and the most networks it was seen from within one clock hour. */
export interface CredentialUse {
  id: string;
  fetches: number;
  networks: number;
  possiblyLeaked: boolean;
}

export interface Deliveries {
  deliveries: Delivery[];
  credentials: CredentialUse[];
}

// The log answers this many fetches at most, newest first; the credential summary covers the whole range.
const MAX_DELIVERIES = 1000;

/** A partner's fetches over [from, to) and, per credential, whether it looks leaked (more than `leakNetworks` networks in an hour). */
export function deliveriesOf(sql: SqlStorage, partner: string, from: number, to: number, leakNetworks: number): Deliveries {
  const deliveries: Delivery[] = [];
  const rows = sql.exec<{ at: number; doc: string; etag: string; status: number; credential: string; n: number }>(
    'SELECT at, doc, etag, status, credential, n FROM deliveries WHERE partner = ? AND at >= ? AND at < ? ORDER BY at DESC LIMIT ?',
    partner,
    from,
    to,
    MAX_DELIVERIES,
  );
  for (const r of rows) {
    const d = { doc: r.doc, etag: r.etag, status: r.status, credential: r.credential, at: new Date(r.at).toISOString() };
    for (let i = 0; i < r.n && deliveries.length < MAX_DELIVERIES; i++) deliveries.push(d);
  }
  const credentials = sql
    .exec<{ id: string; fetches: number; networks: number }>(
      `SELECT credential AS id, SUM(f) AS fetches, MAX(c) AS networks FROM (
         SELECT credential, at / 3600000 AS h, SUM(n) AS f, COUNT(DISTINCT network) AS c FROM deliveries
         WHERE partner = ? AND at >= ? AND at < ? GROUP BY credential, h)
       GROUP BY credential ORDER BY credential`,
      partner,
      from,
      to,
    )
    .toArray()
    .map((c) => ({ id: c.id, fetches: c.fetches, networks: c.networks, possiblyLeaked: c.networks > leakNetworks }));
  return { deliveries, credentials };
}

// Reading the raw points back from Workers Analytics Engine through its SQL API (production's rollup).
import { BLOBS, DOUBLES, type PointKind, type WeightedPoint } from './points';

/** The dataset wrangler.toml binds as AUDIENCE. */
export const DATASET = 'wirefeed_audience';

const col = (name: (typeof BLOBS)[number] | (typeof DOUBLES)[number]) => {
  const b = BLOBS.indexOf(name as (typeof BLOBS)[number]);
  return b >= 0 ? `blob${b + 1}` : `double${DOUBLES.indexOf(name as (typeof DOUBLES)[number]) + 1}`;
};

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * The queries for [from, until): polls, views, embed events, shares and downloads grouped by hour
 * (their visitors, services, sites and events kept apart, so the day's distinct pollers and visitors,
 * each service's count and each listener's bytes survive: a download's bytes summed), deliveries one
 * row per fetch. Analytics Engine samples under load; `_sample_interval` is how many requests a row
 * stands for, and how many times its bytes count; its largest in a group (w), how many visitors the
 * row's visitor stands for.
 */
export function analyticsQueries(from: number, until: number): string[] {
  const when = `timestamp >= toDateTime(${seconds(from)}) AND timestamp < toDateTime(${seconds(until)})`;
  const kind = col('kind');
  return [
    `SELECT ${kind} AS kind, ${col('key')} AS key, ${col('source')} AS source, ${col('doc')} AS doc, '' AS etag, ${col('visitor')} AS visitor, ` +
      `toUnixTimestamp(toStartOfHour(timestamp)) * 1000 AS at, ${col('status')} AS status, max(${col('subscribers')}) AS subscribers, ` +
      `SUM(${col('bytes')} * _sample_interval) AS bytes, max(${col('minute')}) AS minute, ` +
      `SUM(_sample_interval) AS n, max(_sample_interval) AS w FROM ${DATASET} WHERE ${when} AND ${kind} IN ('poll', 'view', 'embed', 'share', 'download') ` +
      `GROUP BY kind, key, source, doc, visitor, at, status FORMAT JSON`,
    `SELECT ${kind} AS kind, ${col('key')} AS key, ${col('source')} AS source, ${col('doc')} AS doc, ${col('etag')} AS etag, ` +
      `${col('visitor')} AS visitor, ${col('at')} AS at, ${col('status')} AS status, 0 AS subscribers, 0 AS bytes, 0 AS minute, ` +
      `_sample_interval AS n, _sample_interval AS w ` +
      `FROM ${DATASET} WHERE ${when} AND ${kind} = 'delivery' ORDER BY at FORMAT JSON`,
  ];
}

/** The SQL API's address for an account. */
export const sqlEndpoint = (accountId: string) => `https://api.cloudflare.com/client/v4/accounts/${accountId}/analytics_engine/sql`;

const KINDS: readonly PointKind[] = ['poll', 'view', 'delivery', 'embed', 'share', 'download'];

/** A row of the SQL API's JSON answer as a weighted point (numbers may come back as strings); null if it is not one. */
export function rowToPoint(row: Record<string, unknown>): WeightedPoint | null {
  const kind = KINDS.find((k) => k === row.kind);
  if (!kind) return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN);
  const at = num(row.at);
  const n = num(row.n);
  const w = num(row.w);
  if (!Number.isFinite(at) || !Number.isFinite(n) || n <= 0) return null;
  return {
    kind,
    at,
    key: text(row.key),
    source: text(row.source),
    doc: text(row.doc),
    etag: text(row.etag),
    visitor: text(row.visitor),
    status: num(row.status) || 0,
    subscribers: num(row.subscribers) || 0,
    bytes: num(row.bytes) || 0,
    minute: num(row.minute) || 0,
    n,
    // A row without it (a query before it was asked) stands for its visitors one to one.
    w: Number.isFinite(w) && w > 0 ? w : 1,
  };
}

/** Runs the queries for [from, until) against the account's SQL API with the token; the points, or an error naming what failed. */
export async function readAnalytics(accountId: string, token: string, from: number, until: number): Promise<WeightedPoint[]> {
  const points: WeightedPoint[] = [];
  for (const query of analyticsQueries(from, until)) {
    const res = await fetch(sqlEndpoint(accountId), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: query });
    if (!res.ok) throw new Error(`Analytics Engine SQL API answered ${res.status}`);
    const body = (await res.json()) as { data?: Record<string, unknown>[] };
    for (const row of body.data ?? []) {
      const p = rowToPoint(row);
      if (p) points.push(p);
    }
  }
  return points;
}

// The audience API: GET /api/stats (the rolled-up series) and GET /api/partners/:id/deliveries (each fetch).
import { Hono } from 'hono';
import { audienceStore } from '../audience/access';
import { STATS_BY, type StatsBy } from '../audience/queries';
import { fieldError } from '../errors';
import { SLUG_PATTERN } from '../model/limits';
import { resolvePath } from '../model/paths';
import type { ApiEnv } from './api-support';

const DAY = 86_400_000;
// A year and a day: a year's chart, and no answer the store must work long for.
const MAX_DAYS = 366;
// Without from/to: the last seven days, today included.
const DEFAULT_DAYS = 7;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Longer than any feed path the URL contract makes (a name is at most 150 bytes encoded).
const MAX_FEED_PATH = 512;

const unprocessable = (field: string, message: string) => fieldError(422, field, message);

/** A "YYYY-MM-DD" parameter as the start of that UTC day, or a 422 naming it. */
function day(value: string, field: string): number {
  const ms = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw unprocessable(field, 'must be a date, YYYY-MM-DD');
  return ms;
}

/**
 * The range `from`…`to` (whole UTC days, both included) as [start, end) in ms, and as the days it
 * names; without `from`, the `defaultDays` days up to `to` (today without it).
 */
export function range(
  from: string | undefined,
  to: string | undefined,
  now: number,
  defaultDays = DEFAULT_DAYS,
): { start: number; end: number; from: string; to: string } {
  const last = to === undefined ? now - (now % DAY) : day(to, 'to');
  const first = from === undefined ? last - (defaultDays - 1) * DAY : day(from, 'from');
  if (first > last) throw unprocessable('from', 'must not be after to');
  if (last - first >= MAX_DAYS * DAY) throw unprocessable('from', `must be at most ${MAX_DAYS} days before to`);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { start: first, end: last + DAY, from: iso(first), to: iso(last) };
}

/**
 * `feed` (with by=day only): a feed's path as the URL contract names feeds (`/feed.xml`,
 * `/tags/x/feed.atom`), answered in its canonical form; anything else is a 422 naming it.
 */
function feedParam(value: string | undefined, by: string): string | undefined {
  if (value === undefined) return undefined;
  if (by !== 'day') throw unprocessable('feed', 'is taken with by=day only');
  const target = value.length <= MAX_FEED_PATH ? resolvePath(value) : null;
  if (target?.role !== 'feed') throw unprocessable('feed', 'must be the path of a feed, such as /feed.xml');
  return target.path;
}

export const stats = new Hono<ApiEnv>();

// Reads answer from the audience store alone: never the writer, so a busy publish never holds a chart.
stats.get('/stats', async (c) => {
  const by = c.req.query('by') ?? 'day';
  if (!STATS_BY.includes(by as StatsBy)) throw unprocessable('by', `must be one of ${STATS_BY.join(', ')}`);
  const feed = feedParam(c.req.query('feed'), by);
  const r = range(c.req.query('from'), c.req.query('to'), Date.now());
  if (feed !== undefined) {
    const [days] = await audienceStore(c.env).feedDays([feed], r.start, r.end);
    return c.json({ from: r.from, to: r.to, by, feed, rows: days?.rows ?? [] });
  }
  const rows = await audienceStore(c.env).stats(by as StatsBy, r.start, r.end);
  return c.json({ from: r.from, to: r.to, by, rows });
});

stats.get('/partners/:id/deliveries', async (c) => {
  const partner = c.req.param('id');
  if (!SLUG_PATTERN.test(partner)) throw unprocessable('id', 'is not a partner id');
  const r = range(c.req.query('from'), c.req.query('to'), Date.now());
  const leak = Number(c.env.AUDIENCE_LEAK_NETWORKS) || 3;
  const found = await audienceStore(c.env).deliveries(partner, r.start, r.end, leak);
  return c.json({ partner, from: r.from, to: r.to, ...found });
});

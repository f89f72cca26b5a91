// The audience API: GET /api/stats (the rolled-up series) and GET /api/partners/:id/deliveries (each fetch).
import { Hono } from 'hono';
import { audienceStore } from '../audience/access';
import { STATS_BY, type StatsBy } from '../audience/queries';
import { fieldError } from '../errors';
import { SLUG_PATTERN } from '../model/limits';
import type { ApiEnv } from './api-support';

const DAY = 86_400_000;
// A year and a day: a year's chart, and no answer the store must work long for.
const MAX_DAYS = 366;
// Without from/to: the last seven days, today included.
const DEFAULT_DAYS = 7;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const unprocessable = (field: string, message: string) => fieldError(422, field, message);

/** A "YYYY-MM-DD" parameter as the start of that UTC day, or a 422 naming it. */
function day(value: string, field: string): number {
  const ms = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw unprocessable(field, 'must be a date, YYYY-MM-DD');
  return ms;
}

/** The range `from`…`to` (whole UTC days, both included) as [start, end) in ms, and as the days it names. */
export function range(
  from: string | undefined,
  to: string | undefined,
  now: number,
): { start: number; end: number; from: string; to: string } {
  const last = to === undefined ? now - (now % DAY) : day(to, 'to');
  const first = from === undefined ? last - (DEFAULT_DAYS - 1) * DAY : day(from, 'from');
  if (first > last) throw unprocessable('from', 'must not be after to');
  if (last - first >= MAX_DAYS * DAY) throw unprocessable('from', `must be at most ${MAX_DAYS} days before to`);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { start: first, end: last + DAY, from: iso(first), to: iso(last) };
}

export const stats = new Hono<ApiEnv>();

// Reads answer from the audience store alone: never the writer, so a busy publish never holds a chart.
stats.get('/stats', async (c) => {
  const by = c.req.query('by') ?? 'day';
  if (!STATS_BY.includes(by as StatsBy)) throw unprocessable('by', `must be one of ${STATS_BY.join(', ')}`);
  const r = range(c.req.query('from'), c.req.query('to'), Date.now());
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

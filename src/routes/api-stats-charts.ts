// GET /api/stats/charts: the newsroom page's charts as an HTML fragment (SVG and tables), from the same store reads as GET /api/stats.
import { Hono } from 'hono';
import { audienceStore } from '../audience/access';
import { renderStatsCharts } from '../render/stats-charts';
import type { ApiEnv } from './api-support';
import { range } from './api-stats';

// The page's default range: the last 30 days, today included.
const DEFAULT_DAYS = 30;
// Lines one chart can tell apart; the others are named as a number.
const MAX_FEEDS = 8;

export const statsCharts = new Hono<ApiEnv>();

statsCharts.get('/stats/charts', async (c) => {
  const r = range(c.req.query('from'), c.req.query('to'), Date.now(), DEFAULT_DAYS);
  const store = audienceStore(c.env);
  const [feeds, items, sites, partners] = await Promise.all([
    store.stats('feed', r.start, r.end),
    store.stats('item', r.start, r.end),
    store.stats('site', r.start, r.end),
    store.stats('partner', r.start, r.end),
  ]);
  // by=feed is busiest first by subscribers (the last day's level); a feed with none had only bots.
  const polled = feeds.filter((f) => Number(f.subscribers) > 0).map((f) => f.key);
  const drawn = polled.slice(0, MAX_FEEDS);
  const days = drawn.length ? await store.feedDays(drawn, r.start, r.end) : [];
  const html = renderStatsCharts({ from: r.from, to: r.to, feeds: days, moreFeeds: polled.length - drawn.length, items, sites, partners });
  return c.body(html, 200, { 'Content-Type': 'text/html; charset=utf-8' });
});

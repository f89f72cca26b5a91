// GET /api/stats: the shape DESIGN.md gives, every `by`, the 422s, the token; and the cron rollup that feeds it.
import { SELF, createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Wirefeed from '../../src/index';
import { api, ORIGIN, publish, syntheticItem } from '../helpers';
import { DAY_ZERO, ITEM_ZERO, cron, rawPoints, storeTables, visit } from '../audience-helpers';

const NOON = Date.UTC(2026, 11, 6, 12);
afterEach(() => vi.useRealTimers());

const stats = (q: string) => api('GET', `/stats${q}`);

describe('GET /api/stats', () => {
  it('answers {from, to, by, rows} for each by; days without counts are rows of zeros', async () => {
    await publish(syntheticItem(1));
    vi.useFakeTimers({ toFake: ['Date'], now: NOON });
    await visit('/articles/item-1');
    await visit('/feed.xml');
    await visit('/feed.xml', { ua: 'Feedbin feed-id:5678 - 3 subscribers' });
    await cron();
    const day = await (await stats('')).json<any>();
    // Without from and to: the last seven days, today included.
    expect(day.from).toBe('2026-11-30');
    expect(day.to).toBe('2026-12-06');
    expect(day.by).toBe('day');
    expect(day.rows).toHaveLength(7);
    expect(day.rows[0]).toEqual({ key: '2026-11-30', ...DAY_ZERO });
    expect(day.rows[6]).toEqual({ key: '2026-12-06', ...DAY_ZERO, views: 1, fetches: 2, subscribers: 4 });
    const q = '&from=2026-12-06&to=2026-12-06';
    expect(await (await stats(`?by=item${q}`)).json()).toEqual({
      from: '2026-12-06',
      to: '2026-12-06',
      by: 'item',
      rows: [{ key: 'item-1', ...ITEM_ZERO, views: 1 }],
    });
    expect((await (await stats(`?by=feed${q}`)).json<any>()).rows).toEqual([{ key: '/feed.xml', subscribers: 4, fetches: 2 }]);
    expect((await (await stats(`?by=partner${q}`)).json<any>()).rows).toEqual([]);
    // Embedding sites count the player's beacons: none was sent.
    expect((await (await stats(`?by=site${q}`)).json<any>()).rows).toEqual([]);
    // The day before holds nothing.
    expect((await (await stats('?by=item&from=2026-12-05&to=2026-12-05')).json<any>()).rows).toEqual([]);
  });

  it.each([
    ['?by=week', 'by'],
    ['?by=', 'by'],
    ['?from=yesterday', 'from'],
    ['?from=2026-02-30', 'from'],
    ['?to=2026-13-01', 'to'],
    ['?from=2026-12-07&to=2026-12-06', 'from'],
    ['?from=2024-01-01&to=2026-12-06', 'from'],
  ])('%s is a 422 naming %s', async (q, field) => {
    const res = await stats(q);
    expect(res.status).toBe(422);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect((await res.json<any>()).field).toBe(field);
  });

  it('needs the newsroom token, and is never cached', async () => {
    expect((await SELF.fetch(`${ORIGIN}/api/stats`)).status).toBe(401);
    expect((await SELF.fetch(`${ORIGIN}/api/partners/msn/deliveries`)).status).toBe(401);
    const res = await stats('?by=feed');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect((await api('GET', '/partners/Not_An_Id/deliveries')).status).toBe(422);
  });
});

describe('the rollup', () => {
  it('the cron folds raw points into hourly series and drops them; a second run counts nothing twice', async () => {
    await publish(syntheticItem(1));
    vi.useFakeTimers({ toFake: ['Date'], now: NOON });
    // Three readers (one reader's reloads count once a day: test/read/audience-counting.test.ts).
    await visit('/articles/item-1', { address: '198.51.100.1' });
    vi.setSystemTime(NOON + 3_600_000);
    await visit('/articles/item-1', { address: '198.51.100.2' });
    await visit('/articles/item-1', { address: '198.51.100.3' });
    expect(await rawPoints()).toHaveLength(3);
    await cron();
    expect(await rawPoints()).toEqual([]);
    const series = (await storeTables()).series?.filter((s) => s.dim === 'item');
    expect(series).toEqual([
      { at: NOON, dim: 'item', key: 'item-1', metric: 'views', value: 1 },
      { at: NOON + 3_600_000, dim: 'item', key: 'item-1', metric: 'views', value: 2 },
    ]);
    await cron();
    await visit('/articles/item-1', { address: '198.51.100.4' });
    await cron();
    expect((await (await stats('?by=item&from=2026-12-06&to=2026-12-06')).json<any>()).rows).toEqual([
      { key: 'item-1', ...ITEM_ZERO, views: 4 },
    ]);
    expect((await storeTables()).rollup).toEqual([{ id: 1, done_until: NOON + 3_600_001 }]);
  });

  it('a feed polled over days: by=feed gives the last day’s subscribers and every day’s fetches', async () => {
    await publish(syntheticItem(1));
    vi.useFakeTimers({ toFake: ['Date'], now: NOON });
    await visit('/feed.xml', { ua: 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 10 subscribers)' });
    await cron();
    vi.setSystemTime(NOON + 86_400_000);
    await visit('/feed.xml', { ua: 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 11 subscribers)' });
    await cron();
    const rows = (await (await stats('?by=feed&from=2026-12-06&to=2026-12-07')).json<any>()).rows;
    expect(rows).toEqual([{ key: '/feed.xml', subscribers: 11, fetches: 2 }]);
    const first = (await (await stats('?by=feed&from=2026-12-06&to=2026-12-06')).json<any>()).rows;
    expect(first).toEqual([{ key: '/feed.xml', subscribers: 10, fetches: 1 }]);
  });

  it("a failing rollup is logged and leaves the cron's tick answering", async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ctx = createExecutionContext();
    // The Analytics Engine sink without its account id: the rollup cannot read anything back.
    await expect(
      new Wirefeed(ctx, { ...env, AUDIENCE_SINK: 'analytics-engine' }).scheduled(createScheduledController()),
    ).resolves.toBeUndefined();
    await waitOnExecutionContext(ctx);
    expect(errors).toHaveBeenCalledWith('audience rollup failed', expect.stringMatching(/AUDIENCE_ACCOUNT_ID/));
    errors.mockRestore();
  });
});

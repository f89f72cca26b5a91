// The Analytics Engine sink and its rollup, as far as they run here: the points the gateway hands the
// binding, and the rollup reading an hour back through the SQL API (its answer stubbed: untested against Cloudflare).
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rollup } from '../../src/audience/rollup';
import { publish, api, syntheticItem } from '../helpers';
import { ITEM_ZERO, SITE_ZERO, rawPoints, storeTables, visit } from '../audience-helpers';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 11, 6, 12, 30);
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the analytics-engine sink', () => {
  it('writes one data point per counted request to the binding, none to the local store', async () => {
    await publish(syntheticItem(1));
    const written: AnalyticsEngineDataPoint[] = [];
    const patch = {
      AUDIENCE_SINK: 'analytics-engine',
      AUDIENCE: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void written.push(p ?? {}) },
    };
    vi.useFakeTimers({ toFake: ['Date'], now: T });
    await visit('/articles/item-1', { patch });
    await visit('/feed.xml', { patch, ua: 'Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 12 subscribers; )' });
    await visit('/articles/item-1', { patch, ua: 'Twitterbot/1.0' });
    expect(written).toEqual([
      // A view carries the visitor's daily key (16 hex digits), so the rollup counts a reader once a day.
      {
        indexes: ['view:item-1'],
        blobs: ['view', 'item-1', '', '', '', expect.stringMatching(/^[0-9a-f]{16}$/)],
        doubles: [T, 200, 0, 0, 0],
      },
      { indexes: ['poll:/feed.xml'], blobs: ['poll', '/feed.xml', 'inoreader', '', '', ''], doubles: [T, 200, 12, 0, 0] },
    ]);
    expect(await rawPoints()).toEqual([]);
  });

  it('the rollup reads each complete hour back once, through the SQL API with the token, and folds it in', async () => {
    const calls: { url: string; auth: string | null; body: string }[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const body = String(init?.body);
      calls.push({ url: String(input), auth: new Headers(init?.headers).get('Authorization'), body });
      const hour = Date.UTC(2026, 11, 6, 11);
      const embed = (visitor: string, doc: string, source: string, n: number) => ({
        kind: 'embed',
        key: 'item-1',
        source,
        doc,
        etag: '',
        visitor,
        at: hour,
        status: 204,
        subscribers: 0,
        n,
      });
      const data = body.includes("IN ('poll', 'view', 'embed', 'share', 'download')")
        ? [
            // One visitor's three plays on one site in the hour are one play; another visitor's is another;
            // the first visitor's play on another site is a play for that site, not another of the item.
            embed('v1', 'play', 'https://a.example', 3),
            embed('v2', 'play', 'https://a.example', 1),
            embed('v1', 'impression', 'https://a.example', 1),
            embed('v1', 'play', 'https://b.example', 1),
            embed('v1', 'nonsense', 'https://b.example', 1),
            { kind: 'share', key: 'item-1', source: 'copy', doc: '', etag: '', visitor: 'v1', at: hour, status: 204, subscribers: 0, n: 2 },
            {
              kind: 'view',
              key: 'item-1',
              source: '',
              doc: '',
              etag: '',
              visitor: '',
              at: String(Date.UTC(2026, 11, 6, 11)),
              status: 200,
              subscribers: 0,
              n: '5',
            },
            // Sampled one in ten: the visitor's row stands for ten visitors' views (w, the largest sample interval).
            {
              kind: 'view',
              key: 'item-1',
              source: '',
              doc: '',
              etag: '',
              visitor: 'v9',
              at: hour,
              status: 200,
              subscribers: 0,
              n: 10,
              w: '10',
            },
            {
              kind: 'poll',
              key: '/feed.xml',
              source: 'feedly',
              doc: '',
              etag: '',
              visitor: '',
              at: Date.UTC(2026, 11, 6, 11),
              status: 200,
              subscribers: 42,
              n: 2,
            },
            // A listener's ranges in the hour, summed per enclosure path (the query groups by doc): under
            // a minute of the file through each path, past it together (an old address of a renamed item).
            ...['/download/item-1/clip.mp4', '/download/old-item-1/clip.mp4'].map((doc, i) => ({
              kind: 'download',
              key: 'item-1',
              source: '',
              doc,
              etag: '',
              visitor: 'v1',
              at: Date.UTC(2026, 11, 6, 11),
              status: 206,
              subscribers: 0,
              bytes: i ? 100_000 : '100000',
              minute: 166764,
              n: i ? 1 : 2,
            })),
          ]
        : [
            {
              kind: 'delivery',
              key: 'msn',
              source: 'cred-1',
              doc: '/partners/msn/feed.xml',
              etag: '"e"',
              visitor: 'as64500',
              at: Date.UTC(2026, 11, 6, 11, 5),
              status: 304,
              subscribers: 0,
              n: 1,
            },
          ];
      return Response.json({ meta: [], data, rows: data.length });
    });
    const ae = { ...env, AUDIENCE_SINK: 'analytics-engine', AUDIENCE_ACCOUNT_ID: 'acc123', AUDIENCE_SQL_TOKEN: 'sql-token' } as Env;
    // 12:30: the hour 11:00–12:00 is complete and ingested; 12:00–13:00 is not.
    await rollup(ae, T);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.url).toBe('https://api.cloudflare.com/client/v4/accounts/acc123/analytics_engine/sql');
    expect(calls[0]?.auth).toBe('Bearer sql-token');
    expect(calls[0]?.body).toContain(`toDateTime(${Date.UTC(2026, 11, 6, 11) / 1000})`);
    expect(calls[0]?.body).toContain(`toDateTime(${Date.UTC(2026, 11, 6, 12) / 1000})`);
    expect(calls[0]?.body).toContain('max(_sample_interval) AS w');
    expect(calls[0]?.body).toContain('GROUP BY kind, key, source, doc, visitor, at, status');
    expect((await storeTables()).rollup).toEqual([{ id: 1, done_until: Date.UTC(2026, 11, 6, 12) }]);
    // Within the same hour, nothing more is asked.
    await rollup(ae, T + 20 * 60_000);
    expect(calls).toHaveLength(2);
    vi.useFakeTimers({ toFake: ['Date'], now: T });
    const q = '&from=2026-12-06&to=2026-12-06';
    // Views without a visitor (points written before views had one) count as they come; a sampled visitor's, by its weight.
    expect((await (await api('GET', `/stats?by=item${q}`)).json<any>()).rows).toEqual([
      { key: 'item-1', ...ITEM_ZERO, views: 15, shares: 1, impressions: 1, plays: 2, downloads: 1 },
    ]);
    expect((await (await api('GET', `/stats?by=site${q}`)).json<any>()).rows).toEqual([
      { key: 'https://a.example', ...SITE_ZERO, impressions: 1, plays: 2 },
      { key: 'https://b.example', ...SITE_ZERO, plays: 1 },
    ]);
    expect((await (await api('GET', `/stats?by=feed${q}`)).json<any>()).rows).toEqual([{ key: '/feed.xml', subscribers: 42, fetches: 2 }]);
    const d = await (await api('GET', `/partners/msn/deliveries?from=2026-12-06&to=2026-12-06`)).json<any>();
    expect(d.deliveries).toEqual([
      { doc: '/partners/msn/feed.xml', etag: '"e"', status: 304, credential: 'cred-1', at: '2026-12-06T11:05:00.000Z' },
    ]);
    // The next hour, once complete, is the next query.
    await rollup(ae, T + HOUR);
    expect(calls).toHaveLength(4);
    expect(calls[2]?.body).toContain(`toDateTime(${Date.UTC(2026, 11, 6, 12) / 1000})`);
  });

  it('without the account id or the token the rollup fails loudly (the cron logs it) and reads nothing', async () => {
    const fetches = vi.spyOn(globalThis, 'fetch');
    await expect(rollup({ ...env, AUDIENCE_SINK: 'analytics-engine' } as Env, T)).rejects.toThrow(/AUDIENCE_ACCOUNT_ID/);
    expect(fetches).not.toHaveBeenCalled();
  });
});

// Audience counting in the gateway: feed subscribers (services and direct pollers, a day at a time),
// item page views by people, and counting that never breaks or delays a read.
import { SELF } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ORIGIN, publish, sleep, syntheticItem } from '../helpers';
import { ADDRESS, BROWSER, DAY_ZERO, FAILING_SINK, ITEM_ZERO, beacon, cron, rawPoints, storeTables, visit } from '../audience-helpers';

const FEEDLY = 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; feed-id=feed/x)';
const INOREADER = 'Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 12 subscribers; )';
const DAY1 = Date.UTC(2026, 11, 6, 10);

const stats = async (by: string, q = '') => (await api('GET', `/stats?by=${by}${q}`)).json<any>();
const row = (rows: any[], key: string) => rows.find((r) => r.key === key);

beforeEach(async () => {
  await publish(syntheticItem(1));
});
afterEach(() => vi.useRealTimers());

describe('feed subscribers', () => {
  it('a service counts what it reports, the latest of the day; direct pollers count once a day each; bots not at all', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    expect((await visit('/feed.xml', { ua: FEEDLY })).status).toBe(200);
    vi.setSystemTime(DAY1 + 60_000);
    await visit('/feed.xml', { ua: FEEDLY.replace('42', '45') });
    await visit('/feed.xml', { ua: INOREADER });
    // One poller three times (a 304 is a poll too), another reader, and bots that must not count.
    const etag = (await visit('/feed.xml')).headers.get('ETag') as string;
    expect((await visit('/feed.xml', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    await visit('/feed.xml');
    await visit('/feed.xml', { address: '198.51.100.9' });
    await visit('/feed.xml', { ua: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', address: '192.0.2.1' });
    await visit('/feed.xml', { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', address: '192.0.2.2' });
    await visit('/feed.xml', { ua: null, address: '192.0.2.3' });
    await visit('/nothing-here/feed.xml');
    await cron();
    const feed = row((await stats('feed', '&from=2026-12-06&to=2026-12-06')).rows, '/feed.xml');
    // 45 (Feedly's latest) + 12 (Inoreader) + 2 distinct direct pollers; 7 polls answered 200/304 to non-bots.
    expect(feed).toEqual({ key: '/feed.xml', subscribers: 59, fetches: 7 });
  });

  it('the same poller counts again the next day: a new salt, and the old one is gone', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    await visit('/feed.xml');
    await visit('/feed.xml');
    await cron();
    // (This isolate may hold the day's salt from an earlier test; the store holds at most that day's.)
    expect((await storeTables()).salts?.every((s) => s.day === '2026-12-06')).toBe(true);
    const first = (await storeTables()).pollers ?? [];
    expect(first).toHaveLength(1);
    const firstKey = first[0]?.visitor;

    vi.setSystemTime(DAY1 + 86_400_000);
    await visit('/feed.xml');
    await visit('/feed.xml');
    await cron();
    const t = await storeTables();
    expect(t.salts?.map((s) => s.day)).toEqual(['2026-12-07']);
    const secondKey = t.pollers?.find((p) => p.day === '2026-12-07')?.visitor;
    expect(secondKey).toBeTruthy();
    expect(secondKey).not.toBe(firstKey);

    const days = (await stats('day', '&from=2026-12-06&to=2026-12-07')).rows;
    expect(days).toEqual([
      { key: '2026-12-06', ...DAY_ZERO, fetches: 2, subscribers: 1 },
      { key: '2026-12-07', ...DAY_ZERO, fetches: 2, subscribers: 1 },
    ]);
  });
});

describe('item page views', () => {
  it('people count, once a day each (reloads do not add up); bots, tools, DNT/GPC, 404s and other pages do not', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    expect((await visit('/articles/item-1')).status).toBe(200);
    await visit('/articles/item-1', { address: '198.51.100.9' });
    await visit('/articles/item-1');
    await visit('/articles/item-1', { ua: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' });
    await visit('/articles/item-1', { ua: 'Twitterbot/1.0' });
    await visit('/articles/item-1', { ua: 'curl/8.5.0' });
    // Readers who ask not to be tracked (Do Not Track, Global Privacy Control) get the page, uncounted.
    expect((await visit('/articles/item-1', { address: '198.51.100.20', headers: { DNT: '1' } })).status).toBe(200);
    expect((await visit('/articles/item-1', { address: '198.51.100.21', headers: { 'Sec-GPC': '1' } })).status).toBe(200);
    await visit('/articles/no-such-item');
    await visit('/');
    await visit('/oembed?url=' + encodeURIComponent(`${ORIGIN}/articles/item-1`));
    await cron();
    // Two people: the first one's reload is the same visitor the same day.
    expect((await stats('item', '&from=2026-12-06&to=2026-12-06')).rows).toEqual([{ key: 'item-1', ...ITEM_ZERO, views: 2 }]);
    // A third person, another browser of the first person (another User-Agent), and the first again the next day.
    await visit('/articles/item-1', { address: '198.51.100.10' });
    await visit('/articles/item-1', { ua: BROWSER.replace('Firefox/140.0', 'Firefox/141.0') });
    vi.setSystemTime(DAY1 + 86_400_000);
    await visit('/articles/item-1');
    await visit('/articles/item-1');
    await cron();
    const days = (await stats('day', '&from=2026-12-06&to=2026-12-07')).rows;
    expect(days.map((d: any) => d.views)).toEqual([4, 1]);
  });

  it('a device rotating its IPv6 privacy addresses within its /64 is one reader, in page views and beacons alike', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    await visit('/articles/item-1', { address: '2001:db8:1:2:a1b2:c3d4:e5f6:1' });
    await visit('/articles/item-1', { address: '2001:DB8:1:2::77' });
    // Another /64 is another reader.
    await visit('/articles/item-1', { address: '2001:db8:1:3::77' });
    await beacon({ item: 'item-1', events: ['share'], source: 'share' }, { address: '2001:db8:1:2:a1b2:c3d4:e5f6:1' });
    await beacon({ item: 'item-1', events: ['share'], source: 'copy' }, { address: '2001:db8:1:2::1' });
    await cron();
    expect((await stats('item', '&from=2026-12-06&to=2026-12-06')).rows).toEqual([{ key: 'item-1', ...ITEM_ZERO, views: 2, shares: 1 }]);
  });

  it('through the runtime too: SELF.fetch reaches the same count after the answer', async () => {
    expect((await SELF.fetch(`${ORIGIN}/articles/item-1`, { headers: { 'User-Agent': BROWSER } })).status).toBe(200);
    // The count runs after the answer, in waitUntil: wait for it to land.
    for (let i = 0; i < 100 && (await rawPoints()).length === 0; i++) await sleep(20);
    expect((await rawPoints()).map((p) => [p.kind, p.key])).toEqual([['view', 'item-1']]);
  });
});

describe('counting never breaks a read', () => {
  it('a sink whose binding throws is logged once; every read still answers, with the same bytes', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const patch = FAILING_SINK;
    const plain = await visit('/feed.xml', { ua: 'Twitterbot/1.0' });
    for (const path of ['/feed.xml', '/articles/item-1', '/feed.xml']) {
      const res = await visit(path, { patch });
      expect(res.status).toBe(200);
      if (path === '/feed.xml') expect(await res.text()).toBe(await plain.clone().text());
    }
    const logged = errors.mock.calls.filter((c) => String(c[0]).startsWith('audience'));
    expect(logged).toEqual([['audience: counting failed', 'dataset unavailable']]);
    // A sink the setting does not name fails the same way, and the read answers.
    expect((await visit('/feed.xml', { patch: { AUDIENCE_SINK: 'nowhere' } })).status).toBe(200);
    errors.mockRestore();
    expect(await rawPoints()).toEqual([]);
  });

  it('no address is stored anywhere: not in raw points, rollups, salts or keys', async () => {
    const address = '203.0.113.199';
    await visit('/feed.xml', { address });
    await visit('/articles/item-1', { address });
    const before = JSON.stringify(await storeTables());
    await cron();
    const after = JSON.stringify(await storeTables());
    for (const text of [before, after]) {
      expect(text).not.toContain(address);
      expect(text).not.toContain('203.0.113');
      expect(text).not.toContain(ADDRESS);
      expect(text).not.toContain('Firefox');
    }
    // The raw points were folded in and dropped.
    expect(await rawPoints()).toEqual([]);
    expect(JSON.parse(after).series.length).toBeGreaterThan(0);
  });
});

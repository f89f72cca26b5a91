// Audience units: who a User-Agent is, the network prefix, the Analytics Engine layout and the SQL the rollup sends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyticsQueries, rowToPoint, sqlEndpoint } from '../../src/audience/analytics-sql';
import { networkPrefix } from '../../src/audience/keys';
import { dataPoint } from '../../src/audience/points';
import { AGGREGATORS, classifyAgent, isPerson } from '../../src/audience/user-agents';

const AGGREGATOR_UAS: [string, string, number][] = [
  ['Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; feed-id=feed/https://x)', 'feedly', 42],
  ['Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 12 subscribers; )', 'inoreader', 12],
  ['NewsBlur Feed Fetcher - 7 subscribers - https://www.newsblur.com/site/1234/x (Mozilla/5.0)', 'newsblur', 7],
  ['Feedbin feed-id:5678 - 3 subscribers', 'feedbin', 3],
  ['Mozilla/5.0 (compatible; theoldreader.com; 5 subscribers; feed-id=abc)', 'theoldreader', 5],
  ['BazQux/2.4 (+https://bazqux.com/fetcher; 2 subscribers)', 'bazqux', 2],
  ['Feedly/1.0 (+http://www.feedly.com/fetcher.html; 1 subscriber; like FeedFetcher-Google)', 'feedly', 1],
  // A service that reports no count still polls for someone.
  ['Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)', 'feedly', 1],
];

const BOTS = [
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'Twitterbot/1.0',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'WhatsApp/2.23.20.0',
  'TelegramBot (like TwitterBot)',
  'LinkedInBot/1.0 (compatible; Mozilla/5.0)',
  'Mozilla/5.0 (compatible; YandexBot/3.0)',
];

describe('User-Agents', () => {
  it.each(AGGREGATOR_UAS)('%s is %s reporting %i', (ua, name, subscribers) => {
    expect(classifyAgent(ua)).toEqual({ type: 'aggregator', name, subscribers });
    expect(isPerson(ua)).toBe(false);
  });

  it.each(BOTS)('%s is a bot, never a subscriber nor a view', (ua) => {
    expect(classifyAgent(ua)).toEqual({ type: 'bot' });
    expect(isPerson(ua)).toBe(false);
  });

  it('people, tools and the missing header', () => {
    expect(
      isPerson('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'),
    ).toBe(true);
    expect(classifyAgent('NetNewsWire (RSS Reader; https://netnewswire.com/)')).toEqual({ type: 'other' });
    expect(classifyAgent('curl/8.5.0')).toEqual({ type: 'tool' });
    expect(classifyAgent(null)).toEqual({ type: 'bot' });
    expect(classifyAgent('')).toEqual({ type: 'bot' });
  });

  it('arbitrary User-Agents never throw, and count subscribers only when they name a known service', () => {
    const known = AGGREGATORS.map((a) => a.pattern);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (ua) => {
        const a = classifyAgent(ua);
        if (a.type === 'aggregator') {
          expect(known.some((p) => p.test(ua))).toBe(true);
          expect(Number.isSafeInteger(a.subscribers) && a.subscribers >= 1).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a count of more than nine digits is not believed: the service stands for one subscriber', () => {
    expect(classifyAgent('Feedly/1.0 (99999999999999999999 subscribers)')).toEqual({ type: 'aggregator', name: 'feedly', subscribers: 1 });
    expect(classifyAgent('Feedly/1.0 (999999999 subscribers)')).toEqual({ type: 'aggregator', name: 'feedly', subscribers: 999999999 });
  });
});

describe('networks', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['2001:0db8:00ab:ffff::', '2001:db8:ab::/48'],
    ['', ''],
    ['not an address', ''],
  ])('%s is in %s', (address, prefix) => expect(networkPrefix(address)).toBe(prefix));
});

describe('Analytics Engine', () => {
  const point = {
    kind: 'delivery',
    at: 1_796_000_000_000,
    key: 'msn',
    source: 'cred-1',
    doc: '/partners/msn/feed.xml',
    etag: '"e1"',
    visitor: 'as64500',
    status: 304,
    subscribers: 0,
    bytes: 0,
    minute: 0,
  } as const;

  it('lays a point out as blobs kind, key, source, doc, etag, visitor; doubles at, status, subscribers, bytes, minute; index kind:key', () => {
    expect(dataPoint(point)).toEqual({
      indexes: ['delivery:msn'],
      blobs: ['delivery', 'msn', 'cred-1', '/partners/msn/feed.xml', '"e1"', 'as64500'],
      doubles: [1_796_000_000_000, 304, 0, 0, 0],
    });
    // A download's bytes and minute are appended, after the three doubles points had before them.
    const download = {
      ...point,
      kind: 'download',
      key: 'item-1',
      source: '',
      doc: '/download/item-1/a.mp4',
      etag: '',
      status: 206,
    } as const;
    expect(dataPoint({ ...download, visitor: 'v1', bytes: 65_536, minute: 166_764 }).doubles).toEqual([
      1_796_000_000_000, 206, 0, 65_536, 166_764,
    ]);
    const long = dataPoint({ ...point, kind: 'poll', key: `/tags/${'é'.repeat(100)}/feed.xml` });
    expect(new TextEncoder().encode(long.indexes?.[0] as string).byteLength).toBeLessThanOrEqual(96);
  });

  it('the rollup asks the SQL API for whole hours of its dataset, by the same columns', () => {
    const [grouped, deliveries] = analyticsQueries(Date.UTC(2026, 11, 6, 4), Date.UTC(2026, 11, 6, 5));
    expect(grouped).toContain('FROM wirefeed_audience WHERE timestamp >= toDateTime(1796529600) AND timestamp < toDateTime(1796533200)');
    expect(grouped).toContain("blob1 IN ('poll', 'view', 'embed', 'share', 'download')");
    expect(grouped).toContain('blob6 AS visitor');
    // The player event rides in doc: grouped by it, so each event keeps its own rows.
    expect(grouped).toContain('blob4 AS doc');
    expect(grouped).toContain('GROUP BY kind, key, source, doc, visitor, at, status');
    expect(grouped).toContain('max(double3) AS subscribers');
    // Downloads: each listener's bytes of an item in the hour, summed (times the sampling), and the file's minute.
    expect(grouped).toContain('SUM(double4 * _sample_interval) AS bytes');
    expect(grouped).toContain('max(double5) AS minute');
    expect(grouped).toContain('GROUP BY kind, key, source, doc, visitor, at, status');
    expect(grouped).toContain('SUM(_sample_interval) AS n');
    expect(deliveries).toContain("blob1 = 'delivery'");
    expect(deliveries).toContain('blob5 AS etag');
    expect(deliveries).toContain('double1 AS at');
    expect(sqlEndpoint('abc')).toBe('https://api.cloudflare.com/client/v4/accounts/abc/analytics_engine/sql');
  });

  it('reads the SQL API rows back, numbers sent as strings included, and leaves out what is not a point', () => {
    expect(
      rowToPoint({
        kind: 'poll',
        key: '/feed.xml',
        source: 'feedly',
        doc: '',
        etag: '',
        visitor: '',
        at: '1796529600000',
        status: 200,
        subscribers: '42',
        n: '3',
      }),
    ).toEqual({
      kind: 'poll',
      key: '/feed.xml',
      source: 'feedly',
      doc: '',
      etag: '',
      visitor: '',
      at: 1796529600000,
      status: 200,
      subscribers: 42,
      bytes: 0,
      minute: 0,
      n: 3,
      // Without a sample interval of its own (a row read before w was asked for), a visitor stands for one.
      w: 1,
    });
    expect(
      rowToPoint({ kind: 'embed', key: 'clip', source: 'https://a.example', doc: 'q50', visitor: 'v', at: 1, status: 204, n: 1 }),
    ).toMatchObject({ kind: 'embed', source: 'https://a.example', doc: 'q50', visitor: 'v' });
    expect(rowToPoint({ kind: 'share', key: 'clip', source: 'copy', at: 1, n: 1 })).toMatchObject({ kind: 'share', source: 'copy' });
    const download = {
      kind: 'download',
      key: 'item-1',
      visitor: 'v1',
      at: 1796529600000,
      status: 206,
      bytes: '200000',
      minute: 166764,
      n: 2,
      w: '2',
    };
    expect(rowToPoint(download)).toMatchObject({
      kind: 'download',
      key: 'item-1',
      visitor: 'v1',
      bytes: 200_000,
      minute: 166_764,
      n: 2,
      w: 2,
    });
    expect(rowToPoint({ kind: 'other', at: 1, n: 1 })).toBeNull();
    expect(rowToPoint({ kind: 'view', at: 'x', n: 1 })).toBeNull();
  });
});

// POST /beacon: the embed player's events and the share control's uses, validated, deduplicated per
// visitor and day, dropped for DNT and GPC, and never a 5xx or a count for bad input.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, publish, syntheticItem } from '../helpers';
import { BROWSER, FAILING_SINK, ITEM_ZERO, SITE_ZERO, beacon, cron, rawPoints, visit } from '../audience-helpers';

const DAY1 = Date.UTC(2026, 11, 6, 10);
const SITE = 'https://news.example';
const VIDEO = syntheticItem(2, {
  slug: 'clip',
  kind: 'video',
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
});
const PLAY = { item: 'clip', events: ['play'], site: SITE };

const stats = async (by: string, q = '&from=2026-12-06&to=2026-12-07') =>
  (await (await api('GET', `/stats?by=${by}${q}`)).json<any>()).rows;

beforeEach(async () => {
  await publish(syntheticItem(1));
  await publish(VIDEO);
});
afterEach(() => vi.useRealTimers());

describe('beacons that count', () => {
  it('player events count per item and per embedding site; a share counts per item; each answered 204 with nothing to keep', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    const res = await beacon({ item: 'clip', events: ['impression', 'play', 'q25', 'q50'], site: SITE });
    expect(res.status).toBe(204);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('Set-Cookie')).toBeNull();
    // Another reader plays it to the end on another site; a third opens the player by itself (site unknown).
    await beacon(
      { item: 'clip', events: ['impression', 'play', 'q25', 'q50', 'q75', 'complete'], site: 'http://blog.example:8080' },
      { address: '198.51.100.2' },
    );
    await beacon({ item: 'clip', events: ['impression'] }, { address: '198.51.100.3' });
    expect((await beacon({ item: 'item-1', events: ['share'], source: 'copy' })).status).toBe(204);
    expect(
      (await beacon({ item: 'clip', events: ['share'], source: 'share' }, { headers: { 'Content-Type': 'application/json' } })).status,
    ).toBe(204);
    await cron();
    expect(await stats('item')).toEqual([
      { key: 'clip', ...ITEM_ZERO, shares: 1, impressions: 3, plays: 2, q25: 2, q50: 2, q75: 1, completes: 1 },
      { key: 'item-1', ...ITEM_ZERO, shares: 1 },
    ]);
    // Ties in order of key: "" (the player opened by itself, or no referrer) first.
    expect(await stats('site')).toEqual([
      { key: '', ...SITE_ZERO, impressions: 1 },
      { key: 'http://blog.example:8080', ...SITE_ZERO, impressions: 1, plays: 1, q25: 1, q50: 1, q75: 1, completes: 1 },
      { key: SITE, ...SITE_ZERO, impressions: 1, plays: 1, q25: 1, q50: 1 },
    ]);
    const day = (await stats('day')).find((d: any) => d.key === '2026-12-06');
    expect(day).toMatchObject({ shares: 2, impressions: 3, plays: 2 });
  });
});

describe('one count per visitor, item, site and event a day', () => {
  it('a flood from one address and browser is one; another User-Agent is another; the next day counts again', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    for (let i = 0; i < 30; i++) expect((await beacon(PLAY)).status).toBe(204);
    for (let i = 0; i < 5; i++) await beacon({ item: 'clip', events: ['share'], source: 'copy' });
    await cron();
    // Between two rollups too: the day's visitors are kept until the day is over.
    for (let i = 0; i < 5; i++) await beacon(PLAY);
    await beacon(PLAY, { ua: BROWSER.replace('Firefox/140.0', 'Firefox/141.0') });
    // The same visitor on another site is another (item, site) pair, but not another play of the item;
    // a share and a copy by one visitor are one share.
    await beacon({ ...PLAY, site: 'https://other.example' });
    await beacon({ item: 'clip', events: ['share'], source: 'share' });
    await cron();
    expect(await stats('item', '&from=2026-12-06&to=2026-12-06')).toEqual([{ key: 'clip', ...ITEM_ZERO, shares: 1, plays: 2 }]);
    expect(await stats('site', '&from=2026-12-06&to=2026-12-06')).toEqual([
      { key: SITE, ...SITE_ZERO, plays: 2 },
      { key: 'https://other.example', ...SITE_ZERO, plays: 1 },
    ]);
    vi.setSystemTime(DAY1 + 86_400_000);
    for (let i = 0; i < 5; i++) await beacon(PLAY);
    await cron();
    expect((await stats('day')).map((d: any) => [d.key, d.plays])).toEqual([
      ['2026-12-06', 2],
      ['2026-12-07', 1],
    ]);
  });

  it('one visitor naming many sites is one play of the item, and adds to five sites at most a day', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    const sites = Array.from({ length: 8 }, (_, i) => `https://s${i}.example`);
    for (const site of sites) await beacon({ item: 'clip', events: ['impression', 'play'], site });
    await cron();
    // Another event from a site already counted still counts for that site.
    await beacon({ item: 'clip', events: ['complete'], site: sites[0] });
    await beacon({ item: 'clip', events: ['complete'], site: sites[7] });
    await cron();
    expect(await stats('item')).toEqual([{ key: 'clip', ...ITEM_ZERO, impressions: 1, plays: 1, completes: 1 }]);
    expect(await stats('site')).toEqual(
      sites.slice(0, 5).map((key, i) => ({ key, ...SITE_ZERO, impressions: 1, plays: 1, completes: i === 0 ? 1 : 0 })),
    );
  });
});

describe('beacons that do not count', () => {
  it.each([
    ['DNT: 1', { DNT: '1' }],
    ['Sec-GPC: 1', { 'Sec-GPC': '1' }],
  ])('%s: answered 204, nothing counted', async (_name, headers) => {
    expect((await beacon(PLAY, { headers })).status).toBe(204);
    expect((await beacon({ item: 'item-1', events: ['share'], source: 'share' }, { headers })).status).toBe(204);
    expect(await rawPoints()).toEqual([]);
  });

  it('a bot or a sender without a User-Agent: answered 204, not counted, as their page views are not', async () => {
    expect((await beacon(PLAY, { ua: 'Mozilla/5.0 HeadlessChrome/140.0' })).status).toBe(204);
    expect((await beacon(PLAY, { ua: null })).status).toBe(204);
    expect(await rawPoints()).toEqual([]);
  });

  const BIG = JSON.stringify({ ...PLAY, pad: 'x'.repeat(3000) });
  // Sent in pieces with no Content-Length: the cap is counted as the bytes arrive.
  const streamOf = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 512) c.enqueue(bytes.slice(i, i + 512));
        c.close();
      },
    });
  it.each<[string, unknown, Parameters<typeof beacon>[1], number, string]>([
    ['an unknown item', { item: 'no-such-item', events: ['play'] }, {}, 422, 'item'],
    ['an item slug that is no slug', { item: '../etc', events: ['play'] }, {}, 422, 'item'],
    ['player events for an article (no player)', { item: 'item-1', events: ['play'] }, {}, 422, 'item'],
    ['an unknown event', { item: 'clip', events: ['rewind'] }, {}, 422, 'events[0]'],
    ['no events', { item: 'clip', events: [] }, {}, 422, 'events'],
    ['a repeated event', { item: 'clip', events: ['play', 'play'] }, {}, 422, 'events'],
    ['a share mixed with player events', { item: 'clip', events: ['share', 'play'], source: 'copy' }, {}, 422, 'events'],
    ['a share without its source', { item: 'clip', events: ['share'] }, {}, 422, 'source'],
    ['an unknown share source', { item: 'clip', events: ['share'], source: 'email' }, {}, 422, 'source'],
    ['a site that is no origin', { ...PLAY, site: 'https://news.example/page?x=1' }, {}, 422, 'site'],
    ['a site of another scheme', { ...PLAY, site: 'javascript:alert(1)' }, {}, 422, 'site'],
    ['a list for a body', [1, 2], {}, 422, 'item'],
    ['a number for a body', 5, {}, 422, '(body)'],
    ['malformed JSON', '{"item": "clip", "events": [', {}, 400, '(body)'],
    ['an empty body', '', {}, 400, '(body)'],
    ['an oversized body', BIG, {}, 413, '(body)'],
    ['an oversized body without a length', streamOf(BIG), {}, 413, '(body)'],
    ['another origin', PLAY, { origin: 'https://evil.example' }, 403, 'Origin'],
    ['an opaque origin (a sandboxed frame)', PLAY, { origin: 'null' }, 403, 'Origin'],
    ['no Origin at all', PLAY, { origin: null }, 403, 'Origin'],
    ['a form body', PLAY, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, 415, 'Content-Type'],
  ])('%s: a 4xx naming the field, nothing counted', async (_name, body, o, status, field) => {
    const res = await beacon(body, o);
    expect(res.status).toBe(status);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect((await res.json<any>()).field).toBe(field);
    expect(await rawPoints()).toEqual([]);
    await cron();
    expect(await stats('item')).toEqual([]);
    expect(await stats('site')).toEqual([]);
  });

  it('a withdrawn item: 422 naming item, nothing counted', async () => {
    expect((await beacon(PLAY)).status).toBe(204);
    expect((await api('DELETE', '/items/clip')).status).toBe(200);
    const res = await beacon(PLAY, { address: '198.51.100.5' });
    expect(res.status).toBe(422);
    expect((await res.json<any>()).field).toBe('item');
    await cron();
    expect((await stats('item')).map((r: any) => [r.key, r.plays])).toEqual([['clip', 1]]);
  });

  it('a sink that fails never fails the beacon: 204, logged', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const patch = FAILING_SINK;
    expect((await beacon(PLAY, { patch })).status).toBe(204);
    expect(errors).toHaveBeenCalledWith('audience: counting failed', 'dataset unavailable');
    errors.mockRestore();
  });

  it('GET /beacon names nothing: 404, and it is never a document', async () => {
    expect((await visit('/beacon')).status).toBe(404);
    expect(await rawPoints()).toEqual([]);
  });
});

describe('arbitrary bodies', () => {
  const event = fc.constantFrom('impression', 'play', 'q25', 'q50', 'q75', 'complete', 'share', 'Play', '', 'q100');
  const shaped = fc.record(
    {
      item: fc.oneof(fc.constantFrom('clip', 'item-1', 'gone', ''), fc.string(), fc.integer()),
      events: fc.oneof(fc.array(event, { maxLength: 9 }), fc.anything()),
      site: fc.oneof(fc.constantFrom(SITE, '', 'null', 'https://x.example/'), fc.webUrl(), fc.anything()),
      source: fc.oneof(fc.constantFrom('share', 'copy'), fc.string()),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    shaped.map((b) => JSON.stringify(b)),
    fc.json(),
    fc.string({ maxLength: 3000 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );

  it('never give a 5xx, and only a 204 ever counts', async () => {
    let before = 0;
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom<string | null>('http://127.0.0.1:8787', 'https://evil.example', null),
        async (text, origin) => {
          const res = await beacon(text, { origin });
          expect(res.status).toBeLessThan(500);
          const after = (await rawPoints()).length;
          if (res.status !== 204) expect(after).toBe(before);
          else expect(res.headers.get('Content-Type')).toBeNull();
          before = after;
        },
      ),
      { numRuns: 150 },
    );
  });
});

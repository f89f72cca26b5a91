// AUDIENCE_SINK = "none": the gateway counts nothing (no point, no salt, no write, no rollup) and every
// read answers exactly as it does with counting on.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Wirefeed from '../../src/index';
import { api, publish, syntheticItem } from '../helpers';
import { beacon, BROWSER, cron, ITEM_ZERO, rawPoints, storeTables, visit } from '../audience-helpers';
import { createPartners, issue, presented, putPartnerDoc, whole } from '../partner-helpers';

const OFF = { AUDIENCE_SINK: 'none' };
// A day no other test counts on, so this isolate holds no salt for it: a counted direct poll must ask the store.
const DAY = Date.UTC(2031, 4, 17, 12);
const MSN = '/partners/msn-start/feed.xml';
const CLIP = syntheticItem(2, {
  slug: 'clip',
  kind: 'video',
  image: { url: '/media/liaison-office.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/liaison-office.mp4', type: 'video/mp4', size: 372_439, duration: 134, width: 640, height: 360 },
});
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeEach(async () => {
  await publish(syntheticItem(1));
  await createPartners();
  await putPartnerDoc(MSN, '<rss version="2.0"><channel><title>msn</title></channel></rss>');
});
afterEach(() => vi.useRealTimers());

/** The four counted reads: a direct poller, an aggregator, a person's page view, a partner's fetch. */
async function counted(): Promise<[string, { ua?: string; headers?: Record<string, string> }][]> {
  const bearer = await issue('msn-start', 'bearer');
  return [
    ['/feed.xml', {}],
    ['/feed.xml', { ua: 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; feed-id=feed/x)' }],
    ['/articles/item-1', { ua: BROWSER }],
    [MSN, { headers: presented(bearer, 'bearer').headers }],
  ];
}

describe('AUDIENCE_SINK = "none"', () => {
  it('computes no point (no salt is made for the day), writes none, and answers every read as counting does', async () => {
    const reads = await counted();
    const errors = vi.spyOn(console, 'error');
    vi.useFakeTimers({ toFake: ['Date'], now: DAY });
    const off = [];
    for (const [path, o] of reads) off.push(await whole(await visit(path, { ...o, patch: OFF })));
    expect(off.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const day = new Date(DAY).toISOString().slice(0, 10);
    // No salt for the day: a direct poller's key was never computed.
    expect((await storeTables()).salts?.some((s) => s.day === day)).toBe(false);
    expect(await rawPoints()).toEqual([]);
    expect(errors.mock.calls.filter((c) => String(c[0]).startsWith('audience'))).toEqual([]);

    // The same reads counted (the local sink, wrangler.toml's default): the same answers, and four points.
    const on = [];
    for (const [path, o] of reads) on.push(await whole(await visit(path, o)));
    expect(on).toEqual(off);
    expect((await rawPoints()).map((p) => [p.kind, p.source])).toEqual([
      ['poll', ''],
      ['poll', 'feedly'],
      ['view', ''],
      ['delivery', expect.any(String)],
    ]);
    expect((await storeTables()).salts?.map((s) => s.day)).toEqual([day]);
    errors.mockRestore();
  });

  it('the cron rolls nothing up and leaves the store alone; the stats read what was counted before', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY });
    await visit('/articles/item-1');
    await cron();
    // Counting switched off: a view is not counted, the cron folds nothing (a point left raw stays raw).
    await visit('/articles/item-1', { patch: OFF });
    // Another reader (views are one per reader a day), counted again.
    await visit('/articles/item-1', { address: '198.51.100.10' });
    const ctx = createExecutionContext();
    await new Wirefeed(ctx, { ...env, ...OFF }).scheduled(createScheduledController({ scheduledTime: Date.now() }));
    await waitOnExecutionContext(ctx);
    expect(await rawPoints()).toHaveLength(1);
    const stats = async () => (await (await api('GET', '/stats?by=item&from=2031-05-17&to=2031-05-17')).json<any>()).rows;
    expect(await stats()).toEqual([{ key: 'item-1', ...ITEM_ZERO, views: 1 }]);
    await cron();
    expect(await stats()).toEqual([{ key: 'item-1', ...ITEM_ZERO, views: 2 }]);
  });

  it('a beacon and a download make no salt and no point', async () => {
    await publish(CLIP);
    // Another day than the other tests': this isolate holds no salt for it, so a key would ask the store.
    const at = DAY + 86_400_000;
    vi.useFakeTimers({ toFake: ['Date'], now: at });
    expect((await beacon({ item: 'clip', events: ['play'], site: '' }, { patch: OFF })).status).toBe(204);
    expect((await beacon({ item: 'clip', events: ['share'], source: 'copy' }, { patch: OFF })).status).toBe(204);
    expect((await visit('/download/clip/liaison-office.mp4', { ua: BROWSER, patch: OFF })).status).toBe(200);
    expect((await storeTables()).salts?.some((s) => s.day === dayOf(at))).toBe(false);
    expect(await rawPoints()).toEqual([]);
  });

  it('the cron does not wake the audience store, even when live counts are due', async () => {
    // The store's binding, watched: any stub asked for is noted (and still handed over).
    const asked: string[] = [];
    const AUDIENCE_STORE = new Proxy(env.AUDIENCE_STORE, {
      get(target, name) {
        asked.push(String(name));
        const value = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const ctx = createExecutionContext();
    // Past the live counts' interval (a minute in tests): the writer says counts are due.
    const bindings = { ...env, ...OFF, AUDIENCE_STORE };
    await new Wirefeed(ctx, bindings).scheduled(createScheduledController({ scheduledTime: Date.now() + 10 * 60_000 }));
    await waitOnExecutionContext(ctx);
    expect(asked).toEqual([]);
    // The watch sees what the cron does with counting on: the totals are read from the store.
    await new Wirefeed(ctx, { ...env, AUDIENCE_STORE }).scheduled(createScheduledController({ scheduledTime: Date.now() + 20 * 60_000 }));
    await waitOnExecutionContext(ctx);
    expect(asked).toContain('idFromName');
  });
});

describe('an AUDIENCE_SINK that names no sink', () => {
  it('counts nothing: no salt, no point; the name is logged once', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const at = DAY + 2 * 86_400_000;
    vi.useFakeTimers({ toFake: ['Date'], now: at });
    const patch = { AUDIENCE_SINK: 'analytics_engine' };
    for (let i = 0; i < 3; i++) expect((await visit('/feed.xml', { patch })).status).toBe(200);
    expect((await beacon({ item: 'item-1', events: ['share'], source: 'share' }, { patch })).status).toBe(204);
    const logged = errors.mock.calls.filter((c) => String(c[0]).startsWith('audience'));
    expect(logged).toHaveLength(1);
    expect(logged[0]?.join(' ')).toContain('"analytics_engine"');
    errors.mockRestore();
    expect((await storeTables()).salts?.some((s) => s.day === dayOf(at))).toBe(false);
    expect(await rawPoints()).toEqual([]);
  });
});

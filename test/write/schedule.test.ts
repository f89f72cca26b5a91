// Scheduled (embargoed) stories: hidden from every public output until their time, then released by the alarm or the cron.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import Wirefeed from '../../src/index';
import { api, get, ORIGIN, publish, publisherStub, sleep, syntheticItem } from '../helpers';

const iso = (ms: number) => new Date(ms).toISOString();
const oembedPath = (page: string, format = 'json') => `/oembed?${new URLSearchParams({ url: `${ORIGIN}${page}`, format })}`;

/** A video that shares the main, kind, common-tag and Odd Writer scopes and has scopes of its own. */
const embargoed = (slug: string, published: number, extra: Record<string, unknown> = {}) =>
  syntheticItem(1, {
    slug,
    kind: 'video',
    title: `Embargoed story ${slug}`,
    published: iso(published),
    section: 'Hidden Desk',
    authors: [{ name: 'Odd Writer' }, { name: 'Hidden Writer' }],
    tags: ['common', 'secret-tag'],
    image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
    video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
    transcript: 'Words of the embargoed clip.',
    ...extra,
  });

const PUBLIC_ITEM = () =>
  syntheticItem(2, {
    slug: 'public-story',
    section: 'World',
    authors: [{ name: 'Odd Writer' }],
    tags: ['common'],
    published: iso(Date.now() - 3_600_000),
  });

const SCOPES = [
  '',
  '/videos',
  '/articles',
  '/tags/common',
  '/tags/secret-tag',
  '/authors/odd-writer',
  '/authors/hidden-writer',
  '/sections/world',
  '/sections/hidden-desk',
];

// The public item's scopes: their documents must be there (and must not show the scheduled one).
const LIVE = new Set(
  ['', '/articles', '/tags/common', '/authors/odd-writer', '/sections/world'].flatMap((s) => [
    `${s}/feed.xml`,
    `${s}/feed.atom`,
    `${s}/feed.json`,
    s || '/',
  ]),
);

/** Every public address a scheduled item could leak into. */
function publicPaths(slug: string): string[] {
  return [
    ...SCOPES.flatMap((s) => [`${s}/feed.xml`, `${s}/feed.atom`, `${s}/feed.json`, s || '/']),
    `/videos/${slug}`,
    `/articles/${slug}`,
    `/embed/${slug}`,
    `/videos/${slug}/transcript.txt`,
    oembedPath(`/videos/${slug}`),
    oembedPath(`/videos/${slug}`, 'xml'),
    '/sitemap.xml',
    '/sitemaps/1.xml',
    '/sitemaps/news.xml',
    '/sitemaps/scopes.xml',
    '/feeds',
    '/feeds.opml',
  ];
}

/** Asserts nothing public shows the item: its own addresses 404, and no document names it. */
async function expectHidden(slug: string, words: string[]) {
  for (const path of publicPaths(slug)) {
    const res = await get(path);
    const text = await res.text();
    expect([200, 404], path).toContain(res.status);
    if (path.includes(slug)) expect(res.status, path).toBe(404);
    if (LIVE.has(path)) expect(res.status, path).toBe(200);
    // A 404's problem+json names the address asked for; only documents count.
    if (res.status === 404) continue;
    for (const w of words) expect(text.includes(w), `${path} shows "${w}"`).toBe(false);
  }
}

/** Waits until every change the writer has started (alarm included) is finished. */
const settle = () =>
  runInDurableObject(publisherStub(), async (instance) => void (await (instance as unknown as { tail: Promise<unknown> }).tail));

async function feedIds(path: string): Promise<string[]> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return ((await res.json<any>()).items as { id: string }[]).map((i) => i.id);
}

describe('scheduled items', () => {
  it('are scheduled in the API and absent from every public output', async () => {
    await publish(PUBLIC_ITEM());
    const at = Date.now() + 86_400_000;
    const r = await publish(embargoed('embargoed-clip', at));
    expect(r.state).toBe('scheduled');
    const got = await (await api('GET', '/items/embargoed-clip')).json<any>();
    expect(got.meta).toMatchObject({ state: 'scheduled', publishAt: iso(at) });
    const status = await (await api('GET', '/status')).json<any>();
    expect(status.items).toEqual({ published: 1, scheduled: 1 });
    expect(status.scheduled).toEqual([{ slug: 'embargoed-clip', publishAt: iso(at) }]);

    await expectHidden('embargoed-clip', ['embargoed-clip', 'Embargoed story', 'Hidden Writer', 'secret-tag', 'Hidden Desk']);
    // The public item is there, and the directory counts only it.
    expect(await feedIds('/feed.json')).toHaveLength(1);
    const directory = await (await get('/feeds')).text();
    expect(directory).toContain('<span class="meta">(1)</span>');
    expect(directory).not.toMatch(/<span class="meta">\((?!1\))\d+\)<\/span>/);

    // Editing it while scheduled keeps it hidden, new words included.
    const edit = await publish(embargoed('embargoed-clip', at, { title: 'Embargoed story, second draft' }));
    expect(edit.state).toBe('scheduled');
    expect((await (await api('GET', '/items/embargoed-clip')).json<any>()).item.title).toBe('Embargoed story, second draft');
    await expectHidden('embargoed-clip', ['second draft', 'Hidden Writer']);
  });

  it('the alarm releases a due item everywhere by itself; a withdrawn scheduled item never appears and was never gone', async () => {
    await publish(PUBLIC_ITEM());
    const at = Date.now() + 2000;
    const released = await publish(embargoed('release-me', at));
    await publish(embargoed('never-me', at));
    expect((await api('DELETE', '/items/never-me')).status).toBe(200);
    // Withdrawn before it was ever public: nothing at its address, not 410.
    for (const p of ['/videos/never-me', '/embed/never-me']) expect((await get(p)).status, p).toBe(404);
    expect((await get('/videos/release-me')).status).toBe(404);
    const alarm = await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm as number).toBeLessThanOrEqual(at);

    await sleep(at - Date.now() + 150);
    // No request reaches the writer from here on: only its alarm can release the item.
    await runDurableObjectAlarm(publisherStub());
    await settle();
    expect(await feedIds('/feed.json')).toContain(released.id);
    expect(await feedIds('/videos/feed.json')).toContain(released.id);
    expect(await feedIds('/tags/secret-tag/feed.json')).toEqual([released.id]);
    expect((await get('/videos/release-me')).status).toBe(200);
    expect((await get('/embed/release-me')).status).toBe(200);
    expect((await get(oembedPath('/videos/release-me'))).status).toBe(200);
    expect(await (await get('/sitemaps/news.xml')).text()).toContain(`${ORIGIN}/videos/release-me`);
    expect(await (await get('/feeds')).text()).toContain('Hidden Writer');
    const meta = (await (await api('GET', '/items/release-me')).json<any>()).meta;
    expect(meta.state).toBe('published');

    await expectHidden('never-me', ['never-me']);
    expect((await (await api('GET', '/status')).json<any>()).items).toEqual({ published: 2, scheduled: 0 });
  });

  it('moving the time later keeps it hidden and moves the alarm; moving it into the past publishes at once', async () => {
    const first = Date.now() + 3_600_000;
    await publish(embargoed('moved-clip', first));
    expect(await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm())).toBe(first);

    const later = first + 3_600_000;
    const r = await publish(embargoed('moved-clip', later));
    expect(r.state).toBe('scheduled');
    expect((await (await api('GET', '/items/moved-clip')).json<any>()).meta.publishAt).toBe(iso(later));
    expect(await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm())).toBe(later);
    // Woken early (at the old time, or by anything), the writer keeps it hidden and re-arms for the new time.
    await runDurableObjectAlarm(publisherStub());
    await settle();
    expect((await get('/videos/moved-clip')).status).toBe(404);
    expect(await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm())).toBe(later);

    const now = await publish(embargoed('moved-clip', Date.now() - 60_000));
    expect(now.state).toBe('published');
    expect(await feedIds('/feed.json')).toEqual([now.id]);
    expect((await get('/videos/moved-clip')).status).toBe(200);
  });

  it('the cron trigger releases a due item even when no alarm is set', async () => {
    const at = Date.now() + 1000;
    const r = await publish(embargoed('cron-clip', at));
    // Lose the alarm (as if it never fired): only the Worker's scheduled handler is left to release it.
    await runInDurableObject(publisherStub(), (_i, state) => state.storage.deleteAlarm());
    await sleep(at - Date.now() + 150);
    expect((await get('/videos/cron-clip')).status).toBe(404);
    // The Cron Trigger's handler, as the runtime calls it every minute.
    const ctx = createExecutionContext();
    await new Wirefeed(ctx, env).scheduled(createScheduledController());
    await waitOnExecutionContext(ctx);
    await settle();
    expect(await feedIds('/feed.json')).toEqual([r.id]);
    expect((await get('/videos/cron-clip')).status).toBe(200);
  });
});

// Live counts flowing back: real views through the gateway, the cron's rollup, then the item page, its
// JSON-LD and the video sitemap show them, at most once an interval, without moving any feed or date.
import { SELF, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { docKey } from '../../src/store/kv-store';
import { BROWSER, cron, rawPoints } from '../audience-helpers';
import { ORIGIN, api, countPublisherKv, get, parseXml, publish, publisherStub, runAlarmsUntil, sleep, syntheticItem } from '../helpers';

// vitest.config.ts sets LIVE_COUNTS_EVERY_MS to a minute; the cron's scheduledTime moves past it.
const EVERY = 60_000;

const VIDEO = syntheticItem(7, {
  slug: 'clip',
  kind: 'video',
  title: 'A clip',
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 134, width: 640, height: 360 },
});
const ARTICLE = syntheticItem(8, { slug: 'story' });

// Views are one per reader a day: each view here comes from another reader's address.
let reader = 0;

/** Views an item page as a person would, through the gateway, and waits until the count is stored. */
async function view(path: string, times = 1): Promise<void> {
  const slug = path.slice(path.lastIndexOf('/') + 1);
  const before = (await rawPoints()).filter((p) => p.kind === 'view' && p.key === slug).length;
  for (let i = 0; i < times; i++) {
    const res = await SELF.fetch(`${ORIGIN}${path}`, {
      headers: { 'User-Agent': BROWSER, 'CF-Connecting-IP': `203.0.113.${(reader++ % 250) + 1}` },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
  // Counting happens after the answer (waitUntil): wait for it, as the cron would come later anyway.
  for (let i = 0; i < 100; i++) {
    if ((await rawPoints()).filter((p) => p.kind === 'view' && p.key === slug).length >= before + times) return;
    await sleep(20);
  }
  throw new Error(`${path}: ${times} views were not counted`);
}

/** A document as a reader gets it: bytes and validators. */
async function snapshot(path: string) {
  const res = await get(path);
  return { status: res.status, body: await res.text(), etag: res.headers.get('ETag'), lastModified: res.headers.get('Last-Modified') };
}

/** The JSON-LD of an item page, parsed as a search engine would. */
function jsonLdOf(html: string): any {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  expect(m, 'the page carries JSON-LD').not.toBeNull();
  return JSON.parse((m as RegExpExecArray)[1] as string);
}

const counter = (stats: any[], action: string) => stats.find((s) => s.interactionType['@type'] === action)?.userInteractionCount;

/** The video sitemap's entry for an item page, parsed with fast-xml-parser. */
async function sitemapEntry(path: string): Promise<any> {
  const urls = [parseXml(await (await get('/sitemaps/1.xml')).text()).urlset.url].flat();
  return urls.find((u: any) => u.loc === `${ORIGIN}${path}`);
}

const FEEDS = [
  '/feed.xml',
  '/feed.atom',
  '/feed.json',
  '/videos/feed.xml',
  '/videos/feed.json',
  '/articles/feed.atom',
  '/',
  '/videos',
  '/archive/1',
];

const appliedRows = () =>
  runInDurableObject(publisherStub(), (_i, state) =>
    state.storage.sql.exec<{ slug: string; views: number }>('SELECT slug, views FROM item_counts ORDER BY slug').toArray(),
  );

describe('live counts', () => {
  it('reach the item page, JSON-LD and the video sitemap, never a feed or a date; at most once an interval', async () => {
    await publish(VIDEO);
    await publish(ARTICLE);
    await runAlarmsUntil();
    const feedsBefore = await Promise.all(FEEDS.map(snapshot));
    const itemsBefore = await Promise.all(['clip', 'story'].map(async (s) => (await api('GET', `/items/${s}`)).json()));
    const pageBefore = await snapshot('/videos/clip');
    expect(pageBefore.body).not.toMatch(/\bviews?\b/);
    expect(jsonLdOf(pageBefore.body)['@graph'][1].interactionStatistic).toBeUndefined();
    expect((await sitemapEntry('/videos/clip'))['video:video']['video:view_count']).toBeUndefined();

    const t0 = Date.now();
    await view('/videos/clip');
    await view('/articles/story');
    await cron(t0);
    // The cron owes the pages; the writer's alarm writes them.
    await runAlarmsUntil();

    const page = await snapshot('/videos/clip');
    expect(page.body).toContain(' · 0 shares · 1 view</p>');
    expect(page.etag).not.toBe(pageBefore.etag);
    const video = jsonLdOf(page.body)['@graph'][1];
    expect(video['@type']).toBe('VideoObject');
    expect(counter(video.interactionStatistic, 'WatchAction')).toBe(1);
    expect(counter(video.interactionStatistic, 'ShareAction')).toBe(0);
    const article = await snapshot('/articles/story');
    expect(article.body).toContain(' · 0 shares · 1 view</p>');
    const articleLd = jsonLdOf(article.body);
    expect(articleLd['@type']).toBe('NewsArticle');
    expect(counter(articleLd.interactionStatistic, 'ViewAction')).toBe(1);
    const entry = await sitemapEntry('/videos/clip');
    expect(entry['video:video']['video:view_count']).toBe('1');
    // Google's schema is a sequence: view_count before publication_date.
    const sitemap = await (await get('/sitemaps/1.xml')).text();
    expect(sitemap.indexOf('<video:view_count>')).toBeLessThan(sitemap.indexOf('<video:publication_date>'));

    // Nothing else moved: every feed and list page byte for byte, with its validators; the items as the API has them.
    expect(await Promise.all(FEEDS.map(snapshot))).toEqual(feedsBefore);
    expect(await Promise.all(['clip', 'story'].map(async (s) => (await api('GET', `/items/${s}`)).json()))).toEqual(itemsBefore);

    // Within the interval another view changes nothing: no KV write at all.
    await view('/videos/clip');
    const within = await countPublisherKv(async () => {
      await cron(t0 + EVERY - 1);
      await runAlarmsUntil();
    });
    expect(within.counts.put ?? 0).toBe(0);
    expect((await get('/videos/clip')).headers.get('ETag')).toBe(page.etag);
    expect((await snapshot('/videos/clip')).body).toContain(' · 0 shares · 1 view</p>');

    // Once it has passed, the new number goes out: the item page and the sitemap page, nothing else.
    const after = await countPublisherKv(async () => {
      await cron(t0 + EVERY);
      await runAlarmsUntil();
    });
    expect(after.keys.put?.sort()).toEqual([docKey('/sitemaps/1.xml'), docKey('/videos/clip')]);
    const again = await snapshot('/videos/clip');
    expect(again.body).toContain(' · 0 shares · 2 views</p>');
    expect(counter(jsonLdOf(again.body)['@graph'][1].interactionStatistic, 'WatchAction')).toBe(2);
    expect((await sitemapEntry('/videos/clip'))['video:video']['video:view_count']).toBe('2');
    expect(await Promise.all(FEEDS.map(snapshot))).toEqual(feedsBefore);
    expect(await Promise.all(['clip', 'story'].map(async (s) => (await api('GET', `/items/${s}`)).json()))).toEqual(itemsBefore);
  });

  it('ignore a withdrawn or unknown item, and fold a renamed item’s old address into it', async () => {
    await publish(ARTICLE);
    const moved = await publish(syntheticItem(9, { slug: 'first-name' }));
    const id = (await (await api('GET', '/items/first-name')).json<any>()).meta.id;
    await publish(syntheticItem(9, { slug: 'second-name', id }));
    await runAlarmsUntil();
    expect(moved.kvWrites).toBeGreaterThan(0);
    await view('/articles/story');
    expect((await api('DELETE', '/items/story')).status).toBe(200);
    const gone = await snapshot('/articles/story');
    expect(gone.status).toBe(410);
    const at = Date.now() + 10 * EVERY;
    await cron(at);
    expect(await appliedRows()).toEqual([]);
    expect(await snapshot('/articles/story')).toEqual(gone);

    // Straight to the writer: an unknown slug is ignored, the old address's views join the new one's.
    const r = await publisherStub().counts(
      [
        { slug: 'nobody-here', views: 5 },
        { slug: 'story', views: 3 },
        { slug: 'first-name', views: 2 },
        { slug: 'second-name', views: 1, shares: 1 },
      ],
      at + EVERY,
    );
    expect(r).toMatchObject({ applied: true, changed: ['second-name'] });
    await runAlarmsUntil();
    expect(await appliedRows()).toEqual([{ slug: 'second-name', views: 3 }]);
    expect(await (await get('/articles/second-name')).text()).toContain(' · 1 share · 3 views</p>');
  });
  it('follow a rename at once: the page under the new slug and the sitemap keep them, no row left at the old slug', async () => {
    await publish(VIDEO);
    await runAlarmsUntil();
    const id = (await (await api('GET', '/items/clip')).json<any>()).meta.id;
    const r = await publisherStub().counts([{ slug: 'clip', views: 4, plays: 2 }], Date.now());
    expect(r).toMatchObject({ applied: true, changed: ['clip'] });
    await runAlarmsUntil();
    expect(await (await get('/videos/clip')).text()).toContain(' · 0 shares · 4 views · 2 plays</p>');
    expect((await sitemapEntry('/videos/clip'))['video:video']['video:view_count']).toBe('6');

    // The rename re-renders the page and the sitemap in its own request, before any counts pass.
    await publish({ ...VIDEO, slug: 'clip-renamed', id });
    const page = await snapshot('/videos/clip-renamed');
    expect(page.status).toBe(200);
    expect(page.body).toContain(' · 0 shares · 4 views · 2 plays</p>');
    expect(counter(jsonLdOf(page.body)['@graph'][1].interactionStatistic, 'WatchAction')).toBe(6);
    expect((await sitemapEntry('/videos/clip-renamed'))['video:video']['video:view_count']).toBe('6');
    expect(await appliedRows()).toEqual([{ slug: 'clip-renamed', views: 4 }]);
    // The next pass finds the same numbers (the old address folds into the item): nothing owed.
    const again = await publisherStub().counts([{ slug: 'clip', views: 4, plays: 2 }], Date.now() + 10 * EVERY);
    expect(again).toMatchObject({ applied: true, changed: [], owed: 0 });
    // A withdrawn item's row goes with it.
    expect((await api('DELETE', '/items/clip-renamed')).status).toBe(200);
    expect(await appliedRows()).toEqual([]);
  });
});

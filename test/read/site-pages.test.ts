// The site around the feeds: scope pages, /feeds and OPML, favicon and logo, sections, edition, Google News sitemap.
import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { ORIGIN, api, get, parseXml, publish, siteSettings, syntheticItem, withPublisherEnv } from '../helpers';

const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
const MEDIA = {
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
};
// Two recent stories in the World section, one old one in Business (outside the news window).
const RECENT = syntheticItem(1, {
  slug: 'recent-story',
  title: 'Recent story',
  published: iso(Date.now() - HOUR),
  section: 'World',
  authors: [{ name: 'Libby Hogan' }],
  tags: ['north-korea'],
});
const CLIP = syntheticItem(2, {
  slug: 'recent-clip',
  kind: 'video',
  title: 'Recent clip',
  published: iso(Date.now() - 3 * HOUR),
  section: 'World',
  authors: [{ name: 'Mina Park' }],
  tags: ['north-korea', 'maritime'],
  ...MEDIA,
});
const OLD = syntheticItem(3, {
  slug: 'old-story',
  title: 'Old story',
  published: '2021-05-05T05:05:05+00:00',
  section: 'Business',
  authors: [{ name: 'Libby Hogan' }],
  tags: ['economy'],
});
const SCOPES = [
  '',
  '/videos',
  '/articles',
  '/tags/north-korea',
  '/tags/maritime',
  '/tags/economy',
  '/authors/libby-hogan',
  '/authors/mina-park',
  '/sections/world',
  '/sections/business',
];

/** <link>/<meta>/<a> tags of an HTML page with their attributes. */
function tags(html: string, name: 'link' | 'a' | 'meta'): Record<string, string>[] {
  return [...html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...(m[1] as string).matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}
const itemLinks = (html: string) => [...html.matchAll(/<li><a href="([^"]+)">/g)].map((m) => m[1]);
const page = async (path: string) => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return res.text();
};

describe('site pages', () => {
  beforeEach(async () => {
    expect((await api('PUT', '/site', siteSettings)).status).toBe(200);
    for (const item of [OLD, CLIP, RECENT]) await publish(item);
  });

  it('every scope has a page, newest first, advertising its own feeds', async () => {
    for (const scope of SCOPES) {
      const html = await page(scope || '/');
      const feeds = tags(html, 'link')
        .filter((l) => l.rel === 'alternate')
        .map((l) => [l.type, l.href]);
      expect(feeds, scope).toEqual([
        ['application/rss+xml', `${ORIGIN}${scope}/feed.xml`],
        ['application/atom+xml', `${ORIGIN}${scope}/feed.atom`],
        ['application/feed+json', `${ORIGIN}${scope}/feed.json`],
      ]);
      const json = await (await get(`${scope}/feed.json`)).json<any>();
      expect(itemLinks(html), scope).toEqual(json.items.map((i: any) => i.url));
    }
    expect(itemLinks(await page('/sections/world'))).toEqual([`${ORIGIN}/articles/recent-story`, `${ORIGIN}/videos/recent-clip`]);
  });

  it('item pages link bylines, tags and section to their pages, never straight to a feed', async () => {
    for (const path of ['/articles/recent-story', '/videos/recent-clip']) {
      const html = await page(path);
      const links = tags(html, 'a');
      expect(links.filter((a) => a.rel === 'author').map((a) => a.href)).toEqual([
        `${ORIGIN}/authors/${path.includes('clip') ? 'mina-park' : 'libby-hogan'}`,
      ]);
      expect(links.filter((a) => a.rel === 'tag').map((a) => a.href)).toContain(`${ORIGIN}/tags/north-korea`);
      expect(links.map((a) => a.href)).toContain(`${ORIGIN}/sections/world`);
      expect(
        links.filter((a) => /\/feed\.(xml|atom|json)$/.test(a.href ?? '')),
        path,
      ).toEqual([]);
    }
  });

  it('scope pages are cut into the same pages as the archive feeds', async () => {
    await withPublisherEnv({ PAGE_SIZE: '2' }, async () => {
      for (let n = 10; n < 15; n++) await publish(syntheticItem(n, { tags: ['paged'] }));
    });
    // Five items, two a page: archive page 1 holds the two oldest, the subscription page the rest.
    for (const path of ['/tags/paged', '/tags/paged/archive/1']) {
      const json = await (await get(`${path}/feed.json`)).json<any>();
      expect(json.items.length, path).toBeGreaterThan(0);
      expect(itemLinks(await page(path)), path).toEqual(json.items.map((i: any) => i.url));
    }
    expect(itemLinks(await page('/tags/paged/archive/1'))).toEqual([`${ORIGIN}/articles/item-11`, `${ORIGIN}/articles/item-10`]);
    expect(tags(await page('/tags/paged'), 'a').map((a) => a.href)).toContain(`${ORIGIN}/tags/paged/archive/1`);
  });

  it('/feeds lists every scope in every format, /feeds.opml imports them all, the home page links /feeds', async () => {
    const directory = await page('/feeds');
    for (const scope of SCOPES)
      for (const f of ['xml', 'atom', 'json']) expect(directory, `${scope} ${f}`).toContain(`<code>${ORIGIN}${scope}/feed.${f}</code>`);
    const opml = parseXml(await page('/feeds.opml')).opml;
    expect(opml['@version']).toBe('2.0');
    expect(opml.head.title).toBeTruthy();
    const outlines = [opml.body.outline].flat().flatMap((g: any) => [g.outline].flat());
    expect(outlines.map((o: any) => o['@xmlUrl']).sort()).toEqual(SCOPES.map((s) => `${ORIGIN}${s}/feed.xml`).sort());
    for (const o of outlines) {
      expect(o['@type']).toBe('rss');
      const scope = (o['@xmlUrl'] as string).slice(ORIGIN.length).replace(/\/feed\.xml$/, '');
      expect(o['@htmlUrl']).toBe(`${ORIGIN}${scope || '/'}`);
    }
    expect(tags(await page('/'), 'a').map((a) => a.href)).toContain(`${ORIGIN}/feeds`);
  });

  it('favicon and logo reach every format and page; /favicon.ico is served and the logo is a square JPEG of 1400 px or more', async () => {
    const logo = `${ORIGIN}${siteSettings.logo}`;
    const icon = `${ORIGIN}${siteSettings.icon}`;
    const rss = parseXml(await page('/feed.xml')).rss.channel;
    expect(rss.image.url).toBe(logo);
    const atom = parseXml(await page('/feed.atom')).feed;
    expect([atom.icon, atom.logo]).toEqual([icon, logo]);
    const json = await (await get('/feed.json')).json<any>();
    expect([json.icon, json.favicon]).toEqual([logo, icon]);
    for (const path of ['/', '/tags/north-korea', '/articles/recent-story', '/feeds']) {
      expect(
        tags(await page(path), 'link')
          .filter((l) => l.rel === 'icon')
          .map((l) => l.href),
        path,
      ).toEqual([icon]);
    }
    const favicon = await env.ASSETS.fetch(`${ORIGIN}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect((await favicon.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const jpeg = new Uint8Array(await (await env.ASSETS.fetch(logo)).arrayBuffer());
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    const { width, height } = jpegSize(jpeg);
    expect(width).toBe(height);
    expect(width).toBeGreaterThanOrEqual(1400);
  });

  it('sections reach every format, the item page and its JSON-LD; the edition labels pages and feeds', async () => {
    const rss = parseXml(await page('/feed.xml')).rss.channel;
    const rssItem = rss.item.find((i: any) => [i.link].flat()[0] === `${ORIGIN}/articles/recent-story`);
    expect(rssItem.category).toContainEqual({ '#text': 'World', '@domain': `${ORIGIN}/sections/` });
    const entry = parseXml(await page('/feed.atom')).feed.entry.find((e: any) => e.id.endsWith(':recent-story'));
    expect(entry.category).toContainEqual({ '@term': 'world', '@scheme': `${ORIGIN}/sections/`, '@label': 'World' });
    const json = await (await get('/feed.json')).json<any>();
    expect(json.items.find((i: any) => i.url.endsWith('/recent-story'))._wirefeed).toMatchObject({
      section: 'World',
      section_url: `${ORIGIN}/sections/world`,
    });
    const html = await page('/articles/recent-story');
    const ld = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? 'null');
    expect(ld.articleSection).toBe('World');
    expect(tags(html, 'meta').find((m) => m.property === 'article:section')?.content).toBe('World');

    const edition = siteSettings.edition as string;
    for (const path of ['/', '/sections/world', '/articles/recent-story', '/feeds'])
      expect(await page(path), path).toContain(`<span class="edition">${edition}</span>`);
    const titled = `${siteSettings.title} (${edition})`;
    expect(rss.title).toBe(titled);
    const atomTitle = parseXml(await page('/feed.atom')).feed.title;
    expect(typeof atomTitle === 'string' ? atomTitle : atomTitle['#text']).toBe(titled);
    expect(json.title).toBe(titled);
    expect((await (await get('/sections/world/feed.json')).json<any>()).title).toBe(`${titled} — World`);
  });

  it('the Google News sitemap lists the last two days’ items and is in the sitemap index', async () => {
    const index = parseXml(await page('/sitemap.xml'));
    expect([index.sitemapindex.sitemap].flat().map((s: any) => s.loc)).toContain(`${ORIGIN}/sitemaps/news.xml`);
    const news = parseXml(await page('/sitemaps/news.xml')).urlset;
    expect(news['@xmlns:news']).toBe('http://www.google.com/schemas/sitemap-news/0.9');
    const urls = [news.url].flat();
    expect(urls.map((u: any) => u.loc)).toEqual([`${ORIGIN}/articles/recent-story`, `${ORIGIN}/videos/recent-clip`]);
    expect(urls[0]['news:news']).toEqual({
      'news:publication': { 'news:name': `${siteSettings.title} (${siteSettings.edition})`, 'news:language': 'en' },
      'news:publication_date': RECENT.published,
      'news:title': 'Recent story',
    });
  });
});

/** Width and height from a JPEG's start-of-frame marker. */
function jpegSize(b: Uint8Array): { width: number; height: number } {
  for (let i = 2; i + 9 < b.length;) {
    const marker = b[i + 1] as number;
    const length = ((b[i + 2] as number) << 8) | (b[i + 3] as number);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: ((b[i + 5] as number) << 8) | (b[i + 6] as number), width: ((b[i + 7] as number) << 8) | (b[i + 8] as number) };
    }
    i += 2 + length;
  }
  throw new Error('no start-of-frame marker');
}

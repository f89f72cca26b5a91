// Withdrawn means gone (410), renamed means moved (oEmbed follows), emptied scopes stay valid feeds; links as shared.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ORIGIN, api, get, parseXml, publish, syntheticItem } from '../helpers';

const MEDIA = {
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
};
const video = (n: number, slug: string, extra: Record<string, unknown> = {}) =>
  syntheticItem(n, { slug, kind: 'video', ...MEDIA, ...extra });
const oembed = (page: string, extra: Record<string, string> = {}) =>
  get(`/oembed?${new URLSearchParams({ url: `${ORIGIN}${page}`, ...extra })}`);
const head = (path: string) => SELF.fetch(`${ORIGIN}${path}`, { method: 'HEAD' });
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** Items in a feed as a real parser reads it, whatever the format. */
async function feedItems(path: string): Promise<unknown[]> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  if (path.endsWith('.json')) return JSON.parse(text).items;
  const doc = parseXml(text);
  if (path.endsWith('.xml')) {
    expect(doc.rss?.channel, path).toBeTruthy();
    return doc.rss.channel.item ?? [];
  }
  expect(doc.feed, path).toBeTruthy();
  return doc.feed.entry ?? [];
}

describe('withdrawn items', () => {
  it('their pages, players and old renamed addresses answer 410: a page for people, problem+json for programs', async () => {
    const first = await publish(video(1, 'old-clip'));
    await publish({ ...video(1, 'new-clip'), id: first.id });
    await publish(syntheticItem(2, { slug: 'gone-story' }));
    expect((await get('/videos/old-clip', { Accept: BROWSER })).status).toBe(200); // followed to the new page
    expect((await api('DELETE', '/items/new-clip')).status).toBe(200);
    expect((await api('DELETE', '/items/gone-story')).status).toBe(200);

    for (const path of ['/videos/new-clip', '/embed/new-clip', '/videos/old-clip', '/embed/old-clip', '/articles/gone-story']) {
      const page = await SELF.fetch(`${ORIGIN}${path}`, { headers: { Accept: BROWSER }, redirect: 'manual' });
      expect(page.status, path).toBe(410);
      expect(page.headers.get('Content-Type'), path).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html, path).toMatch(/<h1>[^<]*withdrawn/i);
      expect(html).toContain('<meta name="robots" content="noindex">');
      const hd = await head(path);
      expect([hd.status, hd.headers.get('Content-Length')], path).toEqual([410, String(new TextEncoder().encode(html).byteLength)]);

      const json = await get(path, { Accept: 'application/json' });
      expect(json.status, path).toBe(410);
      expect(json.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
      expect(await json.json<any>()).toMatchObject({ status: 410, title: 'Gone' });
    }
    // The transcript and the other kind's address never held this item's page: nothing there.
    expect((await get('/articles/new-clip')).status).toBe(404);
  });

  it.each<[string | undefined, 'page' | 'problem']>([
    [undefined, 'page'],
    ['*/*', 'page'],
    [BROWSER, 'page'],
    ['application/json;q=0.1, text/html', 'page'],
    ['text/html;q=0.1, application/json', 'problem'],
    ['text/html;q=0.5, application/problem+json;q=0.9', 'problem'],
    ['application/json, text/html', 'problem'],
    ['text/html, application/json', 'page'],
    ['application/json;q=0, text/html;q=0.2', 'page'],
    ['application/json', 'problem'],
  ])('the 410 honours q-values in Accept: %s → %s', async (accept, want) => {
    await publish(syntheticItem(2, { slug: 'gone-story' }));
    expect((await api('DELETE', '/items/gone-story')).status).toBe(200);
    const res = await get('/articles/gone-story', accept === undefined ? {} : { Accept: accept });
    expect(res.status).toBe(410);
    expect(res.headers.get('Vary')).toBe('Accept');
    expect(res.headers.get('Content-Type')).toBe(want === 'page' ? 'text/html; charset=utf-8' : 'application/problem+json; charset=utf-8');
  });

  it('oEmbed: 404 for a withdrawn item; a renamed item’s old URL answers for it at its new address', async () => {
    const first = await publish(video(1, 'before-clip'));
    await publish({ ...video(1, 'after-clip', { title: 'Renamed clip' }), id: first.id });
    const moved = await oembed('/videos/before-clip');
    expect(moved.status).toBe(200);
    const a = await moved.json<any>();
    expect(a).toMatchObject({ type: 'video', title: 'Renamed clip', url: `${ORIGIN}/videos/after-clip` });
    expect(a.html).toContain(`src="${ORIGIN}/embed/after-clip"`);
    const viaPlayer = await (await oembed('/embed/before-clip', { format: 'xml' })).text();
    expect(parseXml(viaPlayer).oembed.url).toBe(`${ORIGIN}/videos/after-clip`);

    expect((await api('DELETE', '/items/after-clip')).status).toBe(200);
    for (const page of ['/videos/after-clip', '/videos/before-clip', '/embed/after-clip']) {
      for (const format of ['json', 'xml']) expect((await oembed(page, { format })).status, `${page} ${format}`).toBe(404);
    }
  });

  it('a tag, author, section or kind whose last item is withdrawn keeps valid, empty feeds and leaves the sitemaps and directory', async () => {
    await publish(syntheticItem(1, { slug: 'lonely', tags: ['lonely-tag'], authors: [{ name: 'Solo Writer' }], section: 'Solo Desk' }));
    await publish(video(2, 'stays', { tags: ['kept'], authors: [{ name: 'Other Writer' }] }));
    const scopes = ['/tags/lonely-tag', '/authors/solo-writer', '/sections/solo-desk', '/articles'];
    for (const s of scopes) expect(await feedItems(`${s}/feed.json`), s).toHaveLength(1);
    expect(await (await get('/sitemaps/scopes.xml')).text()).toContain(`${ORIGIN}/tags/lonely-tag`);

    expect((await api('DELETE', '/items/lonely')).status).toBe(200);
    for (const s of scopes) {
      for (const f of ['xml', 'atom', 'json']) expect(await feedItems(`${s}/feed.${f}`), `${s}/feed.${f}`).toEqual([]);
    }
    expect(await feedItems('/feed.json')).toHaveLength(1);
    const sitemap = await (await get('/sitemaps/scopes.xml')).text();
    for (const s of scopes) expect(sitemap).not.toContain(`<loc>${ORIGIN}${s}</loc>`);
    expect(sitemap).toContain(`<loc>${ORIGIN}/tags/kept</loc>`);
    // The directory and OPML list a scope by its feeds (every page's header links /articles for people).
    for (const text of [await (await get('/feeds')).text(), await (await get('/feeds.opml')).text()]) {
      for (const s of scopes) expect(text).not.toContain(`${ORIGIN}${s}/feed.xml`);
      expect(text).toContain(`${ORIGIN}/tags/kept/feed.xml`);
    }
  });
});

describe('links as they are shared', () => {
  it('tracking parameters change nothing: same bytes and validators on item pages, feeds and scope pages', async () => {
    await publish(syntheticItem(1, { slug: 'shared-story', section: 'World' }));
    const junk = [
      'utm_source=newsletter&utm_medium=email&utm_campaign=daily',
      'fbclid=IwAR3xyz_-',
      'gclid=Cj0KCQ',
      'utm_source=x&fbclid=y&gclid=z',
    ];
    for (const path of [
      '/articles/shared-story',
      '/feed.xml',
      '/feed.atom',
      '/feed.json',
      '/tags/common',
      '/sections/world',
      '/',
      '/authors/odd-writer/feed.json',
    ]) {
      const plain = await get(path);
      expect(plain.status, path).toBe(200);
      const body = await plain.text();
      for (const q of junk) {
        const res = await get(`${path}?${q}`);
        expect(res.status, `${path}?${q}`).toBe(200);
        expect(await res.text(), `${path}?${q}`).toBe(body);
        for (const h of ['ETag', 'Last-Modified', 'Content-Type', 'Cache-Tag'])
          expect(res.headers.get(h), `${path}?${q} ${h}`).toBe(plain.headers.get(h));
        expect(res.headers.get('Vary')).toBeNull();
      }
    }
    // oEmbed ignores what it does not know, and still checks its own parameters.
    const plain = await (await oembed('/articles/shared-story')).text();
    expect(await (await oembed('/articles/shared-story', { utm_source: 'x', fbclid: 'y' })).text()).toBe(plain);
    expect((await oembed('/articles/shared-story', { maxwidth: 'wide' })).status).toBe(400);
  });

  it('item pages name their canonical URL, and HEAD carries the Content-Length of GET', async () => {
    await publish(syntheticItem(1, { slug: 'canon' }));
    await publish(video(2, 'canon-clip'));
    for (const [path, canonical] of [
      ['/articles/canon?utm_source=x', '/articles/canon'],
      ['/videos/canon-clip?fbclid=y', '/videos/canon-clip'],
    ]) {
      const html = await (await get(path as string)).text();
      const links = [...html.matchAll(/<link rel="canonical" href="([^"]+)">/g)].map((m) => m[1]);
      expect(links, path).toEqual([`${ORIGIN}${canonical}`]);
    }
    const oembedPath = `/oembed?${new URLSearchParams({ url: `${ORIGIN}/videos/canon-clip` })}`;
    for (const path of [
      '/articles/canon',
      '/videos/canon-clip',
      '/embed/canon-clip',
      '/feed.xml',
      '/feed.json',
      '/videos',
      '/feeds',
      '/sitemap.xml',
      oembedPath,
      '/articles/canon?gclid=z',
    ]) {
      const g = await get(path);
      const bytes = (await g.arrayBuffer()).byteLength;
      const h = await head(path);
      expect([h.status, h.headers.get('Content-Length')], path).toEqual([200, String(bytes)]);
      expect(await h.text(), path).toBe('');
    }
  });
});

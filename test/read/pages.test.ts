// Item pages, the embed page, the home page and the sitemap: discovery, metadata and JSON-LD.
import { beforeEach, describe, expect, it } from 'vitest';
import { ORIGIN, get, parseXml, publish, syntheticItem } from '../helpers';
import { SHARE_SCRIPT } from '../../src/render/share-control';
import { textOf } from '../arbitraries';

const VIDEO = syntheticItem(5, {
  slug: 'clip',
  kind: 'video',
  title: 'Clip <b>&</b> "more"',
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 134, width: 640, height: 360 },
  captions: [{ url: '/media/c.en.vtt', language: 'en', label: 'English' }],
  stats: { views: 1, shares: 0 },
});

/** The <head> as a list of tags with their attributes, parsed the way a discovery client would. */
function headTags(html: string): { tag: string; attrs: Record<string, string>; at: number }[] {
  const head = html.slice(0, html.indexOf('</head>'));
  return [...head.matchAll(/<(link|meta)\b([^>]*)>/g)].map((m) => ({
    tag: m[1] as string,
    at: m.index ?? 0,
    attrs: Object.fromEntries([...(m[2] as string).matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], decode(a[2] as string)])),
  }));
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The <link> elements of a page's <head> in order, as workerd's HTML parser (lol-html) reads them. */
async function headLinks(res: Response): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  await new HTMLRewriter()
    .on('head > link', { element: (e) => void out.push(Object.fromEntries([...e.attributes].map(([k, v]) => [k, decode(v ?? '')]))) })
    .transform(res)
    .arrayBuffer();
  return out;
}

function jsonLdOf(html: string): any {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m?.[1] ?? 'null');
}

describe('item pages', () => {
  beforeEach(async () => {
    await publish(VIDEO);
    await publish(syntheticItem(2));
  });

  it('puts oEmbed discovery first in <head>, with absolute hrefs and a title', async () => {
    const html = await (await get('/videos/clip')).text();
    const tags = headTags(html);
    const json = tags.find((t) => t.attrs.type === 'application/json+oembed');
    const xml = tags.find((t) => t.attrs.type === 'text/xml+oembed');
    expect(json?.attrs.href).toBe(`${ORIGIN}/oembed?url=${encodeURIComponent(`${ORIGIN}/videos/clip`)}&format=json`);
    expect(xml?.attrs.href).toContain('format=xml');
    expect(json?.attrs.title).toBe('Clip <b>&</b> "more"');
    // Before any stylesheet or script, and in the first 2 KB, where truncating consumers look.
    expect(json!.at).toBeLessThan(html.indexOf('<style'));
    expect(json!.at).toBeLessThan(2048);
    const oembed = await (await get(new URL(json!.attrs.href as string).pathname + new URL(json!.attrs.href as string).search)).json<any>();
    expect(oembed.type).toBe('video');
    for (const f of ['xml', 'atom', 'json'])
      expect(tags.some((t) => t.attrs.rel === 'alternate' && t.attrs.href === `${ORIGIN}/feed.${f}`)).toBe(true);
    expect(tags.find((t) => t.attrs.rel === 'canonical')?.attrs.href).toBe(`${ORIGIN}/videos/clip`);
  });

  it("advertises, after the oEmbed links, the feeds of the site, the item's kind and its section, three formats each, titled apart", async () => {
    await publish({ ...VIDEO, slug: 'world-clip', section: 'World' });
    const siteName = (await (await get('/feed.json')).json<any>()).title as string;
    const alternates = (await headLinks(await get('/videos/world-clip'))).filter((l) => l.rel === 'alternate');
    expect(alternates.slice(0, 2).map((l) => l.type)).toEqual(['application/json+oembed', 'text/xml+oembed']);
    const feeds = alternates.slice(2);
    const formats = [
      ['xml', 'application/rss+xml', 'RSS'],
      ['atom', 'application/atom+xml', 'Atom'],
      ['json', 'application/feed+json', 'JSON Feed'],
    ] as const;
    const scopes = [
      ['', siteName],
      ['/videos', `${siteName} — Videos`],
      ['/sections/world', `${siteName} — World`],
    ] as const;
    expect(feeds).toEqual(
      scopes.flatMap(([scope, label]) =>
        formats.map(([f, type, name]) => ({ rel: 'alternate', type, title: `${label} (${name})`, href: `${ORIGIN}${scope}/feed.${f}` })),
      ),
    );
    // Every link answers, and the kind's RSS feed is the video podcast.
    for (const l of feeds) expect((await get(new URL(l.href as string).pathname)).status, l.href).toBe(200);
    const podcast = parseXml(await (await get('/videos/feed.xml')).text()).rss.channel;
    expect(textOf(podcast['podcast:medium'])).toBe('video');
    expect(podcast.item.map((i: any) => textOf(i.link[0]))).toContain(`${ORIGIN}/videos/world-clip`);
    // An article without a section: the site's feeds and the articles' feeds.
    const article = (await headLinks(await get('/articles/item-2'))).filter((l) => l.rel === 'alternate').slice(2);
    expect(article.map((l) => l.href)).toEqual(['', '/articles'].flatMap((sc) => formats.map(([f]) => `${ORIGIN}${sc}/feed.${f}`)));
    expect(article.slice(3).map((l) => l.title)).toEqual(formats.map(([, , name]) => `${siteName} — Articles (${name})`));
  });

  it('has Open Graph video and image with sizes, and a twitter:player card', async () => {
    const tags = headTags(await (await get('/videos/clip')).text());
    const meta = (k: string) => tags.find((t) => t.attrs.property === k || t.attrs.name === k)?.attrs.content;
    expect(meta('og:type')).toBe('video.other');
    expect(meta('og:video')).toBe(`${ORIGIN}/media/c.mp4`);
    expect(meta('og:video:width')).toBe('640');
    expect(meta('og:image')).toBe(`${ORIGIN}/media/p.jpg`);
    expect(meta('og:image:width')).toBe('1280');
    expect(meta('og:image:height')).toBe('720');
    expect(meta('twitter:card')).toBe('player');
    expect(meta('twitter:player')).toBe(`${ORIGIN}/embed/clip`);
    expect(meta('twitter:player:height')).toBe('360');
  });

  it('has VideoObject JSON-LD with the required fields, carried by a NewsArticle', async () => {
    const graph = jsonLdOf(await (await get('/videos/clip')).text());
    expect(graph['@context']).toBe('https://schema.org');
    const ld = graph['@graph'].find((n: any) => n['@type'] === 'VideoObject');
    const article = graph['@graph'].find((n: any) => n['@type'] === 'NewsArticle');
    expect(article.video).toEqual({ '@id': ld['@id'] });
    expect(ld).toMatchObject({
      '@type': 'VideoObject',
      name: 'Clip <b>&</b> "more"',
      duration: 'PT2M14S',
      uploadDate: VIDEO.published,
      thumbnailUrl: [`${ORIGIN}/media/p.jpg`],
      contentUrl: `${ORIGIN}/media/c.mp4`,
      embedUrl: `${ORIGIN}/embed/clip`,
    });
    const views = ld.interactionStatistic.find((s: any) => s.interactionType['@type'] === 'WatchAction');
    expect(views.userInteractionCount).toBe(1);
  });

  it('has NewsArticle JSON-LD on article pages', async () => {
    const res = await get('/articles/item-2');
    const ld = jsonLdOf(await res.text());
    expect(ld).toMatchObject({
      '@type': 'NewsArticle',
      headline: 'Item 2',
      datePublished: syntheticItem(2).published,
      author: [{ '@type': 'Person', name: 'Even Writer', url: `${ORIGIN}/authors/even-writer` }],
    });
  });

  it('never lets content close the JSON-LD script or inject markup', async () => {
    await publish(syntheticItem(9, { title: 'Bad </script><script>alert(1)</script>' }));
    const html = await (await get('/articles/item-9')).text();
    // The JSON-LD and the share control's script, whose text is fixed: no third.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain(`<script>${SHARE_SCRIPT}</script>`);
    expect(jsonLdOf(html).headline).toBe('Bad </script><script>alert(1)</script>');
  });

  it('the embed page is a bare player with poster, controls, captions and a link back', async () => {
    const html = await (await get('/embed/clip')).text();
    expect(html).toMatch(/<video [^>]*controls[^>]*poster="http:\/\/127\.0\.0\.1:8787\/media\/p\.jpg"/);
    expect(html).toContain('<source src="http://127.0.0.1:8787/media/c.mp4" type="video/mp4">');
    expect(html).toContain('<track kind="captions" src="http://127.0.0.1:8787/media/c.en.vtt" srclang="en" label="English" default>');
    expect(html).toContain(`href="${ORIGIN}/videos/clip" target="_blank"`);
    expect(html).toMatch(/video\{[^}]*width:100%;height:100%/);
  });

  it('the home page lists the latest items with absolute feed discovery links', async () => {
    const html = await (await get('/')).text();
    const tags = headTags(html);
    expect(tags.filter((t) => t.attrs.rel === 'alternate').map((t) => t.attrs.type)).toEqual([
      'application/rss+xml',
      'application/atom+xml',
      'application/feed+json',
    ]);
    expect(html.indexOf('Item 2')).toBeLessThan(html.indexOf('Clip &lt;b&gt;'));
  });

  it('publishes a sitemap index and pages with the video extension', async () => {
    const index = parseXml(await (await get('/sitemap.xml')).text());
    expect(index.sitemapindex.sitemap.map((s: any) => s.loc)).toEqual([
      `${ORIGIN}/sitemaps/1.xml`,
      `${ORIGIN}/sitemaps/news.xml`,
      `${ORIGIN}/sitemaps/scopes.xml`,
    ]);
    const page = parseXml(await (await get('/sitemaps/1.xml')).text());
    const urls = [page.urlset.url].flat();
    expect(urls.map((u: any) => u.loc)).toEqual([`${ORIGIN}/videos/clip`, `${ORIGIN}/articles/item-2`]);
    expect(urls[0]['video:video']).toMatchObject({ 'video:duration': '134', 'video:player_loc': `${ORIGIN}/embed/clip` });
    const robots = await (await get('/robots.txt')).text();
    expect(robots).toContain(`Sitemap: ${ORIGIN}/sitemap.xml`);
  });
});

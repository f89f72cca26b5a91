// oEmbed 1.0 provider: a table of answers, limits, formats, foreign and malformed URLs.
import { beforeEach, describe, expect, it } from 'vitest';
import { get, parseXml, publish, syntheticItem } from '../helpers';

const VIDEO = syntheticItem(7, {
  slug: 'harbour-clip',
  kind: 'video',
  title: 'Harbour & "drill"',
  image: { url: '/media/harbour.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/harbour.mp4', type: 'video/mp4', size: 12345, duration: 134, width: 640, height: 360 },
});
const ARTICLE = syntheticItem(8, { slug: 'plain-story' });
const PAGE = 'http://127.0.0.1:8787/videos/harbour-clip';

const oembed = (params: Record<string, string>) => get(`/oembed?${new URLSearchParams(params)}`);

describe('oEmbed', () => {
  beforeEach(async () => {
    await publish(VIDEO);
    await publish(ARTICLE);
  });

  it('answers a video with one iframe to the player, sized at the native size by default', async () => {
    const res = await oembed({ url: PAGE });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const a = await res.json<any>();
    expect(a).toMatchObject({
      version: '1.0',
      type: 'video',
      title: 'Harbour & "drill"',
      author_name: 'Odd Writer',
      provider_name: 'wirefeed',
      provider_url: 'http://127.0.0.1:8787/',
      width: 640,
      height: 360,
      duration: 134,
      thumbnail_url: 'http://127.0.0.1:8787/media/harbour.jpg',
      thumbnail_width: 1280,
      thumbnail_height: 720,
    });
    expect(a.cache_age).toBeGreaterThan(0);
    expect(a.author_url).toMatch(/^http:\/\/127\.0\.0\.1:8787\//);
    const iframes = [...a.html.matchAll(/<iframe\b([^>]*)><\/iframe>/g)];
    expect(iframes).toHaveLength(1);
    const attrs = iframes[0][1];
    expect(attrs).toContain('src="http://127.0.0.1:8787/embed/harbour-clip"');
    expect(attrs).toContain('width="640" height="360"');
    expect(attrs).toContain('title="Harbour &amp; &quot;drill&quot;"');
    expect(attrs).toMatch(/allow="[^"]*fullscreen/);
    expect(attrs).toContain('referrerpolicy="strict-origin-when-cross-origin"');
    expect(attrs).toContain('loading="lazy"');
  });

  it.each<[Record<string, string>, number, number]>([
    [{ maxwidth: '500' }, 500, 281],
    [{ maxheight: '200' }, 355, 199],
    [{ maxwidth: '500', maxheight: '100' }, 177, 99],
    [{ maxwidth: '2000', maxheight: '2000' }, 640, 360],
    [{ maxwidth: '1' }, 1, 1],
  ])('fits %o within both limits at the player aspect ratio', async (limits, w, h) => {
    const a = await (await oembed({ url: PAGE, ...limits })).json<any>();
    expect([a.width, a.height]).toEqual([w, h]);
    if (limits.maxwidth) expect(a.thumbnail_width).toBeLessThanOrEqual(Number(limits.maxwidth));
    if (limits.maxheight) expect(a.thumbnail_height).toBeLessThanOrEqual(Number(limits.maxheight));
    expect(a.html).toContain(`width="${w}" height="${h}"`);
  });

  it('answers XML with an <oembed> root and the same fields', async () => {
    const res = await oembed({ url: PAGE, format: 'xml', maxwidth: '500' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/xml; charset=utf-8');
    const o = parseXml(await res.text()).oembed;
    expect(o).toMatchObject({ version: '1.0', type: 'video', width: '500', height: '281', title: 'Harbour & "drill"' });
    expect(o.html).toMatch(/^<iframe /);
  });

  it('answers articles as type link', async () => {
    const a = await (await oembed({ url: 'http://127.0.0.1:8787/articles/plain-story' })).json<any>();
    expect(a).toMatchObject({ version: '1.0', type: 'link', title: 'Item 8', provider_name: 'wirefeed' });
    expect(a.html).toBeUndefined();
  });

  it.each([
    ['https of our own host', 'https://127.0.0.1/videos/harbour-clip', 200],
    ['a trailing slash', `${PAGE}/`, 200],
    ['a query string and fragment', `${PAGE}?utm_source=x#t=10`, 200],
    ['a percent-encoded path', 'http://127.0.0.1:8787/videos/harbour%2Dclip', 200],
    ['the embed URL itself', 'http://127.0.0.1:8787/embed/harbour-clip', 200],
    ['a foreign host', 'https://example.com/videos/harbour-clip', 404],
    ['our host on another port', 'http://127.0.0.1:9999/videos/harbour-clip', 404],
    ['a lookalike host', 'http://127.0.0.1.evil.example/videos/harbour-clip', 404],
    ['an unknown slug', 'http://127.0.0.1:8787/videos/no-such-thing', 404],
    ['the wrong kind', 'http://127.0.0.1:8787/articles/harbour-clip', 404],
    ['an embed URL of an article', 'http://127.0.0.1:8787/embed/plain-story', 404],
    ['a feed URL', 'http://127.0.0.1:8787/feed.xml', 404],
    ['a javascript: URL', 'javascript:alert(1)', 404],
    ['not a URL', 'harbour-clip', 400],
    ['a broken escape', 'http://127.0.0.1:8787/videos/%E0%A4%A', 400],
  ])('url with %s → %s', async (_name, url, status) => {
    const res = await oembed({ url });
    expect(res.status).toBe(status);
    if (status !== 200) {
      expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
      const p = await res.json<any>();
      expect(p.status).toBe(status);
      expect(p.detail).toMatch(/^url: /);
    }
  });

  it.each([
    [{ format: 'yaml' }, 501, 'format'],
    [{ format: '' }, 501, 'format'],
    [{ maxwidth: '0' }, 400, 'maxwidth'],
    [{ maxwidth: '-5' }, 400, 'maxwidth'],
    [{ maxheight: '12.5' }, 400, 'maxheight'],
    [{ maxheight: 'big' }, 400, 'maxheight'],
    [{ maxwidth: '1e3' }, 400, 'maxwidth'],
  ])('%o → %s naming %s', async (params, status, field) => {
    const res = await oembed({ url: PAGE, ...params });
    expect(res.status).toBe(status);
    const p = await res.json<any>();
    expect(p.detail.startsWith(`${field}: `) || p.field === field).toBe(true);
  });

  it('ignores parameters it does not define (tracking tags, JSONP callbacks), still checking its own', async () => {
    const plain = await oembed({ url: PAGE, maxwidth: '500' });
    const tagged = await oembed({ url: PAGE, maxwidth: '500', callback: 'x', utm_source: 'newsletter' });
    expect(tagged.status).toBe(200);
    expect(await tagged.text()).toBe(await plain.text());
    expect(tagged.headers.get('Cloudflare-CDN-Cache-Control')).toBe('no-store');
    expect(plain.headers.get('Cloudflare-CDN-Cache-Control')).toMatch(/^max-age=/);
    expect((await oembed({ url: PAGE, maxwidth: 'wide', utm_source: 'x' })).status).toBe(400);
  });

  it('needs a url', async () => {
    const res = await get('/oembed');
    expect(res.status).toBe(400);
    expect((await res.json<any>()).field).toBe('url');
  });

  it('revalidates: same parameters give the same ETag and a 304', async () => {
    const first = await oembed({ url: PAGE, maxwidth: '500' });
    const etag = first.headers.get('ETag') as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await get(`/oembed?${new URLSearchParams({ url: PAGE, maxwidth: '500' })}`, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    const other = await oembed({ url: PAGE, maxwidth: '400' });
    expect(other.headers.get('ETag')).not.toBe(etag);
  });
});

// Read path review: 410s and 301s at the edge, HEAD lengths, validators on fixed texts, oEmbed URL parsing, crossorigin, OPTIONS and 405.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ORIGIN, api, get, publish, syntheticItem } from '../helpers';

const MEDIA = {
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
  captions: [{ url: '/media/c.vtt', language: 'en', label: 'English' }],
};
const video = (n: number, slug: string, extra: Record<string, unknown> = {}) =>
  syntheticItem(n, { slug, kind: 'video', ...MEDIA, ...extra });
const fetchAt = (path: string, init: RequestInit = {}) => SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual', ...init });
const oembedFor = (url: string) => get(`/oembed?${new URLSearchParams({ url })}`);
const PROBLEM = 'application/problem+json; charset=utf-8';

/** Sets up a renamed video (old-clip → new-clip) and a withdrawn article (gone-story). */
async function renamedAndWithdrawn(): Promise<void> {
  const first = await publish(video(1, 'old-clip'));
  await publish({ ...video(1, 'new-clip'), id: first.id });
  await publish(syntheticItem(2, { slug: 'gone-story' }));
  expect((await api('DELETE', '/items/gone-story')).status).toBe(200);
}

describe('410 and 301 at the edge', () => {
  it('a 410 never stays in Workers Cache, and an off-canonical 301 does not either', async () => {
    await renamedAndWithdrawn();
    for (const query of ['', '?utm_source=x']) {
      for (const accept of ['text/html', 'application/json']) {
        const gone = await fetchAt(`/articles/gone-story${query}`, { headers: { Accept: accept } });
        expect(gone.status, `${query} ${accept}`).toBe(410);
        // Like a 404 (no-store): a re-published slug must be seen at once, not after an edge lifetime.
        expect(gone.headers.get('Cloudflare-CDN-Cache-Control'), `${query} ${accept}`).toBe('no-store');
        expect(gone.headers.get('Cache-Tag')).toBe('doc:/articles/gone-story');
      }
    }
    const moved = await fetchAt('/videos/old-clip?fbclid=abc');
    expect(moved.status).toBe(301);
    expect(moved.headers.get('Location')).toBe(`${ORIGIN}/videos/new-clip`);
    expect(moved.headers.get('Cloudflare-CDN-Cache-Control')).toBe('no-store');
    // The canonical 301 is one purgeable copy (its Cache-Tag is its document's key), with a stated lifetime.
    const canonical = await fetchAt('/videos/old-clip');
    expect(canonical.status).toBe(301);
    expect(canonical.headers.get('Cloudflare-CDN-Cache-Control')).toMatch(/^max-age=\d+$/);
    expect(canonical.headers.get('Cache-Tag')).toBe('doc:/videos/old-clip');
    // For comparison: a 404 is not stored anywhere.
    expect((await fetchAt('/articles/never-was')).headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('HEAD', () => {
  it('carries the Content-Length of GET for the stylesheet, robots.txt, JSON 410s and problem+json errors', async () => {
    await renamedAndWithdrawn();
    const cases: [string, Record<string, string>, number][] = [
      ['/feed.css', {}, 200],
      ['/robots.txt', {}, 200],
      ['/healthz', {}, 200],
      ['/articles/gone-story', { Accept: 'application/json' }, 410],
      ['/articles/gone-story', { Accept: 'text/html' }, 410],
      ['/nope', {}, 404],
      ['/videos/missing', {}, 404],
      ['/oembed', {}, 400],
      [`/oembed?${new URLSearchParams({ url: `${ORIGIN}/videos/new-clip`, format: 'yaml' })}`, {}, 501],
    ];
    for (const [path, headers, status] of cases) {
      const full = await fetchAt(path, { headers });
      const bytes = (await full.arrayBuffer()).byteLength;
      expect(bytes, path).toBeGreaterThan(0);
      expect([full.status, full.headers.get('Content-Length')], `GET ${path}`).toEqual([status, String(bytes)]);
      const head = await fetchAt(path, { method: 'HEAD', headers });
      expect([head.status, head.headers.get('Content-Length')], `HEAD ${path}`).toEqual([status, String(bytes)]);
      expect(head.headers.get('Content-Type'), path).toBe(full.headers.get('Content-Type'));
      expect(await head.text(), path).toBe('');
    }
  });
});

describe('/feed.css and /robots.txt', () => {
  it.each([
    ['/feed.css', 'text/css; charset=utf-8'],
    ['/robots.txt', 'text/plain; charset=utf-8'],
  ])('%s answers like a stored document: strong ETag, 304s, Cache-Tag, edge lifetime, CORS', async (path, type) => {
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('Content-Type')).toBe(type);
    const body = await first.text();
    const etag = first.headers.get('ETag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_.x-]+"$/);
    expect(first.headers.get('Cache-Tag')).toBe(`doc:${path}`);
    expect(first.headers.get('Cache-Control')).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+, stale-if-error=\d+$/);
    expect(first.headers.get('Cloudflare-CDN-Cache-Control')).toMatch(/^max-age=\d+, stale-if-error=\d+$/);
    expect(first.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(first.headers.get('X-Content-Type-Options')).toBe('nosniff');
    // Nothing dates these bytes but the deploy, so no Last-Modified is claimed.
    expect(first.headers.get('Last-Modified')).toBeNull();
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await get(path, { 'If-None-Match': inm });
      expect(again.status, inm).toBe(304);
      expect(again.headers.get('ETag')).toBe(etag);
      expect(again.headers.get('Cache-Tag')).toBe(`doc:${path}`);
      expect(await again.text()).toBe('');
    }
    const changed = await get(path, { 'If-None-Match': '"other"' });
    expect([changed.status, await changed.text()]).toEqual([200, body]);
    // Query parameters change nothing but keep the answer out of the edge cache, as for documents.
    const tagged = await get(`${path}?utm_source=x`);
    expect([tagged.status, await tagged.text(), tagged.headers.get('ETag')]).toEqual([200, body, etag]);
    expect(tagged.headers.get('Cloudflare-CDN-Cache-Control')).toBe('no-store');
  });

  it('robots.txt names the sitemap index and keeps crawlers out of the API', async () => {
    const lines = (await (await get('/robots.txt')).text()).split('\n');
    expect(lines).toContain('User-agent: *');
    expect(lines).toContain('Disallow: /api/');
    expect(lines).toContain(`Sitemap: ${ORIGIN}/sitemap.xml`);
  });
});

describe('oEmbed reads its url through the URL contract', () => {
  it.each([
    ['the page', `${ORIGIN}/videos/clip`, 200],
    ['two trailing slashes', `${ORIGIN}/videos/clip//`, 200],
    ['lower-case percent-encoding', `${ORIGIN}/videos/cl%69p`, 200],
    ['upper-case percent-encoding', `${ORIGIN}/videos/cl%69%70`, 200],
    ['https of our host', 'https://127.0.0.1/embed/clip?x=1#t=3', 200],
    ['an item called archive', `${ORIGIN}/articles/archive`, 200],
    // An encoded slash is part of a segment, not a separator: no page of ours lives at these.
    ['an encoded slash after the kind', `${ORIGIN}/videos%2Fclip`, 404],
    ['an encoded slash after the player', `${ORIGIN}/embed%2Fclip`, 404],
    ['an encoded trailing slash', `${ORIGIN}/videos/clip%2F`, 404],
    ['a transcript', `${ORIGIN}/videos/clip/transcript.txt`, 404],
    ['an archive page', `${ORIGIN}/articles/archive/1`, 404],
    ['a scope page', `${ORIGIN}/tags/common`, 404],
    ['a broken escape', `${ORIGIN}/videos/cl%E0%A4`, 400],
  ])('%s → %s', async (_name, url, status) => {
    await publish(video(1, 'clip'));
    await publish(syntheticItem(2, { slug: 'archive' }));
    const res = await oembedFor(url);
    expect(res.status, url).toBe(status);
    if (status === 200) {
      const a = await res.json<any>();
      expect(a.version).toBe('1.0');
      expect(a.url).toMatch(/\/(videos\/clip|articles\/archive)$/);
    } else {
      expect(res.headers.get('Content-Type')).toBe(PROBLEM);
      expect((await res.json<any>()).detail).toMatch(/^url: /);
    }
  });
});

/** The attributes of every <video> and <track> in a page, read by workerd's HTML parser. */
async function mediaElements(path: string): Promise<{ tag: string; attrs: Record<string, string> }[]> {
  const found: { tag: string; attrs: Record<string, string> }[] = [];
  const collect = {
    element(el: Element) {
      found.push({ tag: el.tagName, attrs: Object.fromEntries([...el.attributes].map(([k, v]) => [k, v])) });
    },
  };
  const res = await get(path);
  expect(res.status, path).toBe(200);
  await new HTMLRewriter().on('video', collect).on('track', collect).transform(res).arrayBuffer();
  return found;
}

describe('player crossorigin', () => {
  it('a video is fetched in CORS mode only where a caption track needs it: from another origin, or in the embed (sandboxed iframes have no origin)', async () => {
    const cdnVideo = { ...MEDIA.video, url: 'https://cdn.example.net/c.mp4' };
    // Video on a CDN that may send no CORS headers: in CORS mode it would not play at all.
    await publish(video(1, 'cdn-clip', { video: cdnVideo }));
    await publish(video(2, 'cdn-bare', { video: cdnVideo, captions: undefined }));
    // A track from another origin loads only in CORS mode (HTML: same-origin fallback otherwise).
    await publish(video(3, 'cdn-captions', { captions: [{ url: 'https://cdn.example.net/c.vtt', language: 'en', label: 'English' }] }));
    const cases: [string, string[], string | undefined][] = [
      ['/videos/cdn-clip', ['video', 'track'], undefined],
      ['/embed/cdn-clip', ['video', 'track'], 'anonymous'],
      ['/videos/cdn-bare', ['video'], undefined],
      ['/embed/cdn-bare', ['video'], undefined],
    ];
    for (const [page, tags, crossorigin] of cases) {
      const els = await mediaElements(page);
      expect(
        els.map((e) => e.tag),
        page,
      ).toEqual(tags);
      expect(els[0]?.attrs.crossorigin, page).toBe(crossorigin);
      for (const el of els.slice(1)) expect(el.attrs, `${page} <track>`).not.toHaveProperty('crossorigin');
    }
    for (const page of ['/embed/cdn-captions', '/videos/cdn-captions']) {
      const [el] = await mediaElements(page);
      expect(el?.attrs.crossorigin, page).toBe('anonymous');
    }
  });
});

describe('methods on public paths', () => {
  const PUBLIC = ['/feed.xml', '/', '/videos/clip', '/oembed', '/feed.css', '/robots.txt', '/nope'];

  it('OPTIONS answers a CORS preflight with 204', async () => {
    await publish(video(1, 'clip'));
    for (const path of PUBLIC) {
      const res = await fetchAt(path, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://reader.example',
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'if-none-match',
        },
      });
      expect(res.status, path).toBe(204);
      const h = res.headers;
      expect(h.get('Allow'), path).toBe('GET, HEAD, OPTIONS');
      expect(h.get('Access-Control-Allow-Origin')).toBe('*');
      expect(h.get('Access-Control-Allow-Methods')).toBe('GET, HEAD, OPTIONS');
      const allowed = (h.get('Access-Control-Allow-Headers') ?? '').split(',').map((s) => s.trim().toLowerCase());
      expect(allowed).toEqual(expect.arrayContaining(['if-none-match', 'if-modified-since']));
      expect(Number(h.get('Access-Control-Max-Age'))).toBeGreaterThan(0);
      expect(await res.text()).toBe('');
    }
  });

  it('POST, PUT, DELETE and PATCH answer 405 problem+json naming what is allowed', async () => {
    await publish(video(1, 'clip'));
    for (const path of PUBLIC) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const res = await fetchAt(path, { method, body: method === 'DELETE' ? undefined : 'x' });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('Allow')).toBe('GET, HEAD, OPTIONS');
        expect(res.headers.get('Content-Type')).toBe(PROBLEM);
        expect(res.headers.get('Cache-Control')).toBe('no-store');
        expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
        const p = JSON.parse(await res.text());
        expect(p).toMatchObject({ type: 'about:blank', title: 'Method Not Allowed', status: 405, instance: path });
        expect(p.detail).toContain(method);
      }
    }
    // The page itself is untouched by the refused write.
    expect((await get('/videos/clip')).status).toBe(200);
  });

  it('the API keeps its own answers: authentication first, its own 404s', async () => {
    const unauthenticated = await fetchAt('/api/items', { method: 'OPTIONS' });
    expect(unauthenticated.status).toBe(401);
    expect((await api('OPTIONS', '/items')).status).toBe(404);
    expect((await api('PATCH', '/site')).status).toBe(404);
    expect((await api('POST', '/nothing-here', {})).status).toBe(404);
  });
});

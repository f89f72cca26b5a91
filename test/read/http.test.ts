// HTTP behaviour of public GETs: validators, 304s, HEAD, headers, query parameters, KV reads per request.
import { SELF, createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { ORIGIN, countingKv, get, publish, syntheticItem } from '../helpers';
import { PLAYER_SCRIPT, PLAYER_SCRIPT_HASH } from '../../src/render/player-beacon';

const VIDEO = syntheticItem(5, {
  slug: 'clip',
  kind: 'video',
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
});

const ROUTES: [string, string][] = [
  ['/feed.xml', 'application/xml; charset=utf-8'],
  ['/feed.atom', 'application/xml; charset=utf-8'],
  ['/feed.json', 'application/feed+json; charset=utf-8'],
  ['/videos/feed.xml', 'application/xml; charset=utf-8'],
  ['/tags/common/feed.atom', 'application/xml; charset=utf-8'],
  ['/authors/odd-writer/feed.json', 'application/feed+json; charset=utf-8'],
  ['/', 'text/html; charset=utf-8'],
  ['/tags/common', 'text/html; charset=utf-8'],
  ['/feeds', 'text/html; charset=utf-8'],
  ['/feeds.opml', 'text/x-opml; charset=utf-8'],
  ['/sitemap.xml', 'application/xml; charset=utf-8'],
  ['/videos/clip', 'text/html; charset=utf-8'],
  ['/articles/item-2', 'text/html; charset=utf-8'],
  ['/embed/clip', 'text/html; charset=utf-8'],
  [`/oembed?url=${encodeURIComponent(`${ORIGIN}/videos/clip`)}`, 'application/json; charset=utf-8'],
  [`/oembed?url=${encodeURIComponent(`${ORIGIN}/videos/clip`)}&format=xml`, 'text/xml; charset=utf-8'],
];

/** Calls the app directly with a KV binding that counts, and the warm cache bound given. */
async function counted(path: string, warmSeconds: string, headers: Record<string, string> = {}) {
  const { kv, counts } = countingKv(env.FEEDS);
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${ORIGIN}${path}`, { headers }), { ...env, FEEDS: kv, WARM_TTL: warmSeconds }, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return { res, reads: (counts.get ?? 0) + (counts.getWithMetadata ?? 0), lists: counts.list ?? 0 };
}

describe('HTTP', () => {
  beforeEach(async () => {
    await publish(VIDEO);
    await publish(syntheticItem(2));
  });

  it.each(ROUTES)('%s: content type, validators, CORS, nosniff, cache lifetimes', async (path, type) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(type);
    expect(res.headers.get('ETag')).toMatch(/^"[A-Za-z0-9_.x-]+"$/);
    expect(Date.parse(res.headers.get('Last-Modified') as string)).toBeGreaterThan(0);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Expose-Headers')).toContain('ETag');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Cache-Control')).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+, stale-if-error=\d+$/);
    // Workers Cache keeps its own, longer lifetime (the writer purges on change); Cloudflare strips it.
    expect(res.headers.get('Cloudflare-CDN-Cache-Control')).toMatch(/^max-age=\d+, stale-if-error=\d+$/);
    expect(res.headers.get('Cache-Tag')).toMatch(/^(doc|item):/);
    // No answer depends on a request header except through validators, which need no Vary (RFC 9110
    // §12.5.5); a stray Vary: Origin would split every shared cache entry per embedding site.
    expect(res.headers.get('Vary')).toBeNull();
  });

  it.each(ROUTES)('%s: HEAD has the headers and no body', async (path) => {
    const get200 = await get(path);
    const head = await SELFHead(path);
    expect(head.status).toBe(200);
    expect(head.headers.get('ETag')).toBe(get200.headers.get('ETag'));
    expect(head.headers.get('Content-Type')).toBe(get200.headers.get('Content-Type'));
    expect(head.headers.get('Content-Length')).toBe(String((await get200.arrayBuffer()).byteLength));
    expect(await head.text()).toBe('');
  });

  it.each(ROUTES)('%s: 304 and 200 for each combination of validators', async (path) => {
    const first = await get(path);
    const etag = first.headers.get('ETag') as string;
    const lastModified = first.headers.get('Last-Modified') as string;
    const before = new Date(Date.parse(lastModified) - 1000).toUTCString();
    const cases: [Record<string, string>, number][] = [
      [{ 'If-None-Match': etag }, 304],
      [{ 'If-None-Match': `W/${etag}` }, 304],
      [{ 'If-None-Match': `"nope", ${etag}` }, 304],
      [{ 'If-None-Match': '*' }, 304],
      [{ 'If-None-Match': '"nope"' }, 200],
      [{ 'If-Modified-Since': lastModified }, 304],
      [{ 'If-Modified-Since': before }, 200],
      [{ 'If-Modified-Since': 'not a date' }, 200],
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
      [{ 'If-None-Match': '"nope"', 'If-Modified-Since': lastModified }, 200],
      [{ 'If-None-Match': etag, 'If-Modified-Since': before }, 304],
    ];
    for (const [headers, status] of cases) {
      const res = await get(path, headers);
      expect(res.status, JSON.stringify(headers)).toBe(status);
      if (status === 304) {
        expect(res.headers.get('ETag')).toBe(etag);
        expect(res.headers.get('Cache-Control')).toBeTruthy();
        expect(await res.text()).toBe('');
      }
    }
  });

  it('the cold path makes exactly one KV read, and never a list', async () => {
    for (const [path] of ROUTES) {
      const { res, reads, lists } = await counted(path, '0');
      expect(res.status, path).toBe(200);
      expect([reads, lists], path).toEqual([1, 0]);
    }
  });

  it('the warm path makes no KV read at all, also for conditional requests', async () => {
    for (const [path] of ROUTES) {
      const cold = await counted(path, '60');
      // Both oEmbed formats share the item record, so the second finds it warm already.
      expect(cold.reads, path).toBeLessThanOrEqual(1);
      const warm = await counted(path, '60');
      expect([warm.res.status, warm.reads], path).toEqual([200, 0]);
      const revalidate = await counted(path, '60', { 'If-None-Match': warm.res.headers.get('ETag') as string });
      expect([revalidate.res.status, revalidate.reads], path).toEqual([304, 0]);
    }
  });

  it('a warm copy never outlives a publish in the isolate that published', async () => {
    await counted('/feed.json', '60');
    await publish(syntheticItem(3));
    const after = await counted('/feed.json', '60');
    expect(after.reads).toBe(1);
  });

  it('ignores query parameters a path does not use: same bytes, same validators, kept out of the edge cache', async () => {
    for (const [path] of ROUTES) {
      const plain = await get(path);
      const body = await plain.text();
      for (const junk of ['utm_source=newsletter&utm_medium=email', 'fbclid=IwAR0x', 'gclid=abc', 'callback=x', 'a=1&a=2&%zz']) {
        const res = await get(`${path}${path.includes('?') ? '&' : '?'}${junk}`);
        expect(res.status, `${path} ${junk}`).toBe(200);
        expect(await res.text()).toBe(body);
        expect(res.headers.get('ETag')).toBe(plain.headers.get('ETag'));
        expect(res.headers.get('Cloudflare-CDN-Cache-Control'), path).toBe('no-store');
        expect(res.headers.get('Vary')).toBeNull();
      }
    }
  });

  it('health and robots answer without touching KV', async () => {
    const health = await counted('/healthz', '0');
    expect([health.res.status, health.reads]).toEqual([200, 0]);
    expect(health.res.headers.get('Cache-Control')).toBe('no-store');
    const robots = await get('/robots.txt');
    expect(await robots.text()).toMatch(/^User-agent: \*$/m);
  });

  it('answers unknown paths and malformed names with problem+json 404s', async () => {
    const long = `/videos/${'a'.repeat(600)}`;
    const longName = `/authors/${'가'.repeat(300)}/feed.xml`;
    for (const path of [
      '/nope',
      '/tags/Bad_Tag/feed.xml',
      '/feed.rss',
      '/archive/0/feed.xml',
      '/videos/missing',
      '/embed/item-2',
      '/tags/unknown/feed.json',
      long,
      longName,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
      expect((await res.json<any>()).status).toBe(404);
    }
  });

  it('the embed page can be framed anywhere and sets no cookies; item pages only by us', async () => {
    const embed = await get('/embed/clip');
    expect(embed.headers.get('X-Frame-Options')).toBeNull();
    expect(embed.headers.get('Content-Security-Policy')).toContain('frame-ancestors *');
    expect(embed.headers.get('Set-Cookie')).toBeNull();
    const html = await embed.text();
    // One script, the audience beacon (allowed by its hash alone); no storage, no cookie.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`<script>${PLAYER_SCRIPT}</script>`);
    expect(html).not.toMatch(/localStorage|sessionStorage|document\.cookie/);
    expect((await get('/videos/clip')).headers.get('Content-Security-Policy')).toContain("frame-ancestors 'self'");
  });

  it('security headers: exactly these per role, none of secure-headers’ other defaults, nosniff on every answer', async () => {
    const EMBED_CSP = `frame-ancestors *; default-src 'none'; media-src 'self' https: http:; img-src 'self' https: http:; style-src 'unsafe-inline'; script-src ${PLAYER_SCRIPT_HASH}; connect-src 'self'; base-uri 'none'; form-action 'none'`;
    const cases: [string, string | null, string | null][] = [
      ['/feed.xml', null, null],
      ['/sitemap.xml', null, null],
      ['/', "frame-ancestors 'self'", 'strict-origin-when-cross-origin'],
      ['/articles/item-2', "frame-ancestors 'self'", 'strict-origin-when-cross-origin'],
      ['/embed/clip', EMBED_CSP, 'strict-origin-when-cross-origin'],
    ];
    for (const [path, csp, referrer] of cases) {
      const full = await get(path);
      const etag = full.headers.get('ETag') as string;
      for (const res of [full, await get(path, { 'If-None-Match': etag })]) {
        expect(res.headers.get('Content-Security-Policy'), path).toBe(csp);
        expect(res.headers.get('Referrer-Policy'), path).toBe(referrer);
        expect(res.headers.get('X-Content-Type-Options'), path).toBe('nosniff');
        for (const h of [
          'Cross-Origin-Resource-Policy',
          'Cross-Origin-Opener-Policy',
          'Strict-Transport-Security',
          'X-Frame-Options',
          'Origin-Agent-Cluster',
        ])
          expect(res.headers.get(h), `${path} ${h}`).toBeNull();
      }
    }
    const others = [
      await get('/no-such-thing'),
      await get('/api/status'),
      await get('/api/status', { Authorization: 'Bearer test-token' }),
      await SELF.fetch(`${ORIGIN}/feed.xml`, { method: 'OPTIONS' }),
      await SELF.fetch(`${ORIGIN}/feed.xml`, { method: 'POST' }),
      await get('/healthz'),
      await get('/robots.txt'),
    ];
    expect(others.map((r) => r.status)).toEqual([404, 401, 200, 204, 405, 200, 200]);
    for (const r of others) expect(r.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});

function SELFHead(path: string) {
  return import('cloudflare:test').then(({ SELF }) => SELF.fetch(`${ORIGIN}${path}`, { method: 'HEAD' }));
}

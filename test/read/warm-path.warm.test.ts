// The warm path as production runs it: WARM_TTL 5 (this project's binding), through the real default export.
import { SELF, env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ORIGIN, api, publish, settleWriter, syntheticItem } from '../helpers';

const VIDEO = syntheticItem(5, {
  slug: 'clip',
  kind: 'video',
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
  transcript: 'Words.',
});

// One address of each role the documents route serves, plus a renamed item's old address (301) and
// a withdrawn one (410), and oEmbed (the warm item record).
const PATHS = [
  '/feed.xml',
  '/tags/common/feed.json',
  '/',
  '/tags/common',
  '/articles/item-2',
  '/videos/clip',
  '/embed/clip',
  '/videos/clip/transcript.txt',
  '/sitemap.xml',
  '/feeds',
  '/articles/old-story',
  '/articles/gone-story',
  `/oembed?url=${encodeURIComponent(`${ORIGIN}/videos/clip`)}`,
];

interface Seen {
  status: number;
  headers: [string, string][];
  body: number[];
}

async function fetchSeen(url: string, init: RequestInit): Promise<Seen> {
  const res = await SELF.fetch(url, { ...init, redirect: 'manual' });
  return {
    status: res.status,
    // Every header but Date, which is the clock's and not the answer's.
    headers: [...res.headers].filter(([name]) => name !== 'date'),
    body: [...new Uint8Array(await res.arrayBuffer())],
  };
}

/** Moves this isolate's clock past WARM_TTL, so every warm copy is stale and the next read goes to KV. */
const expireWarmCopies = () => vi.setSystemTime(Date.now() + 6_000);

afterEach(() => {
  vi.useRealTimers();
});

describe('the warm path through the real default export', () => {
  it('answers exactly as the cold path does: status, every header, bytes, 304s, HEAD, query strings, 301 and 410', async () => {
    const first = await publish(syntheticItem(3, { slug: 'old-story' }));
    await publish({ ...syntheticItem(3), slug: 'new-story', id: first.id });
    await publish(syntheticItem(4, { slug: 'gone-story' }));
    expect((await api('DELETE', '/items/gone-story')).status).toBe(200);
    await publish(VIDEO);
    await publish(syntheticItem(2));
    await settleWriter();
    expect(env.WARM_TTL).toBe('5');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });

    let compared = 0;
    for (const path of PATHS) {
      const probe = await SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual' });
      expect([200, 301, 410], path).toContain(probe.status);
      const etag = probe.headers.get('ETag');
      const modified = probe.headers.get('Last-Modified');
      const query = path.includes('?') ? '&utm_source=x' : '?utm_source=x';
      const variants: [string, RequestInit][] = [
        [path, {}],
        [path, { method: 'HEAD' }],
        [`${path}${query}`, {}],
        [`${path}${query}`, { method: 'HEAD' }],
        [path, { headers: { Accept: 'application/json' } }],
        [path, { headers: { Accept: 'text/html;q=0.1, application/json' } }],
        ...(etag ? ([[path, { headers: { 'If-None-Match': etag } }]] as [string, RequestInit][]) : []),
        ...(etag ? ([[`${path}${query}`, { method: 'HEAD', headers: { 'If-None-Match': etag } }]] as [string, RequestInit][]) : []),
        ...(modified ? ([[path, { headers: { 'If-Modified-Since': modified } }]] as [string, RequestInit][]) : []),
      ];
      for (const [url, init] of variants) {
        const label = `${init.method ?? 'GET'} ${url} ${JSON.stringify(init.headers ?? {})}`;
        expireWarmCopies();
        const cold = await fetchSeen(`${ORIGIN}${url}`, init);
        const warm = await fetchSeen(`${ORIGIN}${url}`, init);
        expect(warm, label).toEqual(cold);
        compared++;
      }
      expect([301, 410].includes(probe.status) || etag !== null, path).toBe(true);
    }
    expect(compared).toBeGreaterThan(PATHS.length * 6);
  });

  it('a warm copy is what answers within WARM_TTL, KV after it; a publish is seen at once in the isolate that took it', async () => {
    await publish(syntheticItem(2));
    await settleWriter();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const read = async (path: string) => (await SELF.fetch(`${ORIGIN}${path}`)).text();
    const before = await read('/articles/item-2');
    expect(before).toContain('Item 2');

    // KV changed by another isolate's writer (written here behind this isolate's back): the warm copy
    // still answers, with no KV read to notice, until WARM_TTL has passed.
    const stored = await env.FEEDS.getWithMetadata('doc:/articles/item-2');
    await env.FEEDS.put('doc:/articles/item-2', 'changed elsewhere', { metadata: { ...(stored.metadata as object), etag: '"elsewhere"' } });
    expect(await read('/articles/item-2')).toBe(before);
    expireWarmCopies();
    expect(await read('/articles/item-2')).toBe('changed elsewhere');

    // A publish through this isolate drops its copies of what it rewrote: the next answer is new.
    expect(await read('/feed.json')).toContain('Item 2');
    await publish(syntheticItem(2, { title: 'Item 2, corrected' }));
    expect(await read('/articles/item-2')).toContain('Item 2, corrected');
    expect(await read('/feed.json')).toContain('Item 2, corrected');
  });
});

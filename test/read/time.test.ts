// Last-Modified is when a document's bytes last changed (the writer's clock), never an item's date.
import { describe, expect, it } from 'vitest';
import { api, get, publish, sleep, syntheticItem } from '../helpers';

// HTTP dates have whole seconds: a later write must land in a later second to show in Last-Modified.
const nextSecond = () => sleep(1100);
const iso = (ms: number) => new Date(ms).toISOString();
const YEAR = 365 * 86_400_000;

interface Validators {
  status: number;
  etag: string | null;
  lastModified: string | null;
  body: string;
}

async function validators(path: string, headers: Record<string, string> = {}): Promise<Validators> {
  const res = await get(path, headers);
  return { status: res.status, etag: res.headers.get('ETag'), lastModified: res.headers.get('Last-Modified'), body: await res.text() };
}

/** Asserts a Last-Modified lies in the writer's clock window [from, to] (to the second), not at an item's date. */
function expectWrittenBetween(v: Validators, from: number, to: number, path: string) {
  expect(v.status, path).toBe(200);
  const t = Date.parse(v.lastModified ?? '');
  expect(t, `${path} Last-Modified ${v.lastModified}`).toBeGreaterThanOrEqual(Math.floor(from / 1000) * 1000);
  expect(t, `${path} Last-Modified ${v.lastModified}`).toBeLessThanOrEqual(to);
}

const FEEDS = ['/feed.xml', '/feed.atom', '/feed.json'];

describe('Last-Modified follows the bytes', () => {
  it('every stored document carries the time it was written, not its items’ dates', async () => {
    const before = Date.now();
    await publish(syntheticItem(1));
    const after = Date.now();
    for (const path of [
      ...FEEDS,
      '/',
      '/articles',
      '/tags/common',
      '/authors/odd-writer/feed.atom',
      '/articles/item-1',
      '/sitemap.xml',
      '/sitemaps/1.xml',
      '/feeds',
      '/feeds.opml',
    ]) {
      expectWrittenBetween(await validators(path), before, after, path);
    }
  });

  it('a back-dated story changes the feed and reaches a reader that polls with If-Modified-Since alone', async () => {
    await publish(syntheticItem(1, { slug: 'fresh', title: 'Fresh story', published: iso(Date.now() - 3_600_000) }));
    const old = Object.fromEntries(await Promise.all(FEEDS.map(async (p) => [p, await validators(p)] as const)));
    await nextSecond();
    const before = Date.now();
    await publish(syntheticItem(2, { slug: 'late-obituary', title: 'A late obituary', published: iso(Date.now() - YEAR) }));
    for (const path of FEEDS) {
      const prev = old[path] as Validators;
      const polled = await validators(path, { 'If-Modified-Since': prev.lastModified as string });
      expect(polled.status, path).toBe(200);
      expect(polled.body, path).toContain('A late obituary');
      expect(polled.etag, path).not.toBe(prev.etag);
      expectWrittenBetween(polled, before, Date.now(), path);
      expect(Date.parse(polled.lastModified as string)).toBeGreaterThan(Date.parse(prev.lastModified as string));
    }
  });

  it('a story dated in the future never pushes Last-Modified past the clock, and later publishes still reach pollers', async () => {
    await publish(syntheticItem(1));
    // Published in the past but "updated" next year: live now, with the newest date any feed will show.
    await publish(syntheticItem(2, { title: 'Dated ahead', updated: iso(Date.now() + YEAR) }));
    // And one published next year: scheduled, but its date must not leak into validators either.
    await publish(syntheticItem(3, { slug: 'next-year', published: iso(Date.now() + YEAR) }));
    const now = Date.now();
    const seen: Record<string, Validators> = {};
    for (const path of [...FEEDS, '/', '/articles/item-2', '/tags/common/feed.xml']) {
      seen[path] = await validators(path);
      expect(seen[path].status, path).toBe(200);
      expect(Date.parse(seen[path].lastModified ?? ''), path).toBeLessThanOrEqual(now);
    }
    await nextSecond();
    await publish(syntheticItem(4, { title: 'After the dated one' }));
    for (const path of FEEDS) {
      const polled = await validators(path, { 'If-Modified-Since': seen[path]?.lastModified as string });
      expect(polled.status, path).toBe(200);
      expect(polled.body).toContain('After the dated one');
    }
  });

  it('a publish that changes nothing keeps every validator and writes nothing; a change moves only what it touched', async () => {
    // 100 articles: the main, article and author scopes get archive page 1 (items 1–50).
    const items = Array.from({ length: 100 }, (_, n) => syntheticItem(n + 1));
    expect((await api('POST', '/import', { items })).status).toBe(200);
    const paths = [
      ...FEEDS,
      '/archive/1/feed.xml',
      '/archive/1/feed.json',
      '/archive/1',
      '/articles/archive/1/feed.atom',
      '/',
      '/articles/item-1',
      '/articles/item-2',
      '/articles/item-100',
    ];
    const first = Object.fromEntries(await Promise.all(paths.map(async (p) => [p, await validators(p)] as const)));
    for (const p of paths) expect(first[p]?.status, p).toBe(200);

    await nextSecond();
    const same = await publish(syntheticItem(1));
    expect(same).toMatchObject({ changed: false, kvWrites: 0, kvDeletes: 0 });
    for (const p of paths) {
      const v = await validators(p);
      expect([v.etag, v.lastModified], p).toEqual([first[p]?.etag, first[p]?.lastModified]);
    }

    // Editing item 1 rewrites its page and archive page 1 (which holds it), and nothing that does not show it.
    // Item 2's page too if its related coverage lists item 1 by title: its list is computed again
    // (src/publish/related.ts) and the page rewritten; if it does not, the page is left alone.
    const before = Date.now();
    const edit = await publish(syntheticItem(1, { title: 'Item 1, corrected' }));
    expect(edit.changed).toBe(true);
    for (const p of ['/articles/item-1', '/archive/1/feed.xml', '/archive/1/feed.json', '/archive/1', '/articles/archive/1/feed.atom']) {
      const prev = first[p] as Validators;
      const v = await validators(p, { 'If-Modified-Since': prev.lastModified as string });
      expect(v.status, p).toBe(200);
      expect(v.body, p).toContain('Item 1, corrected');
      expectWrittenBetween(v, before, Date.now(), p);
    }
    const relisted = await validators('/articles/item-2', { 'If-Modified-Since': first['/articles/item-2']?.lastModified as string });
    if (first['/articles/item-2']?.body.includes('/articles/item-1"')) {
      expect(relisted.status).toBe(200);
      expect(relisted.body).toContain('Related coverage');
      expectWrittenBetween(relisted, before, Date.now(), '/articles/item-2');
    } else expect(relisted.status).toBe(304);
    for (const p of ['/feed.xml', '/feed.json', '/', '/articles/item-100']) {
      const v = await validators(p);
      expect([v.etag, v.lastModified], p).toEqual([first[p]?.etag, first[p]?.lastModified]);
      expect((await get(p, { 'If-Modified-Since': first[p]?.lastModified as string })).status, p).toBe(304);
    }
  });
});

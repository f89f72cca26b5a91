// RFC 5005 archives: pages counted from the oldest, every item reachable once, publishing cost constant.
import { describe, expect, it } from 'vitest';
import { countPublisherKv, get, importSettled, parseXml, publish, syntheticItem, walkArchives } from '../helpers';

type Page = { ids: string[]; prev?: string; self: string; archive: boolean };

async function readPage(url: string): Promise<Page> {
  const res = await get(new URL(url).pathname);
  expect(res.status, url).toBe(200);
  const text = await res.text();
  if (url.endsWith('.json')) {
    const j = JSON.parse(text);
    return { ids: j.items.map((i: any) => i.id), prev: j.next_url, self: j.feed_url, archive: /\/archive\//.test(j.feed_url) };
  }
  const doc = parseXml(text);
  if (url.endsWith('.xml')) {
    const ch = doc.rss.channel;
    const links = ch['atom:link'] as any[];
    return {
      ids: (ch.item ?? []).map((i: any) => i.guid['#text']),
      prev: links.find((l) => l['@rel'] === 'prev-archive')?.['@href'],
      self: links.find((l) => l['@rel'] === 'self')['@href'],
      archive: 'fh:archive' in ch,
    };
  }
  const links = doc.feed.link as any[];
  return {
    ids: (doc.feed.entry ?? []).map((e: any) => e.id),
    prev: links.find((l) => l['@rel'] === 'prev-archive')?.['@href'],
    self: links.find((l) => l['@rel'] === 'self')['@href'],
    archive: 'fh:archive' in doc.feed,
  };
}

const walk = (start: string): Promise<Page[]> => walkArchives(start, readPage, 19);

describe('archives', () => {
  it('reaches all 120 items exactly once from every format, and publishing one more rewrites only the newest documents', async () => {
    // The first 95 in one import; then one publish at a time, across the 100th, which archives page 1.
    const ids = await importSettled(Array.from({ length: 95 }, (_, i) => syntheticItem(i + 1)));
    for (let n = 96; n <= 120; n++) ids.push((await publish(syntheticItem(n))).id);

    for (const f of ['xml', 'atom', 'json']) {
      const pages = await walk(`http://127.0.0.1:8787/feed.${f}`);
      const seen = pages.flatMap((p) => p.ids);
      expect(seen.length, f).toBe(120);
      expect(new Set(seen)).toEqual(new Set(ids));
      // 120 items, 50 a page: the subscription document holds 51–120, one archive holds 1–50.
      expect(
        pages.map((p) => p.ids.length),
        f,
      ).toEqual([70, 50]);
      expect(
        pages.map((p) => p.archive),
        f,
      ).toEqual([false, true]);
      expect(pages[1]?.self).toBe(`http://127.0.0.1:8787/archive/1/feed.${f}`);
      expect(seen[0]).toBe(ids[119]);
    }
    const archive = await get('/archive/1/feed.atom');
    expect(archive.headers.get('Cache-Control')).toContain('max-age=86400');

    const { counts, keys } = await countPublisherKv(() => publish(syntheticItem(121)));
    const written = keys.put ?? [];
    expect(written.filter((k) => k.includes('/archive/'))).toEqual([]);
    // all, articles, one tag, one author × (3 formats + the scope's page, the home page among them);
    // the item record, its page, its sitemap page. Documents rendered to the bytes KV already holds
    // (the sitemap index, the news sitemap, the feed directory) are not written. And the five item pages
    // whose related coverage it now heads (src/publish/related.ts: reciprocate).
    expect(counts.put).toBe(4 * 4 + 3 + 5);
    expect(written.filter((k) => /^doc:\/articles\/item-\d+$/.test(k)).sort()).toEqual(
      // Its own, and the five it lists: its tag's newest first (syntheticItem tags by n % 3).
      ['item-113', 'item-115', 'item-116', 'item-118', 'item-119', 'item-121'].map((s) => `doc:/articles/${s}`),
    );
    expect(counts.delete ?? 0).toBe(0);
    expect(written).toContain('doc:/feed.xml');
    expect(written).toContain('item:item-121');
  });

  it('archives a page once, when it fills, and never rewrites it for later items', async () => {
    await importSettled(Array.from({ length: 149 }, (_, i) => syntheticItem(i + 1)));
    const fill = await countPublisherKv(() => publish(syntheticItem(150)));
    const archived = (fill.keys.put ?? []).filter((k) => k.includes('/archive/'));
    // The new archive page 2, and page 1's RSS and Atom once more: their next-archive link moves from
    // the subscription document to page 2 (RFC 5005). Its JSON Feed and HTML have no such link.
    expect(archived.sort()).toEqual([
      'doc:/archive/1/feed.atom',
      'doc:/archive/1/feed.xml',
      'doc:/archive/2',
      'doc:/archive/2/feed.atom',
      'doc:/archive/2/feed.json',
      'doc:/archive/2/feed.xml',
      'doc:/articles/archive/1/feed.atom',
      'doc:/articles/archive/1/feed.xml',
      'doc:/articles/archive/2',
      'doc:/articles/archive/2/feed.atom',
      'doc:/articles/archive/2/feed.json',
      'doc:/articles/archive/2/feed.xml',
    ]);
    const later = await countPublisherKv(() => publish(syntheticItem(151)));
    expect((later.keys.put ?? []).filter((k) => k.includes('/archive/'))).toEqual([]);
    const pages = await walk('http://127.0.0.1:8787/feed.json');
    expect(pages.map((p) => p.ids.length)).toEqual([51, 50, 50]);
  });

  it('an edit to an archived item rewrites only the archive page that holds it', async () => {
    await importSettled(Array.from({ length: 110 }, (_, i) => syntheticItem(i + 1)));
    const { keys } = await countPublisherKv(() => publish(syntheticItem(3, { title: 'Item 3, corrected' })));
    const feeds = (keys.put ?? []).filter((k) => k.includes('/feed.'));
    // The main and kind feeds hold item 3 in archive 1; its tag and author feeds are still short.
    expect(feeds.map((k) => k.replace(/\.(xml|atom|json)$/, '')).sort()).toEqual(
      ['/archive/1/feed', '/articles/archive/1/feed', '/authors/odd-writer/feed', '/tags/third/feed'].flatMap((p) =>
        Array(3).fill(`doc:${p}`),
      ),
    );
    const page = await (await get('/archive/1/feed.json')).json<any>();
    expect(page.items.find((i: any) => i.id.endsWith(':item-3')).title).toBe('Item 3, corrected');
  });
});

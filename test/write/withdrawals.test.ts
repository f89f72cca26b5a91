// Issue 8 §5: whatever is withdrawn, subscription feeds hold the newest items and archives stay walkable and immutable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api, get, syntheticItem, walkArchives, withPublisherEnv } from '../helpers';
import { parseStrictXml, textOf } from '../arbitraries';

const FORMATS = ['xml', 'atom', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** One feed document: its item ids (newest first) and the path of the next older page, if any. */
async function readFeed(path: string, f: Format): Promise<{ ids: string[]; prev?: string }> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  const local = (url?: string) => (url ? new URL(url).pathname : undefined);
  if (f === 'json') {
    const j = JSON.parse(text);
    return { ids: j.items.map((i: any) => i.id), prev: local(j.next_url) };
  }
  const doc = parseStrictXml(text);
  if (f === 'xml') {
    const ch = doc.rss.channel;
    return {
      ids: (ch.item ?? []).map((i: any) => textOf(i.guid)),
      prev: local(ch['atom:link'].find((l: any) => l['@rel'] === 'prev-archive')?.['@href']),
    };
  }
  return {
    ids: (doc.feed.entry ?? []).map((e: any) => textOf(e.id)),
    prev: local(doc.feed.link.find((l: any) => l['@rel'] === 'prev-archive')?.['@href']),
  };
}

/** Every id reachable from a scope's subscription document, page by page, and the subscription's own ids. */
async function walk(scope: string, f: Format): Promise<{ first: string[]; all: string[] }> {
  const pages = (await walkArchives(`${scope}/feed.${f}`, (path) => readFeed(path, f), 29)).map((p) => p.ids);
  return { first: pages[0] ?? [], all: pages.flat() };
}

/** Checks a scope whose live items are `live` (oldest first) against every format, with page size `size`. */
async function expectScope(scope: string, live: string[], size: number): Promise<void> {
  const newest = [...live].reverse();
  for (const f of FORMATS) {
    const { first, all } = await walk(scope, f);
    expect(first.slice(0, Math.min(size, live.length)), `${scope} ${f}: the subscription document holds the newest`).toEqual(
      newest.slice(0, size),
    );
    expect([...all].sort(), `${scope} ${f}: every live item exactly once`).toEqual([...live].sort());
  }
}

/** Imports items n = from…to (one request) with the given slug prefix and extra fields; returns their ids, oldest first. */
async function importItems(from: number, to: number, prefix = 'item', extra: Record<string, unknown> = {}): Promise<string[]> {
  const items = Array.from({ length: to - from + 1 }, (_, i) => syntheticItem(from + i, { slug: `${prefix}-${from + i}`, ...extra }));
  const res = await api('POST', '/import', { items });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json<any>()).items as { id: string }[]).map((i) => i.id);
}

async function withdraw(slug: string): Promise<void> {
  const res = await api('DELETE', `/items/${slug}`);
  expect(res.status, `${slug}: ${await res.clone().text()}`).toBe(200);
}

describe('withdrawals, page size 50', () => {
  it('after 120 published and the newest 70 withdrawn, /feed.json holds the newest 50 live items and every page walks once', async () => {
    const ids = await importItems(1, 120);
    for (let n = 120; n > 50; n--) await withdraw(`item-${n}`);
    const json = await (await get('/feed.json')).json<any>();
    expect(json.items.map((i: any) => i.id)).toEqual(ids.slice(0, 50).reverse());
    await expectScope('', ids.slice(0, 50), 50);
    await expectScope(
      '/authors/odd-writer',
      ids.slice(0, 50).filter((_, i) => (i + 1) % 2 === 1),
      50,
    );
  });
});

// Small pages (PAGE_SIZE 5 in the writer) give the same page structure as 50 at a tenth of the cost.
describe('withdrawals, pages of 5', () => {
  it('withdrawing the oldest items, across an archive page, keeps every live item reachable once', async () => {
    await withPublisherEnv({ PAGE_SIZE: '5' }, async () => {
      const ids = await importItems(1, 17);
      for (let n = 1; n <= 7; n++) await withdraw(`item-${n}`);
      await expectScope('', ids.slice(7), 5);
      await expectScope(
        '/authors/even-writer',
        ids.slice(7).filter((_, i) => (i + 8) % 2 === 0),
        5,
      );
    });
  });

  it('withdrawing everything leaves valid, empty feeds (200) in every scope', async () => {
    await withPublisherEnv({ PAGE_SIZE: '5' }, async () => {
      await importItems(1, 12);
      for (let n = 1; n <= 12; n++) await withdraw(`item-${n}`);
    });
    for (const scope of ['', '/articles', '/tags/common', '/authors/odd-writer']) {
      for (const f of FORMATS) expect((await readFeed(`${scope}/feed.${f}`, f)).ids, `${scope} ${f}`).toEqual([]);
    }
  });

  it('archive pages that no withdrawal touched keep their bytes, ETag and Last-Modified', async () => {
    const paths = [1, 2].flatMap((p) => [...FORMATS.map((f) => `/archive/${p}/feed.${f}`), `/archive/${p}`]);
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          paths.map(async (p) => {
            const res = await get(p);
            return [
              p,
              { status: res.status, etag: res.headers.get('ETag'), modified: res.headers.get('Last-Modified'), body: await res.text() },
            ] as const;
          }),
        ),
      );
    await withPublisherEnv({ PAGE_SIZE: '5' }, async () => {
      const ids = await importItems(1, 17);
      const before = await snapshot();
      for (const p of paths) expect(before[p]!.status, p).toBe(200);
      // The newest items, the subscription document's own range: no archive page changes.
      for (const n of [17, 16, 15, 14, 13, 12, 11]) await withdraw(`item-${n}`);
      expect(await snapshot()).toEqual(before);
      // An item on archive page 1: that page may change, page 2 may not.
      await withdraw('item-3');
      const after = await snapshot();
      for (const p of paths.filter((x) => x.startsWith('/archive/2'))) expect(after[p], p).toEqual(before[p]);
      await expectScope(
        '',
        ids.slice(0, 10).filter((_, i) => i !== 2),
        5,
      );
    });
  });

  it('when the subscription document borrows from an archive page, walking on never repeats an item', async () => {
    // 17 items, pages of 5: the subscription covers 11–17; with 13–17 gone it shows 8–12, so its
    // next older page must not be archive 2 (6–10), which would show 8, 9 and 10 again.
    await withPublisherEnv({ PAGE_SIZE: '5' }, async () => {
      const ids = await importItems(1, 17);
      for (let n = 17; n >= 13; n--) await withdraw(`item-${n}`);
      await expectScope('', ids.slice(0, 12), 5);
    });
  });

  it('any pattern of withdrawals keeps the newest live items first and every live item reachable exactly once', async () => {
    let run = 0;
    await withPublisherEnv({ PAGE_SIZE: '5' }, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.integer({ min: 11, max: 16 }), fc.integer({ min: 1, max: 16 })).chain((count) =>
            fc.tuple(
              fc.constant(count),
              fc.oneof(
                fc.array(fc.boolean(), { minLength: count, maxLength: count }),
                fc.integer({ min: 0, max: count }).map((k) => Array.from({ length: count }, (_, i) => i >= count - k)),
                fc.integer({ min: 0, max: count }).map((k) => Array.from({ length: count }, (_, i) => i < k)),
              ),
            ),
          ),
          async ([count, gone]) => {
            run++;
            // Each run has its own tag scope, so runs do not see each other's items.
            const tag = `run-${run}`;
            const ids = await importItems(run * 100, run * 100 + count - 1, `r${run}`, { tags: [tag] });
            for (let i = count - 1; i >= 0; i--) if (gone[i]) await withdraw(`r${run}-${run * 100 + i}`);
            await expectScope(
              `/tags/${tag}`,
              ids.filter((_, i) => !gone[i]),
              5,
            );
          },
        ),
        { numRuns: 10 },
      );
    });
  });
});

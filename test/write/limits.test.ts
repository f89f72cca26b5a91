// Issue 8 §2: every limit answers 4xx naming the field, and every stored document stays within its byte budget.
import { SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORIGIN, TOKEN, api, get, publish, syntheticItem } from '../helpers';
import { EARLIEST, LATEST, dateIn, parseStrictXml, textOf } from '../arbitraries';

const MIB = 1024 * 1024;
const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

/** The problem a refusal carries, with its status. */
async function problem(res: Response): Promise<{ status: number; field: string; detail: string }> {
  const body = await res.json<any>();
  return { status: res.status, field: body.field, detail: body.detail };
}

describe('huge items', () => {
  it('22 items with 200,000-character bodies all publish; every feed stays under 4 MiB and lists every item', async () => {
    const paragraph = 'The harbour drill ran past midnight, and the crews kept the lights on. ';
    const body = `${paragraph.repeat(14)}\n\n`.repeat(300).slice(0, 200_000);
    expect(body.length).toBe(200_000);
    // 20 in one import (one render per document), then one at a time past the point where feeds
    // would outgrow KV: each of those publishes must still answer 201.
    const imported = await api('POST', '/import', { items: Array.from({ length: 20 }, (_, i) => syntheticItem(i + 1, { body })) });
    expect(imported.status, await imported.clone().text()).toBe(200);
    const ids: string[] = ((await imported.json<any>()).items as { id: string }[]).map((i) => i.id).reverse();
    for (let n = 21; n <= 22; n++) {
      const res = await api('PUT', `/items/item-${n}`, syntheticItem(n, { body }));
      expect(res.status, `publish ${n}: ${await res.clone().text()}`).toBe(201);
      ids.unshift((await res.json<any>()).id);
    }
    const scopes: [string, string[]][] = [
      ['', ids],
      ['/articles', ids],
      ['/authors/odd-writer', ids.filter((id) => Number(id.split('-').pop()) % 2 === 1)],
    ];
    for (const [scope, want] of scopes) {
      for (const f of ['xml', 'atom', 'json']) {
        const res = await get(`${scope}/feed.${f}`);
        expect(res.status).toBe(200);
        const raw = await bytes(res);
        expect(raw.byteLength, `${scope}/feed.${f}`).toBeLessThanOrEqual(4 * MIB);
        const text = new TextDecoder().decode(raw);
        const got =
          f === 'json'
            ? JSON.parse(text).items.map((i: any) => i.id)
            : f === 'xml'
              ? parseStrictXml(text).rss.channel.item.map((i: any) => textOf(i.guid))
              : parseStrictXml(text).feed.entry.map((e: any) => textOf(e.id));
        expect(got, `${scope}/feed.${f}`).toEqual(want);
      }
      const page = await bytes(await get(scope || '/'));
      expect(page.byteLength).toBeLessThanOrEqual(4 * MIB);
    }
    // Detail is cut from the oldest: the newest keep their content, and once one is cut, every older one is.
    const items = (await (await get('/feed.json')).json<any>()).items as any[];
    const full = items.map((i) => 'content_html' in i);
    expect(full[0]).toBe(true);
    expect(full.at(-1)).toBe(false);
    expect(full.indexOf(false)).toBeGreaterThan(0);
    expect(full.slice(full.indexOf(false)).every((x) => !x)).toBe(true);
  });

  it('a 61 KB body of reference links answers 413 naming body, quickly, and changes nothing', async () => {
    await publish(syntheticItem(1));
    const before = await get('/feed.json');
    const etag = before.headers.get('ETag');
    const body = `[a]: http://example.com/${'x'.repeat(2000)}\n\n${'[a] '.repeat(14_700)}`;
    expect(body.length).toBeGreaterThan(60_000);
    const res = await api('PUT', '/items/refs', syntheticItem(2, { slug: 'refs', body }));
    const p = await problem(res);
    expect(p.status).toBe(413);
    expect(p.field).toBe('body');
    expect(p.detail).toMatch(/^body: /);
    // Refused before the HTML is built: the size it names is the links' share counted from the tokens
    // (14,700 references to one URL), not the size of HTML that was made.
    expect(p.detail, 'refused before the HTML is built').toContain(
      `renders to at least ${14_700 * 'http://example.com/'.concat('x'.repeat(2000)).length} bytes`,
    );
    expect((await api('GET', '/items/refs')).status).toBe(404);
    expect((await get('/feed.json')).headers.get('ETag')).toBe(etag);
    // The same item in an import: refused the same way, naming the item.
    const imp = await problem(await api('POST', '/import', { items: [{ ...syntheticItem(2, { slug: 'refs', body }) }] }));
    expect(imp.status).toBe(413);
    expect(imp.field).toBe('items[0].body');
  });
});

describe('Markdown that is costly to render', () => {
  it('20,000 nested block quotes (40 KB) are published or refused naming body, never 503', async () => {
    const res = await api('PUT', '/items/deep', syntheticItem(1, { slug: 'deep', body: '> '.repeat(20_000) }));
    const body = await res.clone().text();
    expect([201, 413, 422], body).toContain(res.status);
    if (res.status !== 201) expect((await res.json<any>()).field).toBe('body');
  });

  it('a body of emphasis delimiters is refused unrendered, and another publish sent with it goes through', async () => {
    // Quadratic in marked's delimiter handling: 120 KB of "a_" would be seconds of the writer's CPU, so
    // the run is refused before marked sees it (and so it cannot hold up anything else).
    const [costly, ordinary] = await Promise.all([
      api('PUT', '/items/delims', syntheticItem(1, { slug: 'delims', body: 'a_'.repeat(60_000) })),
      api('PUT', '/items/item-2', syntheticItem(2)),
    ]);
    const p = await problem(costly);
    expect(p.status).toBe(422);
    expect(p.field).toBe('body');
    expect(p.detail).toMatch(/characters in a row without a space/);
    expect(ordinary.status).toBe(201);
    expect((await api('GET', '/items/delims')).status).toBe(404);
  });
});

describe('field limits', () => {
  it('answer 422 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ title: 't'.repeat(301) }, 'title'],
      [{ summary: 's'.repeat(2001) }, 'summary'],
      [{ body: 'b'.repeat(200_001) }, 'body'],
      [{ transcript: 't'.repeat(100_001) }, 'transcript'],
      [{ authors: [{ name: 'n'.repeat(121) }] }, 'authors[0].name'],
      [{ authors: Array.from({ length: 11 }, (_, i) => ({ name: `Writer ${i}` })) }, 'authors'],
      [{ tags: ['t'.repeat(61)] }, 'tags[0]'],
      [{ tags: Array.from({ length: 31 }, (_, i) => `tag ${i}`) }, 'tags'],
      [{ section: 's'.repeat(81) }, 'section'],
      [{ authors: [{ name: 'X', url: `http://example.com/${'u'.repeat(2048)}` }] }, 'authors[0].url'],
    ];
    for (const [extra, field] of cases) {
      const p = await problem(await api('PUT', '/items/item-1', syntheticItem(1, extra)));
      expect([p.status, p.field], JSON.stringify(extra).slice(0, 60)).toEqual([422, field]);
    }
  });

  it('a slug over 120 characters answers 422 naming slug, in a PUT and in an import', async () => {
    const slug = 'a'.repeat(121);
    const put = await problem(await api('PUT', `/items/${slug}`, { ...syntheticItem(1), slug }));
    expect([put.status, put.field]).toEqual([422, 'slug']);
    const imp = await problem(await api('POST', '/import', { items: [{ ...syntheticItem(1), slug }] }));
    expect([imp.status, imp.field]).toEqual([422, 'items[0].slug']);
    expect((await api('PUT', `/items/${'a'.repeat(120)}`, { ...syntheticItem(1), slug: 'a'.repeat(120) })).status).toBe(201);
  });
});

describe('over-long paths', () => {
  it('answer 404 without asking storage, for items, players, transcripts, oEmbed and name scopes', async () => {
    await publish(syntheticItem(1));
    const long = 'a'.repeat(600);
    const name = encodeURIComponent('é'.repeat(300));
    const paths = [
      `/videos/${long}`,
      `/articles/${long}`,
      `/embed/${long}`,
      `/videos/${long}/transcript.txt`,
      `/videos/${'a'.repeat(500)}`,
      `/videos/${'a'.repeat(501)}`,
      `/oembed?url=${encodeURIComponent(`${ORIGIN}/videos/${long}`)}`,
      `/oembed?url=${encodeURIComponent(`${ORIGIN}/embed/${long}`)}&format=xml`,
      `/tags/${name}/feed.json`,
      `/authors/${long}/feed.atom`,
      `/sections/${long}/archive/1/feed.xml`,
      `/tags/${name}`,
      `/authors/${long}/archive/2`,
    ];
    const statuses: Record<string, number> = {};
    const key = (path: string) => `${path.slice(0, 24)}…(${path.length})`;
    for (const path of paths) statuses[key(path)] = (await get(path)).status;
    expect(statuses).toEqual(Object.fromEntries(paths.map((p) => [key(p), 404])));
  });
});

describe('dates', () => {
  it('outside 1900–2199 (UTC), or not real, answer 422 naming the field with a sentence', async () => {
    const bad = [
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59-23:59',
      '1899-12-31T23:59:59Z',
      '2200-01-01T00:00:00Z',
      '2199-12-31T23:30:00-01:00',
      '1900-01-01T00:30:00+01:00',
      '2021-02-29T00:00:00Z',
      '2021-01-01T00:00:00',
      '2021-01-01T24:00:00Z',
    ];
    for (const published of bad) {
      const p = await problem(await api('PUT', '/items/item-1', syntheticItem(1, { published })));
      expect([p.status, p.field], published).toEqual([422, 'published']);
      expect(p.detail, published).toMatch(/^published: \S.{10,}/);
    }
    const upd = await problem(await api('PUT', '/items/item-1', syntheticItem(1, { updated: '9999-12-31T23:59:59-23:59' })));
    expect([upd.status, upd.field]).toEqual([422, 'updated']);
    expect((await api('PUT', '/items/item-2', syntheticItem(2, { published: '1900-01-01T00:00:00Z' }))).status).toBe(201);
  });

  it('any instant in 1900–2199 in any offset publishes, and Atom, RSS and JSON Feed carry four-digit years', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        dateIn(EARLIEST, Date.now() - 86_400_000).chain((p) => fc.tuple(fc.constant(p), dateIn(p.ms, LATEST))),
        async ([published, updated]) => {
          n++;
          const res = await api(
            'PUT',
            `/items/d-${n}`,
            syntheticItem(n, { slug: `d-${n}`, published: published.text, updated: updated.text }),
          );
          expect(res.status, `${published.text} ${updated.text}: ${await res.clone().text()}`).toBe(201);
          const id = (await res.json<any>()).id;
          const atom = parseStrictXml(await (await get('/feed.atom')).text()).feed;
          const entry = atom.entry.find((e: any) => textOf(e.id) === id);
          expect(textOf(entry.published)).toBe(new Date(published.ms).toISOString());
          // Ties in a document are broken a millisecond at a time (atom:updated must be distinct), so
          // the entry carries its true instant, nudged by at most one ms per entry it ties with.
          const feed = (await (await get('/feed.json')).json<any>()).items;
          const ties = feed.filter((i: any) => Date.parse(i.date_modified) === updated.ms).length;
          const nudge = Date.parse(textOf(entry.updated)) - updated.ms;
          expect(nudge, textOf(entry.updated)).toBeGreaterThanOrEqual(0);
          expect(nudge, `${textOf(entry.updated)} with ${ties} at that instant`).toBeLessThan(ties);
          const stamps = atom.entry.map((e: any) => textOf(e.updated));
          expect(new Set(stamps).size).toBe(stamps.length);
          expect(textOf(atom.updated)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
          const rss = parseStrictXml(await (await get('/feed.xml')).text()).rss.channel;
          const item = rss.item.find((i: any) => textOf(i.guid) === id);
          expect(textOf(item.pubDate)).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
          const json = feed.find((i: any) => i.id === id);
          expect([json.date_published, json.date_modified]).toEqual([
            new Date(published.ms).toISOString(),
            new Date(updated.ms).toISOString(),
          ]);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('request bodies', () => {
  it('JSON that is not valid UTF-8 answers 400', async () => {
    const good = new TextEncoder().encode(JSON.stringify(syntheticItem(1, { title: 'Ti\u00e9' })));
    const i = good.indexOf(0xc3);
    const broken = new Uint8Array([...good.slice(0, i), 0xff, ...good.slice(i + 2)]);
    const res = await SELF.fetch(`${ORIGIN}/api/items/item-1`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: broken,
    });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).detail).toMatch(/UTF-8/);
    expect((await api('GET', '/items/item-1')).status).toBe(404);
  });

  it('an import of 201 items answers 413 naming items; a PUT over 1 MiB answers 413', async () => {
    const imp = await problem(await api('POST', '/import', { items: Array.from({ length: 201 }, (_, n) => syntheticItem(n + 1)) }));
    expect([imp.status, imp.field]).toEqual([413, 'items']);
    const big = await problem(await api('PUT', '/items/item-1', syntheticItem(1, { body: 'x'.repeat(1_100_000) })));
    expect(big.status).toBe(413);
    expect(big.field).toBe('(body)');
    expect((await api('GET', '/items/item-1')).status).toBe(404);
  });
});

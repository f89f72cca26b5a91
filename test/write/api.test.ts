// The newsroom API: authentication, validation that names the field, and bad input that changes nothing.
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ORIGIN, api, get, publish, syntheticItem } from '../helpers';

async function snapshotKv(): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<any> = await env.FEEDS.list(cursor ? { cursor } : {});
    out.push(...page.keys.map((k) => `${k.name} ${JSON.stringify(k.metadata)}`));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out.sort();
}

async function problem(res: Response, status: number, field: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  const p = await res.json<any>();
  expect(p).toMatchObject({ status, field });
  expect(p.detail).toContain(field);
  return p;
}

describe('API', () => {
  it('needs the bearer token, compared in full', async () => {
    const item = syntheticItem(1);
    for (const auth of [undefined, 'Bearer wrong', 'Bearer test-tokenX', 'Basic dGVzdA==', 'Bearer']) {
      const res = await SELF.fetch(`${ORIGIN}/api/items/item-1`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) },
        body: JSON.stringify(item),
      });
      await problem(res, 401, 'Authorization');
      expect(res.headers.get('WWW-Authenticate')).toContain('Bearer');
    }
    expect(await snapshotKv()).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing title', { title: undefined }, 'title'],
    ['an empty summary', { summary: '  ' }, 'summary'],
    ['a bad kind', { kind: 'podcast' }, 'kind'],
    ['a date without offset', { published: '2021-01-01T00:00:00' }, 'published'],
    ['an impossible date', { published: '2021-02-30T00:00:00+00:00' }, 'published'],
    ['updated before published', { updated: '2020-01-01T00:00:00+00:00' }, 'updated'],
    ['an empty author list', { authors: [] }, 'authors'],
    ['a nameless author', { authors: [{ url: 'https://x.example/' }] }, 'authors[0].name'],
    ['a javascript: author URL', { authors: [{ name: 'A', url: 'javascript:alert(1)' }] }, 'authors[0].url'],
    ['an empty tag', { tags: ['ok', '  '] }, 'tags[1]'],
    ['a tag too long', { tags: ['x'.repeat(61)] }, 'tags[0]'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['a video without video', { kind: 'video', image: { url: '/a.jpg', width: 1, height: 1, alt: 'a' } }, 'video'],
    [
      'a video with a negative size',
      {
        kind: 'video',
        image: { url: '/a.jpg', width: 1, height: 1, alt: 'a' },
        video: { url: '/a.mp4', type: 'video/mp4', size: -1, duration: 3, width: 1, height: 1 },
      },
      'video.size',
    ],
    ['an image with a data: URL', { image: { url: 'data:image/png;base64,AAAA', width: 1, height: 1, alt: 'a' } }, 'image.url'],
    ['a bad language', { language: 'english please' }, 'language'],
  ])('rejects %s with 422 naming %s, changing nothing', async (_name, change, field) => {
    await publish(syntheticItem(2));
    const before = await snapshotKv();
    const res = await api('PUT', '/items/item-1', { ...syntheticItem(1), ...change });
    await problem(res, 422, field);
    expect(await snapshotKv()).toEqual(before);
  });

  it('rejects malformed bodies and addresses with 4xx, never 5xx', async () => {
    await problem(await api('PUT', '/items/item-1', '{"title": '), 400, '(body)');
    await problem(await api('PUT', '/items/item-1', '[1,2]'), 400, '(body)');
    // Not UTF-8 (a lone 0xFF inside a string): refused, not read with U+FFFD in its place.
    const bytes = new TextEncoder().encode(JSON.stringify(syntheticItem(1)).replace('Item 1', 'Item \u0001'));
    bytes[bytes.indexOf(1)] = 0xff;
    const notUtf8 = await SELF.fetch(`${ORIGIN}/api/items/item-1`, {
      method: 'PUT',
      headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/json' },
      body: bytes,
    });
    expect((await problem(notUtf8, 400, '(body)')).detail).toBe('(body): is not valid UTF-8');
    await problem(await api('PUT', '/items/item-1', 'x', { 'Content-Type': 'text/plain' }), 415, 'Content-Type');
    await problem(await api('PUT', '/items/Bad_Slug', syntheticItem(1)), 422, 'slug');
    await problem(await api('PUT', '/items/item-1', { ...syntheticItem(1), slug: 'other' }), 400, 'slug');
    await problem(await api('GET', '/items/nothing-here'), 404, 'slug');
    await problem(await api('PUT', '/items/item-1', { ...syntheticItem(1), body: 'x'.repeat(1_100_000) }), 413, '(body)');
    expect(await snapshotKv()).toEqual([]);
  });

  it('lists every problem, however many: no cap on errors, in a PUT and in an import; outlines refused as before', async () => {
    // Valibot names only the first unknown key of an object, so many problems come from a list here.
    const tags = Array.from({ length: 25 }, (_, i) => `${i}`.padEnd(61, 'x'));
    const put = await problem(await api('PUT', '/items/item-1', { ...syntheticItem(1), tags }), 422, 'tags[0]');
    expect(put.errors.map((e: any) => e.field)).toEqual(tags.map((_, i) => `tags[${i}]`));
    const items = Array.from({ length: 30 }, (_, n) => ({ ...syntheticItem(n + 1), title: '', meta: { ignored: true } }));
    const imp = await problem(await api('POST', '/import', { items }), 422, 'items[0].title');
    expect(imp.errors.map((e: any) => [e.index, e.slug, e.field])).toEqual(items.map((_, n) => [n, `item-${n + 1}`, `items[${n}].title`]));
    // A list or text where an item belongs is named by its place in the list.
    const odd = await problem(await api('POST', '/import', { items: [syntheticItem(1), 'x', [1]] }), 422, 'items[1]');
    expect(odd.errors.map((e: any) => [e.index, e.slug, e.field, e.message])).toEqual([
      [1, null, 'items[1]', 'must be a JSON object (got text)'],
      [2, null, 'items[2]', 'must be a JSON object (got a list)'],
    ]);
    await problem(await api('POST', '/import', { items: 'x' }), 400, 'items');
    await problem(await api('POST', '/import', { items: [] }), 413, 'items');
    await problem(await api('POST', '/import', '{"items": [}'), 400, '(body)');
    await problem(await api('PUT', '/site', [1]), 400, '(body)');
    await problem(await api('PUT', '/site', '{}', { 'Content-Type': 'application/xml' }), 415, 'Content-Type');
    expect(await snapshotKv()).toEqual([]);
  });

  it("returns the item as sent and the writer's facts apart, never cached", async () => {
    const r = await publish(syntheticItem(1));
    const res = await api('GET', '/items/item-1');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('ETag')).toBe(r.etag);
    const got = await res.json<any>();
    expect(got.item).toEqual(syntheticItem(1));
    expect(got.meta).toMatchObject({ id: r.id, state: 'published', etag: r.etag, path: '/articles/item-1' });
  });

  it('validates site settings and rewrites the feeds when they change', async () => {
    await publish(syntheticItem(1));
    await problem(await api('PUT', '/site', { title: '', description: 'd', language: 'en', author: 'a' }), 422, 'title');
    const res = await api('PUT', '/site', { title: 'The Daily Wire', description: 'News.', language: 'en', author: 'Desk' });
    expect(res.status).toBe(200);
    expect((await (await get('/feed.json')).json<any>()).title).toBe('The Daily Wire');
  });

  it('imports a batch in order, rendering each document once', async () => {
    const items = Array.from({ length: 60 }, (_, n) => syntheticItem(n + 1));
    const res = await api('POST', '/import', { items });
    expect(res.status).toBe(200);
    const r = await res.json<any>();
    expect(r.items).toHaveLength(60);
    expect(r.items.every((i: any) => i.created && i.state === 'published')).toBe(true);
    const feed = await (await get('/feed.json')).json<any>();
    expect(feed.items).toHaveLength(60);
    expect(feed.items[0].id).toMatch(/:item-60$/);
    const bad = await problem(
      await api('POST', '/import', {
        items: [syntheticItem(61), { ...syntheticItem(62), title: '' }, { ...syntheticItem(63), kind: 'x' }],
      }),
      422,
      'items[1].title',
    );
    // Every bad item is named, so a sync client can leave those out and send the rest.
    expect(bad.errors.map((e: any) => [e.index, e.slug, e.field])).toEqual([
      [1, 'item-62', 'items[1].title'],
      [2, 'item-63', 'items[2].kind'],
    ]);
    expect((await api('GET', '/items/item-61')).status).toBe(404);
  });
});

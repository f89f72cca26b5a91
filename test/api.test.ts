// The newsroom API: authentication, validation that names the field, and bad input that changes nothing.
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ORIGIN, api, get, publish, syntheticItem } from './helpers';

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
    ['no authors', { authors: [] }, 'authors'],
    ['a nameless author', { authors: [{ url: 'https://x.example/' }] }, 'authors[0].name'],
    ['a javascript: author URL', { authors: [{ name: 'A', url: 'javascript:alert(1)' }] }, 'authors[0].url'],
    ['a bad tag', { tags: ['Bad Tag'] }, 'tags[0]'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['a video without video', { kind: 'video', image: { url: '/a.jpg', width: 1, height: 1, alt: 'a' } }, 'video'],
    ['a video with a negative size', { kind: 'video', image: { url: '/a.jpg', width: 1, height: 1, alt: 'a' }, video: { url: '/a.mp4', type: 'video/mp4', size: -1, duration: 3, width: 1, height: 1 } }, 'video.size'],
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
    await problem(await api('PUT', '/items/item-1', 'x', { 'Content-Type': 'text/plain' }), 415, 'Content-Type');
    await problem(await api('PUT', '/items/Bad_Slug', syntheticItem(1)), 400, 'slug');
    await problem(await api('PUT', '/items/item-1', { ...syntheticItem(1), slug: 'other' }), 400, 'slug');
    await problem(await api('GET', '/items/nothing-here'), 404, 'slug');
    await problem(await api('PUT', '/items/item-1', { ...syntheticItem(1), body: 'x'.repeat(1_100_000) }), 413, '(body)');
    expect(await snapshotKv()).toEqual([]);
  });

  it('returns the stored record, never cached', async () => {
    const r = await publish(syntheticItem(1));
    const res = await api('GET', '/items/item-1');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const item = await res.json<any>();
    expect(item).toMatchObject({ id: r.id, slug: 'item-1', bodyHtml: '<p>Body of item <strong>1</strong>.</p>' });
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
    expect(r.imported).toBe(60);
    const feed = await (await get('/feed.json')).json<any>();
    expect(feed.items).toHaveLength(60);
    expect(feed.items[0].id).toMatch(/:item-60$/);
    await problem(await api('POST', '/import', { items: [syntheticItem(61), { ...syntheticItem(62), title: '' }] }), 422, 'items[1].title');
    expect((await api('GET', '/items/item-61')).status).toBe(404);
  });
});

// Publish, edit, rename and delete through the API reach every scope in every format.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, get, parseXml, publish, syntheticItem } from '../helpers';

const SCOPES_OF_1 = ['', '/articles', '/tags/common', '/authors/odd-writer'];

async function idsIn(path: string): Promise<string[]> {
  const res = await get(path);
  if (res.status === 404) return [];
  expect(res.status, path).toBe(200);
  const text = await res.text();
  if (path.endsWith('.json')) return (JSON.parse(text).items as { id: string }[]).map((i) => i.id);
  const doc = parseXml(text);
  if (path.endsWith('.xml')) return (doc.rss.channel.item ?? []).map((i: any) => i.guid['#text']);
  return (doc.feed.entry ?? []).map((e: any) => e.id);
}

async function everywhere(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const scope of SCOPES_OF_1) for (const f of ['xml', 'atom', 'json']) out[`${scope}/feed.${f}`] = await idsIn(`${scope}/feed.${f}`);
  return out;
}

describe('write path', () => {
  it('publish puts the item in the all, kind, tag and author feeds in every format', async () => {
    const r = await publish(syntheticItem(1));
    expect(r.created).toBe(true);
    expect(r.id).toMatch(/^tag:127\.0\.0\.1,2021-01-01:item-1$/);
    for (const [path, ids] of Object.entries(await everywhere())) expect(ids, path).toEqual([r.id]);
  });

  it('edit keeps the id and changes the content everywhere', async () => {
    const first = await publish(syntheticItem(1));
    const edited = await publish(syntheticItem(1, { title: 'Item 1, corrected', updated: '2021-02-01T00:00:00+00:00' }));
    expect(edited.id).toBe(first.id);
    expect(edited.created).toBe(false);
    expect(edited.changed).toBe(true);
    const json = await (await get('/tags/common/feed.json')).json<any>();
    expect(json.items[0].title).toBe('Item 1, corrected');
    expect(json.items[0].date_modified).toBe('2021-02-01T00:00:00.000Z');
    const rss = parseXml(await (await get('/authors/odd-writer/feed.xml')).text());
    expect(rss.rss.channel.item[0].title).toBe('Item 1, corrected');
    const again = await publish(syntheticItem(1, { title: 'Item 1, corrected', updated: '2021-02-01T00:00:00+00:00' }));
    expect(again.changed).toBe(false);
    expect(again.kvWrites).toBe(0);
  });

  it('moving an item to another tag or author takes it out of the old feeds', async () => {
    await publish(syntheticItem(1));
    await publish(syntheticItem(1, { tags: ['moved'], authors: [{ name: 'New Writer' }] }));
    // The emptied tag's feed stays a valid, empty feed: a subscribed reader must not mark it dead.
    expect(await idsIn('/tags/common/feed.json')).toEqual([]);
    expect((await get('/tags/common/feed.atom')).status).toBe(200);
    expect(await idsIn('/tags/moved/feed.atom')).toHaveLength(1);
    expect(await idsIn('/authors/new-writer/feed.xml')).toHaveLength(1);
  });

  it('delete removes the item from every document, its page and its record', async () => {
    const keep = await publish(syntheticItem(2));
    await publish(syntheticItem(1));
    const res = await api('DELETE', '/items/item-1');
    expect(res.status).toBe(200);
    const all = await everywhere();
    for (const [path, ids] of Object.entries(all)) expect(ids, path).not.toContain('tag:127.0.0.1,2021-01-01:item-1');
    expect(all['/feed.json']).toEqual([keep.id]);
    expect((await get('/articles/item-1')).status).toBe(410);
    expect((await api('GET', '/items/item-1')).status).toBe(404);
    expect((await api('DELETE', '/items/item-1')).status).toBe(404);
  });

  it('a slug rename keeps the id, moves the page and sends the old address to the new one', async () => {
    const r = await publish(syntheticItem(1));
    const renamed = await publish({ ...syntheticItem(1), slug: 'item-one', id: r.id });
    expect(renamed.id).toBe(r.id);
    expect(renamed.created).toBe(false);
    expect((await get('/articles/item-one')).status).toBe(200);
    const old = await SELF.fetch('http://127.0.0.1:8787/articles/item-1', { redirect: 'manual' });
    expect(old.status).toBe(301);
    expect(old.headers.get('Location')).toBe('http://127.0.0.1:8787/articles/item-one');
    expect((await api('GET', '/items/item-1')).status).toBe(404);
    const json = await (await get('/feed.json')).json<any>();
    expect(json.items.map((i: any) => [i.id, i.url])).toEqual([[r.id, 'http://127.0.0.1:8787/articles/item-one']]);
    // The old slug is free again: a new item there replaces the redirect.
    await publish({ ...syntheticItem(2), slug: 'item-1' });
    expect((await SELF.fetch('http://127.0.0.1:8787/articles/item-1', { redirect: 'manual' })).status).toBe(200);
  });

  it('refuses to give a slug that belongs to one item to another', async () => {
    await publish(syntheticItem(1));
    const other = await publish(syntheticItem(2));
    const res = await api('PUT', '/items/item-1', { ...syntheticItem(1), id: other.id });
    expect(res.status).toBe(409);
    expect((await res.json<any>()).field).toBe('slug');
  });

  it('serialises concurrent publishes without losing any', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, n) => publish(syntheticItem(n + 10))));
    expect(new Set(results.map((r) => r.id)).size).toBe(12);
    expect(await idsIn('/feed.json')).toHaveLength(12);
    expect(await idsIn('/feed.atom')).toHaveLength(12);
  });
});

// Issue 8 §1: no item the schema accepts, and no job that fails later, can stop the writer.
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api, get, ORIGIN, publish, publisherStub, settleWriter, syntheticItem } from '../helpers';
import { anyItem, parseStrictXml, textOf } from '../arbitraries';

/** The main scope's outputs all parse: RSS and Atom strictly, JSON Feed, and the sitemaps. */
async function mainScopeParses(): Promise<{ rss: any; atom: any; json: any }> {
  const read = async (path: string) => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    return res.text();
  };
  const rss = parseStrictXml(await read('/feed.xml'));
  const atom = parseStrictXml(await read('/feed.atom'));
  const json = JSON.parse(await read('/feed.json'));
  for (const path of ['/sitemap.xml', '/sitemaps/1.xml', '/feeds.opml']) parseStrictXml(await read(path));
  return { rss, atom, json };
}

describe('a site-relative author URL', () => {
  it('publishes, comes out absolute in every format, and the writer keeps working', async () => {
    await publish(syntheticItem(1));
    const res = await api('PUT', '/items/x', { ...syntheticItem(2), slug: 'x', authors: [{ name: 'X', url: '/about' }] });
    expect(res.status).toBe(201);
    const { rss, atom, json } = await mainScopeParses();
    const entry = atom.feed.entry.find((e: any) => textOf(e.id).endsWith(':x'));
    expect(entry.author.map((a: any) => textOf(a.uri))).toEqual([`${ORIGIN}/about`]);
    expect(json.items.find((i: any) => i.id.endsWith(':x')).authors).toEqual([{ name: 'X', url: `${ORIGIN}/about` }]);
    const item = rss.rss.channel.item.find((i: any) => textOf(i.guid).endsWith(':x'));
    expect(item['dc:creator'].map(textOf)).toEqual(['X']);
    // No relative URL reaches a feed: a reader resolves it against the feed's address, not the site's.
    expect(await (await get('/feed.xml')).text()).not.toMatch(/(?:href|url|uri)="\/about"|>\/about</);
    const oembed = await (await get(`/oembed?url=${encodeURIComponent(`${ORIGIN}/articles/x`)}`)).json<any>();
    expect(oembed.author_url).toBe(`${ORIGIN}/about`);
    // The writer is not stuck: an ordinary publish and a withdrawal of another item still succeed.
    expect((await api('PUT', '/items/item-3', syntheticItem(3))).status).toBe(201);
    expect((await api('DELETE', '/items/item-1')).status).toBe(200);
    const ids = (await (await get('/feed.json')).json<any>()).items.map((i: any) => i.id);
    expect(ids).toContain('tag:127.0.0.1,2021-01-01:item-3');
    expect(ids).not.toContain('tag:127.0.0.1,2021-01-01:item-1');
  });
});

describe('arbitrary schema-valid items', () => {
  it('are taken (or refused with a 4xx naming a field), and every output still parses after each', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(anyItem, async (item) => {
        n++;
        const slug = `p-${n}`;
        const res = await api('PUT', `/items/${slug}`, { ...item, slug });
        const body = await res.json<any>();
        if (res.status >= 400) {
          expect(res.status, JSON.stringify(body)).toBeLessThan(500);
          expect([409, 413, 422], JSON.stringify(body)).toContain(res.status);
          expect(body.field, JSON.stringify(body)).toMatch(/^[a-z(]/);
        } else {
          expect([200, 201], JSON.stringify(body)).toContain(res.status);
          expect(body.failed, 'no job of this publish was set aside').toBe(0);
          const page = await get(`/${item.kind === 'video' ? 'videos' : 'articles'}/${slug}`);
          expect(page.status).toBe(200);
          const url = encodeURIComponent(`${ORIGIN}/${item.kind === 'video' ? 'videos' : 'articles'}/${slug}`);
          const oembed = await get(`/oembed?url=${url}&format=xml`);
          expect(oembed.status).toBe(200);
          parseStrictXml(await oembed.text());
          if (item.kind === 'video') expect((await get(`/embed/${slug}`)).status).toBe(200);
        }
        // After any item, an ordinary publish still goes through and the main scope still parses.
        const ordinary = await api('PUT', `/items/ordinary-${n}`, syntheticItem(n, { slug: `ordinary-${n}` }));
        expect([200, 201], await ordinary.text()).toContain(ordinary.status);
        const { json } = await mainScopeParses();
        expect(json.items.map((i: any) => i.url)).toContain(`${ORIGIN}/articles/ordinary-${n}`);
      }),
      { numRuns: 30 },
    );
  });
});

describe('a stored record that no longer reads', () => {
  it('is left out of its lists and shown against its own slug; other jobs run, publishes answer, and the alarm does not spin', async () => {
    await publish(syntheticItem(1));
    await publish(syntheticItem(2));
    // A record the renderers cannot read: it must not take every document that lists it down with it.
    await runInDurableObject(publisherStub(), (_instance, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE items SET record = '{}' WHERE slug = ?", 'item-1');
    });
    const res = await api('PUT', '/items/fresh', {
      ...syntheticItem(3),
      slug: 'fresh',
      tags: ['fresh-news'],
      authors: [{ name: 'Third Writer' }],
    });
    expect([200, 201, 202]).toContain(res.status);
    const body = await res.json<any>();
    expect(body.failed, 'the publish says something was left out').toBe(1);
    // The main feed is written, without the unreadable item; so are the new item's scopes and page.
    const { json } = await mainScopeParses();
    expect(json.items.map((i: any) => i.url)).toEqual([`${ORIGIN}/articles/fresh`, `${ORIGIN}/articles/item-2`]);
    const tagFeed = await (await get('/tags/fresh-news/feed.json')).json<any>();
    expect(tagFeed.items.map((i: any) => i.url)).toEqual([`${ORIGIN}/articles/fresh`]);
    expect((await get('/authors/third-writer/feed.atom')).status).toBe(200);
    expect((await get('/articles/fresh')).status).toBe(200);
    // The newsroom sees which item and why.
    const status = await (await api('GET', '/status')).json<any>();
    expect(status.jobs.failed).toBe(1);
    const own = status.failed.find((f: any) => f.job.t === 'slug' && f.job.slug === 'item-1');
    expect(own, JSON.stringify(status.failed)).toBeDefined();
    expect(own.error).toMatch(/no longer passes the schema/);
    // Withdrawing another item still answers.
    expect((await api('DELETE', '/items/item-2')).status).toBe(200);
    // Nothing is retried in a loop: once the alarm has sent what the outbox holds (purges of what the
    // withdrawal rewrote, which may take more than one call), nothing is due right away.
    await settleWriter();
    const alarm = await runInDurableObject(publisherStub(), (_i, state: DurableObjectState) => state.storage.getAlarm());
    expect(alarm === null || alarm > Date.now() + 1_000, `alarm at ${alarm}, now ${Date.now()}`).toBe(true);
    const after = await (await api('GET', '/status')).json<any>();
    expect(after.jobs.pending).toBe(0);
    // The item's page, written before its record went bad, is still served as last written.
    expect((await get('/articles/item-1')).status).toBe(200);
    // Withdrawing the unreadable item itself works and clears the failure.
    const del = await api('DELETE', '/items/item-1');
    expect(del.status, await del.clone().text()).toBe(200);
    expect((await get('/articles/item-1')).status).toBe(410);
    expect((await (await api('GET', '/status')).json<any>()).jobs.failed).toBe(0);
  });

  it('an item stored under an older, looser schema can still be withdrawn, and the feeds recover', async () => {
    await publish(syntheticItem(1));
    await publish(syntheticItem(2));
    // What a record published before the date window existed looks like: year 0, which today's schema refuses.
    await runInDurableObject(publisherStub(), (_instance, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE items SET record = json_set(record, '$.published', '0000-01-01T00:00:00Z') WHERE slug = ?", 'item-1');
    });
    expect((await publish(syntheticItem(3))).failed).toBeGreaterThan(0);
    // The newsroom's way out is to withdraw (or replace) the item: that must work, not answer 503.
    const del = await api('DELETE', '/items/item-1');
    expect(del.status, await del.clone().text()).toBe(200);
    const ids = (await (await get('/feed.json')).json<any>()).items.map((i: any) => i.id);
    expect(ids).toEqual(['tag:127.0.0.1,2021-01-01:item-3', 'tag:127.0.0.1,2021-01-01:item-2']);
    expect((await (await api('GET', '/status')).json<any>()).jobs.failed).toBe(0);
  });
});

// Site settings: a change reaches every document, subscription feeds at once and the rest by alarm.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, countPublisherKv, get, ORIGIN, parseXml, publisherStub, syntheticItem } from '../helpers';

const SETTINGS = {
  title: 'The Harbour Wire',
  description: 'Local news.',
  language: 'en',
  author: 'Desk',
  copyright: '© 2026 Harbour Wire',
};

/** The title each format shows for the document at `path`. */
async function titles(path: string): Promise<string[]> {
  const rss = parseXml(await (await get(`${path}/feed.xml`)).text()).rss.channel.title;
  const atom = parseXml(await (await get(`${path}/feed.atom`)).text()).feed.title;
  const json = (await (await get(`${path}/feed.json`)).json<any>()).title;
  return [rss, typeof atom === 'string' ? atom : atom['#text'], json];
}

describe('site settings', () => {
  it('rewrite every document: feeds and home in the request, archives, pages and oEmbed by alarm', async () => {
    // 120 articles, 50 a page: scopes all, articles, two authors and two tags; all and articles have one archive page.
    const items = Array.from({ length: 120 }, (_, n) => syntheticItem(n + 1));
    expect((await api('POST', '/import', { items })).status).toBe(200);
    expect((await titles('/archive/1'))[0]).toBe('wirefeed (archive 1)');

    const stub = publisherStub();
    let answer: any;
    const { counts } = await countPublisherKv(async () => {
      const res = await api('PUT', '/site', SETTINGS);
      expect(res.status).toBe(200);
      answer = await res.json();
      // Subscription feeds and the home page show the new title before the answer comes back.
      expect(await titles('')).toEqual(Array(3).fill('The Harbour Wire'));
      expect(await titles('/tags/third')).toEqual(Array(3).fill('The Harbour Wire — third'));
      expect(await (await get('/')).text()).toContain('<h1>The Harbour Wire</h1>');
      for (let i = 0; i < 10 && (await runDurableObjectAlarm(stub)); i++);
    });
    // Jobs: 6 subscription documents, the directory, the news sitemap, 1 sitemap page, 2 archive pages
    // and 120 slugs; 100 a batch, the first in the request. Each scope document is 3 feeds and a page;
    // the directory's page and OPML show the title (its sitemap does not); each slug is a page and a record.
    expect(answer).toMatchObject({ changed: true, rebuild: { total: 131, done: 100, reason: 'site settings changed' } });
    expect(answer.kvWrites).toBe(6 * 4 + 2 + 2 * 4 + 89 * 2);
    expect(counts.put).toBe(6 * 4 + 2 + 2 * 4 + 120 * 2);

    expect(await titles('/archive/1')).toEqual(Array(3).fill('The Harbour Wire (archive 1)'));
    expect(await titles('/articles/archive/1')).toEqual(Array(3).fill('The Harbour Wire — Articles (archive 1)'));
    const oldest = await (await get('/articles/item-1')).text();
    expect(oldest).toContain('<meta property="og:site_name" content="The Harbour Wire">');
    const oembed = await (await get(`/oembed?url=${encodeURIComponent(`${ORIGIN}/articles/item-1`)}`)).json<any>();
    expect(oembed.provider_name).toBe('The Harbour Wire');
  });

  it('write nothing when the settings are the same', async () => {
    expect((await api('PUT', '/site', SETTINGS)).status).toBe(200);
    const res = await api('PUT', '/site', SETTINGS);
    expect(await res.json()).toMatchObject({ changed: false, rebuild: null, kvWrites: 0, pending: 0 });
  });
});

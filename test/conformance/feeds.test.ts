// The three feed formats, parsed with a real XML parser and JSON, field by field, and across formats.
import { beforeEach, describe, expect, it } from 'vitest';
import { contentItems, get, parseXml, publish, publishContent, syntheticItem } from '../helpers';

const SEED = 'n-korea-blows-up-inter-korean-liaison-office';
const seedInput = () => contentItems.find((i) => i.slug === SEED) as any;

/** Every namespace prefix used on an element or attribute is declared on the root. */
function undeclaredPrefixes(xml: string): string[] {
  const used = new Set(
    [...xml.matchAll(/<\/?([a-zA-Z][\w-]*):[\w-]+/g), ...xml.matchAll(/\s([a-zA-Z][\w-]*):[\w-]+="/g)].map((m) => m[1] as string),
  );
  used.delete('xml');
  used.delete('xmlns');
  return [...used].filter((p) => !xml.includes(`xmlns:${p}="`));
}

describe('feeds from content/', () => {
  beforeEach(publishContent);

  it('the seed is the first item of content/ and the newest of its scopes is first in the feed', () => {
    expect(contentItems[0]?.slug).toBe(SEED);
  });

  it('RSS 2.0 carries guid, dc:creator, plain description, content:encoded, one enclosure and Media RSS', async () => {
    const res = await get('/feed.xml');
    // application/xml, so browsers apply the stylesheet; discovery links keep the RSS type.
    expect(res.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
    const text = await res.text();
    expect(undeclaredPrefixes(text)).toEqual([]);
    const ch = parseXml(text).rss.channel;
    expect(ch.language).toBe('en');
    expect(ch['atom:link'].find((l: any) => l['@rel'] === 'self')['@href']).toBe('http://127.0.0.1:8787/feed.xml');
    expect(ch.item).toHaveLength(contentItems.length);
    const seed = ch.item.find((i: any) => i.link[0] === `http://127.0.0.1:8787/videos/${SEED}`);
    const s = seedInput();
    expect(seed.title).toBe('N.Korea blows up inter-Korean liaison office');
    expect(seed.guid['@isPermaLink']).toBe('false');
    expect(seed.guid['#text']).toBe(`tag:127.0.0.1,2020-06-16:${SEED}`);
    expect(new Date(seed.pubDate).toISOString()).toBe(new Date(s.published).toISOString());
    expect(seed['dc:creator']).toEqual(['Libby Hogan']);
    expect(seed.author).toBeUndefined();
    expect(seed.description).not.toMatch(/<[a-z]/i);
    expect(seed['content:encoded']).toContain('<p>North Korea blew up and destroyed');
    // The enclosure goes through the counting route (podcast downloads), which hands over the same file.
    expect(seed.enclosure).toMatchObject({
      '@url': `http://127.0.0.1:8787/download/${SEED}/liaison-office.mp4`,
      '@type': 'video/mp4',
      '@length': String(s.video.size),
    });
    const mc = seed['media:content'];
    expect(mc).toMatchObject({
      '@url': `http://127.0.0.1:8787/download/${SEED}/liaison-office.mp4`,
      '@medium': 'video',
      '@duration': '134',
      '@fileSize': String(s.video.size),
      '@type': 'video/mp4',
      '@width': '640',
      '@height': '360',
    });
    expect(mc['media:player']['@url']).toBe(`http://127.0.0.1:8787/embed/${SEED}`);
    expect(seed['media:thumbnail']['@url']).toBe('http://127.0.0.1:8787/media/liaison-office.jpg');
    expect(seed['media:credit'][0]).toMatchObject({ '#text': 'Libby Hogan', '@role': 'reporter' });
    expect(seed['media:description']['#text']).toBe(s.summary);
    // The section and the tags, each with its scheme.
    expect(seed.category.map((c: any) => [c['#text'], c['@domain']])).toEqual([
      ['World', 'http://127.0.0.1:8787/sections/'],
      ...s.tags.map((t: string) => [t, 'http://127.0.0.1:8787/tags/']),
    ]);
  });

  it('Atom 1.0 carries xml:lang, permanent ids, real dates, enclosure lengths, summary and html content', async () => {
    const res = await get('/feed.atom');
    expect(res.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
    const text = await res.text();
    expect(undeclaredPrefixes(text)).toEqual([]);
    const feed = parseXml(text).feed;
    expect(feed['@xml:lang']).toBe('en');
    expect(feed.id).toBe('http://127.0.0.1:8787/feed.atom');
    const newest = Math.max(...contentItems.map((i: any) => Date.parse(i.updated ?? i.published)));
    expect(Date.parse(feed.updated)).toBe(newest);
    const seed = feed.entry.find((e: any) => e.id === `tag:127.0.0.1,2020-06-16:${SEED}`);
    const s = seedInput();
    expect(Date.parse(seed.published)).toBe(Date.parse(s.published));
    expect(Date.parse(seed.updated)).toBe(Date.parse(s.published));
    const enclosure = seed.link.find((l: any) => l['@rel'] === 'enclosure');
    expect(enclosure).toMatchObject({
      '@href': `http://127.0.0.1:8787/download/${SEED}/liaison-office.mp4`,
      '@type': 'video/mp4',
      '@length': String(s.video.size),
    });
    expect(seed.link.filter((l: any) => l['@rel'] === 'enclosure')).toHaveLength(1);
    expect(seed.summary['@type']).toBe('text');
    expect(seed.title).toEqual({ '#text': s.title, '@type': 'text' });
    expect(seed.content['@type']).toBe('html');
    expect(seed.content['#text']).toContain('<p>North Korea blew up and destroyed');
    expect(seed.author.map((a: any) => a.name)).toEqual(['Libby Hogan']);
  });

  it('JSON Feed 1.1 carries authors, language, attachments with size and duration', async () => {
    const res = await get('/feed.json');
    expect(res.headers.get('Content-Type')).toBe('application/feed+json; charset=utf-8');
    const feed = await res.json<any>();
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.language).toBe('en');
    expect(feed.feed_url).toBe('http://127.0.0.1:8787/feed.json');
    expect(feed.authors[0].name).toBeTruthy();
    expect(feed.next_url).toBeUndefined();
    expect(feed.hubs).toBeUndefined();
    const seed = feed.items.find((i: any) => i.url.endsWith(SEED));
    const s = seedInput();
    expect(seed.authors).toEqual([{ name: 'Libby Hogan' }]);
    expect(seed.attachments).toEqual([
      {
        url: `http://127.0.0.1:8787/download/${SEED}/liaison-office.mp4`,
        mime_type: 'video/mp4',
        title: s.title,
        size_in_bytes: s.video.size,
        duration_in_seconds: 134,
      },
    ]);
    expect(seed.image).toBe('http://127.0.0.1:8787/media/liaison-office.jpg');
    expect(seed.tags).toEqual(s.tags);
  });

  it('every format has the same items, ids, titles, dates and order, in every scope', async () => {
    const scopes = ['', '/videos', '/articles', '/tags/north-korea', '/authors/libby-hogan', '/authors/mina-park'];
    for (const scope of scopes) {
      const rss = parseXml(await (await get(`${scope}/feed.xml`)).text()).rss.channel.item ?? [];
      const atom = parseXml(await (await get(`${scope}/feed.atom`)).text()).feed.entry ?? [];
      const json = (await (await get(`${scope}/feed.json`)).json<any>()).items;
      const fromRss = rss.map((i: any) => [i.guid['#text'], i.title, Date.parse(i.pubDate)]);
      const fromAtom = atom.map((e: any) => [e.id, decodeHtml(e.title['#text'] ?? e.title), Date.parse(e.published)]);
      const fromJson = json.map((i: any) => [i.id, i.title, Date.parse(i.date_published)]);
      expect(fromRss.length, scope).toBeGreaterThan(0);
      expect(fromAtom, scope).toEqual(fromRss);
      expect(fromJson, scope).toEqual(fromRss);
    }
  });

  it('Atom and JSON Feed carry the same related coverage, entry by entry, never the entry itself, each a live page', async () => {
    const seen = new Set<string>();
    for (const scope of ['', '/videos', '/articles', '/tags/north-korea', '/sections/world']) {
      const atom = [parseXml(await (await get(`${scope}/feed.atom`)).text()).feed.entry ?? []].flat();
      const json = (await (await get(`${scope}/feed.json`)).json<any>()).items;
      const ids = new Map<string, string>(json.map((i: any) => [i.url, i.id]));
      atom.forEach((e: any, k: number) => {
        const links = [e.link].flat();
        const own = links.find((l: any) => !l['@rel'])['@href'];
        const related = links.filter((l: any) => l['@rel'] === 'related' && l['@type'] === 'text/html').map((l: any) => l['@href']);
        const fromJson = (json[k]._wirefeed?.related ?? []) as { id: string; url: string; title: string }[];
        expect(json[k].url, scope).toBe(own);
        expect(
          fromJson.map((r) => r.url),
          `${scope} ${own}`,
        ).toEqual(related);
        expect(related, own).not.toContain(own);
        expect(related.length).toBeLessThanOrEqual(5);
        for (const r of fromJson) {
          expect(r.id).not.toBe(json[k].id);
          if (ids.has(r.url)) expect(ids.get(r.url)).toBe(r.id);
          seen.add(r.url);
        }
      });
    }
    // content/ shares tags and sections, so some entries carry related coverage; each is a live page.
    expect(seen.size).toBeGreaterThan(0);
    for (const url of seen) expect((await get(new URL(url).pathname)).status, url).toBe(200);
  });

  it('escapes markup and strips characters XML 1.0 forbids', async () => {
    await publish(
      syntheticItem(1, {
        title: 'Fish & <Chips> "quoted" ]]> end\u0001',
        summary: 'A & B < C',
        body: 'Raw <script>alert(1)</script> & [x](javascript:alert(1)) ]]> done',
      }),
    );
    const rssText = await (await get('/feed.xml')).text();
    expect(rssText).not.toContain('\u0001');
    const item = parseXml(rssText).rss.channel.item.find((i: any) => String(i.link[0]).endsWith('/item-1'));
    expect(item.title).toBe('Fish & <Chips> "quoted" ]]> end');
    expect(item['content:encoded']).not.toContain('<script>');
    expect(item['content:encoded']).toContain('&lt;script&gt;');
    expect(item['content:encoded']).not.toContain('javascript:');
    const atom = parseXml(await (await get('/feed.atom')).text()).feed.entry.find((e: any) => e.id.endsWith(':item-1'));
    expect(decodeHtml(atom.title['#text'])).toBe('Fish & <Chips> "quoted" ]]> end');
    const json = (await (await get('/feed.json')).json<any>()).items.find((i: any) => i.id.endsWith(':item-1'));
    expect(json.title).toBe('Fish & <Chips> "quoted" ]]> end');
  });
});

/** Atom titles are type="html": one level of entity decoding gives the plain title back. */
function decodeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

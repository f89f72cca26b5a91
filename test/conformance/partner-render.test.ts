// Every partner profile read back with a real XML parser (or JSON.parse): the fields each specification
// requires, hostile text exactly as written, rights where each spec puts them, pictures kept out when
// the newsroom says so, summaries without full text, and takedowns in each partner's idiom.
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/model/partner';
import { ninjsItem, renderNinjsItem, renderNinjsList } from '../../src/partners/ninjs';
import { RENDERERS } from '../../src/partners/render';
import type { PartnerDoc, PartnerEntry, PartnerRecord } from '../../src/partners/types';
import { parseXml } from '../helpers';
import { HOSTILE } from '../node/hostile-items';
import { SITE, contentRecords, hostileRecords, live, partner } from '../partner-fixtures';

const RSS_PROFILES: Profile[] = ['rss', 'msn', 'smartnews', 'flipboard', 'newsbreak'];
const hostile = () => hostileRecords().find((r) => r.slug === 'hostile-video') as PartnerRecord;
const withRights = (): PartnerRecord => ({
  ...hostile(),
  rights: {
    usage_terms: `Terms: ${HOSTILE}`,
    credit: `Credit: ${HOSTILE}`,
    expires: '2099-01-01T00:00:00Z',
    embargo: { '*': '2026-03-03T12:00:00Z' },
  },
});
const withdrawn = (item: PartnerRecord): PartnerEntry => ({ item, status: 'withdrawn', changedAt: '2026-03-09T00:00:00Z' });

function rssDoc(profile: Profile, entries: PartnerEntry[], extra: Partial<PartnerDoc> = {}, content: 'full' | 'summary' = 'full') {
  const doc: PartnerDoc = { site: SITE, partner: partner(profile, { content }), entries, ...extra };
  const text = RENDERERS[profile](doc);
  const rss = parseXml(text).rss;
  return { text, rss, channel: rss.channel, items: (rss.channel.item ?? []) as any[] };
}
const textOf = (x: any): string => (typeof x === 'string' ? x : x?.['#text']);
/** Text as HTML with hexadecimal references: how flipboard sends title, category, dc:rights and media:title. */
const hexHtml = (s: string) => s.replace(/&/g, '&#x26;').replace(/</g, '&#x3C;').replace(/>/g, '&#x3E;');
const unhex = (s: string) => s.replace(/&#x(26|3C|3E);/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
/** A plain-text field as the profile sends it. */
const sent = (profile: Profile, s: string) => (profile === 'flipboard' ? hexHtml(s) : s);

describe('every RSS-based profile', () => {
  for (const profile of RSS_PROFILES) {
    it(`${profile}: RSS 2.0 with a self link, every content/ item in full with guid, pubDate and media; hostile text read back exactly`, () => {
      const records = [withRights(), ...contentRecords()];
      const { rss, channel, items } = rssDoc(profile, records.map(live));
      expect(rss['@version']).toBe('2.0');
      expect(channel['atom:link'].find((l: any) => l['@rel'] === 'self')['@href']).toBe(
        `https://news.example/partners/${profile}-partner/feed.xml`,
      );
      expect(channel.title).toBe('wirefeed (Global Edition)');
      expect(items.map((i) => textOf(i.guid))).toEqual(records.map((r) => r.id));
      expect(items.map((i) => i.link[0])).toEqual(
        records.map((r) => `https://news.example/${r.kind === 'video' ? 'videos' : 'articles'}/${r.slug}`),
      );
      for (const [k, i] of items.entries()) {
        const r = records[k]!;
        expect(i.title).toBe(sent(profile, r.title));
        expect(i.guid['@isPermaLink']).toBe('false');
        expect(new Date(i.pubDate).toUTCString()).toBe(i.pubDate);
        expect(i['content:encoded'].length).toBeGreaterThan(0);
        expect(i['dc:creator']).toEqual(r.authors.map((a) => a.name));
        if (r.image) expect(i['media:thumbnail']['@url']).toBe(new URL(r.image.url, 'https://news.example').toString());
      }
      const first = items[0];
      expect(first.title).toBe(sent(profile, `Video: ${HOSTILE}`));
      expect(first['media:title']['#text']).toBe(sent(profile, `Video: ${HOSTILE}`));
      expect(first['dc:rights']).toBe(sent(profile, `Terms: ${HOSTILE}`));
      expect(textOf(first['media:credit'][0])).toBe(`Credit: ${HOSTILE}`);
      // RSS readers read description as HTML: the escaped summary shows the newsroom's text as typed.
      expect(first.description).toBe(
        `Video summary: ${HOSTILE}`.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
      );
      expect(first['content:encoded']).toContain('<p>Video body: Tom &amp; Jerry &lt;b&gt;bold?');
      expect(first.enclosure['@type']).toBe('video/mp4');
    });

    it(`${profile}: a summary partner gets no full text; image.syndication false keeps the picture out of every element`, () => {
      const r = hostile();
      const kept = { ...r, image: { ...r.image!, syndication: false } };
      const summary = rssDoc(profile, [live(r)], {}, 'summary').items[0];
      expect(summary['content:encoded']).toBeUndefined();
      expect(summary.description).toContain('Video summary');
      const { text, items } = rssDoc(profile, [live(kept)]);
      expect(text).not.toContain('liaison-office.jpg');
      expect(items[0]['media:thumbnail']).toBeUndefined();
      expect(items[0]['content:encoded']).not.toContain('<img');
      expect(rssDoc(profile, [live(r)]).text).toContain('liaison-office.jpg');
    });
  }

  it('rss, flipboard and newsbreak leave a withdrawn item out: their specifications have no takedown', () => {
    for (const profile of ['rss', 'flipboard', 'newsbreak'] as Profile[]) {
      const [a, b] = contentRecords();
      const { items } = rssDoc(profile, [live(a!), withdrawn(b!)]);
      expect(
        items.map((i) => textOf(i.guid)),
        profile,
      ).toEqual([a!.id]);
    }
  });
});

describe("each profile's own elements", () => {
  it('msn: the mi: namespace, syndication rights on the picture, modified, and expiry as dcterms:valid; a takedown ends its validity', () => {
    const r = { ...withRights(), updated: '2026-03-05T00:00:00Z' };
    const { rss, items } = rssDoc('msn', [live(r), withdrawn(contentRecords()[0]!)]);
    expect(rss['@xmlns:mi']).toBe('http://schemas.ingestion.microsoft.com/common/');
    expect(rss['@xmlns:dcterms']).toBe('http://purl.org/dc/terms/');
    const image = items[0]['media:content'].find((m: any) => m['@medium'] === 'image');
    expect(image['mi:hasSyndicationRights']).toBe('1');
    expect(image['@width']).toBe('1280');
    expect(items[0]['dcterms:modified']).toBe('2026-03-05T00:00:00Z');
    expect(items[0]['dcterms:valid']).toBe('end=2099-01-01T00:00:00Z; scheme=W3C-DTF');
    expect(items[1]['dcterms:valid']).toBe('end=2026-03-09T00:00:00Z; scheme=W3C-DTF');
    expect(items[1]['dcterms:modified']).toBe('2026-03-09T00:00:00Z');
    expect(items[1]['content:encoded']).toBeUndefined();
  });

  it('smartnews: snf: logo and analytics; pubDate is the last change; a deletion is media:status deleted with a newer pubDate', () => {
    const [a, b] = contentRecords();
    const updated = { ...a!, updated: '2026-03-07T00:00:00Z' };
    const analytics = '<script>var x = 1 < 2 && "]]>";</script>';
    const { rss, channel, items } = rssDoc('smartnews', [live(updated), withdrawn(b!)], { analytics });
    expect(rss['@xmlns:snf']).toBe('http://www.smartnews.be/snf');
    expect(channel['snf:logo'].url).toBe('https://news.example/media/logo.jpg');
    expect(items[0]['snf:analytics']).toBe(analytics);
    expect(items[0].pubDate).toBe('Sat, 07 Mar 2026 00:00:00 GMT');
    expect(items[1]['media:status']).toBe('deleted');
    expect(Date.parse(items[1].pubDate)).toBeGreaterThan(Date.parse(b!.updated ?? b!.published));
    expect(textOf(items[1].guid)).toBe(b!.id);
  });

  it('flipboard: a WebSub hub link when the site has a hub', () => {
    const { channel } = rssDoc('flipboard', contentRecords().map(live));
    expect(channel['atom:link'].find((l: any) => l['@rel'] === 'hub')['@href']).toBe('https://hub.example/');
    const none = rssDoc('flipboard', [], { site: { ...SITE, hub: undefined } }).channel['atom:link'];
    expect(none.map((l: any) => l['@rel'])).toEqual(['self']);
  });

  it('flipboard: written by feed; HTML-encoded plain text decodes to exactly what was typed; bylines, categories and enclosures', () => {
    const article = hostileRecords().find((r) => r.slug === 'hostile-article') as PartnerRecord;
    const records = [withRights(), article];
    const { text, rss, channel, items } = rssDoc('flipboard', records.map(live));
    expect(channel.generator).toBe('wirefeed');
    expect(channel.docs).toBe('https://validator.w3.org/feed/docs/rss2.html');
    expect(channel.ttl).toBe('5');
    expect(channel.language).toBe(SITE.language);
    expect(channel.image.url).toBe('https://news.example/media/logo.jpg');
    expect(rss['@xmlns:media']).toBeUndefined();
    for (const [k, i] of items.entries()) {
      const r = records[k]!;
      // Two "]]>" and a literal "&amp;" in HOSTILE: nothing lost to CDATA or to xml-js's un-escaping.
      expect(unhex(i.title)).toBe(r.title);
      expect(unhex(i['media:title']['#text'])).toBe(r.title);
      expect(i['media:title']['@type']).toBe('html');
      expect(i['media:title']['@xmlns:media']).toBe('http://search.yahoo.com/mrss/');
      expect(i['dc:creator']).toEqual(['이민 & <Co> "Ltd" ]]>', 'محمد الأمين']);
      expect(i.category.map((c: any) => [c['@domain'], unhex(c['#text'])])).toEqual([
        ['https://news.example/sections/', 'Wörld & <Affairs> ]]>'],
        ...['북한', 'a&b', '<script>', 'ελληνικά', ']]>'].map((t) => ['https://news.example/tags/', t]),
      ]);
      expect(i['content:encoded']).toContain(r.kind === 'video' ? 'Video body: Tom &amp; Jerry' : 'Body: Tom &amp; Jerry');
    }
    expect(unhex(items[0]['dc:rights'])).toBe(`Terms: ${HOSTILE}`);
    expect(textOf(items[0]['media:credit'][0])).toBe(`Credit: ${HOSTILE}`);
    expect(items[0].enclosure).toMatchObject({
      '@url': 'https://news.example/media/liaison-office.mp4',
      '@type': 'video/mp4',
      '@length': '372439',
    });
    expect(items[1].enclosure).toMatchObject({ '@url': 'https://news.example/media/liaison-office.jpg', '@type': 'image/jpeg' });
    expect(items[1]['media:content']['@medium']).toBe('image');
    expect(unhex(items[1]['media:content']['media:description']['#text'])).toBe(`Poster: ${HOSTILE}`);
    expect(text).not.toContain('<author>');
    // No takedown idiom: withdrawn and expired items leave the document.
    const [a, b, c] = contentRecords();
    const gone = rssDoc('flipboard', [live(a!), withdrawn(b!), { item: c!, status: 'expired', changedAt: '2026-03-09T00:00:00Z' }]);
    expect(gone.items.map((i) => textOf(i.guid))).toEqual([a!.id]);
    // A summary partner: no content:encoded, so rss2() declares no dc; each dc element declares it.
    const summary = rssDoc('flipboard', [live(article)], {}, 'summary');
    expect(summary.rss['@xmlns:dc']).toBeUndefined();
    expect(summary.items[0]['dc:creator'].map((c: any) => [c['@xmlns:dc'], textOf(c)])).toEqual([
      ['http://purl.org/dc/elements/1.1/', '이민 & <Co> "Ltd" ]]>'],
      ['http://purl.org/dc/elements/1.1/', 'محمد الأمين'],
    ]);
  });

  it('newsbreak: plain RSS 2.0 with full text, declaring no namespace it does not use', () => {
    const rss = rssDoc('newsbreak', []).rss;
    expect(rss['@xmlns:nb']).toBeUndefined();
    expect(rss['@xmlns:content']).toBe('http://purl.org/rss/1.0/modules/content/');
  });
});

describe('ninjs', () => {
  const doc = { site: SITE, partner: partner('ninjs') };

  it('one object per item: uri, type, version, pubStatus, rights, renditions and associations with sizes', () => {
    const o = JSON.parse(renderNinjsItem(doc, live(withRights()))) as any;
    const r = withRights();
    expect(o).toMatchObject({
      uri: r.id,
      standard: { name: 'ninjs', version: '3.1' },
      type: 'video',
      pubStatus: 'usable',
      embargoedUntil: '2026-03-03T12:00:00Z',
      expires: '2099-01-01T00:00:00Z',
      usageTerms: `Terms: ${HOSTILE}`,
      copyrightNotice: `Credit: ${HOSTILE}`,
      headlines: [{ value: `Video: ${HOSTILE}` }],
      descriptions: [{ role: 'summary', value: `Video summary: ${HOSTILE}` }],
      renditions: [
        {
          href: 'https://news.example/media/liaison-office.mp4',
          contentType: 'video/mp4',
          sizeInBytes: 372439,
          duration: 134,
          width: 640,
          height: 360,
        },
      ],
      associations: [
        {
          name: 'poster',
          type: 'picture',
          renditions: [{ href: 'https://news.example/media/liaison-office.jpg', width: 1280, height: 720 }],
        },
      ],
    });
    expect(o.version).toBe(o.versionCreated);
    expect(o.bodies[0]).toMatchObject({ role: 'main', contentType: 'text/html' });
    expect(o.bodies[0].value).toContain('Video body: Tom &amp; Jerry');
  });

  it('withdrawn and expired items are canceled, with a newer version; summary partners get no bodies; kept pictures stay out', () => {
    const r = hostile();
    const c = ninjsItem(doc, withdrawn(r)) as any;
    expect(c.pubStatus).toBe('canceled');
    expect(Date.parse(c.versionCreated)).toBeGreaterThan(Date.parse(r.updated ?? r.published));
    expect(c.bodies).toBeUndefined();
    expect((ninjsItem(doc, { item: r, status: 'expired', changedAt: '2026-03-09T00:00:00Z' }) as any).pubStatus).toBe('canceled');
    const s = ninjsItem({ site: SITE, partner: partner('ninjs', { content: 'summary' }) }, live(r)) as any;
    expect(s.bodies).toBeUndefined();
    expect(s.representationType).toBe('partial');
    const kept = ninjsItem(doc, live({ ...r, image: { ...r.image!, syndication: false } })) as any;
    expect(kept.associations).toBeUndefined();
    expect(JSON.stringify(kept)).not.toContain('liaison-office.jpg');
  });

  it('the list: our envelope of items and next', () => {
    const entries = contentRecords().map(live);
    const list = JSON.parse(renderNinjsList({ ...doc, entries, next: 'https://news.example/partners/ninjs-partner/items.json?page=1' }));
    expect(list.items.map((o: any) => o.uri)).toEqual(entries.map((e) => e.item.id));
    expect(list.next).toBe('https://news.example/partners/ninjs-partner/items.json?page=1');
    expect('next' in JSON.parse(renderNinjsList({ ...doc, entries }))).toBe(false);
  });
});

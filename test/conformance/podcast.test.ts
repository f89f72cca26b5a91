// The video podcast: iTunes and Podcasting 2.0 tags in video RSS, captions and transcripts in every format.
import { beforeEach, describe, expect, it } from 'vitest';
import { ORIGIN, api, get, parseXml, publish, siteSettings, syntheticItem } from '../helpers';

const CLIP = syntheticItem(1, {
  slug: 'pod-clip',
  kind: 'video',
  title: 'Podcast clip',
  tags: ['clips-only'],
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 134, width: 640, height: 360 },
  captions: [
    { url: '/media/c.en.vtt', language: 'en', label: 'English' },
    { url: '/media/c.ko.vtt', language: 'ko', label: '한국어' },
  ],
  transcript: 'What was said, & how.',
});
const ARTICLE = syntheticItem(2, { slug: 'plain-article' });
const TRANSCRIPT_URL = `${ORIGIN}/videos/pod-clip/transcript.txt`;

/** The expected podcast:guid: UUIDv5 of the feed URL without scheme, in the Podcasting 2.0 namespace. */
async function uuidV5(name: string): Promise<string> {
  const ns = 'ead4c236bf5858c6a2c6a6b28d128cb6'.match(/../g)!.map((h) => parseInt(h, 16));
  const input = new Uint8Array([...ns, ...new TextEncoder().encode(name)]);
  const b = new Uint8Array(await crypto.subtle.digest('SHA-1', input)).slice(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

const rssOf = async (path: string) => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  return { text, rss: parseXml(text).rss };
};

describe('video podcast', () => {
  beforeEach(async () => {
    expect((await api('PUT', '/site', siteSettings)).status).toBe(200);
    await publish(CLIP);
  });

  it('video feeds carry the iTunes channel tags, a podcast:guid and the episode tags', async () => {
    for (const path of ['/videos/feed.xml', '/tags/clips-only/feed.xml']) {
      const { rss } = await rssOf(path);
      expect(rss['@xmlns:itunes'], path).toBe('http://www.itunes.com/dtds/podcast-1.0.dtd');
      expect(rss['@xmlns:podcast'], path).toBe('https://podcastindex.org/namespace/1.0');
      const ch = rss.channel;
      expect(ch['itunes:image']['@href'], path).toBe(`${ORIGIN}${siteSettings.logo}`);
      expect(ch['itunes:category']['@text']).toBe(siteSettings.category);
      expect(ch['itunes:explicit']).toBe('false');
      expect(ch['itunes:author']).toBe(siteSettings.author);
      expect(ch['itunes:type']).toBe('episodic');
      expect(ch['itunes:owner']['itunes:email']).toBe(siteSettings.email);
      expect(ch['itunes:owner']['itunes:name']).toBeTruthy();
      const scopeUrl = `${ORIGIN}${path}`.replace(/^https?:\/\//, '');
      expect(ch['podcast:guid'], path).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(ch['podcast:guid'], path).toBe(await uuidV5(scopeUrl));
      const item = ch.item[0];
      expect(item['itunes:duration']).toBe('2:14');
      expect(item['itunes:episodeType']).toBe('full');
      expect(item['itunes:explicit']).toBe('false');
      expect(item.enclosure).toMatchObject({ '@url': `${ORIGIN}/download/pod-clip/c.mp4`, '@type': 'video/mp4', '@length': '1000' });
    }
  });

  it('podcast:transcript names every caption track and the transcript, which is served as text', async () => {
    const { rss } = await rssOf('/videos/feed.xml');
    const transcripts = rss.channel.item[0]['podcast:transcript'];
    expect(transcripts).toEqual([
      { '@url': `${ORIGIN}/media/c.en.vtt`, '@type': 'text/vtt', '@language': 'en', '@rel': 'captions' },
      { '@url': `${ORIGIN}/media/c.ko.vtt`, '@type': 'text/vtt', '@language': 'ko', '@rel': 'captions' },
      { '@url': TRANSCRIPT_URL, '@type': 'text/plain', '@language': 'en' },
    ]);
    const res = await get('/videos/pod-clip/transcript.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('What was said, & how.\n');
  });

  it('Atom links the captions and transcript; JSON Feed carries them in _wirefeed', async () => {
    const entry = parseXml(await (await get('/videos/feed.atom')).text()).feed.entry[0];
    const related = entry.link.filter((l: any) => l['@rel'] === 'related').map((l: any) => [l['@type'], l['@href'], l['@hreflang']]);
    expect(related).toEqual([
      ['text/vtt', `${ORIGIN}/media/c.en.vtt`, 'en'],
      ['text/vtt', `${ORIGIN}/media/c.ko.vtt`, 'ko'],
      ['text/plain', TRANSCRIPT_URL, undefined],
    ]);
    const item = (await (await get('/videos/feed.json')).json<any>()).items[0];
    expect(item._wirefeed.captions).toEqual([
      { url: `${ORIGIN}/media/c.en.vtt`, mime_type: 'text/vtt', language: 'en', label: 'English' },
      { url: `${ORIGIN}/media/c.ko.vtt`, mime_type: 'text/vtt', language: 'ko', label: '한국어' },
    ]);
    expect(item._wirefeed.transcript_url).toBe(TRANSCRIPT_URL);
  });

  it('a feed that mixes articles in is no podcast: no iTunes or podcast namespace or tags', async () => {
    await publish(ARTICLE);
    const { text, rss } = await rssOf('/feed.xml');
    expect(rss.channel.item).toHaveLength(2);
    expect(text).not.toMatch(/xmlns:(itunes|podcast)=/);
    expect(text).not.toMatch(/<(itunes|podcast):/);
    // The video scope stays a podcast.
    expect((await rssOf('/videos/feed.xml')).text).toContain('<itunes:category');
  });

  it('without a site email there is no itunes:owner', async () => {
    const { email: _email, ...settings } = siteSettings as Record<string, unknown>;
    expect((await api('PUT', '/site', settings)).status).toBe(200);
    const { text, rss } = await rssOf('/videos/feed.xml');
    expect(rss.channel['itunes:author']).toBe(siteSettings.author);
    expect(text).not.toContain('itunes:owner');
  });

  it('a category with a subcategory nests as Apple reads it; a category Apple does not list is refused, naming the field', async () => {
    expect((await api('PUT', '/site', { ...siteSettings, category: 'News > Politics' })).status).toBe(200);
    await publish(CLIP);
    const ch = (await rssOf('/videos/feed.xml')).rss.channel;
    expect(ch['itunes:category']['@text']).toBe('News');
    expect(ch['itunes:category']['itunes:category']['@text']).toBe('Politics');
    for (const category of ['Podcasts', 'News > Weather', 'news', 'News > Politics > Local']) {
      const res = await api('PUT', '/site', { ...siteSettings, category });
      expect(res.status, category).toBe(422);
      expect((await res.json<any>()).field, category).toBe('category');
    }
    // Nothing changed: the refused settings left the feed as it was.
    expect((await rssOf('/videos/feed.xml')).rss.channel['itunes:category']['itunes:category']['@text']).toBe('Politics');
  });
});

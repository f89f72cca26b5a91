// What RSS carries beyond its own elements, as XML nodes: Media RSS, iTunes and Podcasting 2.0 tags, namespaces.
import { podcastCategory } from '../model/podcast-categories';
import type { ItemRecord } from '../model/schema';
import { clockDuration, downloadUrl, embedUrl, mediaUrl, siteName, transcriptUrl, type FeedDoc, type Site } from './document';
import { el, plain, type XmlNode } from './xml-tree';

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
  fh: 'http://purl.org/syndication/history/1.0',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  podcast: 'https://podcastindex.org/namespace/1.0',
} as const;

/**
 * A document is a video podcast when its scope is /videos, or when every item in it is a video:
 * podcast apps then list each item as an episode with its enclosure.
 */
export const isPodcast = (d: FeedDoc) => d.scope === '/videos' || (d.items.length > 0 && d.items.every((i) => i.kind === 'video'));

/** Media RSS at item level (title, description, thumbnail, credits) and the clip with its player. */
export function mediaExtensions(site: Site, item: ItemRecord, detail: 0 | 1 | 2): XmlNode[] {
  const out: XmlNode[] = [plain('media:title', item.title, { type: 'plain' })];
  if (detail > 0) out.push(plain('media:description', item.summary, { type: 'plain' }));
  if (item.image) {
    out.push(el('media:thumbnail', { url: mediaUrl(site, item.image.url), width: item.image.width, height: item.image.height }));
  }
  for (const a of item.authors) out.push(plain('media:credit', a.name, { role: 'reporter', scheme: 'urn:ebu' }));
  const v = item.video;
  if (v) {
    out.push(
      el(
        'media:content',
        {
          // The file a Media RSS reader fetches: through the counting route, as the enclosure.
          url: downloadUrl(site, { slug: item.slug, video: v }),
          type: v.type,
          medium: 'video',
          isDefault: 'true',
          expression: 'full',
          fileSize: v.size,
          duration: Math.round(v.duration),
          width: v.width,
          height: v.height,
          lang: item.language,
        },
        [el('media:player', { url: embedUrl(site, item), width: v.width, height: v.height })],
      ),
    );
  }
  return out;
}

/** iTunes episode tags and Podcasting 2.0 transcripts (the captions and the plain transcript). */
export function episodeExtensions(site: Site, item: ItemRecord): XmlNode[] {
  const out: XmlNode[] = [];
  if (item.video) {
    out.push(
      plain('itunes:duration', clockDuration(item.video.duration)),
      plain('itunes:episodeType', 'full'),
      plain('itunes:explicit', 'false'),
    );
    if (item.image) out.push(el('itunes:image', { href: mediaUrl(site, item.image.url) }));
  }
  for (const c of item.captions ?? []) {
    out.push(el('podcast:transcript', { url: mediaUrl(site, c.url), type: 'text/vtt', language: c.language, rel: 'captions' }));
  }
  if (item.transcript) {
    out.push(el('podcast:transcript', { url: transcriptUrl(site, item), type: 'text/plain', language: item.language }));
  }
  return out;
}

/** The channel's Apple category, nested when it has a subcategory; "News" when the site names none. */
function category(value: string | undefined): XmlNode {
  const [top, sub] = podcastCategory(value ?? 'News') ?? ['News'];
  return el('itunes:category', { text: top }, sub ? [el('itunes:category', { text: sub })] : []);
}

/** Channel tags that make the document a video podcast: artwork, category, owner, GUID. */
export function podcastChannel(d: FeedDoc, guid: string | undefined): XmlNode[] {
  const { site } = d;
  const out: XmlNode[] = [
    plain('itunes:author', site.author),
    plain('itunes:summary', site.description),
    plain('itunes:type', 'episodic'),
    plain('itunes:explicit', 'false'),
    category(site.category),
  ];
  if (site.logo) out.push(el('itunes:image', { href: mediaUrl(site, site.logo) }));
  if (site.email) out.push(el('itunes:owner', {}, [plain('itunes:name', siteName(site)), plain('itunes:email', site.email)]));
  if (guid) out.push(plain('podcast:guid', guid));
  out.push(plain('podcast:medium', 'video'));
  return out;
}

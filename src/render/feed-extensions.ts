// What `feed` does not write, as xml-js objects: Media RSS, iTunes and Podcasting 2.0 tags, namespaces.
import type { Extension } from 'feed';
import { podcastCategory } from '../model/podcast-categories';
import type { ItemRecord } from '../model/schema';
import { clockDuration, embedUrl, mediaUrl, siteName, transcriptUrl, type FeedDoc, type Site } from './document';
import { plainText, xmlJsAttr } from './escape';

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
  fh: 'http://purl.org/syndication/history/1.0',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  podcast: 'https://podcastindex.org/namespace/1.0',
} as const;

/** Attributes for xml-js, escaped here because it escapes only `"`; undefined ones are left out. */
export function attrs(o: Record<string, string | number | undefined>) {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) if (val !== undefined) out[k] = xmlJsAttr(String(val));
  return { _attributes: out };
}

/** A plain-text element for xml-js, with optional attributes. */
export const el = (text: string, a: Record<string, string | number | undefined> = {}) => ({ ...attrs(a), _text: plainText(text) });

export const ext = (name: string, objects: unknown): Extension => ({ name, objects: objects as Record<string, unknown> });

/**
 * A document is a video podcast when its scope is /videos, or when every item in it is a video:
 * podcast apps then list each item as an episode with its enclosure.
 */
export const isPodcast = (d: FeedDoc) => d.scope === '/videos' || (d.items.length > 0 && d.items.every((i) => i.kind === 'video'));

/** Media RSS at item level (title, description, thumbnail, credits) and the clip with its player. */
export function mediaExtensions(site: Site, item: ItemRecord, detail: 0 | 1 | 2): Extension[] {
  const out: Extension[] = [ext('media:title', el(item.title, { type: 'plain' }))];
  if (detail > 0) out.push(ext('media:description', el(item.summary, { type: 'plain' })));
  if (item.image) {
    out.push(ext('media:thumbnail', attrs({ url: mediaUrl(site, item.image.url), width: item.image.width, height: item.image.height })));
  }
  out.push(
    ext(
      'media:credit',
      item.authors.map((a) => el(a.name, { role: 'reporter', scheme: 'urn:ebu' })),
    ),
  );
  const v = item.video;
  if (v) {
    out.push(
      ext('media:content', {
        ...attrs({
          url: mediaUrl(site, v.url),
          type: v.type,
          medium: 'video',
          isDefault: 'true',
          expression: 'full',
          fileSize: v.size,
          duration: Math.round(v.duration),
          width: v.width,
          height: v.height,
          lang: item.language,
        }),
        'media:player': attrs({ url: embedUrl(site, item), width: v.width, height: v.height }),
      }),
    );
  }
  return out;
}

/** iTunes episode tags and Podcasting 2.0 transcripts (the captions and the plain transcript). */
export function episodeExtensions(site: Site, item: ItemRecord): Extension[] {
  const out: Extension[] = [];
  if (item.video) {
    out.push(
      ext('itunes:duration', el(clockDuration(item.video.duration))),
      ext('itunes:episodeType', el('full')),
      ext('itunes:explicit', el('false')),
    );
    if (item.image) out.push(ext('itunes:image', attrs({ href: mediaUrl(site, item.image.url) })));
  }
  const transcripts = (item.captions ?? []).map((c) =>
    attrs({ url: mediaUrl(site, c.url), type: 'text/vtt', language: c.language, rel: 'captions' }),
  );
  if (item.transcript) transcripts.push(attrs({ url: transcriptUrl(site, item), type: 'text/plain', language: item.language }));
  if (transcripts.length) out.push(ext('podcast:transcript', transcripts));
  return out;
}

/** The channel's Apple category, nested when it has a subcategory; "News" when the site names none. */
function category(value: string | undefined) {
  const [top, sub] = podcastCategory(value ?? 'News') ?? ['News'];
  return { ...attrs({ text: top }), ...(sub ? { 'itunes:category': attrs({ text: sub }) } : {}) };
}

/** Channel tags that make the document a video podcast: artwork, category, owner, GUID. */
export function podcastChannel(d: FeedDoc, guid: string | undefined): Extension[] {
  const { site } = d;
  const out: Extension[] = [
    ext('itunes:author', el(site.author)),
    ext('itunes:summary', el(site.description)),
    ext('itunes:type', el('episodic')),
    ext('itunes:explicit', el('false')),
    ext('itunes:category', category(site.category)),
  ];
  if (site.logo) out.push(ext('itunes:image', attrs({ href: mediaUrl(site, site.logo) })));
  if (site.email) out.push(ext('itunes:owner', { 'itunes:name': el(siteName(site)), 'itunes:email': el(site.email) }));
  if (guid) out.push(ext('podcast:guid', el(guid)));
  out.push(ext('podcast:medium', el('video')));
  return out;
}

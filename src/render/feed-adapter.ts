// RSS 2.0 and Atom 1.0 through the `feed` package, with its gaps filled here and only here:
// namespaces, xml:lang, Media RSS, dc:creator, RFC 5005 links, honest enclosure types and lengths.
import { Feed, type Extension, type Item } from 'feed';
import { escapeHtml, cdataHtml, cdataText } from './escape';
import { contentHtml, docUpdated, embedUrl, feedTitle, feedUrl, itemUrl, mediaUrl, tagUrl, type FeedDoc, type Site } from './document';
import type { ItemRecord } from '../model/schema';
import { absolute } from '../model/paths';

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
  fh: 'http://purl.org/syndication/history/1.0',
};

// xml-js escapes only `"` in attributes, so values we hand it are escaped here.
const attrs = (o: Record<string, string | number | undefined>) => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) if (val !== undefined) out[k] = escapeHtml(String(val));
  return { _attributes: out };
};

const ext = (name: string, objects: unknown): Extension => ({ name, objects: objects as Record<string, unknown> });

function baseFeed(d: FeedDoc, format: 'xml' | 'atom'): Feed {
  const { site } = d;
  return new Feed({
    id: feedUrl(d, format, 0),
    title: feedTitle(d),
    description: site.description,
    link: absolute(site.url, '/'),
    language: site.language,
    updated: docUpdated(d.items),
    generator: 'wirefeed',
    feedLinks: format === 'xml' ? { rss: feedUrl(d, 'xml') } : { atom: feedUrl(d, 'atom') },
    hub: site.hub,
    author: { name: site.author, link: absolute(site.url, '/') },
    copyright: site.copyright,
    ttl: format === 'xml' ? 5 : undefined,
  });
}

/** Media RSS for one item: the clip with its player, thumbnail, captions and credits. */
function mediaExtensions(site: Site, item: ItemRecord): Extension[] {
  const credits = item.authors.map((a) => ({ ...attrs({ role: 'reporter', scheme: 'urn:ebu' }), _text: a.name }));
  const thumb = item.image && attrs({ url: mediaUrl(site, item.image.url), width: item.image.width, height: item.image.height });
  if (!item.video) return thumb ? [ext('media:thumbnail', thumb)] : [];
  const v = item.video;
  return [
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
      'media:title': { ...attrs({ type: 'plain' }), _text: item.title },
      'media:description': { ...attrs({ type: 'plain' }), _text: item.summary },
      ...(thumb ? { 'media:thumbnail': thumb } : {}),
      'media:player': attrs({ url: embedUrl(site, item), width: v.width, height: v.height }),
      'media:credit': credits,
      ...(item.captions?.length
        ? { 'media:subTitle': item.captions.map((c) => attrs({ type: 'text/vtt', lang: c.language, href: mediaUrl(site, c.url) })) }
        : {}),
      ...(item.stats ? { 'media:community': { 'media:statistics': attrs({ views: item.stats.views }) } } : {}),
    }),
  ];
}

function baseItem(site: Site, item: ItemRecord, html: boolean): Item {
  return {
    title: html ? escapeHtml(item.title) : cdataText(item.title),
    id: item.id,
    link: itemUrl(site, item),
    date: new Date(item.updated ?? item.published),
    published: new Date(item.published),
    description: html ? escapeHtml(item.summary) : cdataText(item.summary),
    content: cdataHtml(contentHtml(site, item)),
  };
}

/** Renders RSS 2.0 with content:encoded, dc:creator, one enclosure, Media RSS and RFC 5005 links. */
export function renderRss(d: FeedDoc): string {
  const f = baseFeed(d, 'xml');
  const { site } = d;
  for (const item of d.items) {
    f.addItem({
      ...baseItem(site, item, false),
      category: item.tags.map((t) => ({ name: t, domain: tagUrl(site, t) })),
      ...(item.video ? { video: { url: mediaUrl(site, item.video.url), type: item.video.type, length: item.video.size } } : {}),
      extensions: [ext('dc:creator', item.authors.map((a) => ({ _text: a.name }))), ...mediaExtensions(site, item)],
    });
  }
  const links = archiveLinks(d, 'xml').map(
    ([rel, href]) => `<atom:link rel="${rel}" href="${escapeHtml(href)}" type="application/rss+xml"/>`,
  );
  const root = `<rss version="2.0" xmlns:atom="${NS.atom}" xmlns:content="${NS.content}" xmlns:dc="${NS.dc}" xmlns:media="${NS.media}" xmlns:fh="${NS.fh}">`;
  return f
    .rss2()
    .replace(/<rss\b[^>]*>/, root)
    .replace(/<channel>/, `<channel>${links.join('')}${d.page ? '<fh:archive/>' : ''}`);
}

/** Renders Atom 1.0 with xml:lang, enclosure links with lengths, Media RSS thumbnails and RFC 5005 links. */
export function renderAtom(d: FeedDoc): string {
  const f = baseFeed(d, 'atom');
  const { site } = d;
  for (const item of d.items) {
    f.addItem({
      ...baseItem(site, item, true),
      author: item.authors.map((a) => ({ name: a.name, link: a.url })),
      category: item.tags.map((t) => ({ term: t, scheme: absolute(site.url, '/tags/') })),
    });
  }
  const feedLevel = archiveLinks(d, 'atom').map(
    ([rel, href]) => `<link rel="${rel}" href="${escapeHtml(href)}" type="application/atom+xml"/>`,
  );
  const root = `<feed xmlns="${NS.atom}" xmlns:media="${NS.media}" xmlns:fh="${NS.fh}" xml:lang="${escapeHtml(site.language)}">`;
  let i = 0;
  return f
    .atom1()
    .replace(/<feed\b[^>]*>/, `${root}${feedLevel.join('')}${d.page ? '<fh:archive/>' : ''}`)
    .replace(/<entry>/g, () => `<entry${langAttr(d.items[i], site)}>${atomEntryExtras(site, d.items[i++] as ItemRecord)}`)
    .replace(PLAIN_AS_HTML, '<$1 type="text">$2</$1>');
}

// `feed` writes titles and summaries as type="html" CDATA; ours are plain text, already escaped
// by baseItem, so the same characters stand as type="text" content and readers show them as typed.
const PLAIN_AS_HTML = /<(title|summary) type="html"><!\[CDATA\[([^<>]*?)\]\]><\/\1>/g;

const langAttr = (item: ItemRecord | undefined, site: Site) =>
  item && item.language !== site.language ? ` xml:lang="${escapeHtml(item.language)}"` : '';

// `feed` derives enclosure types from file extensions ("image/jpg"); ours come from the item.
function atomEntryExtras(site: Site, item: ItemRecord): string {
  const out: string[] = [];
  if (item.video) {
    const v = item.video;
    out.push(
      `<link rel="enclosure" href="${escapeHtml(mediaUrl(site, v.url))}" type="${escapeHtml(v.type)}" length="${v.size}"/>`,
    );
  }
  if (item.image) {
    out.push(
      `<media:thumbnail url="${escapeHtml(mediaUrl(site, item.image.url))}" width="${item.image.width}" height="${item.image.height}"/>`,
    );
  }
  return out.join('');
}

/** RFC 5005 links: archives link back to the subscription document and to the next older page. */
function archiveLinks(d: FeedDoc, format: 'xml' | 'atom'): [string, string][] {
  const out: [string, string][] = [];
  if (d.page) out.push(['current', feedUrl(d, format, 0)]);
  if (d.prevPage) out.push(['prev-archive', feedUrl(d, format, d.prevPage)]);
  return out;
}

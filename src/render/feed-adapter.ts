// RSS 2.0 and Atom 1.0 through the `feed` package, with its gaps filled here and only here: exact
// escaping, namespaces, xml:lang, Media RSS, podcast tags, RFC 5005 links, honest enclosures, a stylesheet.
import { Feed, type Extension, type Item } from 'feed';
import { absolute, FEED_LINK_TYPES, FEED_STYLE, nameIndexPath } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import {
  contentHtml,
  detailOf,
  docUpdated,
  feedTitle,
  feedUrl,
  homeUrl,
  itemUrl,
  mediaUrl,
  namesOf,
  pageUrl,
  transcriptUrl,
  type FeedDoc,
  type Site,
} from './document';
import { escapeHtml, finalXml, hexEscape, plainText, resolvePlainText, xmlJsText } from './escape';
import { NS, attrs, el, episodeExtensions, ext, isPodcast, mediaExtensions, podcastChannel } from './feed-extensions';

// The schema strips U+FFFF from every field, so it can stand for "]]>" until the document is written:
// xml-js splits only the first "]]>" of a CDATA section, and this splits every one exactly.
const CDATA_END = '\uFFFF';
const forCdata = (s: string) => s.replaceAll(']]>', CDATA_END);
const closeCdata = (xml: string) => xml.replaceAll(CDATA_END, ']]]]><![CDATA[>');

/** Shared head of both formats: a CSS stylesheet for people who open the feed in a browser. */
function withStylesheet(xml: string, site: Site): string {
  const pi = `<?xml-stylesheet type="text/css" href="${escapeHtml(absolute(site.url, FEED_STYLE))}"?>`;
  return finalXml(resolvePlainText(closeCdata(xml.replace(/^(<\?xml[^>]*\?>)/, `$1\n${pi}`))));
}

function baseFeed(d: FeedDoc, format: 'xml' | 'atom'): Feed {
  const { site } = d;
  return new Feed({
    id: feedUrl(d, format, 0),
    title: plainText(feedTitle(d)),
    description: plainText(site.description),
    // The alternate is the scope's page for people, not the home page.
    link: pageUrl(site, d.scope, d.page),
    language: site.language,
    updated: docUpdated(d.items),
    generator: 'wirefeed',
    author: { name: plainText(site.author), link: homeUrl(site) },
    ...(site.copyright ? { copyright: plainText(site.copyright) } : {}),
    ...(site.logo ? { image: xmlJsText(mediaUrl(site, site.logo)) } : {}),
    ...(site.icon ? { favicon: xmlJsText(mediaUrl(site, site.icon)) } : {}),
    ...(format === 'xml' ? { ttl: 5 } : {}),
  });
}

/**
 * Self, hub and RFC 5005 links: archives link to the subscription document and to their older and
 * newer neighbours (the newest archive's newer neighbour is the subscription document itself).
 */
function feedLinks(d: FeedDoc, format: 'xml' | 'atom'): { rel: string; href: string }[] {
  const out = [{ rel: 'self', href: feedUrl(d, format) }];
  if (d.site.hub) out.push({ rel: 'hub', href: d.site.hub });
  if (d.page) out.push({ rel: 'current', href: feedUrl(d, format, 0) });
  if (d.prevPage) out.push({ rel: 'prev-archive', href: feedUrl(d, format, d.prevPage) });
  if (d.page) out.push({ rel: 'next-archive', href: feedUrl(d, format, d.nextPage ?? 0) });
  return out;
}

function baseItem(site: Site, item: ItemRecord, detail: 0 | 1 | 2, forAtom: boolean): Item {
  return {
    // Atom titles and summaries go in as escaped HTML and come out as type="text" (PLAIN_AS_HTML);
    // `feed` would put an RSS title in CDATA, so renderRss writes it as plain text itself.
    title: forAtom ? escapeHtml(item.title) : '',
    // `feed` escapes Atom ids itself (as URLs) but writes RSS guids raw.
    id: forAtom ? item.id : xmlJsText(item.id),
    link: itemUrl(site, item),
    date: new Date(item.updated ?? item.published),
    published: new Date(item.published),
    // RSS readers read description as HTML: the plain summary is escaped so it shows as typed.
    ...(detail > 0 ? { description: escapeHtml(item.summary) } : {}),
    ...(detail > 1 ? { content: forCdata(contentHtml(site, item)) } : {}),
  };
}

/** Renders RSS 2.0: content:encoded, dc:creator, one enclosure, Media RSS, podcast tags and RFC 5005 links. */
export function renderRss(d: FeedDoc, podcastGuid?: string): string {
  const f = baseFeed(d, 'xml');
  const { site } = d;
  const podcast = isPodcast(d);
  f.addExtension(
    ext(
      'atom:link',
      feedLinks(d, 'xml').map((l) => attrs({ ...l, type: l.rel === 'hub' ? undefined : FEED_LINK_TYPES.xml })),
    ),
  );
  if (d.page) f.addExtension(ext('fh:archive', {}));
  if (podcast) for (const e of podcastChannel(d, podcastGuid)) f.addExtension(e);
  d.items.forEach((item, i) => {
    const detail = detailOf(d, i);
    const names = namesOf(site, item);
    const categories = [
      ...(names.section ? [el(names.section.name, { domain: absolute(site.url, nameIndexPath('section')) })] : []),
      ...names.tags.map((t) => el(t.name, { domain: absolute(site.url, nameIndexPath('tag')) })),
    ];
    const extensions: Extension[] = [
      ext('title', el(item.title)),
      ext(
        'dc:creator',
        item.authors.map((a) => el(a.name)),
      ),
      ...(categories.length ? [ext('category', categories)] : []),
      ...mediaExtensions(site, item, detail),
      ...(podcast ? episodeExtensions(site, item) : []),
    ];
    f.addItem({
      ...baseItem(site, item, detail, false),
      ...(item.video ? { video: { url: mediaUrl(site, item.video.url), type: item.video.type, length: item.video.size } } : {}),
      extensions,
    });
  });
  const ns = Object.entries(NS)
    .filter(([p]) => podcast || (p !== 'itunes' && p !== 'podcast'))
    .map(([p, uri]) => ` xmlns:${p}="${uri}"`)
    .join('');
  return withStylesheet(channelFirst(f.rss2()).replace(/<rss\b[^>]*>/, `<rss version="2.0"${ns}>`), site);
}

/**
 * `feed` writes channel extensions after the items; RSS readers and the W3C validator expect channel
 * elements first. The first "<item>" and the last "</item>" are the real tags: every text before or
 * after them is escaped.
 */
function channelFirst(xml: string): string {
  const last = xml.lastIndexOf('</item>');
  if (last < 0) return xml;
  const end = xml.lastIndexOf('</channel>');
  const extensions = xml.slice(last + '</item>'.length, end).trim();
  const first = xml.indexOf('<item>');
  return `${xml.slice(0, first)}${extensions}\n        ${xml.slice(first, last + '</item>'.length)}\n    ${xml.slice(end)}`;
}

/** Escaped HTML (from escapeHtml) as plain text with hexadecimal references, as plainText writes it. */
const hexText = (escaped: string) =>
  hexEscape(
    escaped
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );

// `feed` writes titles and summaries as type="html" CDATA; ours are plain text, escaped by baseItem,
// so the same characters stand as type="text" content and readers show them as typed.
const PLAIN_AS_HTML = /<(title|summary) type="html"><!\[CDATA\[([^<>]*?)\]\]><\/\1>/g;

/** Renders Atom 1.0: xml:lang, categories, enclosures with lengths, captions, thumbnails and RFC 5005 links. */
export function renderAtom(d: FeedDoc): string {
  const f = baseFeed(d, 'atom');
  const { site } = d;
  const updated = distinctUpdated(d.items);
  d.items.forEach((item, i) => {
    f.addItem({
      ...baseItem(site, item, detailOf(d, i), true),
      date: new Date(updated[i] as number),
      author: item.authors.map((a) => ({ name: plainText(a.name), ...(a.url ? { link: mediaUrl(site, a.url) } : {}) })),
    });
  });
  const head = [
    `<feed xmlns="${NS.atom}" xmlns:media="${NS.media}" xmlns:fh="${NS.fh}" xml:lang="${escapeHtml(site.language)}">`,
    ...feedLinks(d, 'atom')
      .filter((l) => l.rel !== 'self' && l.rel !== 'hub')
      .map((l) => `<link rel="${l.rel}" href="${escapeHtml(l.href)}" type="${FEED_LINK_TYPES.atom}"/>`),
    d.site.hub ? `<link rel="hub" href="${escapeHtml(d.site.hub)}"/>` : '',
    `<link rel="self" href="${escapeHtml(feedUrl(d, 'atom'))}" type="${FEED_LINK_TYPES.atom}"/>`,
    d.page ? '<fh:archive/>' : '',
  ].join('');
  let i = 0;
  const xml = f
    .atom1()
    .replace(/<feed\b[^>]*>/, head)
    .replace(/<entry>/g, () => {
      const item = d.items[i] as ItemRecord;
      const lang = item.language !== site.language ? ` xml:lang="${escapeHtml(item.language)}"` : '';
      return `<entry${lang}>${atomEntryExtras(site, item, detailOf(d, i++))}`;
    })
    .replace(PLAIN_AS_HTML, (_m, tag: string, text: string) => `<${tag} type="text">${hexText(text)}</${tag}>`);
  return withStylesheet(xml, site);
}

/**
 * Each entry's atom:updated, distinct within the document: stories scheduled for the same minute
 * would otherwise share one, which the W3C validator (DuplicateUpdated) and some readers take for a
 * generator fault. Ties are broken a millisecond at a time, the oldest item keeping the true instant.
 */
function distinctUpdated(items: readonly ItemRecord[]): number[] {
  const at = items.map((i) => Date.parse(i.updated ?? i.published));
  const order = items
    .map((_, k) => k)
    .sort((a, b) => (at[a] as number) - (at[b] as number) || (items[a] as ItemRecord).seq - (items[b] as ItemRecord).seq);
  const taken = new Set<number>();
  const out = [...at];
  for (const k of order) {
    let t = at[k] as number;
    while (taken.has(t)) t++;
    taken.add(t);
    out[k] = t;
  }
  return out;
}

// `feed` derives enclosure types from file extensions ("image/jpg"); ours come from the item.
function atomEntryExtras(site: Site, item: ItemRecord, detail: 0 | 1 | 2): string {
  const out: string[] = [];
  const names = namesOf(site, item);
  const category = (term: string, scheme: string, label?: string) =>
    `<category term="${escapeHtml(term)}" scheme="${escapeHtml(scheme)}"${label ? ` label="${escapeHtml(label)}"` : ''}/>`;
  if (names.section && item.refs.section) {
    out.push(category(item.refs.section, absolute(site.url, nameIndexPath('section')), names.section.name));
  }
  item.tags.forEach((t, k) => out.push(category(item.refs.tags[k] ?? t, absolute(site.url, nameIndexPath('tag')), t)));
  if (item.video) {
    const v = item.video;
    out.push(`<link rel="enclosure" href="${escapeHtml(mediaUrl(site, v.url))}" type="${escapeHtml(v.type)}" length="${v.size}"/>`);
  }
  if (detail > 0) {
    for (const c of item.captions ?? []) {
      out.push(
        `<link rel="related" href="${escapeHtml(mediaUrl(site, c.url))}" type="text/vtt" hreflang="${escapeHtml(c.language)}" title="${escapeHtml(`${c.label} captions`)}"/>`,
      );
    }
    if (item.transcript)
      out.push(`<link rel="related" href="${escapeHtml(transcriptUrl(site, item))}" type="text/plain" title="Transcript"/>`);
  }
  if (item.image) {
    out.push(
      `<media:thumbnail url="${escapeHtml(mediaUrl(site, item.image.url))}" width="${item.image.width}" height="${item.image.height}"/>`,
    );
  }
  return out.join('');
}

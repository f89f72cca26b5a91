// RSS 2.0 and Atom 1.0 as element trees written by xml-js (the serialiser under `feed`, in the layout
// `feed` gives): exact escaping, namespaces, xml:lang, Media RSS, podcast tags, RFC 5005 links, a stylesheet.
import { absolute, FEED_LINK_TYPES, FEED_STYLE, nameIndexPath } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import {
  contentHtml,
  detailOf,
  docUpdated,
  downloadUrl,
  feedTitle,
  feedUrl,
  homeUrl,
  itemUrl,
  mediaUrl,
  namesOf,
  pageUrl,
  transcriptUrl,
  type FeedDoc,
  type RelatedLink,
  type Site,
} from './document';
import { escapeHtml } from './escape';
import { NS, episodeExtensions, isPodcast, mediaExtensions, podcastChannel } from './feed-extensions';
import { cdata, el, leading, literal, plain, serialise, type XmlNode } from './xml-tree';

// The documents' fixed vocabulary, as `feed` writes it.
const RSS_DOCS = 'https://validator.w3.org/feed/docs/rss2.html';
const GENERATOR = 'wirefeed';

/** A URL as a WHATWG URL parser writes it back (how `feed` always wrote links and Atom ids). */
const parsed = (url: string) => new URL(url).toString();

const stylesheet = (site: Site) => absolute(site.url, FEED_STYLE);

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

/** RSS channel elements, all before the items as readers and the W3C validator expect. */
function rssChannel(d: FeedDoc, podcastGuid: string | undefined): XmlNode[] {
  const { site } = d;
  const title = feedTitle(d);
  const link = parsed(pageUrl(site, d.scope, d.page));
  const out: XmlNode[] = [
    plain('title', title),
    // The alternate is the scope's page for people, not the home page.
    literal('link', link),
    plain('description', site.description),
    literal('lastBuildDate', docUpdated(d.items).toUTCString()),
    literal('docs', RSS_DOCS),
    literal('generator', GENERATOR),
    literal('language', site.language),
    literal('ttl', 5),
  ];
  if (site.logo) out.push(el('image', {}, [plain('title', title), literal('url', mediaUrl(site, site.logo)), literal('link', link)]));
  if (site.copyright) out.push(plain('copyright', site.copyright));
  for (const l of feedLinks(d, 'xml')) {
    out.push(el('atom:link', { rel: l.rel, href: l.href, type: l.rel === 'hub' ? undefined : FEED_LINK_TYPES.xml }));
  }
  if (d.page) out.push(el('fh:archive'));
  if (isPodcast(d)) out.push(...podcastChannel(d, podcastGuid));
  return out;
}

function rssItem(d: FeedDoc, item: ItemRecord, detail: 0 | 1 | 2): XmlNode {
  const { site } = d;
  const names = namesOf(site, item);
  const out: XmlNode[] = [
    literal('link', parsed(itemUrl(site, item))),
    literal('guid', item.id, { isPermaLink: 'false' }),
    literal('pubDate', new Date(item.published).toUTCString()),
  ];
  // RSS readers read description as HTML: the plain summary is escaped so it shows as typed.
  if (detail > 0) out.push(cdata('description', escapeHtml(item.summary)));
  if (detail > 1) out.push(cdata('content:encoded', contentHtml(site, item)));
  // The enclosure's type is the item's, never one guessed from the file name.
  // Through the counting route (podcast downloads): the same file, its length and type unchanged.
  if (item.video)
    out.push(
      el('enclosure', { length: item.video.size, type: item.video.type, url: parsed(downloadUrl(site, { ...item, video: item.video })) }),
    );
  out.push(plain('title', item.title), ...item.authors.map((a) => plain('dc:creator', a.name)));
  if (names.section) out.push(plain('category', names.section.name, { domain: absolute(site.url, nameIndexPath('section')) }));
  for (const t of names.tags) out.push(plain('category', t.name, { domain: absolute(site.url, nameIndexPath('tag')) }));
  out.push(...mediaExtensions(site, item, detail));
  if (isPodcast(d)) out.push(...episodeExtensions(site, item));
  return el('item', {}, out);
}

/** Renders RSS 2.0: content:encoded, dc:creator, one enclosure, Media RSS, podcast tags and RFC 5005 links. */
export function renderRss(d: FeedDoc, podcastGuid?: string): string {
  const podcast = isPodcast(d);
  const ns: Record<string, string> = { version: '2.0' };
  for (const [p, uri] of Object.entries(NS)) if (podcast || (p !== 'itunes' && p !== 'podcast')) ns[`xmlns:${p}`] = uri;
  const items = d.items.map((item, i) => rssItem(d, item, detailOf(d, i)));
  return serialise(el('rss', ns, [el('channel', {}, [...rssChannel(d, podcastGuid), ...items])]), stylesheet(d.site));
}

/** Atom's head links: RFC 5005 archive links, the hub and self, and the archive marker. */
function atomHeadLinks(d: FeedDoc): XmlNode[] {
  const links = feedLinks(d, 'atom');
  const typed = (l: { rel: string; href: string }) => el('link', { rel: l.rel, href: l.href, type: FEED_LINK_TYPES.atom });
  return [
    ...links.filter((l) => l.rel !== 'self' && l.rel !== 'hub').map(typed),
    ...(d.site.hub ? [el('link', { rel: 'hub', href: d.site.hub })] : []),
    typed({ rel: 'self', href: feedUrl(d, 'atom') }),
    ...(d.page ? [el('fh:archive')] : []),
  ];
}

/** Atom's feed-level elements after the links. */
function atomHead(d: FeedDoc): XmlNode[] {
  const { site } = d;
  const out: XmlNode[] = [
    literal('id', feedUrl(d, 'atom', 0)),
    plain('title', feedTitle(d)),
    literal('updated', docUpdated(d.items).toISOString()),
    literal('generator', GENERATOR),
    el('author', {}, [plain('name', site.author), literal('uri', parsed(homeUrl(site)))]),
    // The alternate is the scope's page for people, not the home page.
    el('link', { rel: 'alternate', href: parsed(pageUrl(site, d.scope, d.page)) }),
    plain('subtitle', site.description),
  ];
  if (site.logo) out.push(literal('logo', mediaUrl(site, site.logo)));
  if (site.icon) out.push(literal('icon', mediaUrl(site, site.icon)));
  if (site.copyright) out.push(plain('rights', site.copyright));
  return out;
}

/** Categories, the enclosure with its length, captions, transcript, related coverage and thumbnail of one entry. */
function atomEntryLinks(site: Site, item: ItemRecord, detail: 0 | 1 | 2, related: readonly RelatedLink[]): XmlNode[] {
  const out: XmlNode[] = [];
  const names = namesOf(site, item);
  if (names.section && item.refs.section) {
    out.push(el('category', { term: item.refs.section, scheme: absolute(site.url, nameIndexPath('section')), label: names.section.name }));
  }
  item.tags.forEach((t, k) => {
    out.push(el('category', { term: item.refs.tags[k] ?? t, scheme: absolute(site.url, nameIndexPath('tag')), label: t || undefined }));
  });
  if (item.video) {
    const v = item.video;
    out.push(el('link', { rel: 'enclosure', href: downloadUrl(site, { slug: item.slug, video: v }), type: v.type, length: v.size }));
  }
  if (detail > 0) {
    for (const c of item.captions ?? []) {
      out.push(
        el('link', { rel: 'related', href: mediaUrl(site, c.url), type: 'text/vtt', hreflang: c.language, title: `${c.label} captions` }),
      );
    }
    if (item.transcript) out.push(el('link', { rel: 'related', href: transcriptUrl(site, item), type: 'text/plain', title: 'Transcript' }));
    // Untitled: the W3C validator warns of a link title that looks like markup, which a story's title
    // may be; the JSON Feed and the item page carry the titles.
    for (const r of related) out.push(el('link', { rel: 'related', href: parsed(itemUrl(site, r)), type: 'text/html' }));
  }
  if (item.image)
    out.push(el('media:thumbnail', { url: mediaUrl(site, item.image.url), width: item.image.width, height: item.image.height }));
  return out;
}

function atomEntry(site: Site, item: ItemRecord, detail: 0 | 1 | 2, updated: number, related: readonly RelatedLink[]): XmlNode {
  const out: XmlNode[] = [
    ...leading(atomEntryLinks(site, item, detail, related)),
    // Titles and summaries are plain text, shown as typed.
    plain('title', item.title, { type: 'text' }),
    literal('id', parsed(item.id)),
    el('link', { href: parsed(itemUrl(site, item)) }),
    literal('updated', new Date(updated).toISOString()),
  ];
  if (detail > 0) out.push(plain('summary', item.summary, { type: 'text' }));
  if (detail > 1) out.push(cdata('content', contentHtml(site, item), { type: 'html' }));
  for (const a of item.authors) {
    out.push(el('author', {}, [plain('name', a.name), ...(a.url ? [literal('uri', parsed(mediaUrl(site, a.url)))] : [])]));
  }
  out.push(literal('published', new Date(item.published).toISOString()));
  return el('entry', { 'xml:lang': item.language !== site.language ? item.language : undefined }, out);
}

/** Renders Atom 1.0: xml:lang, categories, enclosures with lengths, captions, thumbnails and RFC 5005 links. */
export function renderAtom(d: FeedDoc): string {
  const { site } = d;
  const updated = distinctUpdated(d.items);
  const root = el('feed', { xmlns: NS.atom, 'xmlns:media': NS.media, 'xmlns:fh': NS.fh, 'xml:lang': site.language }, [
    ...leading(atomHeadLinks(d)),
    ...atomHead(d),
    ...d.items.map((item, i) => atomEntry(site, item, detailOf(d, i), updated[i] as number, d.related?.get(item.id) ?? [])),
  ]);
  return serialise(root, stylesheet(site));
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

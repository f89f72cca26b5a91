// Profile `flipboard`: Flipboard's RSS, "Optimizing your RSS feed for Flipboard"
// (https://about.flipboard.com/rss-spec/, updated 25 Aug 2016, sections "Optimizing your RSS feed" and
// "Feed Structure"), written by the `feed` package's rss2(): the entire body in content:encoded, the
// picture (or the video) as the enclosure and in Media RSS, dc:creator bylines, and updates pushed
// through WebSub, announced with <atom:link rel="hub">. Flipboard names no takedown element, so a
// withdrawn or expired item leaves the document.
import { Feed, type Extension, type Item } from 'feed';
import { absolute, nameIndexPath } from '../model/paths';
import { contentHtml, homeUrl, itemUrl, mediaUrl, namesOf, siteName } from '../render/document';
import { escapeHtml } from '../render/escape';
import { BASE_NS, changedMs, feedUrlOf } from './rss-base';
import { partnerImage, type PartnerDoc, type PartnerEntry } from './types';

// What we hand feed is what xml-js (its writer) needs to write the text exactly: it turns every "&amp;"
// of a text node back into "&" before escaping & < >, so each "&" goes in doubled; it writes attribute
// values as given but for '"', so they go in escaped.
const txt = (s: string) => s.replaceAll('&', '&amp;');
const att = (s: string | number) => escapeHtml(String(s));
// It splits only the first "]]>" of a CDATA section. HTML reads "]]&gt;" as "]]>" in text and attribute
// values, and an item's HTML has no raw-text element, so none reaches it.
const html = (s: string) => s.replaceAll(']]>', ']]&gt;');
// Text as HTML with & < > as hexadecimal references, in a CDATA section: no "]]>" is left, and the
// W3C validator (after the RSS Profile) takes "&#x" as the mark of text encoded on purpose. xml-js
// writes plain text with &amp; &lt; only, which it flags in title, category, dc:rights and media:title.
const HEX: Record<string, string> = { '&': '&#x26;', '<': '&#x3C;', '>': '&#x3E;' };
const hexHtml = (s: string) => ({ _cdata: s.replace(/[&<>]/g, (c) => HEX[c] as string) });

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
};
const imageType = (url: string) => IMAGE_TYPES[new URL(url).pathname.split('.').pop()?.toLowerCase() ?? ''];

type Node = { _attributes?: Record<string, string | number>; [k: string]: unknown };
/** An element whose namespace rss2() does not declare on <rss>: it declares it itself. */
const own = (prefix: 'dc' | 'media', node: Node): Node => ({
  ...node,
  _attributes: { ...node._attributes, [`xmlns:${prefix}`]: BASE_NS[prefix] },
});

function item(doc: PartnerDoc, entry: PartnerEntry): Item {
  const { site } = doc;
  const r = entry.item;
  const image = partnerImage(r);
  const full = doc.partner.content !== 'summary';
  const names = namesOf(site, r);
  // rss2() declares dc only beside content:encoded, and media never.
  const dc = (node: Node) => (full ? node : own('dc', node));
  const media = (node: Node) => own('media', node);
  const ext: Extension[] = [];
  const add = (name: string, objects: Node | Node[]) => ext.push({ name, objects: objects as Record<string, unknown> });
  if (r.authors.length)
    add(
      'dc:creator',
      r.authors.map((a) => dc({ _text: txt(a.name) })),
    );
  if (r.rights?.usage_terms) add('dc:rights', dc(hexHtml(r.rights.usage_terms)));
  add('media:title', media({ _attributes: { type: 'html' }, ...hexHtml(r.title) }));
  add('media:description', media({ _attributes: { type: 'html' }, ...hexHtml(r.summary) }));
  if (r.rights?.credit) add('media:credit', media({ _text: txt(r.rights.credit) }));
  const contents: Node[] = [];
  let enclosure: Item['image'];
  if (image) {
    const url = mediaUrl(site, image.url);
    const size = { width: image.width, height: image.height };
    add('media:thumbnail', media({ _attributes: { url: att(url), ...size } }));
    contents.push({
      _attributes: { url: att(url), medium: 'image', ...size },
      'media:description': { _attributes: { type: 'html' }, ...hexHtml(image.alt) },
    });
    const type = imageType(url);
    if (type) enclosure = { url, type };
  }
  const v = r.video;
  if (v) {
    contents.push({
      _attributes: {
        url: att(mediaUrl(site, v.url)),
        type: att(v.type),
        medium: 'video',
        isDefault: 'true',
        expression: 'full',
        fileSize: v.size,
        duration: Math.round(v.duration),
        width: v.width,
        height: v.height,
        lang: att(r.language),
      },
    });
  }
  if (contents.length) add('media:content', contents.map(media));
  const category = (name: string, index: 'section' | 'tag') => ({
    _attributes: { domain: att(absolute(site.url, nameIndexPath(index))) },
    ...hexHtml(name),
  });
  const categories = [
    ...(names.section ? [category(names.section.name, 'section')] : []),
    ...names.tags.map((t) => category(t.name, 'tag')),
  ];
  if (categories.length) add('category', categories);
  return {
    // Flipboard reads the title as HTML ("Title of the item where any special HTML characters should be
    // encoded", its RSS guidelines as restated in its Help Center, "Resubmit an RSS feed"); rss2()
    // writes it as CDATA, so it goes as HTML with hexadecimal references, which also keeps "]]>" out.
    title: hexHtml(r.title)._cdata,
    link: itemUrl(site, r),
    guid: txt(r.id),
    date: new Date(r.published),
    // RSS readers read description as HTML: the plain summary is escaped so it shows as typed.
    description: escapeHtml(r.summary),
    ...(full ? { content: html(contentHtml(site, { ...r, image })) } : {}),
    ...(v ? { video: { url: mediaUrl(site, v.url), type: v.type, length: v.size } } : enclosure ? { image: enclosure } : {}),
    extensions: ext,
  };
}

/** Renders the `flipboard` profile's document with `feed`'s rss2(). */
export function renderFlipboard(doc: PartnerDoc): string {
  const { site } = doc;
  const feed = new Feed({
    title: txt(siteName(site)),
    link: homeUrl(site),
    description: txt(site.description),
    language: txt(site.language),
    ...(site.copyright ? { copyright: txt(site.copyright) } : {}),
    updated: new Date(Math.max(0, ...doc.entries.map(changedMs))),
    generator: 'wirefeed',
    ttl: 5,
    feed: feedUrlOf(doc),
    ...(site.hub ? { hub: site.hub } : {}),
    ...(site.logo ? { image: txt(mediaUrl(site, site.logo)) } : {}),
  });
  for (const e of doc.entries) if (e.status === 'live') feed.addItem(item(doc, e));
  return feed.rss2();
}

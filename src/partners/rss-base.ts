// The RSS 2.0 document every RSS-based partner profile shares, written by hand with exact escaping;
// each profile adds its namespace, its channel and item elements, and its idiom for a takedown.
import { absolute, nameIndexPath } from '../model/paths';
import { contentHtml, homeUrl, itemUrl, mediaUrl, namesOf, siteName } from '../render/document';
import { escapeHtml, finalXml, hexEscape } from '../render/escape';
import { partnerFeedPath, partnerImage, type PartnerDoc, type PartnerEntry, type PartnerRecord } from './types';

/** Namespaces every partner RSS document declares; profiles add their own. */
export const BASE_NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
} as const;

/** What a profile adds to the shared document. Every string returned is XML, already escaped. */
export interface RssProfile {
  namespaces?: Record<string, string>;
  channel?: (doc: PartnerDoc) => string[];
  item?: (doc: PartnerDoc, entry: PartnerEntry) => string[];
  /** Elements inside the picture's media:content. */
  image?: (doc: PartnerDoc, entry: PartnerEntry) => string[];
  /** The item's pubDate (ms); default its publication. */
  pubDate?: (entry: PartnerEntry) => number;
  /** A withdrawn or expired entry in the profile's idiom; null leaves it out (no idiom in its specification). */
  takedown?: (doc: PartnerDoc, entry: PartnerEntry) => string | null;
}

/** Plain text as an XML text node (&, <, > as hexadecimal references, as the public feeds write it). */
export const text = (s: string) => hexEscape(s);
/** An attribute value. */
export const attr = (s: string | number) => escapeHtml(String(s));
/** A CDATA section holding any string: every "]]>" split across two sections. */
export const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
/** RFC 822 date, as RSS 2.0 wants it. */
export const rfc822 = (ms: number) => new Date(ms).toUTCString();
/** RFC 3339 / W3C-DTF in UTC, seconds precision. */
export const w3cdtf = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const updatedMs = (item: PartnerRecord) => Date.parse(item.updated ?? item.published);
/** When the entry last changed: its update for a live item, the takedown for the others. */
export const changedMs = (e: PartnerEntry) => (e.status === 'live' ? updatedMs(e.item) : Date.parse(e.changedAt));

/** The partner's feed URL (its rel="self"). */
export const feedUrlOf = (doc: PartnerDoc) => absolute(doc.site.url, partnerFeedPath(doc.partner.id));

/** The head of an item every profile shares: title, link, guid and pubDate. */
export function itemHead(doc: PartnerDoc, item: PartnerRecord, pubDate: number): string[] {
  return [
    `<title>${text(item.title)}</title>`,
    `<link>${attr(itemUrl(doc.site, item))}</link>`,
    `<guid isPermaLink="false">${attr(item.id)}</guid>`,
    `<pubDate>${rfc822(pubDate)}</pubDate>`,
  ];
}

function liveItem(doc: PartnerDoc, entry: PartnerEntry, p: RssProfile): string {
  const { site } = doc;
  const item = entry.item;
  const image = partnerImage(item);
  const full = doc.partner.content !== 'summary';
  const names = namesOf(site, item);
  const out = itemHead(doc, item, p.pubDate ? p.pubDate(entry) : Date.parse(item.published));
  // RSS readers read description as HTML: the plain summary is escaped so it shows as typed.
  out.push(`<description>${cdata(escapeHtml(item.summary))}</description>`);
  if (full) out.push(`<content:encoded>${cdata(contentHtml(site, { ...item, image }))}</content:encoded>`);
  for (const a of item.authors) out.push(`<dc:creator>${text(a.name)}</dc:creator>`);
  if (names.section)
    out.push(`<category domain="${attr(absolute(site.url, nameIndexPath('section')))}">${text(names.section.name)}</category>`);
  for (const t of names.tags) out.push(`<category domain="${attr(absolute(site.url, nameIndexPath('tag')))}">${text(t.name)}</category>`);
  if (item.rights?.usage_terms) out.push(`<dc:rights>${text(item.rights.usage_terms)}</dc:rights>`);
  out.push(`<media:title type="plain">${text(item.title)}</media:title>`);
  out.push(`<media:description type="plain">${text(item.summary)}</media:description>`);
  if (item.rights?.credit) out.push(`<media:credit>${text(item.rights.credit)}</media:credit>`);
  if (image) {
    const url = attr(mediaUrl(site, image.url));
    out.push(`<media:thumbnail url="${url}" width="${image.width}" height="${image.height}"/>`);
    const inner = [`<media:description type="plain">${text(image.alt)}</media:description>`, ...(p.image?.(doc, entry) ?? [])];
    out.push(
      `<media:content url="${url}" medium="image" width="${image.width}" height="${image.height}">${inner.join('')}</media:content>`,
    );
  }
  const v = item.video;
  if (v) {
    const url = attr(mediaUrl(site, v.url));
    out.push(`<enclosure url="${url}" length="${v.size}" type="${attr(v.type)}"/>`);
    out.push(
      `<media:content url="${url}" type="${attr(v.type)}" medium="video" isDefault="true" expression="full" fileSize="${v.size}" duration="${Math.round(v.duration)}" width="${v.width}" height="${v.height}" lang="${attr(item.language)}"/>`,
    );
  }
  out.push(...(p.item?.(doc, entry) ?? []));
  return `<item>${out.join('\n')}</item>`;
}

/** Renders a partner's RSS 2.0 document with the profile's additions. */
export function renderPartnerRss(doc: PartnerDoc, p: RssProfile): string {
  const { site } = doc;
  const ns = { ...BASE_NS, ...p.namespaces };
  const items = doc.entries
    .map((e) => (e.status === 'live' ? liveItem(doc, e, p) : (p.takedown?.(doc, e) ?? null)))
    .filter((x): x is string => x !== null);
  const newest = Math.max(0, ...doc.entries.map(changedMs));
  const title = text(siteName(site));
  const channel = [
    `<title>${title}</title>`,
    `<link>${attr(homeUrl(site))}</link>`,
    `<description>${text(site.description)}</description>`,
    `<language>${attr(site.language)}</language>`,
    ...(site.copyright ? [`<copyright>${text(site.copyright)}</copyright>`] : []),
    `<pubDate>${rfc822(newest)}</pubDate>`,
    `<lastBuildDate>${rfc822(newest)}</lastBuildDate>`,
    '<generator>wirefeed</generator>',
    '<ttl>5</ttl>',
    `<atom:link rel="self" href="${attr(feedUrlOf(doc))}" type="application/rss+xml"/>`,
    ...(site.logo
      ? [`<image><url>${attr(mediaUrl(site, site.logo))}</url><title>${title}</title><link>${attr(homeUrl(site))}</link></image>`]
      : []),
    ...(p.channel?.(doc) ?? []),
  ];
  const decl = Object.entries(ns)
    .map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`)
    .join('');
  return finalXml(
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"${decl}>\n<channel>\n${channel.join('\n')}\n${items.join('\n')}\n</channel>\n</rss>\n`,
  );
}

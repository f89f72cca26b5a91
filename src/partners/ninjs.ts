// Profile `ninjs`: IPTC ninjs 3.1 (News in JSON), one object per item and a paged list of them.
// Specification: IPTC ninjs 3.1, schema http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json
// (github:iptc/newsinjson, specification/ninjs-schema_3.1.json, approved at the IPTC Spring Meeting
// 2025) and its guidelines (documentation/IPTC-NinJS-Guidelines.adoc): camelCase properties since 3.0;
// `uri` the only required property; `pubStatus` usable | withheld | canceled; `embargoedUntil`,
// `expires`, `usageTerms`, `copyrightNotice`, `by`; `renditions` with sizeInBytes, width, height,
// duration; `associations` (each a ninjs object with `name` and `uri`): the picture, then related stories (rel "related").
//
// The list is our own envelope, not IPTC's: `{"items": [ninjs, …], "next": "<URL of the next older
// page>"}`, newest first; `next` is absent on the last page. A withdrawn or expired item stays in
// the list as a canceled object (pubStatus "canceled", a new version) so a licensee takes it down.
import { contentHtml, itemUrl, mediaUrl, namesOf, siteName } from '../render/document';
import { embargoFor } from './decide';
import { w3cdtf } from './rss-base';
import { partnerImage, type PartnerDoc, type PartnerEntry } from './types';

export const NINJS_STANDARD = { name: 'ninjs', version: '3.1', schema: 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#' };

type Json = Record<string, unknown>;

const iso = (s: string) => w3cdtf(Date.parse(s));

/** One item as a ninjs 3.1 object, for one partner. */
export function ninjsItem(doc: Pick<PartnerDoc, 'site' | 'partner'>, entry: PartnerEntry): Json {
  const { site, partner } = doc;
  const item = entry.item;
  const live = entry.status === 'live';
  const versionCreated = live ? iso(item.updated ?? item.published) : iso(entry.changedAt);
  const head: Json = {
    uri: item.id,
    standard: NINJS_STANDARD,
    type: item.kind === 'video' ? 'video' : 'text',
    // The version is the instant it was made: it grows with every update and with the takedown.
    version: versionCreated,
    firstCreated: iso(item.published),
    versionCreated,
    pubStatus: live ? 'usable' : 'canceled',
    language: item.language,
    slugline: item.slug,
    headlines: [{ role: 'main', contentType: 'text/plain', value: item.title }],
    altIds: [{ role: 'url', value: itemUrl(site, item) }],
  };
  if (!live) return head;
  const rights = item.rights;
  const embargo = embargoFor(item, partner.id);
  const names = namesOf(site, item);
  const image = partnerImage(item);
  const out: Json = {
    ...head,
    representationType: partner.content === 'summary' ? 'partial' : 'full',
    ...(embargo ? { embargoedUntil: iso(embargo) } : {}),
    ...(rights?.expires ? { expires: iso(rights.expires) } : {}),
    ...(rights?.usage_terms ? { usageTerms: rights.usage_terms } : {}),
    copyrightHolder: siteName(site),
    ...(rights?.credit || site.copyright ? { copyrightNotice: rights?.credit ?? site.copyright } : {}),
    by: item.authors.map((a) => a.name).join(', '),
    descriptions: [{ role: 'summary', contentType: 'text/plain', value: item.summary }],
    ...(partner.content === 'summary'
      ? {}
      : { bodies: [{ role: 'main', contentType: 'text/html', value: contentHtml(site, { ...item, image }) }] }),
    subjects: [
      ...(names.section ? [{ name: names.section.name, rel: 'section', uri: names.section.page }] : []),
      ...names.tags.map((t) => ({ name: t.name, rel: 'tag', uri: t.page })),
    ],
  };
  if (item.video) {
    const v = item.video;
    out.renditions = [
      {
        name: 'original',
        href: mediaUrl(site, v.url),
        contentType: v.type,
        width: v.width,
        height: v.height,
        sizeInBytes: v.size,
        duration: v.duration,
      },
    ];
  }
  const associations: Json[] = [];
  if (image) {
    associations.push({
      name: item.kind === 'video' ? 'poster' : 'featureimage',
      rel: item.kind === 'video' ? 'poster' : 'featureimage',
      uri: `${item.id}#image`,
      type: 'picture',
      descriptions: [{ role: 'alt', contentType: 'text/plain', value: image.alt }],
      ...(rights?.credit ? { copyrightNotice: rights.credit } : {}),
      renditions: [{ name: 'original', href: mediaUrl(site, image.url), width: image.width, height: image.height }],
    });
  }
  // Related coverage: other stories of ours, by their ids, with a headline and their pages' URLs.
  for (const r of entry.related ?? []) {
    associations.push({
      name: r.title,
      rel: 'related',
      uri: r.id,
      type: r.kind === 'video' ? 'video' : 'text',
      headlines: [{ role: 'main', contentType: 'text/plain', value: r.title }],
      altIds: [{ role: 'url', value: itemUrl(site, r) }],
    });
  }
  if (associations.length) out.associations = associations;
  return out;
}

/** GET /partners/:id/items/:slug.json — one ninjs object. */
export const renderNinjsItem = (doc: Pick<PartnerDoc, 'site' | 'partner'>, entry: PartnerEntry): string =>
  JSON.stringify(ninjsItem(doc, entry));

/** GET /partners/:id/items.json — our envelope around a page of ninjs objects (see the header). */
export const renderNinjsList = (doc: PartnerDoc): string =>
  JSON.stringify({ items: doc.entries.map((e) => ninjsItem(doc, e)), ...(doc.next ? { next: doc.next } : {}) });

// The render model shared by every format: a site, a scope's page of items, and the URLs they use.
import {
  absolute,
  downloadPath,
  embedPath,
  feedPath,
  itemPath,
  nameScope,
  pagePath,
  transcriptPath,
  type FeedFormat,
  type ItemKind,
  type Scope,
} from '../model/paths';
import type { NameKind } from '../model/names';
import type { ItemRecord, Site } from '../model/schema';
import { escapeHtml } from './escape';

export type { Site };

/** One scope document: the subscription document (page 0) or archive page `page`, in any format. */
export interface FeedDoc {
  site: Site;
  scope: Scope;
  /** The scope's name for people ("Libby Hogan", "north-korea", "World", "Videos"); empty for everything. */
  label: string;
  page: number;
  /** The next older archive page with items not shown here, if any. */
  prevPage?: number;
  /** For an archive page: the next newer archive page, or 0 when the next newer is the subscription document. */
  nextPage?: number;
  /** Newest first. */
  items: ItemRecord[];
  /**
   * How much of each item to carry, so a document of huge items stays within its byte budget: the
   * first `full` items carry their full content, the next up to `lean` their summary, the rest only
   * title, link and dates. Absent means everything in full.
   */
  detail?: { full: number; lean: number };
  /**
   * Related coverage, by item id, as the writer stored it (src/publish/related.ts): only subscription
   * documents carry it, for their newest entries; archive pages are left as they are.
   */
  related?: ReadonlyMap<string, readonly RelatedLink[]>;
}

/** Another published item an item lists as related coverage (the writer's choice): enough to link and name it. */
export interface RelatedLink {
  id: string;
  slug: string;
  kind: ItemKind;
  title: string;
}

/** How much of item `i` a document carries: 2 full, 1 summary, 0 title and link only. */
export function detailOf(d: FeedDoc, i: number): 0 | 1 | 2 {
  if (!d.detail) return 2;
  return i < d.detail.full ? 2 : i < d.detail.lean ? 1 : 0;
}

/** The site's name as headers and feed titles show it, with its edition when set. */
export const siteName = (site: Site) => (site.edition ? `${site.title} (${site.edition})` : site.title);

export const feedTitle = (d: FeedDoc) => `${siteName(d.site)}${d.label ? ` — ${d.label}` : ''}${d.page ? ` (archive ${d.page})` : ''}`;

export const feedUrl = (d: Pick<FeedDoc, 'site' | 'scope' | 'page'>, format: FeedFormat, page = d.page) =>
  absolute(d.site.url, feedPath(d.scope, format, page));
export const pageUrl = (site: Site, scope: Scope, page = 0) => absolute(site.url, pagePath(scope, page));
export const homeUrl = (site: Site) => absolute(site.url, '/');
/** Any of the site's own paths as an absolute URL. */
export const siteUrl = (site: Site, path: string) => absolute(site.url, path);

export const itemUrl = (site: Site, item: Pick<ItemRecord, 'kind' | 'slug'>) => absolute(site.url, itemPath(item.kind, item.slug));
export const embedUrl = (site: Site, item: Pick<ItemRecord, 'slug'>) => absolute(site.url, embedPath(item.slug));
export const transcriptUrl = (site: Site, item: Pick<ItemRecord, 'slug'>) => absolute(site.url, transcriptPath(item.slug));
/** Every URL from content goes out absolute: site-relative ones ("/media/x.mp4", "/about") resolve against SITE_URL. */
export const mediaUrl = (site: Site, url: string) => absolute(site.url, url);

/**
 * The enclosure as subscription feeds carry it: through the counting route (podcast downloads), which
 * hands over the same file. Item pages and the player keep mediaUrl: those are plays, not downloads.
 */
export const downloadUrl = (site: Site, item: Pick<ItemRecord, 'slug'> & { video: { url: string } }) =>
  absolute(site.url, downloadPath(item.slug, item.video.url));

/** The page of a name's scope, by its kind and slug. */
function namePageUrl(site: Site, kind: NameKind, slug: string): string {
  return pageUrl(site, nameScope(kind, slug));
}

/** An item's names with the pages they link to, in the order the item gives them. */
export function namesOf(site: Site, item: ItemRecord) {
  return {
    authors: item.authors.map((a, i) => ({ ...a, page: namePageUrl(site, 'author', item.refs.authors[i] ?? '') })),
    tags: item.tags.map((t, i) => ({ name: t, page: namePageUrl(site, 'tag', item.refs.tags[i] ?? '') })),
    section: item.section && item.refs.section ? { name: item.section, page: namePageUrl(site, 'section', item.refs.section) } : undefined,
  };
}

/** The newest change among the document's items; an empty document falls back to the epoch. */
export function docUpdated(items: readonly ItemRecord[]): Date {
  let max = 0;
  for (const i of items) max = Math.max(max, Date.parse(i.updated ?? i.published));
  return new Date(max);
}

/** Full HTML for feed readers: the poster (linked to the page with the player) above the body. */
export function contentHtml(site: Site, item: ItemRecord): string {
  const parts: string[] = [];
  if (item.image) {
    const img = `<img src="${escapeHtml(mediaUrl(site, item.image.url))}" width="${item.image.width}" height="${item.image.height}" alt="${escapeHtml(item.image.alt)}">`;
    parts.push(item.kind === 'video' ? `<p><a href="${escapeHtml(itemUrl(site, item))}">${img}</a></p>` : `<p>${img}</p>`);
  }
  parts.push(item.bodyHtml || `<p>${escapeHtml(item.summary)}</p>`);
  return parts.join('\n');
}

/** ISO 8601 duration, e.g. 134 → "PT2M14S". */
export function isoDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${rest || (!h && !m) ? `${rest}S` : ''}`;
}

/** Clock form of a duration, e.g. 134 → "2:14", 3725 → "1:02:05". */
export function clockDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

// The render model shared by every format: a site, a scope's page of items and its archive links.
import { absolute, embedPath, feedPath, itemPath, modifiedOf, type FeedFormat, type Scope } from '../model/paths';
import type { ItemRecord, Site } from '../model/schema';
import { escapeHtml } from './escape';

export type { Site };

/** One feed document: the subscription document (page 0) or archive page `page`. */
export interface FeedDoc {
  site: Site;
  scope: Scope;
  /** Scope title for people, e.g. "Libby Hogan" or "Tag: north-korea"; empty for the main feed. */
  label: string;
  page: number;
  /** The next older archive page, if any. */
  prevPage?: number;
  /** Newest first. */
  items: ItemRecord[];
}

export const feedTitle = (d: FeedDoc) =>
  `${d.site.title}${d.label ? ` — ${d.label}` : ''}${d.page ? ` (archive ${d.page})` : ''}`;

export const feedUrl = (d: FeedDoc, format: FeedFormat, page = d.page) => absolute(d.site.url, feedPath(d.scope, format, page));

export const itemUrl = (site: Site, item: ItemRecord) => absolute(site.url, itemPath(item));
export const embedUrl = (site: Site, item: ItemRecord) => absolute(site.url, embedPath(item.slug));
export const mediaUrl = (site: Site, url: string) => absolute(site.url, url);
export const tagUrl = (site: Site, tag: string) => absolute(site.url, `/tags/${tag}/feed.atom`);

/** The newest change among the document's items; an empty document falls back to the epoch. */
export function docUpdated(items: readonly ItemRecord[]): Date {
  let max = 0;
  for (const i of items) max = Math.max(max, Date.parse(modifiedOf(i)));
  return new Date(max);
}

/** Full HTML for feed readers: the poster (linked to the player) above the body. */
export function contentHtml(site: Site, item: ItemRecord): string {
  const parts: string[] = [];
  if (item.image) {
    const img = `<img src="${escapeHtml(mediaUrl(site, item.image.url))}" width="${item.image.width}" height="${item.image.height}" alt="${escapeHtml(item.image.alt)}">`;
    parts.push(item.kind === 'video' ? `<p><a href="${escapeHtml(itemUrl(site, item))}">${img}</a></p>` : `<p>${img}</p>`);
  }
  parts.push(item.bodyHtml || `<p>${escapeHtml(item.summary)}</p>`);
  return parts.join('\n');
}

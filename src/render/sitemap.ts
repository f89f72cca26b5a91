// Sitemaps: an index, and pages of items counted from the oldest, with the video extension.
import type { ItemRecord } from '../model/schema';
import { absolute, modifiedOf } from '../model/paths';
import { escapeHtml } from './escape';
import { embedUrl, itemUrl, mediaUrl, type Site } from './document';

/** Items per sitemap page; full pages never change when a new item arrives. */
export const SITEMAP_PAGE = 1000;

export const sitemapPagePath = (page: number) => `/sitemaps/${page}.xml`;

/** The sitemap index listing pages 1…count. */
export function renderSitemapIndex(site: Site, count: number): string {
  const entries = Array.from({ length: count }, (_, i) => `  <sitemap><loc>${escapeHtml(absolute(site.url, sitemapPagePath(i + 1)))}</loc></sitemap>`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('\n')}\n</sitemapindex>\n`;
}

function videoEntry(site: Site, item: ItemRecord): string {
  const v = item.video;
  if (!v || !item.image) return '';
  const tags = item.tags.slice(0, 32).map((t) => `<video:tag>${escapeHtml(t)}</video:tag>`);
  return [
    '<video:video>',
    `<video:thumbnail_loc>${escapeHtml(mediaUrl(site, item.image.url))}</video:thumbnail_loc>`,
    `<video:title>${escapeHtml(item.title)}</video:title>`,
    `<video:description>${escapeHtml(item.summary)}</video:description>`,
    `<video:content_loc>${escapeHtml(mediaUrl(site, v.url))}</video:content_loc>`,
    `<video:player_loc>${escapeHtml(embedUrl(site, item))}</video:player_loc>`,
    `<video:duration>${Math.round(v.duration)}</video:duration>`,
    `<video:publication_date>${escapeHtml(item.published)}</video:publication_date>`,
    ...(item.stats ? [`<video:view_count>${item.stats.views}</video:view_count>`] : []),
    ...tags,
    '</video:video>',
  ].join('');
}

/** One sitemap page of items (oldest first), with video entries for video items. */
export function renderSitemapPage(site: Site, items: readonly ItemRecord[]): string {
  const urls = items.map(
    (i) => `  <url><loc>${escapeHtml(itemUrl(site, i))}</loc><lastmod>${escapeHtml(modifiedOf(i))}</lastmod>${videoEntry(site, i)}</url>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">\n${urls.join('\n')}\n</urlset>\n`;
}

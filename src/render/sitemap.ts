// Sitemaps: an index; pages of items counted from the oldest (video extension); Google News; scope pages.
import { NEWS_SITEMAP, SCOPES_SITEMAP, sitemapPath } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import { renderWithin } from './budget';
import { embedUrl, itemUrl, mediaUrl, siteName, siteUrl, type Site } from './document';
import { escapeHtml, finalXml } from './escape';
import { shownCounts, watched, type Counts } from './item-counts';

/** Items per sitemap page; full pages never change when a new item arrives. */
export const SITEMAP_PAGE = 1000;

const URLSET = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"';
const doc = (root: string, attrs: string, lines: string[]) =>
  finalXml(`<?xml version="1.0" encoding="utf-8"?>\n<${root} ${attrs}>\n${lines.join('\n')}${lines.length ? '\n' : ''}</${root}>\n`);

/** The sitemap index: item pages 1…count, the news sitemap and the scope pages. */
export function renderSitemapIndex(site: Site, count: number): string {
  const paths = [...Array.from({ length: count }, (_, i) => sitemapPath(i + 1)), NEWS_SITEMAP, SCOPES_SITEMAP];
  return doc(
    'sitemapindex',
    URLSET,
    paths.map((p) => `  <sitemap><loc>${escapeHtml(siteUrl(site, p))}</loc></sitemap>`),
  );
}

// Google's limits: a description of at most 2048 characters, at most 32 tags. The elements are in the
// order of Google's schema (sitemap-video/1.1), a sequence: view_count comes before publication_date.
function videoEntry(site: Site, item: ItemRecord, live: Counts | null): string {
  const v = item.video;
  if (!v || !item.image) return '';
  const counts = shownCounts(item, live);
  return [
    '<video:video>',
    `<video:thumbnail_loc>${escapeHtml(mediaUrl(site, item.image.url))}</video:thumbnail_loc>`,
    `<video:title>${escapeHtml(item.title)}</video:title>`,
    `<video:description>${escapeHtml(item.summary.slice(0, 2048))}</video:description>`,
    `<video:content_loc>${escapeHtml(mediaUrl(site, v.url))}</video:content_loc>`,
    `<video:player_loc>${escapeHtml(embedUrl(site, item))}</video:player_loc>`,
    `<video:duration>${Math.round(v.duration)}</video:duration>`,
    ...(counts ? [`<video:view_count>${watched(counts)}</video:view_count>`] : []),
    `<video:publication_date>${escapeHtml(item.published)}</video:publication_date>`,
    ...item.tags.slice(0, 32).map((t) => `<video:tag>${escapeHtml(t)}</video:tag>`),
    '</video:video>',
  ].join('');
}

/**
 * One sitemap page of items (oldest first); video entries for as many as the byte budget holds.
 * `live`: each item's measured counts, as the writer last applied them.
 */
export function renderSitemapPage(site: Site, items: readonly ItemRecord[], live: (slug: string) => Counts | null = () => null): string {
  return renderWithin(items.length, (full) =>
    doc(
      'urlset',
      `${URLSET} xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"`,
      items.map(
        (i, k) =>
          `  <url><loc>${escapeHtml(itemUrl(site, i))}</loc><lastmod>${escapeHtml(i.updated ?? i.published)}</lastmod>${k < full ? videoEntry(site, i, live(i.slug)) : ''}</url>`,
      ),
    ),
  );
}

/** Google News takes ISO 639 codes, except zh-cn and zh-tw for the two written forms of Chinese. */
function newsLanguage(tag: string): string {
  const [lang = '', ...rest] = tag.toLowerCase().split('-');
  if (lang !== 'zh') return lang;
  return rest.some((p) => p === 'tw' || p === 'hk' || p === 'mo' || p === 'hant') ? 'zh-tw' : 'zh-cn';
}

/** Google News: the items published in the last two days, newest first, at most 1,000. */
export function renderNewsSitemap(site: Site, items: readonly ItemRecord[]): string {
  const name = escapeHtml(siteName(site));
  return doc(
    'urlset',
    `${URLSET} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"`,
    items
      .slice(0, 1000)
      .map(
        (i) =>
          `  <url><loc>${escapeHtml(itemUrl(site, i))}</loc><news:news><news:publication><news:name>${name}</news:name>` +
          `<news:language>${newsLanguage(i.language)}</news:language></news:publication>` +
          `<news:publication_date>${escapeHtml(i.published)}</news:publication_date><news:title>${escapeHtml(i.title)}</news:title></news:news></url>`,
      ),
  );
}

/** The pages of every scope that holds items (an emptied tag drops out), at most 50,000. */
export function renderScopesSitemap(site: Site, paths: readonly string[]): string {
  return doc(
    'urlset',
    URLSET,
    paths.slice(0, 50_000).map((p) => `  <url><loc>${escapeHtml(siteUrl(site, p))}</loc></url>`),
  );
}

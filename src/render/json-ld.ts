// schema.org structured data for an item page: VideoObject or NewsArticle.
import type { ItemRecord } from '../model/schema';
import { embedUrl, homeUrl, isoDuration, itemUrl, mediaUrl, namesOf, siteName, type Site } from './document';
import { interactionStatistic, type Counts } from './item-counts';

/**
 * schema.org data for the item: a NewsArticle (headline, section, bylines linked to their pages),
 * and for a video item the VideoObject it carries, in one @graph. `counts` (as shownCounts makes them)
 * become the `interactionStatistic` of the video, or else of the article.
 */
export function jsonLd(site: Site, item: ItemRecord, counts: Counts | null): Record<string, unknown> {
  const url = itemUrl(site, item);
  const names = namesOf(site, item);
  const authors = names.authors.map((a) => ({ '@type': 'Person', name: a.name, url: a.url ? mediaUrl(site, a.url) : a.page }));
  const publisher = {
    '@type': 'NewsMediaOrganization',
    name: siteName(site),
    url: homeUrl(site),
    ...(site.logo ? { logo: mediaUrl(site, site.logo) } : {}),
  };
  const image = item.image ? mediaUrl(site, item.image.url) : undefined;
  const common = { description: item.summary, inLanguage: item.language, author: authors, publisher };
  const article = {
    ...common,
    '@type': 'NewsArticle',
    '@id': `${url}#article`,
    headline: item.title,
    datePublished: item.published,
    dateModified: item.updated ?? item.published,
    ...(image ? { image: [image] } : {}),
    mainEntityOfPage: url,
    ...(names.section ? { articleSection: names.section.name } : {}),
    ...(item.tags.length ? { keywords: item.tags } : {}),
  };
  if (!item.video)
    return {
      '@context': 'https://schema.org',
      ...article,
      ...(counts ? { interactionStatistic: interactionStatistic('article', counts) } : {}),
    };
  const video = {
    ...common,
    '@type': 'VideoObject',
    '@id': `${url}#video`,
    name: item.title,
    thumbnailUrl: image ? [image] : [],
    uploadDate: item.published,
    ...(item.updated ? { dateModified: item.updated } : {}),
    duration: isoDuration(item.video.duration),
    contentUrl: mediaUrl(site, item.video.url),
    embedUrl: embedUrl(site, item),
    encodingFormat: item.video.type,
    width: item.video.width,
    height: item.video.height,
    url,
    ...(item.transcript ? { transcript: item.transcript } : {}),
    ...(counts ? { interactionStatistic: interactionStatistic('video', counts) } : {}),
  };
  return { '@context': 'https://schema.org', '@graph': [{ ...article, video: { '@id': video['@id'] } }, video] };
}

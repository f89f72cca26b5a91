// JSON Feed 1.1, written directly: `feed` only knows 1.0 and has no attachments.
import { absolute, DIRECTORY } from '../model/paths';
import {
  contentHtml,
  detailOf,
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
} from './document';

/**
 * Renders a JSON Feed 1.1 document: authors, language, video attachments, next_url paging, and a
 * `_wirefeed` extension per item (section, caption tracks, transcript, related coverage) documented in the README.
 */
export function renderJsonFeed(d: FeedDoc): string {
  const { site } = d;
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: feedTitle(d),
    home_page_url: pageUrl(site, d.scope, d.page),
    feed_url: feedUrl(d, 'json'),
    description: site.description,
    language: site.language,
    ...(site.logo ? { icon: mediaUrl(site, site.logo) } : {}),
    ...(site.icon ? { favicon: mediaUrl(site, site.icon) } : {}),
    authors: [{ name: site.author, url: homeUrl(site) }],
    ...(d.prevPage ? { next_url: feedUrl(d, 'json', d.prevPage) } : {}),
    ...(site.hub ? { hubs: [{ type: 'WebSub', url: site.hub }] } : {}),
    _wirefeed: { about: absolute(site.url, `${DIRECTORY}#json-feed-extension`), ...(site.edition ? { edition: site.edition } : {}) },
    items: d.items.map((item, i) => {
      const detail = detailOf(d, i);
      // Cut with the captions when a document is cut for size (see FeedDoc.detail).
      const related = detail > 0 ? (d.related?.get(item.id) ?? []) : [];
      const names = namesOf(site, item);
      const captions = (item.captions ?? []).map((c) => ({
        url: mediaUrl(site, c.url),
        mime_type: 'text/vtt',
        language: c.language,
        label: c.label,
      }));
      const extension = {
        ...(names.section ? { section: names.section.name, section_url: names.section.page } : {}),
        ...(captions.length ? { captions } : {}),
        ...(item.transcript ? { transcript_url: transcriptUrl(site, item) } : {}),
        ...(related.length ? { related: related.map((r) => ({ id: r.id, url: itemUrl(site, r), title: r.title })) } : {}),
      };
      return {
        id: item.id,
        url: itemUrl(site, item),
        title: item.title,
        ...(detail > 0 ? { summary: item.summary } : {}),
        // An item cut for size (see FeedDoc.detail) carries plain text in place of its HTML.
        ...(detail > 1 ? { content_html: contentHtml(site, item) } : { content_text: detail > 0 ? item.summary : item.title }),
        ...(item.image ? { image: mediaUrl(site, item.image.url) } : {}),
        date_published: new Date(item.published).toISOString(),
        date_modified: new Date(item.updated ?? item.published).toISOString(),
        authors: item.authors.map((a) => (a.url ? { name: a.name, url: mediaUrl(site, a.url) } : { name: a.name })),
        tags: item.tags,
        language: item.language,
        ...(item.video
          ? {
              attachments: [
                {
                  url: downloadUrl(site, { slug: item.slug, video: item.video }),
                  mime_type: item.video.type,
                  title: item.title,
                  size_in_bytes: item.video.size,
                  duration_in_seconds: item.video.duration,
                },
              ],
            }
          : {}),
        ...(Object.keys(extension).length ? { _wirefeed: extension } : {}),
      };
    }),
  };
  return JSON.stringify(feed, null, 2);
}

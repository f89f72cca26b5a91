// JSON Feed 1.1, written directly: `feed` only knows 1.0 and has no attachments.
import { contentHtml, feedTitle, feedUrl, itemUrl, mediaUrl, type FeedDoc } from './document';
import { absolute } from '../model/paths';

/** Renders a JSON Feed 1.1 document with authors, language, attachments and next_url paging. */
export function renderJsonFeed(d: FeedDoc): string {
  const { site } = d;
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: feedTitle(d),
    home_page_url: absolute(site.url, '/'),
    feed_url: feedUrl(d, 'json'),
    description: site.description,
    language: site.language,
    authors: [{ name: site.author, url: absolute(site.url, '/') }],
    ...(d.prevPage ? { next_url: feedUrl(d, 'json', d.prevPage) } : {}),
    ...(site.hub ? { hubs: [{ type: 'WebSub', url: site.hub }] } : {}),
    items: d.items.map((item) => ({
      id: item.id,
      url: itemUrl(site, item),
      title: item.title,
      summary: item.summary,
      content_html: contentHtml(site, item),
      ...(item.image ? { image: mediaUrl(site, item.image.url) } : {}),
      date_published: new Date(item.published).toISOString(),
      date_modified: new Date(item.updated ?? item.published).toISOString(),
      authors: item.authors.map((a) => (a.url ? { name: a.name, url: a.url } : { name: a.name })),
      tags: item.tags,
      language: item.language,
      ...(item.video
        ? {
            attachments: [
              {
                url: mediaUrl(site, item.video.url),
                mime_type: item.video.type,
                title: item.title,
                size_in_bytes: item.video.size,
                duration_in_seconds: item.video.duration,
              },
            ],
          }
        : {}),
    })),
  };
  return JSON.stringify(feed, null, 2);
}

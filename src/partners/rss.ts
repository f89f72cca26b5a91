// Profile `rss`: plain RSS 2.0 with full text, Dublin Core and Media RSS, for licensees without a format of their own.
// Specifications: RSS 2.0 (https://www.rssboard.org/rss-specification), Content module
// (http://purl.org/rss/1.0/modules/content/), Media RSS 1.5.1 (https://www.rssboard.org/media-rss).
// RSS has no way to say "taken down", so a withdrawn or expired item simply leaves the document.
import { renderPartnerRss } from './rss-base';
import type { PartnerDoc } from './types';

/** Renders the `rss` profile's document. */
export const renderRssProfile = (doc: PartnerDoc): string => renderPartnerRss(doc, {});

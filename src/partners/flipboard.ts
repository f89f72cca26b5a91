// Profile `flipboard`: Flipboard's RSS, "Optimizing your RSS feed for Flipboard"
// (https://about.flipboard.com/rss-spec/, updated 25 Aug 2016, sections "Optimizing your RSS feed" and
// "Feed Structure"): the entire body in content:encoded, images through Media RSS, and updates pushed
// through PubSubHubbub (WebSub), announced with <atom:link rel="hub">. Flipboard names no takedown
// element, so a withdrawn or expired item leaves the document.
import { attr, renderPartnerRss } from './rss-base';
import type { PartnerDoc } from './types';

/** Renders the `flipboard` profile's document. */
export const renderFlipboard = (doc: PartnerDoc): string =>
  renderPartnerRss(doc, {
    channel: (d) => (d.site.hub ? [`<atom:link rel="hub" href="${attr(d.site.hub)}"/>`] : []),
  });

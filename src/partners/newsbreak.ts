// Profile `newsbreak`: NewsBreak's publisher RSS. Its RSS Feed Specs document is given to partners at
// onboarding and is not public; what is public (Publisher FAQ, https://support.newsbreak.com/publisher-faq,
// "How do I deliver my content to NewsBreak?") asks for full article text and images, which plain RSS 2.0
// with content:encoded and Media RSS carries. NewsBreak's `nb:` elements could not be checked offline, so
// none is written and its namespace is not declared (an unused declaration only draws the W3C validator's
// unknown-namespace warning). No takedown element is known, so a withdrawn or expired item leaves the document.
import { renderPartnerRss } from './rss-base';
import type { PartnerDoc } from './types';

/** Renders the `newsbreak` profile's document. */
export const renderNewsbreak = (doc: PartnerDoc): string => renderPartnerRss(doc, {});

// Profile `newsbreak`: NewsBreak's publisher RSS. Its RSS Feed Specs document is given to partners at
// onboarding and is not public; what is public (Publisher FAQ, https://support.newsbreak.com/publisher-faq,
// "How do I deliver my content to NewsBreak?") asks for full article text and images. The feed declares
// NewsBreak's namespace, xmlns:nb="https://www.newsbreak.com/", as NewsBreak's feeds carry it; no nb:
// element is written, as none could be checked offline. No takedown element is known, so a withdrawn
// or expired item leaves the document.
import { renderPartnerRss } from './rss-base';
import type { PartnerDoc } from './types';

export const NEWSBREAK_NS = 'https://www.newsbreak.com/';

/** Renders the `newsbreak` profile's document. */
export const renderNewsbreak = (doc: PartnerDoc): string => renderPartnerRss(doc, { namespaces: { nb: NEWSBREAK_NS } });

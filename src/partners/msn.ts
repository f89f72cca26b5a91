// Profile `msn`: MSN Partner Hub RSS (Microsoft Start). Specifications: "Feed content specifications"
// (https://helpcenter.microsoftstart.com/kb/articles/25-feed-content-specifications), "MSN feed item
// metadata requirements" (support.microsoft.com, Partner Hub: unique id, title over 20 and at most 150
// characters, published date, body, link; Updated date; Expiration date), "ATOM and RSS code examples"
// (https://helpcenter.microsoftstart.com/kb/articles/58-atom-and-rss-code-examples: namespaces
// mi="http://schemas.ingestion.microsoft.com/common/" and dcterms; <dcterms:modified> for updates;
// <dcterms:valid> with "end" as the expiration, W3C-DTF) and "Inline content" (Media RSS images with
// <mi:hasSyndicationRights>). An update is a new modified date under the same guid; a takedown is the
// same guid with an expiration that has passed. MSN reads the abstract (description) as plain text;
// it is written as RSS's escaped HTML all the same, as the W3C validator reads description as HTML and
// calls a plain "<" in it invalid.
import { itemHead, renderPartnerRss, updatedMs, w3cdtf } from './rss-base';
import type { PartnerDoc } from './types';

export const MI_NS = 'http://schemas.ingestion.microsoft.com/common/';
const DCTERMS_NS = 'http://purl.org/dc/terms/';

const valid = (endMs: number) => `<dcterms:valid>end=${w3cdtf(endMs)}; scheme=W3C-DTF</dcterms:valid>`;

/** Renders the `msn` profile's document. */
export const renderMsn = (doc: PartnerDoc): string =>
  renderPartnerRss(doc, {
    namespaces: { dcterms: DCTERMS_NS, mi: MI_NS },
    item: (_d, { item }) => [
      ...(item.updated ? [`<dcterms:modified>${w3cdtf(updatedMs(item))}</dcterms:modified>`] : []),
      ...(item.rights?.expires ? [valid(Date.parse(item.rights.expires))] : []),
    ],
    // Only pictures the newsroom may pass on reach a partner at all (image.syndication), so each says so.
    image: () => ['<mi:hasSyndicationRights>1</mi:hasSyndicationRights>'],
    takedown: (d, { item, changedAt }) => {
      const at = Date.parse(changedAt);
      return `<item>${[...itemHead(d, item, Date.parse(item.published)), `<dcterms:modified>${w3cdtf(at)}</dcterms:modified>`, valid(at)].join('\n')}</item>`;
    },
  });

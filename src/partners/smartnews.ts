// Profile `smartnews`: SmartNews SmartFormat 2.1 ("SmartFormat Specification Version 2.1",
// https://publishers.smartnews.com/hc/en-us/articles/360036526213): RSS 2.0 with the namespace
// snf="http://www.smartnews.be/snf", <snf:logo><url>…</url></snf:logo> in the channel and
// <snf:analytics> (CDATA) per item; "Restrictions: file size" recommends the whole file within 1 MB.
// Deletion ("Deleting Articles", https://publishers.smartnews.com/hc/en-us/articles/360021354914):
// the item's <media:status> value becomes "deleted" and its <pubDate> changes, or SmartNews never hears
// of it; an update likewise needs a new pubDate, so pubDate here is the item's last change.
import { attr, cdata, itemHead, renderPartnerRss, updatedMs } from './rss-base';
import { mediaUrl } from '../render/document';
import type { PartnerDoc } from './types';

export const SNF_NS = 'http://www.smartnews.be/snf';

/** Renders the `smartnews` profile's document. */
export const renderSmartnews = (doc: PartnerDoc): string =>
  renderPartnerRss(doc, {
    namespaces: { snf: SNF_NS },
    channel: (d) => (d.site.logo ? [`<snf:logo><url>${attr(mediaUrl(d.site, d.site.logo))}</url></snf:logo>`] : []),
    pubDate: ({ item }) => updatedMs(item),
    item: (d) => (d.analytics ? [`<snf:analytics>${cdata(d.analytics)}</snf:analytics>`] : []),
    takedown: (d, { item, changedAt }) =>
      `<item>${[...itemHead(d, item, Date.parse(changedAt)), '<media:status>deleted</media:status>'].join('\n')}</item>`,
  });

// The partner render model: which items a partner's document carries, in which state, and how much of each.
import type { Partner, Rights } from '../model/partner';
import type { ItemRecord, Site } from '../model/schema';
import type { RelatedLink } from '../render/document';

/** An item record as partners see it: the record, its rights, and whether its picture may travel. */
export type PartnerRecord = ItemRecord & {
  rights?: Rights;
  image?: NonNullable<ItemRecord['image']> & { syndication?: boolean };
};

/**
 * One entry of a partner document. `live`: the item as it stands. `withdrawn` / `expired`: the
 * partner had it and must take it down; each profile says so in its own idiom (or leaves it out
 * where its specification has none). `changedAt` is when that state began (RFC 3339).
 */
export interface PartnerEntry {
  item: PartnerRecord;
  status: 'live' | 'withdrawn' | 'expired';
  changedAt: string;
  /** A live entry's related coverage as the writer stored it (ninjs carries it as associations). */
  related?: readonly RelatedLink[];
}

/** Everything one partner document is rendered from. */
export interface PartnerDoc {
  site: Site;
  partner: Partner;
  /** Newest first. */
  entries: PartnerEntry[];
  /** ninjs lists: the URL of the next older page, when there is one. */
  next?: string;
  /** SmartNews: HTML of the analytics tag SmartView runs for each article (snf:analytics), if the newsroom has one. */
  analytics?: string;
}

/** The picture an item may send to partners: none when it has none or `image.syndication` is false. */
export const partnerImage = (item: PartnerRecord) => (item.image && item.image.syndication !== false ? item.image : undefined);

/** The partner document paths, as the routes will serve them. */
export const partnerFeedPath = (id: string) => `/partners/${id}/feed.xml`;
export const partnerListPath = (id: string, page = 0) => `/partners/${id}/items.json${page ? `?page=${page}` : ''}`;
export const partnerItemPath = (id: string, slug: string) => `/partners/${id}/items/${slug}.json`;

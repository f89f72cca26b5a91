// Render for partners: the documents a partner job owes KV (its feed, or its ninjs list pages and
// item documents), from what partner_items says it carries. Reads only.
import * as v from 'valibot';
import { RSS_PROFILES, type Partner } from '../model/partner';
import { problemOf } from '../model/messages';
import { ItemRecord, type Site } from '../model/schema';
import { renderNinjsItem } from '../partners/ninjs';
import { renderPartnerDoc } from '../partners/render';
import { partnerFeedPath, partnerItemPath, partnerListPath, type PartnerEntry } from '../partners/types';
import { partnerKey } from '../store/kv-store';
import type { ItemIndex } from './item-index';
import type { Carried, PartnerStore } from './partner-store';
import type { RelatedIndex } from './related';
import type { JobOutput } from './render-jobs';

/** What a partner job may read. */
export interface PartnerView {
  items: Pick<ItemIndex, 'itemById'>;
  partners: Pick<PartnerStore, 'get' | 'shown' | 'shownCount' | 'shownBySlug' | 'carried'>;
  /** Each item's stored related coverage (ninjs carries it as associations). */
  related: Pick<RelatedIndex, 'listsOf'>;
  /** Keys of the documents KV holds under a prefix. */
  heldUnder: (prefix: string) => string[];
  held: (key: string) => boolean;
  site: Site;
}

/** Entries per partner feed, and per ninjs list page. */
export const PARTNER_PAGE = 50;
/** ninjs list pages kept (older entries are only in their item documents). */
export const PARTNER_PAGES = 5;

export const PARTNER_TYPES = { rss: 'application/rss+xml; charset=utf-8', json: 'application/json; charset=utf-8' } as const;

/** Where every document of a partner lives in KV. */
export const partnerPrefix = (id: string) => partnerKey(`/partners/${id}/`);

/** A row as a document entry: the live record from the index, or the record it was taken down as. */
function entryOf(view: PartnerView, c: Carried, out: JobOutput): PartnerEntry | null {
  const raw = c.record ?? view.items.itemById(c.item)?.record;
  if (!raw) return null;
  const r = v.safeParse(ItemRecord, raw);
  if (!r.success) {
    const p = problemOf(r.issues[0]);
    out.bad.push({ slug: c.slug, error: `its stored record no longer passes the schema: ${p.field} ${p.message}` });
    return null;
  }
  return { item: r.output, status: c.status === 'held' ? 'live' : c.status, changedAt: new Date(c.changedAt).toISOString() };
}

/**
 * ninjs: each live entry with its stored related coverage (one read for them all), kept to the stories
 * this partner carries live: a related story may be one it is not licensed for (the wire copy).
 */
function withRelated(view: PartnerView, partner: string, entries: PartnerEntry[]): PartnerEntry[] {
  const lists = view.related.listsOf(entries.filter((e) => e.status === 'live').map((e) => e.item.id));
  return entries.map((e) => {
    const related = (e.status === 'live' ? lists.get(e.item.id) : undefined)?.filter(
      (r) => view.partners.carried(partner, r.id)?.status === 'live',
    );
    return related?.length ? { ...e, related } : e;
  });
}

/** The entries one page of a partner's documents shows, newest first. */
export function partnerEntries(view: PartnerView, id: string, page: number, out: JobOutput): PartnerEntry[] {
  return view.partners
    .shown(id, page * PARTNER_PAGE, PARTNER_PAGE)
    .map((c) => entryOf(view, c, out))
    .filter((e): e is PartnerEntry => e !== null);
}

/** The partner's feed or list pages; whatever else KV holds under its prefix and it no longer has is deleted. */
export function partnerJob(view: PartnerView, id: string, out: JobOutput): void {
  const prefix = partnerPrefix(id);
  const stored = view.partners.get(id);
  const wanted = new Set<string>();
  const put = (path: string, body: string, type: string) => {
    wanted.add(partnerKey(path));
    out.puts.push({ key: partnerKey(path), body, type, cache: 'current' });
  };
  const partner: Partner | null = stored?.partner ?? null;
  if (partner && RSS_PROFILES.includes(partner.profile)) {
    const { text } = renderPartnerDoc({ site: view.site, partner, entries: partnerEntries(view, id, 0, out) });
    put(partnerFeedPath(id), text, PARTNER_TYPES.rss);
  } else if (partner) {
    const pages = Math.max(1, Math.min(PARTNER_PAGES, Math.ceil(view.partners.shownCount(id) / PARTNER_PAGE)));
    for (let page = 0; page < pages; page++) {
      const next = page + 1 < pages ? `${view.site.url}${partnerListPath(id, page + 1)}` : undefined;
      const { text } = renderPartnerDoc({
        site: view.site,
        partner,
        entries: withRelated(view, id, partnerEntries(view, id, page, out)),
        ...(next ? { next } : {}),
      });
      put(partnerListPath(id, page), text, PARTNER_TYPES.json);
    }
  }
  // A ninjs partner's item documents are their own jobs'.
  const items = `${prefix}items/`;
  for (const key of view.heldUnder(prefix)) {
    if (wanted.has(key) || (partner?.profile === 'ninjs' && key.startsWith(items))) continue;
    out.deletes.push(key);
  }
}

/** A ninjs partner's document for one item (the item, or its cancellation); deleted when it shows none. */
export function partnerItemJob(view: PartnerView, id: string, slug: string, out: JobOutput): void {
  const key = partnerKey(partnerItemPath(id, slug));
  const partner = view.partners.get(id)?.partner;
  const row = partner?.profile === 'ninjs' ? view.partners.shownBySlug(id, slug) : null;
  const entry = row ? entryOf(view, row, out) : null;
  if (partner && entry)
    out.puts.push({
      key,
      body: renderNinjsItem({ site: view.site, partner }, withRelated(view, id, [entry])[0] ?? entry),
      type: PARTNER_TYPES.json,
      cache: 'page',
    });
  else if (view.held(key)) out.deletes.push(key);
}

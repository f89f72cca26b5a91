// The partner operations behind the writer's RPC methods: put, delete, read, preflight. Each runs inside
// the caller's pass (and, for writes, its transaction); the jobs they owe are returned, not written.
import { canonical } from '../model/hash';
import type { Partner, PartnerInput } from '../model/partner';
import type { ItemRecord } from '../model/schema';
import { decide, type Refusal } from '../partners/decide';
import { renderPartnerDoc } from '../partners/render';
import { partnerFeedPath, partnerListPath, type PartnerEntry } from '../partners/types';
import type { Job } from './jobs';
import { refreshPartner } from './partner-change';
import { PARTNER_PAGE } from './partner-jobs';
import type { PartnerStore } from './partner-store';
import type { Pass } from './stores';

/** A partner as the newsroom sees it after a write. */
export interface PartnerOutcome {
  id: string;
  created: boolean;
  changed: boolean;
  hash: string;
}

/** Stores a partner as sent; when what it receives changed, decides every item for it again and owes its documents. */
export function savePartner(pass: Pass, id: string, input: PartnerInput, sent: Record<string, unknown>, hash: string) {
  const { partners } = pass.stores;
  const created = !partners.ids().includes(id);
  let prev: Partner | null = null;
  try {
    prev = partners.get(id)?.partner ?? null;
  } catch {
    // A row the schema no longer accepts is replaced whole, as a change.
  }
  const partner: Partner = { ...input, id };
  const changed = !prev || canonical(prev) !== canonical(partner);
  partners.savePartner(id, sent, hash, pass.now);
  const jobs: Job[] = changed ? refreshPartner(pass, partner) : [];
  return { outcome: { id, created, changed, hash } satisfies PartnerOutcome, jobs };
}

/** Forgets a partner and what it carried; its one job deletes every document KV holds for it. */
export function dropPartner(pass: Pass, id: string): Job[] {
  pass.stores.partners.deletePartner(id);
  return [{ t: 'partner', id }];
}

/** Where a partner's documents are served (the gateway's routes), by profile. */
export const partnerPaths = (p: Pick<Partner, 'id' | 'profile'>) =>
  p.profile === 'ninjs' ? { items: partnerListPath(p.id) } : { feed: partnerFeedPath(p.id) };

/** Every item the writer holds (published and scheduled), in slug order. */
function* allRecords(pass: Pass): Generator<ItemRecord> {
  const { items } = pass.stores;
  for (let after = ''; ;) {
    const page = items.list(after, 500);
    for (const row of page) {
      const it = items.itemById(row.id);
      if (it) yield it.record;
    }
    if (page.length < 500) return;
    after = page[page.length - 1]?.slug ?? '';
  }
}

/** One item's answer for one partner in a preflight. */
export interface PreflightItem {
  slug: string;
  deliver: 'item' | 'expired' | 'none';
  refusals: Refusal[];
}

/**
 * GET /api/partners/:id/preflight: for each item, whether the partner gets it now and every reason it
 * does not (syndication, scope, schedule, embargo, expiry, the profile's limits); and the items its
 * feed leaves out for size.
 */
export function preflightPartner(pass: Pass, partner: Partner) {
  const items: PreflightItem[] = [];
  for (const record of allRecords(pass)) {
    const d = decide(record, partner, pass.site, pass.now);
    items.push({ slug: record.slug, deliver: d.deliver, refusals: d.refusals });
  }
  // What the first document would hold, as its job renders it, and what its size limit drops.
  const entries: PartnerEntry[] = [];
  for (const c of pass.stores.partners.shown(partner.id, 0, PARTNER_PAGE)) {
    const item = c.record ?? pass.stores.items.itemById(c.item)?.record;
    if (item) entries.push({ item, status: c.status === 'held' ? 'live' : c.status, changedAt: new Date(c.changedAt).toISOString() });
  }
  const { dropped } = renderPartnerDoc({ site: pass.site, partner, entries });
  const refused = items.filter((i) => i.deliver === 'none').length;
  return {
    partner: partner.id,
    counts: { items: items.length, delivered: items.filter((i) => i.deliver === 'item').length, refused, dropped: dropped.length },
    items,
    dropped: dropped.map((e) => ({
      slug: e.item.slug,
      reason: "left out of the partner's document: it would be over the profile's size limit",
    })),
  };
}

/** `meta.preflight` of GET /api/items/:slug: for each partner, why it would not get the item now (empty: it does). */
export function itemPreflight(pass: Pass, record: ItemRecord): Record<string, Refusal[]> {
  const out: Record<string, Refusal[]> = {};
  for (const partner of pass.stores.partners.readable()) out[partner.id] = decide(record, partner, pass.site, pass.now).refusals;
  return out;
}

/** GET /api/partners/:id: the partner as sent and the writer's facts apart (an unreadable one: its error); null when none. */
export function partnerStatus(partners: PartnerStore, id: string) {
  const found = partners.list().find((p) => p.id === id);
  if (!found) return null;
  if ('error' in found) return { partner: null, meta: { id, hash: found.hash, error: found.error } };
  const stored = partners.get(id);
  return {
    partner: stored?.input ?? {},
    meta: {
      id,
      hash: found.hash,
      createdAt: new Date(stored?.createdAt ?? 0).toISOString(),
      updatedAt: new Date(found.updatedAt).toISOString(),
      paths: partnerPaths(found.partner),
      shown: partners.shownCount(id),
    },
  };
}

/** GET /api/partners: each partner's id, name, profile, hash and document paths (an unreadable one with its error). */
export function partnerList(partners: PartnerStore) {
  return partners
    .list()
    .map((p) =>
      'error' in p
        ? { id: p.id, hash: p.hash, error: p.error }
        : { id: p.id, name: p.partner.name, profile: p.partner.profile, hash: p.hash, paths: partnerPaths(p.partner) },
    );
}

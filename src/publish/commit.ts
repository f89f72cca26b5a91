// Index: applies a staged change to the item and scope indexes and books the jobs it owes, inside
// the caller's transaction. Nothing here renders or touches KV.
import { canonical, quickHash } from '../model/hash';
import type { ItemInput, ItemRecord } from '../model/schema';
import { SITEMAP_PAGE } from '../render/sitemap';
import type { IndexedItem, ItemIndex } from './item-index';
import type { Ledger } from './ledger';
import type { ItemOutcome } from './results';
import type { ScopeIndex } from './scope-index';
import type { Staged } from './stage';

/** The indexes and books a commit changes, and the page size scopes are cut into. */
export interface IndexParts {
  items: ItemIndex;
  scopes: ScopeIndex;
  ledger: Ledger;
  pageSize: number;
}

/** The item's validator: changes whenever its record or state does. */
export const itemEtag = (record: ItemRecord, state: string) => `"i${quickHash(canonical({ record, state }))}"`;

/** Jobs for a published-or-withdrawn record: its scopes' pages, its sitemap page, the news sitemap, the directory. */
function membershipJobs(p: IndexParts, before: ItemRecord | null, after: ItemRecord | null): void {
  const id = (after ?? before)?.id;
  if (id === undefined) return;
  const m = p.scopes.applyMembership(id, after, p.pageSize);
  for (const ref of m.pages) p.ledger.addJob({ t: 'scope', scope: ref.scope, page: ref.page });
  if (m.directory) p.ledger.addJob({ t: 'directory' });
  const seq = (after ?? before)?.seq;
  if (seq !== undefined && (before || after)) {
    p.ledger.addJob({ t: 'sitemap', page: Math.ceil(seq / SITEMAP_PAGE) });
    p.ledger.addJob({ t: 'news' });
  }
}

/** Its own address and every old one: what they answer depends on where, what and whether it is published. */
function addressJobs(p: IndexParts, id: string, slug: string): void {
  p.ledger.addJob({ t: 'slug', slug });
  for (const a of p.items.aliasesOf(id)) p.ledger.addJob({ t: 'slug', slug: a.slug });
}

/**
 * Stores a staged item and books what it owes. When nothing a reader sees changed (an identical
 * re-send) only the input as sent and its hash are updated, no job is booked, and `changed` is false.
 */
export function commitItem(p: IndexParts, s: Staged, input: ItemInput, hash: string, now: number): ItemOutcome {
  const { record, prev, state } = s;
  const etag = itemEtag(record, state);
  const outcome = { id: record.id, slug: record.slug, state, created: !prev, etag };
  const same = prev !== null && prev.state === state && prev.record.slug === record.slug && canonical(prev.record) === canonical(record);
  const indexed: IndexedItem = {
    record,
    input: input as Record<string, unknown>,
    state,
    publishAt: s.publishAt,
    hash,
    etag,
    createdAt: prev?.createdAt ?? now,
    updatedAt: same ? (prev?.updatedAt ?? now) : now,
  };
  p.items.saveItem(indexed);
  if (same) return { ...outcome, changed: false };
  const wasLive = prev?.state === 'published' ? prev.record : null;
  const isLive = state === 'published' ? record : null;
  membershipJobs(p, wasLive, isLive);
  if (prev && prev.record.slug !== record.slug) {
    // Old links keep working: the old page and player answer 301 to the new ones (if they were ever public).
    if (wasLive) p.items.setAlias({ slug: prev.record.slug, id: record.id, kind: prev.record.kind, status: 'moved' });
    p.ledger.addJob({ t: 'slug', slug: prev.record.slug });
  }
  // Old addresses follow a new slug, kind or state (a rename into the future holds nothing until then).
  addressJobs(p, record.id, record.slug);
  if (isLive || wasLive) p.ledger.setNum('lastPublish', now);
  return { ...outcome, changed: true };
}

/**
 * Withdraws an item: it leaves every scope, and its addresses (old ones included) answer 410 Gone.
 * A scheduled item was never public, so its address simply has nothing.
 */
export function withdrawItem(p: IndexParts, prev: IndexedItem, now: number): ItemOutcome {
  const { record } = prev;
  p.items.deleteItem(record.id);
  const aliases = p.items.aliasesOf(record.id);
  if (prev.state === 'published') {
    p.items.setAlias({ slug: record.slug, id: record.id, kind: record.kind, status: 'gone' });
    for (const a of aliases) p.items.setAlias({ ...a, status: 'gone' });
    membershipJobs(p, record, null);
    p.ledger.setNum('lastPublish', now);
  }
  for (const slug of [record.slug, ...aliases.map((a) => a.slug)]) p.ledger.addJob({ t: 'slug', slug });
  return {
    id: record.id,
    slug: record.slug,
    state: prev.state,
    created: false,
    changed: true,
    etag: prev.etag,
  };
}

/** Publishes scheduled items whose time has come; returns how many. */
export function releaseDue(p: IndexParts, now: number): number {
  const due = p.items.dueScheduled(now);
  for (const id of due) {
    const it = p.items.itemById(id);
    if (!it) continue;
    p.items.saveItem({ ...it, state: 'published', etag: itemEtag(it.record, 'published'), updatedAt: now });
    membershipJobs(p, null, it.record);
    addressJobs(p, it.record.id, it.record.slug);
    p.ledger.setNum('lastPublish', now);
  }
  return due.length;
}

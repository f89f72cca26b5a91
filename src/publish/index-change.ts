// Index: applies a staged change to the item and scope indexes inside the caller's transaction, and
// returns the jobs it owes KV (the caller queues them). Nothing here renders or touches KV.
import { canonical, quickHash } from '../model/hash';
import type { ItemInput, ItemRecord } from '../model/schema';
import { SITEMAP_PAGE } from '../render/sitemap';
import type { IndexedItem } from './item-index';
import type { Job } from './jobs';
import { listersOwed, reciprocate, refreshRelated, relistNaming } from './related';
import type { ItemOutcome } from './results';
import type { Staged } from './stage';
import type { Pass } from './stores';

/** What a change did to the index: the item as the newsroom sees it, and the jobs it owes KV. */
export interface IndexChange {
  outcome: ItemOutcome;
  jobs: Job[];
}

/** The item's validator: changes whenever its record or state does. */
export const itemEtag = (record: ItemRecord, state: string) => `"i${quickHash(canonical({ record, state }))}"`;

/**
 * Moves an item's scope memberships from `before` to `after` (a write), and returns the jobs that
 * owes: its scopes' pages, the directory when the set of scopes or their labels changed, its sitemap
 * page and the news sitemap.
 */
function moveMembership(pass: Pass, before: ItemRecord | null, after: ItemRecord | null): Job[] {
  const id = (after ?? before)?.id;
  if (id === undefined) return [];
  const m = pass.stores.scopes.applyMembership(id, after, pass.site.pageSize);
  const jobs: Job[] = m.pages.map((ref) => ({ t: 'scope', scope: ref.scope, page: ref.page }));
  if (m.directory) jobs.push({ t: 'directory' });
  const seq = (after ?? before)?.seq;
  if (seq !== undefined) jobs.push({ t: 'sitemap', page: Math.ceil(seq / SITEMAP_PAGE) }, { t: 'news' });
  return jobs;
}

/** Its own address and every old one: what they answer depends on where, what and whether it is published. */
function addressJobs(pass: Pass, id: string, slug: string): Job[] {
  return [{ t: 'slug', slug }, ...pass.stores.items.aliasesOf(id).map((a): Job => ({ t: 'slug', slug: a.slug }))];
}

/**
 * Stores a staged item (and the names it was the first to use). When nothing a reader sees changed
 * (an identical re-send) only the input as sent and its hash are updated, no job is owed, and
 * `changed` is false.
 */
export function commitItem(pass: Pass, s: Staged, input: ItemInput, hash: string): IndexChange {
  const { items, scopes, books } = pass.stores;
  const { now } = pass;
  const { record, prev, state } = s;
  const etag = itemEtag(record, state);
  const outcome = { id: record.id, slug: record.slug, state, created: !prev, etag };
  const same = prev !== null && prev.state === state && prev.record.slug === record.slug && canonical(prev.record) === canonical(record);
  scopes.recordNames(s.names);
  items.saveItem({
    record,
    input: input as Record<string, unknown>,
    state,
    publishAt: s.publishAt,
    hash,
    etag,
    createdAt: prev?.createdAt ?? now,
    updatedAt: same ? (prev?.updatedAt ?? now) : now,
  });
  // The item holds its address now, whatever the address answered before.
  items.dropAlias(record.slug);
  if (same) return { outcome: { ...outcome, changed: false }, jobs: [] };
  const wasLive = prev?.state === 'published' ? prev.record : null;
  const isLive = state === 'published' ? record : null;
  const jobs = moveMembership(pass, wasLive, isLive);
  if (prev && prev.record.slug !== record.slug) {
    // Old links keep working: the old page and player answer 301 to the new ones (if they were ever public).
    if (wasLive) items.setAlias({ slug: prev.record.slug, id: record.id, kind: prev.record.kind, status: 'moved' });
    jobs.push({ t: 'slug', slug: prev.record.slug });
    // Its live counts follow it, so the pages this change owes already show them.
    pass.stores.counts.move(prev.record.slug, record.slug);
  }
  // Old addresses follow a new slug, kind or state (a rename into the future holds nothing until then).
  jobs.push(...addressJobs(pass, record.id, record.slug));
  // Its own related coverage, computed once here; the lists naming it only when what they show of it changed.
  if (isLive) {
    refreshRelated(pass, record.id);
    jobs.push(...reciprocate(pass, record.id));
  } else pass.stores.related.drop(record.id);
  if (listersOwed(wasLive, isLive)) jobs.push(...relistNaming(pass, record.id));
  if (isLive || wasLive) books.setNum('lastPublish', now);
  return { outcome: { ...outcome, changed: true }, jobs };
}

/**
 * Withdraws an item: it leaves every scope, and its addresses (old ones included) answer 410 Gone.
 * A scheduled item was never public, so its address simply has nothing.
 */
export function withdrawItem(pass: Pass, prev: IndexedItem): IndexChange {
  const { items, books } = pass.stores;
  const { record } = prev;
  items.deleteItem(record.id);
  const aliases = items.aliasesOf(record.id);
  const jobs: Job[] = [];
  if (prev.state === 'published') {
    items.setAlias({ slug: record.slug, id: record.id, kind: record.kind, status: 'gone' });
    for (const a of aliases) items.setAlias({ ...a, status: 'gone' });
    jobs.push(...moveMembership(pass, record, null), ...relistNaming(pass, record.id));
    books.setNum('lastPublish', pass.now);
  }
  pass.stores.related.drop(record.id);
  pass.stores.counts.drop(record.slug);
  for (const slug of [record.slug, ...aliases.map((a) => a.slug)]) jobs.push({ t: 'slug', slug });
  const outcome = { id: record.id, slug: record.slug, state: prev.state, created: false, changed: true, etag: prev.etag };
  return { outcome, jobs };
}

/** Publishes scheduled items whose time has come; returns the jobs they owe. */
export function releaseDue(pass: Pass): Job[] {
  const { items, books } = pass.stores;
  const jobs: Job[] = [];
  for (const id of items.dueScheduled(pass.now)) {
    const it = items.itemById(id);
    if (!it) continue;
    items.saveItem({ ...it, state: 'published', etag: itemEtag(it.record, 'published'), updatedAt: pass.now });
    items.dropAlias(it.record.slug);
    jobs.push(...moveMembership(pass, null, it.record), ...addressJobs(pass, it.record.id, it.record.slug));
    refreshRelated(pass, it.record.id);
    jobs.push(...reciprocate(pass, it.record.id));
    books.setNum('lastPublish', pass.now);
  }
  return jobs;
}

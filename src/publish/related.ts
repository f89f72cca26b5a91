// Related coverage: each published item's list of related items, computed once when the item is
// committed (or released, or a rebuild starts) and stored, so every render only reads it; and the
// lists, pages and feeds a change of a listed item owes, found through the stored lists.
import type { Scope } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import type { RelatedLink } from '../render/document';
import type { Job } from './jobs';
import { partnerJobs } from './partner-change';
import type { Pass } from './stores';

/** How many related items an item lists at most. */
export const RELATED_MAX = 5;

/**
 * How many of a subscription document's entries (the newest) carry their lists. A reader meets an
 * entry's related coverage when the entry is new; carrying it on all 50 made each Atom document 15 %
 * slower to write (its element tree), and a publish writes six or seven of them.
 */
export const RELATED_IN_FEEDS = 10;

/**
 * How far from an item its candidates are looked for, in positions of each of its tag and section
 * scopes, each side. It bounds both ways: computing a list reads at most 2·WINDOW+1 members per scope,
 * whatever the archive holds; and an item can be listed only by items within WINDOW of it in a scope
 * they share, so a withdrawal re-renders at most 2·WINDOW pages per scope of the withdrawn item.
 */
export const RELATED_WINDOW = 10;

/** Synchronous SQL over the `related` table (db-schema.ts): who lists whom, at which position. */
export class RelatedIndex {
  constructor(private readonly sql: SqlStorage) {}

  /** Replaces item `id`'s list with `list` (a write). */
  store(id: string, list: readonly RelatedLink[]): void {
    this.drop(id);
    list.forEach((r, i) =>
      this.sql.exec(
        'INSERT INTO related (id, position, other, slug, kind, title) VALUES (?, ?, ?, ?, ?, ?)',
        id,
        i + 1,
        r.id,
        r.slug,
        r.kind,
        r.title,
      ),
    );
  }

  /** Drops item `id`'s own list (a write): it is withdrawn or scheduled. */
  drop(id: string): void {
    this.sql.exec('DELETE FROM related WHERE id = ?', id);
  }

  /** The items whose stored lists name `other`, with their slugs. */
  listers(other: string): { id: string; slug: string }[] {
    return this.sql
      .exec<{ id: string; slug: string }>(
        'SELECT DISTINCT r.id, i.slug FROM related r JOIN items i ON i.id = r.id WHERE r.other = ? ORDER BY i.seq',
        other,
      )
      .toArray();
  }

  /**
   * The stored lists of `ids` (the entries of a document), by id: one read of the lists alone, no item
   * record touched. They hold only published items under their current slugs and titles, because every
   * change that ends that (relistNaming) computes the lists naming the item again.
   */
  listsOf(ids: readonly string[]): Map<string, RelatedLink[]> {
    const out = new Map<string, RelatedLink[]>();
    if (!ids.length) return out;
    const rows = this.sql
      .exec<{ item: string; id: string; slug: string; kind: RelatedLink['kind']; title: string }>(
        // CROSS JOIN keeps the order SQLite would otherwise be free to change: each id, then its rows by key.
        `SELECT r.id AS item, r.other AS id, r.slug, r.kind, r.title FROM json_each(?) j CROSS JOIN related r ON r.id = j.value
        ORDER BY r.id, r.position`,
        JSON.stringify(ids),
      )
      .toArray();
    for (const { item, ...link } of rows) {
      const list = out.get(item);
      if (list) list.push(link);
      else out.set(item, [link]);
    }
    return out;
  }
}

/** Computes and stores the list of published item `id` (its memberships already written). */
export function refreshRelated(pass: Pass, id: string): void {
  const { scopes, related } = pass.stores;
  related.store(id, scopes.relatedCandidates(id, RELATED_WINDOW, RELATED_MAX));
}

/**
 * After item `id`'s list is computed: the items it lists are its nearest coverage, and it theirs, so
 * their lists are computed again too (a new story appears on the pages of the stories it relates to).
 * At most RELATED_MAX lists, and only the pages whose list changed are owed; their feed entries keep
 * the list they have until those feeds are next written.
 */
export function reciprocate(pass: Pass, id: string): Job[] {
  const { related } = pass.stores;
  const mine = related.listsOf([id]).get(id) ?? [];
  const ids = (list: readonly RelatedLink[] | undefined) => (list ?? []).map((l) => l.id).join('\n');
  const before = related.listsOf(mine.map((r) => r.id));
  const jobs: Job[] = [];
  for (const r of mine) {
    refreshRelated(pass, r.id);
    if (ids(before.get(r.id)) !== ids(related.listsOf([r.id]).get(r.id))) jobs.push({ t: 'slug', slug: r.slug });
  }
  return jobs;
}

/**
 * A rebuild computes every list again, so older pages pick up coverage published after them (and
 * storage from before related coverage gets its lists): newest first, `relistSome` at a time, so no
 * single call grows with the archive. Until an item's turn its page keeps the list it has.
 */
export function startRelist(pass: Pass): void {
  pass.stores.books.setNum('relistBelow', pass.stores.items.nextSeq());
}

/** The next `count` lists of a relist under way (a write); returns whether any are left. */
export function relistSome(pass: Pass, count: number): boolean {
  const { books, items } = pass.stores;
  const below = books.num('relistBelow');
  if (!below) return false;
  const next = items.publishedBelow(below, count);
  for (const it of next) refreshRelated(pass, it.id);
  const last = next.length < count ? null : (next[next.length - 1]?.seq ?? null);
  books.setNum('relistBelow', last);
  return last !== null;
}

/** What others' lists show of an item: when none of it changed, and it stays published, no list needs it. */
const shownFacts = (r: ItemRecord) => `${r.slug}\n${r.kind}\n${r.title}`;

/** Whether a change of an item from `before` to `after` (null: not published) owes the lists naming it. */
export const listersOwed = (before: ItemRecord | null, after: ItemRecord | null): boolean =>
  before !== null && (after === null || shownFacts(before) !== shownFacts(after));

/**
 * Item `id` was withdrawn, scheduled back or renamed (or retitled): every item whose stored list names
 * it gets its list computed again, and owes its page and the subscription documents of its scopes
 * (their entries carry its list), and the ninjs partner documents that carry it live. Found through the
 * stored lists: no other page is touched. Call after the change's index writes.
 */
export function relistNaming(pass: Pass, id: string): Job[] {
  const { related, scopes } = pass.stores;
  const jobs: Job[] = [];
  const ids: string[] = [];
  const feeds = new Set<Scope>();
  for (const l of related.listers(id)) {
    refreshRelated(pass, l.id);
    ids.push(l.id);
    jobs.push({ t: 'slug', slug: l.slug });
    for (const scope of scopes.scopesOfMember(l.id)) feeds.add(scope);
  }
  for (const scope of feeds) jobs.push({ t: 'scope', scope, page: 0 });
  // ninjs partners carry each live item's list as associations: their documents of the listers too.
  for (const partner of pass.stores.partners.readable()) {
    if (partner.profile !== 'ninjs') continue;
    const live = ids.flatMap((i) => {
      const c = pass.stores.partners.carried(partner.id, i);
      return c?.status === 'live' ? [c.slug] : [];
    });
    if (live.length) jobs.push(...partnerJobs(partner, live));
  }
  return jobs;
}

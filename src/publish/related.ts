// Related coverage: which other published items an item points to (its page, its subscription feed
// entries), scored by shared tags, same section and closeness in time; and the pages a change owes.
import { canonical } from '../model/hash';
import type { Scope } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import type { RelatedLink } from '../render/document';
import type { Job } from './jobs';
import type { Candidate, MemberAt, ScopeIndex } from './scope-index';

/** How many related items an item shows at most. */
export const RELATED_MAX = 5;

/**
 * How far from an item its related candidates are looked for, in positions of each of its tag and
 * section scopes (positions follow the order items joined, so this is nearness in time), each side.
 *
 * The bound works both ways. A render reads at most 2·WINDOW+1 members per tag or section scope,
 * whatever the archive holds. And an item Y can list X only if they share such a scope in which they
 * stand at most WINDOW apart, so a change of X (publish, edit, withdrawal, release) owes exactly the
 * pages of the members within WINDOW of where X stood before and stands after, in those scopes: at
 * most 2·WINDOW per scope, and WINDOW for a new item, which nothing is newer than. Older pages are
 * not touched, so a publish's cost does not grow with the archive.
 */
export const RELATED_WINDOW = 8;

const TAG_WEIGHT = 3;
const SECTION_WEIGHT = 2;
const DAY_MS = 86_400_000;

/** What the related computation reads of the scope index. */
export type RelatedReads = Pick<ScopeIndex, 'relatedPositions' | 'near' | 'scopesOfMember'>;

type Scored = Pick<Candidate, 'tags' | 'section' | 'published'>;

/**
 * How related `other` is to `item`: TAG_WEIGHT per shared tag, SECTION_WEIGHT for the same section,
 * plus closeness in time (1 the same day, towards 0 further apart), which orders equally related
 * items and never outweighs a shared tag or section.
 */
export function relatedScore(item: Scored, other: Scored): number {
  const tags = other.tags.filter((t) => item.tags.includes(t)).length;
  const section = item.section !== undefined && item.section === other.section ? 1 : 0;
  const days = Math.abs(Date.parse(item.published) - Date.parse(other.published)) / DAY_MS;
  return TAG_WEIGHT * tags + SECTION_WEIGHT * section + 1 / (1 + days);
}

/** The items related to `item`, most related first (then newest), never itself; reads only. */
export function relatedTo(scopes: RelatedReads, item: ItemRecord): RelatedLink[] {
  const self: Scored = { tags: item.refs.tags, section: item.refs.section, published: item.published };
  const found = new Map<string, Candidate>();
  for (const at of scopes.relatedPositions(item.id)) {
    for (const c of scopes.near(at.scope, at.pos, RELATED_WINDOW)) if (c.id !== item.id) found.set(c.id, c);
  }
  return [...found.values()]
    .map((c) => ({ c, score: relatedScore(self, c) }))
    .sort((a, b) => b.score - a.score || Date.parse(b.c.published) - Date.parse(a.c.published) || a.c.id.localeCompare(b.c.id))
    .slice(0, RELATED_MAX)
    .map(({ c }) => ({ id: c.id, slug: c.slug, kind: c.kind, title: c.title }));
}

/**
 * What others' related lists read of an item (how it scores and how it is linked): when an edit of a
 * published item leaves this as it was, no other page changes, and no job is owed for them.
 */
export const relatedFacts = (r: ItemRecord): string =>
  canonical({ slug: r.slug, kind: r.kind, title: r.title, published: r.published, tags: r.refs.tags, section: r.refs.section ?? null });

/**
 * The jobs a change of item `id` owes other items' related lists (see RELATED_WINDOW): the page of
 * each member within the window of where it stood (`before`, taken before the change) or stands now,
 * and the subscription documents of their scopes, whose entries carry related links too. Call after
 * the change's index writes; its own page is owed by the change itself.
 */
export function relatedJobs(scopes: RelatedReads, id: string, before: readonly MemberAt[]): Job[] {
  const jobs: Job[] = [];
  const others = new Set<string>();
  for (const at of [...before, ...scopes.relatedPositions(id)]) {
    for (const c of scopes.near(at.scope, at.pos, RELATED_WINDOW)) {
      if (c.id === id || others.has(c.id)) continue;
      others.add(c.id);
      jobs.push({ t: 'slug', slug: c.slug });
    }
  }
  const feeds = new Set<Scope>();
  for (const other of others) for (const scope of scopes.scopesOfMember(other)) feeds.add(scope);
  for (const scope of feeds) jobs.push({ t: 'scope', scope, page: 0 });
  return jobs;
}

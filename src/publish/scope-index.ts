// The one owner of scopes, positions and labels: the slugs names get, who belongs to which scope at
// which position, which pages a change touches, and which items each page shows.
import type { ItemRecord } from '../model/schema';
import { baseSlug, candidateSlug, nameKey, type NameKind } from '../model/names';
import { kindScope, nameIndexPath, nameScope, type Scope } from '../model/paths';
import type { FeedDoc, RelatedLink } from '../render/document';
import { parseRecords, type BadRecord, type StoredRow } from './item-index';

/**
 * Each scope numbers its members 1, 2, 3… in the order they joined; page k holds positions
 * (k-1)·size+1 … k·size, so pages are counted from the oldest and a full page never moves. The
 * subscription document (page 0) holds everything from the newest full page on.
 */
interface ScopeState {
  nextPos: number;
  archived: number;
  label: string;
}

/** A page a change touched: 0 is the subscription document. */
export interface PageRef {
  scope: Scope;
  page: number;
}

/** First page held by the subscription document, given the highest position used so far. */
export function currentFirstPage(maxPos: number, pageSize: number): number {
  return Math.max(1, Math.floor(maxPos / pageSize));
}

/** Every scope an item belongs to, with the label people see for it. */
export function scopesOf(item: ItemRecord): Map<Scope, string> {
  const out = new Map<Scope, string>([
    ['', ''],
    [kindScope(item.kind), item.kind === 'video' ? 'Videos' : 'Articles'],
  ]);
  item.refs.authors.forEach((slug, i) => out.set(nameScope('author', slug), item.authors[i]?.name ?? slug));
  item.refs.tags.forEach((slug, i) => out.set(nameScope('tag', slug), item.tags[i] ?? slug));
  if (item.refs.section && item.section) out.set(nameScope('section', item.refs.section), item.section);
  return out;
}

/** A name seen for the first time, and the slug it gets: written when the change is committed. */
export interface NewName {
  kind: NameKind;
  key: string;
  slug: string;
}

/** Synchronous SQL over the names, members and scopes tables. */
/**
 * The pages a change at `pos` touches: its own page, the subscription document (it may show items
 * from archive pages after withdrawals), and pages that have just become archives; with the archive
 * count the scope has after it.
 */
function pagesTouched(scope: Scope, state: ScopeState, pos: number, pageSize: number): { pages: PageRef[]; archived: number } {
  const first = currentFirstPage(state.nextPos - 1, pageSize);
  const page = Math.ceil(pos / pageSize);
  const pages: PageRef[] = [{ scope, page: 0 }];
  if (page < first) pages.push({ scope, page });
  // Pages that have just become archives, and the archive that was newest until now: its
  // next-archive link moves from the subscription document to the first of them.
  if (first - 1 <= state.archived) return { pages, archived: state.archived };
  for (let k = Math.max(1, state.archived); k < first; k++) pages.push({ scope, page: k });
  return { pages, archived: first - 1 };
}

export class ScopeIndex {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * The slugs of `names` (one kind), reading only: a name seen before keeps its slug for good, a new
   * one gets the first free candidate, and two names never share a slug ("José" and "Jose" get
   * "jose" and "jose-2"; "李明" and "王芳" keep their own). Another spelling of the same name (case,
   * spacing) keeps the slug. New names are added to `fresh`, for recordNames to write.
   */
  proposeNames(kind: NameKind, names: readonly string[], fresh: NewName[]): string[] {
    return names.map((name) => {
      const key = nameKey(name);
      const found = this.sql.exec<{ slug: string }>('SELECT slug FROM names WHERE kind = ? AND key = ?', kind, key).toArray()[0];
      if (found) return found.slug;
      const proposed = fresh.find((f) => f.kind === kind && f.key === key);
      if (proposed) return proposed.slug;
      const base = baseSlug(name);
      for (let n = 1; ; n++) {
        const slug = candidateSlug(base, kind, n);
        const taken =
          fresh.some((f) => f.kind === kind && f.slug === slug) ||
          this.sql.exec('SELECT 1 FROM names WHERE kind = ? AND slug = ?', kind, slug).toArray().length > 0;
        if (!taken) {
          fresh.push({ kind, key, slug });
          return slug;
        }
      }
    });
  }

  /** Writes names first seen in a committed change, with the slugs they were given. */
  recordNames(names: readonly NewName[]): void {
    for (const n of names) this.sql.exec('INSERT INTO names (kind, key, slug) VALUES (?, ?, ?)', n.kind, n.key, n.slug);
  }

  private state(scope: Scope): ScopeState | null {
    const row = this.sql
      .exec<{ next_pos: number; archived: number; label: string }>('SELECT next_pos, archived, label FROM scopes WHERE scope = ?', scope)
      .toArray()[0];
    return row ? { nextPos: row.next_pos, archived: row.archived, label: row.label } : null;
  }

  /** Every scope with its label, how many items it holds now and how many archive pages it has. */
  scopes(): { scope: Scope; label: string; count: number; archived: number }[] {
    return this.sql
      .exec<{ scope: Scope; label: string; count: number; archived: number }>(
        'SELECT s.scope, s.label, s.archived, (SELECT COUNT(*) FROM members m WHERE m.scope = s.scope) AS count FROM scopes s',
      )
      .toArray();
  }

  /** After a page size change: each scope's archive count in the new size; returns the scopes left with fewer pages. */
  recountArchives(pageSize: number): { scope: Scope; from: number; to: number }[] {
    const out: { scope: Scope; from: number; to: number }[] = [];
    for (const s of this.sql
      .exec<{ scope: Scope; next_pos: number; archived: number }>('SELECT scope, next_pos, archived FROM scopes')
      .toArray()) {
      // Counted here, by the one rule the writer pages by (SQLite would divide the bound size as a real).
      const to = currentFirstPage(s.next_pos - 1, pageSize) - 1;
      this.sql.exec('UPDATE scopes SET archived = ? WHERE scope = ?', to, s.scope);
      if (to < s.archived) out.push({ scope: s.scope, from: s.archived, to });
    }
    return out;
  }

  private position(scope: Scope, id: string): number | null {
    return this.sql.exec<{ pos: number }>('SELECT pos FROM members WHERE scope = ? AND id = ?', scope, id).toArray()[0]?.pos ?? null;
  }

  private count(scope: Scope): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM members WHERE scope = ?', scope).one().n;
  }

  /**
   * Moves item `id`'s memberships to those of `next` (null: withdrawn) and returns the pages that
   * changed, and whether the set of non-empty scopes or their labels changed. Where it is now comes
   * from the index itself, not from its stored record, which may no longer read.
   */
  applyMembership(id: string, next: ItemRecord | null, pageSize: number): { pages: PageRef[]; directory: boolean } {
    const before = this.sql.exec<{ scope: Scope }>('SELECT DISTINCT scope FROM members WHERE id = ?', id).toArray();
    const after = next ? scopesOf(next) : new Map<Scope, string>();
    const pages: PageRef[] = [];
    let directory = false;
    for (const { scope } of before) {
      if (after.has(scope)) {
        const pos = this.position(scope, id);
        const label = after.get(scope) ?? '';
        if (this.state(scope)?.label !== label) {
          this.sql.exec('UPDATE scopes SET label = ? WHERE scope = ?', label, scope);
          directory = true;
        }
        if (pos !== null) pages.push(...this.archiveTouched(scope, pos, pageSize));
      } else {
        const pos = this.position(scope, id);
        if (pos === null) continue;
        this.sql.exec('DELETE FROM members WHERE scope = ? AND pos = ?', scope, pos);
        if (this.count(scope) === 0) directory = true;
        pages.push(...this.archiveTouched(scope, pos, pageSize));
      }
    }
    const held = new Set(before.map((b) => b.scope));
    for (const [scope, label] of after) {
      if (held.has(scope)) continue;
      const state = this.state(scope);
      const pos = state?.nextPos ?? 1;
      if (state) this.sql.exec('UPDATE scopes SET next_pos = ?, label = ? WHERE scope = ?', pos + 1, label, scope);
      else this.sql.exec('INSERT INTO scopes (scope, next_pos, archived, label) VALUES (?, ?, 0, ?)', scope, pos + 1, label);
      if (!state || this.count(scope) === 0 || state.label !== label) directory = true;
      this.sql.exec('INSERT INTO members (scope, pos, id) VALUES (?, ?, ?)', scope, pos, id);
      pages.push(...this.archiveTouched(scope, pos, pageSize));
    }
    return { pages, directory };
  }

  /**
   * A write: moves the scope's archive count up to the pages that have just become archives, and
   * returns the pages a change at `pos` touches (pagesTouched).
   */
  private archiveTouched(scope: Scope, pos: number, pageSize: number): PageRef[] {
    const state = this.state(scope);
    if (!state) return [];
    const { pages, archived } = pagesTouched(scope, state, pos, pageSize);
    if (archived !== state.archived) this.sql.exec('UPDATE scopes SET archived = ? WHERE scope = ?', archived, scope);
    return pages;
  }

  /** The records of the members a query names, in its order, and those the schema no longer accepts. */
  private members(query: string, ...args: (string | number)[]): { records: ItemRecord[]; bad: BadRecord[] } {
    return parseRecords(this.sql.exec<StoredRow>(query, ...args).toArray());
  }

  /**
   * What a scope document shows: archive page `requested`, or (0, or any page not yet an archive)
   * the subscription document, which holds the newest `pageSize` items at least, taking them from
   * archive pages when withdrawals have thinned its own range. Null for a scope that never existed.
   * `bad` names members whose stored records the schema no longer accepts: the page leaves them out.
   */
  page(scope: Scope, requested: number, pageSize: number): { doc: Omit<FeedDoc, 'site'>; bad: BadRecord[] } | null {
    const state = this.state(scope);
    if (!state) return null;
    const maxPos = state.nextPos - 1;
    const first = currentFirstPage(maxPos, pageSize);
    const page = requested >= first ? 0 : requested;
    const join = 'SELECT i.slug, i.record FROM members m JOIN items i ON i.id = m.id WHERE m.scope = ?';
    if (page) {
      const { records, bad } = this.members(
        `${join} AND m.pos BETWEEN ? AND ? ORDER BY m.pos DESC`,
        scope,
        (page - 1) * pageSize + 1,
        page * pageSize,
      );
      const older = page > 1 ? { prevPage: page - 1 } : {};
      return { doc: { scope, label: state.label, page, items: records, ...older, nextPage: page + 1 < first ? page + 1 : 0 }, bad };
    }
    // Withdrawals leave holes. When the subscription range holds fewer than a page of items, it takes
    // whole archive pages (never part of one, so walking prev-archive meets no item twice) until it
    // holds at least the newest `pageSize`.
    let start = (first - 1) * pageSize + 1;
    const nth = this.sql
      .exec<{ pos: number }>('SELECT pos FROM members WHERE scope = ? ORDER BY pos DESC LIMIT 1 OFFSET ?', scope, pageSize - 1)
      .toArray()[0]?.pos;
    start = Math.min(start, nth === undefined ? 1 : (Math.ceil(nth / pageSize) - 1) * pageSize + 1);
    const { records, bad } = this.members(`${join} AND m.pos >= ? ORDER BY m.pos DESC`, scope, start);
    const below = this.sql
      .exec<{ p: number | null }>('SELECT MAX(pos) AS p FROM members WHERE scope = ? AND pos < ?', scope, start)
      .one().p;
    const doc = { scope, label: state.label, page: 0, items: records, ...(below ? { prevPage: Math.ceil(below / pageSize) } : {}) };
    return { doc, bad };
  }

  /** Every scope item `id` is a member of. */
  scopesOfMember(id: string): Scope[] {
    return this.sql
      .exec<{ scope: Scope }>('SELECT scope FROM members WHERE id = ? ORDER BY scope', id)
      .toArray()
      .map((r) => r.scope);
  }

  /**
   * The published items most related to member `id`, at most `limit`: found among the members within
   * `window` positions of it in each of its tag and section scopes (positions follow the order items
   * joined, so this is nearness in time), ordered by tags shared, then the same section, then newest.
   * Every step is an index range (members by id, members by scope and position, items by id), and
   * only the chosen few records are read, so the cost does not grow with the archive. The CROSS JOINs
   * keep that order: left free, SQLite read every published item by state and probed the candidates
   * (a rebuild of 10,000 items took 179 s against 56 s without related lists).
   */
  relatedCandidates(id: string, window: number, limit: number): RelatedLink[] {
    const tag = `${nameIndexPath('tag')}%`;
    return this.sql
      .exec<{ id: string; slug: string; kind: RelatedLink['kind']; title: string }>(
        `WITH mine AS (SELECT scope, pos, scope LIKE ? AS is_tag FROM members WHERE id = ? AND (scope LIKE ? OR scope LIKE ?)),
        near AS (SELECT DISTINCT m.id FROM mine JOIN members m ON m.scope = mine.scope AND m.pos BETWEEN mine.pos - ? AND mine.pos + ?
          WHERE m.id <> ?),
        scored AS (SELECT n.id, SUM(mine.is_tag) AS tags, SUM(NOT mine.is_tag) AS section
          FROM near n CROSS JOIN members x ON x.id = n.id CROSS JOIN mine ON mine.scope = x.scope GROUP BY n.id),
        top AS (SELECT s.id, s.tags, s.section, i.publish_at, i.seq FROM scored s CROSS JOIN items i ON i.id = s.id
          WHERE i.state = 'published' ORDER BY s.tags DESC, s.section DESC, i.publish_at DESC, i.seq DESC LIMIT ?)
        SELECT i.id, i.slug, json_extract(i.record, '$.kind') AS kind, json_extract(i.record, '$.title') AS title
        FROM top CROSS JOIN items i ON i.id = top.id ORDER BY top.tags DESC, top.section DESC, top.publish_at DESC, top.seq DESC`,
        tag,
        id,
        tag,
        `${nameIndexPath('section')}%`,
        window,
        window,
        id,
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, slug: r.slug, kind: r.kind, title: String(r.title) }));
  }
}

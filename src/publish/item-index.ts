// The authoritative item index inside the writer: items, their states and facts, and the old addresses
// (renamed or withdrawn) that still answer for them.
import * as v from 'valibot';
import { problemOf } from '../model/messages';
import { ItemRecord } from '../model/schema';
import type { ItemKind } from '../model/paths';

export type ItemState = 'published' | 'scheduled';

/** An item as the index holds it: the record it renders, the input as the newsroom sent it, and its facts. */
export interface IndexedItem {
  record: ItemRecord;
  input: Record<string, unknown>;
  state: ItemState;
  publishAt: number;
  hash: string;
  etag: string;
  createdAt: number;
  updatedAt: number;
}

/** What an address no longer held by a live item answers: a 301 to where it went, or 410. */
export type Alias = {
  slug: string;
  id: string;
  kind: ItemKind;
  status: 'moved' | 'gone';
};

type ItemRow = {
  id: string;
  slug: string;
  seq: number;
  record: string;
  input: string;
  state: ItemState;
  publish_at: number;
  hash: string;
  etag: string;
  created_at: number;
  updated_at: number;
};

const ITEM_COLUMNS = 'record, input, state, publish_at, hash, etag, created_at, updated_at';

/** Synchronous SQL over the items and aliases tables. */
export class ItemIndex {
  constructor(private readonly sql: SqlStorage) {}

  private row(where: string, value: string): IndexedItem | null {
    const r = this.sql.exec<ItemRow>(`SELECT id, slug, seq, ${ITEM_COLUMNS} FROM items WHERE ${where} = ?`, value).toArray()[0];
    return r ? indexed(r) : null;
  }

  itemBySlug(slug: string): IndexedItem | null {
    return this.row('slug', slug);
  }

  itemById(id: string): IndexedItem | null {
    return this.row('id', id);
  }

  /**
   * The record behind a slug, if it is published (a scheduled item has no public address yet), read
   * strictly: a record the schema no longer accepts throws, so its page job is set aside and shows.
   */
  liveBySlug(slug: string): ItemRecord | null {
    const rows = this.sql.exec<StoredRow>("SELECT slug, record FROM items WHERE slug = ? AND state = 'published'", slug).toArray();
    const { records, bad } = parseRecords(rows);
    if (bad[0]) throw new Error(bad[0].error);
    return records[0] ?? null;
  }

  nextSeq(): number {
    return (this.sql.exec<{ m: number | null }>('SELECT MAX(seq) AS m FROM items').one().m ?? 0) + 1;
  }

  /** Inserts or replaces an item (a rename changes the slug under the same id); its old addresses are the caller's. */
  saveItem(it: IndexedItem): void {
    const r = it.record;
    this.sql.exec(
      `INSERT INTO items (id, slug, seq, ${ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, record = excluded.record, input = excluded.input, state = excluded.state,
       publish_at = excluded.publish_at, hash = excluded.hash, etag = excluded.etag, updated_at = excluded.updated_at`,
      r.id,
      r.slug,
      r.seq,
      JSON.stringify(r),
      JSON.stringify(it.input),
      it.state,
      it.publishAt,
      it.hash,
      it.etag,
      it.createdAt,
      it.updatedAt,
    );
  }

  deleteItem(id: string): void {
    this.sql.exec('DELETE FROM items WHERE id = ?', id);
  }

  /** Ids of scheduled items whose time has come, oldest time first. */
  dueScheduled(now: number): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM items WHERE state = 'scheduled' AND publish_at <= ? ORDER BY publish_at, seq", now)
      .toArray()
      .map((r) => r.id);
  }

  /** When the next scheduled item is due, or null. */
  nextScheduledAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(publish_at) AS t FROM items WHERE state = 'scheduled'").one().t;
  }

  scheduled(limit: number): { slug: string; publishAt: number }[] {
    return this.sql
      .exec<{ slug: string; publish_at: number }>(
        "SELECT slug, publish_at FROM items WHERE state = 'scheduled' ORDER BY publish_at LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ slug: r.slug, publishAt: r.publish_at }));
  }

  counts(): Record<ItemState, number> {
    const out: Record<ItemState, number> = { published: 0, scheduled: 0 };
    for (const r of this.sql.exec<{ state: ItemState; n: number }>('SELECT state, COUNT(*) AS n FROM items GROUP BY state'))
      out[r.state] = r.n;
    return out;
  }

  /** One page of every item for sync clients: slug, id, state and hashes, in slug order after `after`. */
  list(after: string, limit: number) {
    return this.sql
      .exec<{ slug: string; id: string; state: ItemState; hash: string; etag: string }>(
        'SELECT slug, id, state, hash, etag FROM items WHERE slug > ? ORDER BY slug LIMIT ?',
        after,
        limit,
      )
      .toArray();
  }

  private records(query: string, ...args: (string | number)[]): ItemRecord[] {
    return parseRecords(this.sql.exec<StoredRow>(query, ...args).toArray()).records;
  }

  /** Published items whose `published` instant lies in [from, to], newest first. */
  publishedBetween(from: number, to: number): ItemRecord[] {
    return this.records(
      "SELECT slug, record FROM items WHERE state = 'published' AND publish_at BETWEEN ? AND ? ORDER BY publish_at DESC",
      from,
      to,
    );
  }

  /** Published items with sequence numbers in [from, to], oldest first. */
  publishedBySeq(from: number, to: number): ItemRecord[] {
    return this.records("SELECT slug, record FROM items WHERE state = 'published' AND seq BETWEEN ? AND ? ORDER BY seq", from, to);
  }

  /** Ids and numbers of up to `limit` published items numbered below `seq`, newest first. */
  publishedBelow(seq: number, limit: number): { id: string; seq: number }[] {
    return this.sql
      .exec<{ id: string; seq: number }>(
        // `+state`: walk the seq index down from `seq` and stop at `limit`, rather than read every published item by state and sort.
        "SELECT id, seq FROM items WHERE seq < ? AND +state = 'published' ORDER BY seq DESC LIMIT ?",
        seq,
        limit,
      )
      .toArray();
  }

  /** Every slug the writer owes documents for: live items and old addresses. */
  allSlugs(): string[] {
    const live = this.sql.exec<{ slug: string }>("SELECT slug FROM items WHERE state = 'published' ORDER BY seq DESC").toArray();
    const old = this.sql.exec<{ slug: string }>('SELECT slug FROM aliases').toArray();
    return [...live, ...old].map((r) => r.slug);
  }

  alias(slug: string): Alias | null {
    return this.sql.exec<Alias>('SELECT slug, id, kind, status FROM aliases WHERE slug = ?', slug).toArray()[0] ?? null;
  }

  /** Records what an old address now answers. */
  setAlias(a: Alias): void {
    this.sql.exec('INSERT OR REPLACE INTO aliases (slug, id, kind, status) VALUES (?, ?, ?, ?)', a.slug, a.id, a.kind, a.status);
  }

  /** Forgets what an address answered: a live item holds it now. */
  dropAlias(slug: string): void {
    this.sql.exec('DELETE FROM aliases WHERE slug = ?', slug);
  }

  aliasesOf(id: string): Alias[] {
    return this.sql.exec<Alias>('SELECT slug, id, kind, status FROM aliases WHERE id = ?', id).toArray();
  }

  /**
   * The published item an address counts for: the item at `slug`, or the one a renamed address moved
   * to; null for a withdrawn, scheduled or unknown one. Its facts only, the record unread.
   */
  liveAt(slug: string): { slug: string; seq: number; video: boolean } | null {
    const q = `SELECT slug, seq, json_extract(record, '$.video') IS NOT NULL AS video FROM items WHERE state = 'published' AND`;
    const moved = this.alias(slug);
    const row = moved
      ? moved.status === 'moved'
        ? this.sql.exec<{ slug: string; seq: number; video: number }>(`${q} id = ?`, moved.id).toArray()[0]
        : undefined
      : this.sql.exec<{ slug: string; seq: number; video: number }>(`${q} slug = ?`, slug).toArray()[0];
    return row ? { slug: row.slug, seq: row.seq, video: row.video === 1 } : null;
  }
}

/** A stored row as list queries read it. */
export type StoredRow = { slug: string; record: string };

/** A stored record the schema no longer accepts, with the reason. */
export type BadRecord = { slug: string; error: string };

/**
 * The records a list document shows, each through the one schema. A record the schema no longer
 * accepts is left out of the list rather than stopping the document, and reported (`bad`) so the
 * writer can show it in the status against the item's own slug.
 */
export function parseRecords(rows: readonly StoredRow[]): { records: ItemRecord[]; bad: BadRecord[] } {
  const records: ItemRecord[] = [];
  const bad: BadRecord[] = [];
  for (const row of rows) {
    const r = v.safeParse(ItemRecord, JSON.parse(row.record));
    if (r.success) records.push(r.output);
    else {
      const first = problemOf(r.issues[0]);
      bad.push({ slug: row.slug, error: `its stored record no longer passes the schema: ${first.field} ${first.message}` });
    }
  }
  return { records, bad };
}

/**
 * A record for the writer's own bookkeeping (edit, rename, withdraw). A record the schema has since
 * tightened against (say, a date outside today's window) still loads, so the newsroom can always
 * correct or withdraw it; rendering reads records strictly (parseRecords) and leaves such items out.
 * The row's own columns name the item whatever the record says; a kind it no longer states reads as
 * an article (the writer answers 410 at both kinds' addresses when it is withdrawn).
 */
function lenientRecord(r: ItemRow): ItemRecord {
  const parsed = v.safeParse(ItemRecord, JSON.parse(r.record));
  if (parsed.success) return parsed.output;
  console.warn('a stored record no longer passes the schema', parsed.issues[0]?.message);
  const loose = JSON.parse(r.record) as Partial<ItemRecord>;
  return { ...loose, id: r.id, slug: r.slug, seq: r.seq, kind: loose.kind === 'video' ? 'video' : 'article' } as ItemRecord;
}

function indexed(r: ItemRow): IndexedItem {
  return {
    record: lenientRecord(r),
    input: JSON.parse(r.input) as Record<string, unknown>,
    state: r.state,
    publishAt: r.publish_at,
    hash: r.hash,
    etag: r.etag,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

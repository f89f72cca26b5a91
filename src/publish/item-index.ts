// The authoritative item index inside the writer: items, their states and facts, and the old addresses
// (renamed or withdrawn) that still answer for them.
import * as v from 'valibot';
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

/** Synchronous SQL over the Durable Object's SQLite storage. */
export class ItemIndex {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, slug TEXT UNIQUE NOT NULL, seq INTEGER UNIQUE NOT NULL,
        state TEXT NOT NULL, publish_at INTEGER NOT NULL, record TEXT NOT NULL, input TEXT NOT NULL, hash TEXT NOT NULL,
        etag TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS items_by_state ON items (state, publish_at);
      CREATE TABLE IF NOT EXISTS aliases (slug TEXT PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS aliases_by_id ON aliases (id);
    `);
  }

  private row(where: string, value: string): IndexedItem | null {
    const r = this.sql.exec<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE ${where} = ?`, value).toArray()[0];
    return r ? indexed(r) : null;
  }

  itemBySlug(slug: string): IndexedItem | null {
    return this.row('slug', slug);
  }

  itemById(id: string): IndexedItem | null {
    return this.row('id', id);
  }

  /** The record behind a slug, if it is published (a scheduled item has no public address yet). */
  liveBySlug(slug: string): ItemRecord | null {
    const it = this.itemBySlug(slug);
    return it && it.state === 'published' ? it.record : null;
  }

  nextSeq(): number {
    return (this.sql.exec<{ m: number | null }>('SELECT MAX(seq) AS m FROM items').one().m ?? 0) + 1;
  }

  /** Inserts or replaces an item (a rename changes the slug under the same id). */
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
    this.sql.exec('DELETE FROM aliases WHERE slug = ?', r.slug);
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
    return this.sql
      .exec<{ record: string }>(query, ...args)
      .toArray()
      .map((r) => parseRecord(r.record));
  }

  /** Published items whose `published` instant lies in [from, to], newest first. */
  publishedBetween(from: number, to: number): ItemRecord[] {
    return this.records(
      "SELECT record FROM items WHERE state = 'published' AND publish_at BETWEEN ? AND ? ORDER BY publish_at DESC",
      from,
      to,
    );
  }

  /** Published items with sequence numbers in [from, to], oldest first. */
  publishedBySeq(from: number, to: number): ItemRecord[] {
    return this.records("SELECT record FROM items WHERE state = 'published' AND seq BETWEEN ? AND ? ORDER BY seq", from, to);
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

  aliasesOf(id: string): Alias[] {
    return this.sql.exec<Alias>('SELECT slug, id, kind, status FROM aliases WHERE id = ?', id).toArray();
  }
}

/** Parses a record as the index stored it, through the one schema. */
export function parseRecord(json: string): ItemRecord {
  return v.parse(ItemRecord, JSON.parse(json));
}

/**
 * A record for the writer's own bookkeeping (edit, rename, withdraw). A record the schema has since
 * tightened against (say, a date outside today's window) still loads, so the newsroom can always
 * correct or withdraw it; rendering reads records strictly (parseRecord) and sets such jobs aside.
 */
function lenientRecord(json: string): ItemRecord {
  const r = v.safeParse(ItemRecord, JSON.parse(json));
  if (r.success) return r.output;
  console.warn('a stored record no longer passes the schema', r.issues[0]?.message);
  return JSON.parse(json) as ItemRecord;
}

function indexed(r: ItemRow): IndexedItem {
  return {
    record: lenientRecord(r.record),
    input: JSON.parse(r.input) as Record<string, unknown>,
    state: r.state,
    publishAt: r.publish_at,
    hash: r.hash,
    etag: r.etag,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

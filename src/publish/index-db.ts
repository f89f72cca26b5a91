// The authoritative index inside the publisher Durable Object: items, scope membership, paging.
import * as v from 'valibot';
import { ItemRecord, SiteSettings } from '../model/schema';
import type { Scope } from '../model/paths';

/**
 * Each scope numbers its members 1, 2, 3… in the order they joined; page k holds positions
 * (k-1)·size+1 … k·size, so pages are counted from the oldest and a full page never moves.
 * The subscription document holds every position from the newest full page on (size to 2·size-1
 * items); pages before it are archives, each rendered once when it becomes one.
 */
export interface ScopeState {
  nextPos: number;
  archived: number;
  label: string;
}

/** A render or delete that the writer owes KV; kept in SQL until done, so a crash loses nothing. */
export type Job =
  | { t: 'scope'; scope: Scope; page: number }
  | { t: 'item'; slug: string }
  | { t: 'drop'; paths: string[] }
  | { t: 'moved'; from: string; to: string }
  | { t: 'home' }
  | { t: 'sitemap'; page: number };

const DEFAULT_SITE: SiteSettings = {
  title: 'wirefeed',
  description: 'News video and reporting.',
  language: 'en',
  author: 'wirefeed newsroom',
};

/** Synchronous SQL over the Durable Object's SQLite storage. */
export class IndexDb {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, slug TEXT UNIQUE NOT NULL, seq INTEGER UNIQUE NOT NULL, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS members (scope TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL, PRIMARY KEY (scope, pos));
      CREATE INDEX IF NOT EXISTS members_by_id ON members (id, scope);
      CREATE TABLE IF NOT EXISTS scopes (scope TEXT PRIMARY KEY, next_pos INTEGER NOT NULL, archived INTEGER NOT NULL, label TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS jobs (key TEXT PRIMARY KEY, job TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS backlog (key TEXT PRIMARY KEY, job TEXT NOT NULL);
    `);
  }

  private parse(json: string): ItemRecord {
    return v.parse(ItemRecord, JSON.parse(json));
  }

  itemBySlug(slug: string): ItemRecord | null {
    const row = this.sql.exec<{ record: string }>('SELECT record FROM items WHERE slug = ?', slug).toArray()[0];
    return row ? this.parse(row.record) : null;
  }

  itemById(id: string): ItemRecord | null {
    const row = this.sql.exec<{ record: string }>('SELECT record FROM items WHERE id = ?', id).toArray()[0];
    return row ? this.parse(row.record) : null;
  }

  nextSeq(): number {
    const row = this.sql.exec<{ m: number | null }>('SELECT MAX(seq) AS m FROM items').one();
    return (row.m ?? 0) + 1;
  }

  /** Inserts or replaces the record (a rename changes the slug under the same id). */
  saveItem(item: ItemRecord): void {
    this.sql.exec(
      'INSERT INTO items (id, slug, seq, record) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, record = excluded.record',
      item.id,
      item.slug,
      item.seq,
      JSON.stringify(item),
    );
  }

  deleteItem(id: string): void {
    this.sql.exec('DELETE FROM items WHERE id = ?', id);
  }

  scope(scope: Scope): ScopeState | null {
    const row = this.sql
      .exec<{ next_pos: number; archived: number; label: string }>('SELECT next_pos, archived, label FROM scopes WHERE scope = ?', scope)
      .toArray()[0];
    return row ? { nextPos: row.next_pos, archived: row.archived, label: row.label } : null;
  }

  /** Slugs of every item, for rewrites that touch them all. */
  allSlugs(): string[] {
    return this.sql.exec<{ slug: string }>('SELECT slug FROM items ORDER BY seq DESC').toArray().map((r) => r.slug);
  }

  /** Scopes that have archive pages, with how many. */
  archivedScopes(): { scope: Scope; archived: number }[] {
    return this.sql.exec<{ scope: Scope; archived: number }>('SELECT scope, archived FROM scopes WHERE archived > 0').toArray();
  }

  allScopes(): Scope[] {
    return this.sql.exec<{ scope: Scope }>('SELECT scope FROM scopes').toArray().map((r) => r.scope);
  }

  setArchived(scope: Scope, archived: number): void {
    this.sql.exec('UPDATE scopes SET archived = ? WHERE scope = ?', archived, scope);
  }

  /** Where the item sits in the scope, if it is a member. */
  position(scope: Scope, id: string): number | null {
    const row = this.sql.exec<{ pos: number }>('SELECT pos FROM members WHERE scope = ? AND id = ?', scope, id).toArray()[0];
    return row ? row.pos : null;
  }

  /** Appends the item to the scope and returns its position. */
  join(scope: Scope, id: string, label: string): number {
    const state = this.scope(scope);
    const pos = state?.nextPos ?? 1;
    if (state) this.sql.exec('UPDATE scopes SET next_pos = ?, label = ? WHERE scope = ?', pos + 1, label, scope);
    else this.sql.exec('INSERT INTO scopes (scope, next_pos, archived, label) VALUES (?, ?, 0, ?)', scope, pos + 1, label);
    this.sql.exec('INSERT INTO members (scope, pos, id) VALUES (?, ?, ?)', scope, pos, id);
    return pos;
  }

  /** Removes the item from the scope; its position stays empty so later pages keep their bounds. */
  leave(scope: Scope, id: string): number | null {
    const pos = this.position(scope, id);
    if (pos !== null) this.sql.exec('DELETE FROM members WHERE scope = ? AND pos = ?', scope, pos);
    return pos;
  }

  memberCount(scope: Scope): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM members WHERE scope = ?', scope).one().n;
  }

  /** Records of the scope whose positions lie in [from, to], newest first. */
  range(scope: Scope, from: number, to: number): ItemRecord[] {
    return this.sql
      .exec<{ record: string }>(
        'SELECT i.record FROM members m JOIN items i ON i.id = m.id WHERE m.scope = ? AND m.pos BETWEEN ? AND ? ORDER BY m.pos DESC',
        scope,
        from,
        to,
      )
      .toArray()
      .map((r) => this.parse(r.record));
  }

  /** Records with sequence numbers in [from, to], oldest first. */
  bySeq(from: number, to: number): ItemRecord[] {
    return this.sql
      .exec<{ record: string }>('SELECT record FROM items WHERE seq BETWEEN ? AND ? ORDER BY seq', from, to)
      .toArray()
      .map((r) => this.parse(r.record));
  }

  latest(limit: number): ItemRecord[] {
    return this.sql
      .exec<{ record: string }>('SELECT record FROM items ORDER BY seq DESC LIMIT ?', limit)
      .toArray()
      .map((r) => this.parse(r.record));
  }

  site(): SiteSettings {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE key = 'site'").toArray()[0];
    return row ? v.parse(SiteSettings, JSON.parse(row.value)) : DEFAULT_SITE;
  }

  saveSite(site: SiteSettings): void {
    this.sql.exec("INSERT OR REPLACE INTO settings (key, value) VALUES ('site', ?)", JSON.stringify(site));
  }

  addJob(job: Job): void {
    const json = JSON.stringify(job);
    this.sql.exec('INSERT OR IGNORE INTO jobs (key, job) VALUES (?, ?)', json, json);
  }

  jobs(): Job[] {
    return this.sql.exec<{ job: string }>('SELECT job FROM jobs').toArray().map((r) => JSON.parse(r.job) as Job);
  }

  doneJobs(jobs: readonly Job[]): void {
    for (const j of jobs) this.sql.exec('DELETE FROM jobs WHERE key = ?', JSON.stringify(j));
  }

  /**
   * The backlog holds rewrites too many for one invocation's KV budget (a site-wide change); the
   * alarm works through it a batch at a time, after whatever publishes owe.
   */
  addBacklog(job: Job): void {
    const json = JSON.stringify(job);
    this.sql.exec('INSERT OR IGNORE INTO backlog (key, job) VALUES (?, ?)', json, json);
  }

  backlog(limit: number): Job[] {
    return this.sql.exec<{ job: string }>('SELECT job FROM backlog ORDER BY rowid LIMIT ?', limit).toArray().map((r) => JSON.parse(r.job) as Job);
  }

  backlogSize(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM backlog').one().n;
  }

  doneBacklog(jobs: readonly Job[]): void {
    for (const j of jobs) this.sql.exec('DELETE FROM backlog WHERE key = ?', JSON.stringify(j));
  }
}

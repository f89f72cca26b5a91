// The writer's books, beside the index: settings, what KV holds, owed jobs, set-aside failures, the
// rebuild backlog, edge-cache purges and hub pings. SQL, so a crash or eviction loses nothing.
import * as v from 'valibot';
import { SiteSettings } from '../model/schema';
import type { Scope } from '../model/paths';

/** A render or delete the writer owes KV. */
export type Job =
  | { t: 'scope'; scope: Scope; page: number }
  | { t: 'slug'; slug: string }
  | { t: 'sitemap'; page: number }
  | { t: 'news' }
  | { t: 'directory' };

/** What KV holds under a key, as the writer last wrote it. */
export interface DocRow {
  etag: string;
  lastModified: number;
  rv: number;
}

export interface FailedJob {
  job: Job;
  error: string;
  at: number;
}

export interface Ping {
  topic: string;
  at: number;
  ok: boolean;
  detail: string;
}

const DEFAULT_SITE: SiteSettings = {
  title: 'wirefeed',
  description: 'News video and reporting.',
  language: 'en',
  author: 'wirefeed newsroom',
};

const key = (job: Job) => JSON.stringify(job);

/** Numbers the writer keeps: the render version KV holds, rebuild counters, and times (ms). */
type NumSetting = 'rv' | 'rebuildTotal' | 'rebuildStarted' | 'rebuildForce' | 'rebuildTarget' | 'lastPublish' | 'lastPurge' | 'newsAt';
type TextSetting = 'lastPurgeResult' | 'rebuildReason' | 'siteHash' | 'deployment';

/** Synchronous SQL for the writer's bookkeeping. */
export class Ledger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, etag TEXT NOT NULL, last_modified INTEGER NOT NULL, rv INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS jobs (key TEXT PRIMARY KEY, job TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS failed (key TEXT PRIMARY KEY, job TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS backlog (key TEXT PRIMARY KEY, job TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS purges (tag TEXT NOT NULL, due INTEGER NOT NULL, PRIMARY KEY (tag, due));
      CREATE TABLE IF NOT EXISTS hubq (path TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS pings (n INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, at INTEGER NOT NULL, ok INTEGER NOT NULL, detail TEXT NOT NULL);
    `);
  }

  private get(name: string): string | null {
    return this.sql.exec<{ value: string }>('SELECT value FROM settings WHERE key = ?', name).toArray()[0]?.value ?? null;
  }

  private set(name: string, value: string | null): void {
    if (value === null) this.sql.exec('DELETE FROM settings WHERE key = ?', name);
    else this.sql.exec('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)', name, value);
  }

  /**
   * The site settings. Settings the schema has since tightened against still load (over the
   * defaults), so the writer never stops on them and PUT /api/site can correct them.
   */
  site(): SiteSettings {
    const json = this.get('site');
    if (!json) return DEFAULT_SITE;
    const r = v.safeParse(SiteSettings, JSON.parse(json));
    if (r.success) return r.output;
    console.warn('the stored site settings no longer pass the schema', r.issues[0]?.message);
    return { ...DEFAULT_SITE, ...(JSON.parse(json) as Partial<SiteSettings>) };
  }

  saveSite(site: SiteSettings): void {
    this.set('site', JSON.stringify(site));
  }

  /** A number setting (render version of what KV holds, rebuild counters, times); null when unset. */
  num(name: NumSetting): number | null {
    const s = this.get(name);
    return s === null ? null : Number(s);
  }

  setNum(name: NumSetting, value: number | null): void {
    this.set(name, value === null ? null : String(value));
  }

  text(name: TextSetting): string | null {
    return this.get(name);
  }

  setText(name: TextSetting, value: string | null): void {
    this.set(name, value);
  }

  doc(k: string): DocRow | null {
    const r = this.sql
      .exec<{ etag: string; last_modified: number; rv: number }>('SELECT etag, last_modified, rv FROM docs WHERE key = ?', k)
      .toArray()[0];
    return r ? { etag: r.etag, lastModified: r.last_modified, rv: r.rv } : null;
  }

  saveDoc(k: string, row: DocRow): void {
    this.sql.exec('INSERT OR REPLACE INTO docs (key, etag, last_modified, rv) VALUES (?, ?, ?, ?)', k, row.etag, row.lastModified, row.rv);
  }

  dropDoc(k: string): void {
    this.sql.exec('DELETE FROM docs WHERE key = ?', k);
  }

  docCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM docs').one().n;
  }

  addJob(job: Job): void {
    const k = key(job);
    this.sql.exec('INSERT INTO jobs (key, job) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET attempts = 0, not_before = 0', k, k);
  }

  /** Owed jobs that may run at `now` (a job that failed to write waits out its back-off). */
  jobs(now: number): Job[] {
    return this.sql
      .exec<{ job: string }>('SELECT job FROM jobs WHERE not_before <= ? ORDER BY rowid', now)
      .toArray()
      .map((r) => JSON.parse(r.job) as Job);
  }

  jobCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM jobs').one().n;
  }

  /** The earliest time a waiting job may run again, or null. */
  nextJobAt(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT MIN(not_before) AS t FROM jobs').one().t;
  }

  doneJob(job: Job): void {
    this.sql.exec('DELETE FROM jobs WHERE key = ?', key(job));
  }

  /** Holds a job back until `notBefore` (its keys were written less than a pacing gap ago). */
  holdJob(job: Job, notBefore: number): void {
    this.sql.exec('UPDATE jobs SET not_before = ? WHERE key = ?', notBefore, key(job));
  }

  /** Counts a failed write, holds the job back by `delay(attempts)` and returns how many times it has failed. */
  retryJob(job: Job, now: number, delay: (attempts: number) => number): number {
    const k = key(job);
    this.sql.exec('UPDATE jobs SET attempts = attempts + 1 WHERE key = ?', k);
    const attempts = this.sql.exec<{ attempts: number }>('SELECT attempts FROM jobs WHERE key = ?', k).toArray()[0]?.attempts ?? 1;
    this.sql.exec('UPDATE jobs SET not_before = ? WHERE key = ?', now + delay(attempts), k);
    return attempts;
  }

  /** Sets a job aside with its error: it leaves the queue (and the backlog) and shows in the status. */
  setAside(job: Job, error: string, at: number): void {
    const k = key(job);
    this.sql.exec('DELETE FROM jobs WHERE key = ?', k);
    this.sql.exec('DELETE FROM backlog WHERE key = ?', k);
    this.noteFailure(job, error, at);
  }

  /**
   * Shows a job as failed without taking it off the queue: for an item another job found unreadable,
   * whose own slug job may still be owed (and clears this when it runs).
   */
  noteFailure(job: Job, error: string, at: number): void {
    const k = key(job);
    this.sql.exec('INSERT OR REPLACE INTO failed (key, job, error, at) VALUES (?, ?, ?, ?)', k, k, error.slice(0, 500), at);
  }

  /** A job that runs again (the item was edited, a rebuild) is no longer a failure. */
  clearFailure(job: Job): void {
    this.sql.exec('DELETE FROM failed WHERE key = ?', key(job));
  }

  failed(limit = 50): FailedJob[] {
    return this.sql
      .exec<{ job: string; error: string; at: number }>('SELECT job, error, at FROM failed ORDER BY at DESC LIMIT ?', limit)
      .toArray()
      .map((r) => ({ job: JSON.parse(r.job) as Job, error: r.error, at: r.at }));
  }

  failedCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM failed').one().n;
  }

  /** The backlog holds rewrites too many for one invocation (a rebuild); the alarm takes a batch at a time. */
  addBacklog(job: Job): void {
    const k = key(job);
    this.sql.exec('INSERT OR IGNORE INTO backlog (key, job) VALUES (?, ?)', k, k);
  }

  backlog(limit: number): Job[] {
    return this.sql
      .exec<{ job: string }>('SELECT job FROM backlog ORDER BY rowid LIMIT ?', limit)
      .toArray()
      .map((r) => JSON.parse(r.job) as Job);
  }

  backlogSize(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM backlog').one().n;
  }

  doneBacklog(job: Job): void {
    this.sql.exec('DELETE FROM backlog WHERE key = ?', key(job));
  }

  /** Queues edge-cache tags to purge at each of `times`. */
  addPurge(tags: readonly string[], times: readonly number[]): void {
    for (const tag of tags) for (const due of times) this.sql.exec('INSERT OR IGNORE INTO purges (tag, due) VALUES (?, ?)', tag, due);
  }

  /** Up to `limit` distinct tags due by `now`: `everything` first (it covers the rest), then those waiting longest. */
  duePurges(now: number, limit: number, everything: string): string[] {
    return this.sql
      .exec<{ tag: string }>(
        'SELECT tag FROM purges WHERE due <= ? GROUP BY tag ORDER BY tag = ? DESC, MIN(due) LIMIT ?',
        now,
        everything,
        limit,
      )
      .toArray()
      .map((r) => r.tag);
  }

  /** How many distinct tags are due by `now`. */
  purgesDue(now: number): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(DISTINCT tag) AS n FROM purges WHERE due <= ?', now).one().n;
  }

  /** Drops the given tags' purges due by `now`, or (null) every purge due by then. */
  donePurges(tags: readonly string[] | null, now: number): void {
    if (tags === null) this.sql.exec('DELETE FROM purges WHERE due <= ?', now);
    else for (const tag of tags) this.sql.exec('DELETE FROM purges WHERE tag = ? AND due <= ?', tag, now);
  }

  nextPurgeAt(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT MIN(due) AS t FROM purges').one().t;
  }

  /** Feeds to announce to the WebSub hub; a path queued twice is announced once. */
  addHub(paths: readonly string[]): void {
    for (const p of paths) this.sql.exec('INSERT OR IGNORE INTO hubq (path) VALUES (?)', p);
  }

  takeHub(limit: number): string[] {
    const paths = this.sql
      .exec<{ path: string }>('SELECT path FROM hubq LIMIT ?', limit)
      .toArray()
      .map((r) => r.path);
    for (const p of paths) this.sql.exec('DELETE FROM hubq WHERE path = ?', p);
    return paths;
  }

  hubQueued(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hubq').one().n;
  }

  purgesQueued(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(DISTINCT tag) AS n FROM purges').one().n;
  }

  /** Keeps the last 50 hub pings with their outcome, for the status endpoint. */
  addPing(p: Ping): void {
    this.sql.exec('INSERT INTO pings (topic, at, ok, detail) VALUES (?, ?, ?, ?)', p.topic, p.at, p.ok ? 1 : 0, p.detail.slice(0, 300));
    this.sql.exec('DELETE FROM pings WHERE n <= (SELECT MAX(n) FROM pings) - 50');
  }

  pings(limit = 10): Ping[] {
    return this.sql
      .exec<{ topic: string; at: number; ok: number; detail: string }>(
        'SELECT topic, at, ok, detail FROM pings ORDER BY n DESC LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({ topic: r.topic, at: r.at, ok: r.ok === 1, detail: r.detail }));
  }
}

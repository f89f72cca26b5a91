// The writer's one job queue: what it owes KV, keyed canonically, publish work before rebuild work
// before live counts' pages, and the jobs set aside because they could not be rendered.
import { canonical } from '../model/hash';
import type { Scope } from '../model/paths';

/** A render (or delete) the writer owes KV; each kind is one entry of JOB_KINDS (render-jobs.ts). */
export type Job =
  | { t: 'scope'; scope: Scope; page: number }
  | { t: 'slug'; slug: string }
  | { t: 'sitemap'; page: number }
  | { t: 'news' }
  | { t: 'directory' }
  /** A partner's feed (RSS profiles) or list pages (ninjs); deletes what it no longer has. */
  | { t: 'partner'; id: string }
  /** A ninjs partner's document for one item. */
  | { t: 'partner-item'; id: string; slug: string };

/** A job's key: canonical JSON (sorted keys), so the same job is one row however it was built. */
export const jobKey = (job: Job): string => canonical(job);

/**
 * Where a job stands in the queue, lowest first. Publish work (what the newsroom just asked for, and
 * any job KV refused, retried with back-off) is 0; a rebuild's jobs rank after it by the order
 * readers need them (JOB_KINDS' rebuildRank), each rank leaving room for kinds to come between.
 */
export const PUBLISH = 0;

/**
 * Live counts' pages (an item page, a video sitemap page) rank after everything else and are no part
 * of a rebuild: its progress and its end ignore them. Above every rebuild rank (JOB_KINDS').
 */
export const COUNTS = 1_000_000;

export interface FailedJob {
  job: Job;
  error: string;
  at: number;
}

const parse = (rows: Iterable<{ job: string }>): Job[] => [...rows].map((r) => JSON.parse(r.job) as Job);

/** Synchronous SQL over the queue and failed tables. */
export class JobQueue {
  constructor(private readonly sql: SqlStorage) {}

  /** Owes `jobs` as publish work: a job already queued moves up to it, and any back-off is forgotten. */
  owe(jobs: Iterable<Job>): void {
    for (const job of jobs) {
      const k = jobKey(job);
      this.sql.exec(
        'INSERT INTO queue (key, job, priority) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET priority = ?, attempts = 0, not_before = 0',
        k,
        k,
        PUBLISH,
        PUBLISH,
      );
    }
  }

  /**
   * Queues a rebuild's job at `rank`. A job already queued keeps its place (each job is queued once),
   * but one waiting out a back-off is due again at once, its back-off started afresh: the rebuild
   * wants every document now. A live counts' job becomes the rebuild's (it renders the counts too).
   */
  queueRebuild(job: Job, rank: number): void {
    const k = jobKey(job);
    this.sql.exec(
      `INSERT INTO queue (key, job, priority) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET attempts = 0, not_before = 0,
       priority = CASE WHEN priority = ? THEN excluded.priority ELSE priority END`,
      k,
      k,
      rank,
      COUNTS,
    );
  }

  /** Queues a live counts' page. A job already queued keeps its place: when it runs it renders the counts just stored. */
  queueCounts(job: Job): void {
    const k = jobKey(job);
    this.sql.exec('INSERT INTO queue (key, job, priority) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING', k, k, COUNTS);
  }

  /** Publish work that may run at `now` (a job KV refused waits out its back-off), oldest first. */
  due(now: number): Job[] {
    return parse(
      this.sql.exec<{ job: string }>('SELECT job FROM queue WHERE priority = ? AND not_before <= ? ORDER BY rowid', PUBLISH, now),
    );
  }

  /** The next `limit` of a rebuild's jobs, in rank order. */
  rebuildBatch(limit: number): Job[] {
    return parse(
      this.sql.exec<{ job: string }>(
        'SELECT job FROM queue WHERE priority > ? AND priority < ? ORDER BY priority, rowid LIMIT ?',
        PUBLISH,
        COUNTS,
        limit,
      ),
    );
  }

  /** The next `limit` of live counts' pages, oldest first. */
  countsBatch(limit: number): Job[] {
    return parse(this.sql.exec<{ job: string }>('SELECT job FROM queue WHERE priority = ? ORDER BY rowid LIMIT ?', COUNTS, limit));
  }

  /** How many jobs of publish work are owed. */
  pending(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM queue WHERE priority = ?', PUBLISH).one().n;
  }

  /** How many of a rebuild's jobs are left. */
  rebuildLeft(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM queue WHERE priority > ? AND priority < ?', PUBLISH, COUNTS).one().n;
  }

  /** How many live counts' pages are owed. */
  countsLeft(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM queue WHERE priority = ?', COUNTS).one().n;
  }

  /** Every job owed: publish work, a rebuild's and live counts' alike. */
  size(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM queue').one().n;
  }

  /** The earliest time publish work may run again, or null when none is owed. */
  nextDueAt(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT MIN(not_before) AS t FROM queue WHERE priority = ?', PUBLISH).one().t;
  }

  /** Takes a job off the queue: everything it owed KV is written. */
  done(job: Job): void {
    this.sql.exec('DELETE FROM queue WHERE key = ?', jobKey(job));
  }

  /** Holds a job back until `notBefore` (its keys were written less than a pacing gap ago). */
  hold(job: Job, notBefore: number): void {
    this.sql.exec('UPDATE queue SET not_before = ? WHERE key = ?', notBefore, jobKey(job));
  }

  /**
   * Counts a refused write and holds the job back by `delay(attempts)`; a rebuild's or live counts'
   * job becomes publish work (owed, retried with back-off, no longer part of the rebuild). Returns the attempts.
   */
  retry(job: Job, now: number, delay: (attempts: number) => number): number {
    const k = jobKey(job);
    this.sql.exec('UPDATE queue SET priority = ?, attempts = attempts + 1 WHERE key = ?', PUBLISH, k);
    const attempts = this.sql.exec<{ attempts: number }>('SELECT attempts FROM queue WHERE key = ?', k).toArray()[0]?.attempts ?? 1;
    this.sql.exec('UPDATE queue SET not_before = ? WHERE key = ?', now + delay(attempts), k);
    return attempts;
  }

  /** Sets a job aside with its error: it leaves the queue and shows in the status. */
  setAside(job: Job, error: string, at: number): void {
    this.done(job);
    this.noteFailure(job, error, at);
  }

  /**
   * Shows a job as failed without taking it off the queue: for an item another job found unreadable,
   * whose own slug job may still be owed (and clears this when it runs).
   */
  noteFailure(job: Job, error: string, at: number): void {
    const k = jobKey(job);
    this.sql.exec('INSERT OR REPLACE INTO failed (key, job, error, at) VALUES (?, ?, ?, ?)', k, k, error.slice(0, 500), at);
  }

  /** A job that runs again (the item was edited, a rebuild) is no longer a failure. */
  clearFailure(job: Job): void {
    this.sql.exec('DELETE FROM failed WHERE key = ?', jobKey(job));
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
}

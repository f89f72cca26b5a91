// Render → compare → write: runs jobs into KV, writing only bytes that changed, one job at a time
// set aside when it cannot render, paced per key, retried with back-off when KV refuses.
import { RENDER_VERSION } from '../render/version';
import { docKey, etagOf, type KvStore } from '../store/kv-store';
import { runJob, type JobContext, type Put } from './documents';
import type { Job, Ledger } from './ledger';
import type { WritePacer } from './pacer';

/** What a flush did, for the API answer, the alarm and the status endpoint. */
export interface FlushStats {
  kvWrites: number;
  kvDeletes: number;
  /** Documents rendered to the very bytes KV already holds: no write, validators kept. */
  unchanged: number;
  /** Jobs left for the alarm because their keys were written less than a gap ago. */
  deferred: number;
  /** Jobs whose KV writes failed; they stay owed and are retried with back-off. */
  pending: number;
  /** Jobs that could not be rendered and were set aside (see the status endpoint). */
  failed: number;
  /** Every KV key written or deleted, so the calling isolate can drop its warm copies. */
  keys: string[];
  /** Subscription feeds whose bytes changed, for WebSub. */
  feeds: string[];
  /** When the earliest deferred job may run. */
  dueAt: number | null;
}

export const emptyStats = (): FlushStats => ({
  kvWrites: 0,
  kvDeletes: 0,
  unchanged: 0,
  deferred: 0,
  pending: 0,
  failed: 0,
  keys: [],
  feeds: [],
  dueAt: null,
});

/** Adds `b` into `a`. */
export function addStats(a: FlushStats, b: FlushStats): FlushStats {
  return {
    kvWrites: a.kvWrites + b.kvWrites,
    kvDeletes: a.kvDeletes + b.kvDeletes,
    unchanged: a.unchanged + b.unchanged,
    deferred: a.deferred + b.deferred,
    pending: a.pending + b.pending,
    failed: a.failed + b.failed,
    keys: [...a.keys, ...b.keys],
    feeds: [...a.feeds, ...b.feeds],
    dueAt: a.dueAt === null ? b.dueAt : b.dueAt === null ? a.dueAt : Math.min(a.dueAt, b.dueAt),
  };
}

export interface FlushOptions {
  /** Where the jobs came from, so a finished one is taken off the right list. */
  source: 'jobs' | 'backlog';
  /** Write even bytes KV already holds (a forced rebuild, when KV may have lost them). */
  force?: boolean;
}

interface Change {
  key: string;
  /** With the time its bytes last changed: when written over identical bytes (a forced rewrite), the old time. */
  put?: Put & { etag: string; since: number | null };
}

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;
const MAX_ATTEMPTS = 8;
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** Runs jobs into KV for the writer. */
export class Writer {
  constructor(
    private readonly store: KvStore,
    private readonly ledger: Ledger,
    private readonly pacer: WritePacer,
    private readonly gapMs: number,
  ) {}

  /** Renders `jobs`, writes what changed, and books the outcome of each job. */
  async flush(ctx: JobContext, jobs: readonly Job[], o: FlushOptions): Promise<FlushStats> {
    const stats = emptyStats();
    const now = ctx.now;
    const taken = new Set<string>();
    const planned: { job: Job; changes: Change[]; feeds: string[]; same: string[] }[] = [];
    for (const job of jobs) {
      let out;
      try {
        out = await runJob(ctx, job);
      } catch (err) {
        console.error('job set aside: it could not be rendered', job, err);
        this.ledger.setAside(job, err instanceof Error ? err.message : String(err), now);
        stats.failed++;
        continue;
      }
      this.ledger.clearFailure(job);
      const changes: Change[] = [];
      const same: string[] = [];
      for (const put of out.puts) {
        const etag = await etagOf(put.body);
        const held = this.ledger.doc(put.key);
        if (!o.force && held?.etag === etag) {
          stats.unchanged++;
          if (held.rv !== RENDER_VERSION) same.push(put.key);
        } else changes.push({ key: put.key, put: { ...put, etag, since: held?.etag === etag ? held.lastModified : null } });
      }
      for (const key of out.deletes) changes.push({ key });
      const keys = changes.map((c) => c.key);
      if (this.gapMs > 0 && keys.length) {
        const at = this.pacer.readyAt(keys, this.gapMs);
        // A later job of this batch that shares a key with an earlier one waits its turn too.
        if (at > now || keys.some((k) => taken.has(k))) {
          const due = Math.max(at, now + this.gapMs);
          stats.deferred++;
          stats.dueAt = Math.min(stats.dueAt ?? Infinity, due);
          // The alarm comes back for it then, not before: an earlier alarm would only defer it again.
          if (o.source === 'jobs') this.ledger.holdJob(job, due);
          continue;
        }
      }
      for (const k of keys) taken.add(k);
      const changed = new Set(keys);
      planned.push({ job, changes, same, feeds: out.feeds.filter((f) => changed.has(docKey(f))) });
    }
    // Stamped as the writes leave, after rendering, so the gap holds between the writes themselves.
    const writtenAt = Date.now();
    this.pacer.wrote([...taken], writtenAt, this.gapMs);
    const results = await Promise.allSettled(planned.map((p) => Promise.all(p.changes.map((c) => this.apply(c, writtenAt)))));
    results.forEach((r, i) => {
      const p = planned[i] as (typeof planned)[number];
      if (r.status === 'rejected') {
        console.error('KV write failed; the job stays owed and is retried', p.job, r.reason);
        this.retry(p.job, o.source, now, r.reason);
        stats.pending++;
        return;
      }
      for (const c of p.changes) {
        if (c.put) this.ledger.saveDoc(c.key, { etag: c.put.etag, lastModified: c.put.since ?? writtenAt, rv: RENDER_VERSION });
        else this.ledger.dropDoc(c.key);
        stats.keys.push(c.key);
      }
      for (const k of p.same) {
        const held = this.ledger.doc(k);
        if (held) this.ledger.saveDoc(k, { ...held, rv: RENDER_VERSION });
      }
      stats.kvWrites += p.changes.filter((c) => c.put).length;
      stats.kvDeletes += p.changes.filter((c) => !c.put).length;
      stats.feeds.push(...p.feeds);
      if (o.source === 'jobs') this.ledger.doneJob(p.job);
      else this.ledger.doneBacklog(p.job);
    });
    return stats;
  }

  private apply(c: Change, at: number): Promise<void> {
    if (!c.put) return this.store.delete(c.key);
    const { body, type, cache, etag, since } = c.put;
    return this.store.put(c.key, body, { etag, type, cache, lastModified: httpDate(since ?? at), rv: RENDER_VERSION });
  }

  /** Waits longer after each failed write; after MAX_ATTEMPTS the job is set aside, so nothing spins. */
  private retry(job: Job, source: FlushOptions['source'], now: number, reason: unknown): void {
    if (source === 'backlog') {
      this.ledger.doneBacklog(job);
      this.ledger.addJob(job);
    }
    const attempts = this.ledger.retryJob(job, now, (n) => Math.min(RETRY_BASE_MS * 2 ** (n - 1), RETRY_MAX_MS));
    if (attempts >= MAX_ATTEMPTS) {
      this.ledger.setAside(job, `KV refused ${attempts} writes: ${reason instanceof Error ? reason.message : String(reason)}`, now);
    }
  }
}

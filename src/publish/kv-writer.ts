// Render → compare → write: runs jobs into KV, writing only bytes that changed, paced per key and
// within one invocation's KV budget; a job that cannot render is set aside, a refused write retried.
import { RENDER_VERSION } from '../render/version';
import { docKey, etagOf, type KvStore } from '../store/kv-store';
import type { Job } from './jobs';
import { renderJob, type Put, type RenderView } from './render-jobs';
import type { Pass } from './stores';
import type { WritePacer } from './write-pacer';

/** What a flush did, for the API answer, the alarm and the status endpoint. */
export interface FlushStats {
  kvWrites: number;
  kvDeletes: number;
  /** Documents rendered to the very bytes KV already holds: no write, validators kept. */
  unchanged: number;
  /** Jobs left for the alarm: their keys were written less than a pacing gap ago, or the flush's budget was spent. */
  deferred: number;
  /** Jobs a KV write of which was refused; they stay owed and are retried with back-off until KV takes them. */
  pending: number;
  /** Jobs that could not be rendered and were set aside, and items left out of lists as unreadable (see the status endpoint). */
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
  /** Publish work is held back in the queue while its keys wait out the pacing gap; a rebuild's is simply taken again. */
  tier: 'publish' | 'rebuild';
  /** Write even bytes KV already holds (a forced rebuild, when KV may have lost them). */
  force?: boolean;
  /**
   * KV operations this flush may plan: Workers allow 1,000 an invocation. Jobs past it stay owed
   * (counted in `deferred`) and the alarm takes them next.
   */
  budget?: number;
}

interface Change {
  key: string;
  /** With the time its bytes last changed: when written over identical bytes (a forced rewrite), the old time. */
  put?: Put & { etag: string; since: number | null };
}

interface Planned {
  job: Job;
  changes: Change[];
  /** Keys whose bytes KV already holds, rendered by an older version: only their books change. */
  same: string[];
  feeds: string[];
}

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;
/** A budget that leaves room for the other operations of the invocation (reads, the item records). */
export const FLUSH_BUDGET = 600;
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** Waits longer after each refused write (5 s, 10 s, … 10 min), for as long as KV refuses. */
const retryDelay = (attempts: number) => Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS);

/** Runs one pass's jobs into KV: renders, compares with what KV holds, writes, and books the outcome. */
export class KvWriter {
  private readonly view: RenderView;

  constructor(
    private readonly pass: Pass,
    private readonly store: KvStore,
    private readonly pacer: WritePacer,
    private readonly gapMs: number,
  ) {
    const { items, scopes, books, partners, counts, related } = pass.stores;
    this.view = {
      items,
      scopes,
      partners,
      related,
      held: (key) => books.doc(key) !== null,
      heldUnder: (prefix) => books.docKeysUnder(prefix),
      site: pass.site,
      now: pass.now,
      counts: (slug) => counts.get(slug),
    };
  }

  /** Renders `jobs`, writes what changed, and books the outcome of each job and each write. */
  async flush(jobs: readonly Job[], o: FlushOptions): Promise<FlushStats> {
    const stats = emptyStats();
    const planned = await this.plan(jobs, o, stats);
    // Stamped as the writes leave, after rendering, so the pacing gap holds between the writes themselves.
    const writtenAt = Date.now();
    this.pacer.wrote(
      planned.flatMap((p) => p.changes.map((c) => c.key)),
      writtenAt,
      this.gapMs,
    );
    const results = await Promise.all(planned.map((p) => Promise.allSettled(p.changes.map((c) => this.apply(c, writtenAt)))));
    results.forEach((settled, i) => this.book(planned[i] as Planned, settled, writtenAt, stats));
    return stats;
  }

  /** Renders each job and works out what it changes; a job that cannot be rendered is set aside. */
  private async plan(jobs: readonly Job[], o: FlushOptions, stats: FlushStats): Promise<Planned[]> {
    const { queue, books } = this.pass.stores;
    const { now } = this.pass;
    const planned: Planned[] = [];
    const taken = new Set<string>();
    const unreadable = new Set<string>();
    const budget = o.budget ?? Infinity;
    let operations = 0;
    for (const job of jobs) {
      if (operations >= budget) {
        stats.deferred++;
        continue;
      }
      let out;
      try {
        out = await renderJob(this.view, job);
      } catch (err) {
        console.error('job set aside: it could not be rendered', job, err);
        queue.setAside(job, err instanceof Error ? err.message : String(err), now);
        stats.failed++;
        continue;
      }
      queue.clearFailure(job);
      for (const b of out.bad) {
        // Counted once per flush, however many lists the item is in.
        if (!unreadable.has(b.slug)) stats.failed++;
        unreadable.add(b.slug);
        queue.noteFailure({ t: 'slug', slug: b.slug }, b.error, now);
      }
      const changes: Change[] = [];
      const same: string[] = [];
      for (const put of out.puts) {
        const etag = await etagOf(put.body);
        const held = books.doc(put.key);
        if (!o.force && held?.etag === etag) {
          stats.unchanged++;
          if (held.rv !== RENDER_VERSION) same.push(put.key);
        } else changes.push({ key: put.key, put: { ...put, etag, since: held?.etag === etag ? held.lastModified : null } });
      }
      for (const key of out.deletes) changes.push({ key });
      const keys = changes.map((c) => c.key);
      // Over the budget, the job waits whole (one larger than the budget still runs, alone).
      if (operations > 0 && operations + keys.length > budget) {
        stats.deferred++;
        continue;
      }
      if (this.gapMs > 0 && keys.length) {
        const at = this.pacer.readyAt(keys, this.gapMs);
        // A later job of this batch that shares a key with an earlier one waits its turn too.
        if (at > now || keys.some((k) => taken.has(k))) {
          const due = Math.max(at, now + this.gapMs);
          stats.deferred++;
          stats.dueAt = Math.min(stats.dueAt ?? Infinity, due);
          // The alarm comes back for it then, not before: an earlier alarm would only defer it again.
          if (o.tier === 'publish') queue.hold(job, due);
          continue;
        }
      }
      for (const k of keys) taken.add(k);
      operations += keys.length;
      const changed = new Set(keys);
      planned.push({ job, changes, same, feeds: out.feeds.filter((f) => changed.has(docKey(f))) });
    }
    return planned;
  }

  /**
   * Books one job's writes, each on its own: what KV took is recorded as held, what it refused is
   * recorded as possibly held (a later pass rewrites or deletes it). A job with a refused write
   * stays owed and is retried; one whose writes all landed is done.
   */
  private book(p: Planned, settled: PromiseSettledResult<void>[], writtenAt: number, stats: FlushStats): void {
    const { queue, books } = this.pass.stores;
    let refused: unknown = null;
    p.changes.forEach((c, i) => {
      const ok = settled[i]?.status === 'fulfilled';
      if (!ok) refused = (settled[i] as PromiseRejectedResult).reason;
      if (c.put) {
        // An unknown etag never matches a rendering, so a refused put is written again next time.
        books.saveDoc(c.key, { etag: ok ? c.put.etag : '?', lastModified: c.put.since ?? writtenAt, rv: RENDER_VERSION });
        if (ok) stats.kvWrites++;
      } else if (ok) {
        books.dropDoc(c.key);
        stats.kvDeletes++;
      }
      if (ok) stats.keys.push(c.key);
    });
    if (refused !== null) {
      console.error('KV refused a write; the job stays owed and is retried', p.job, refused);
      // A job owed to KV is never dropped, so an outage delays a withdrawal but cannot lose it.
      queue.retry(p.job, this.pass.now, retryDelay);
      stats.pending++;
      return;
    }
    for (const k of p.same) {
      const held = books.doc(k);
      if (held) books.saveDoc(k, { ...held, rv: RENDER_VERSION });
    }
    stats.feeds.push(...p.feeds);
    queue.done(p.job);
  }

  private apply(c: Change, at: number): Promise<void> {
    if (!c.put) return this.store.delete(c.key);
    const { body, type, cache, etag, since } = c.put;
    return this.store.put(c.key, body, { etag, type, cache, lastModified: httpDate(since ?? at), rv: RENDER_VERSION });
  }
}

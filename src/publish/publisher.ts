// The single writer: a Durable Object that owns the index and writes every affected document to KV.
// A publish is one pass: stage → index → jobs → render → KV, then the outbox (edge purge, WebSub).
import { DurableObject } from 'cloudflare:workers';
import { MAX_PAGE_SIZE } from '../model/limits';
import type { Scope } from '../model/paths';
import { canonical, contentHash, uuidV5 } from '../model/hash';
import type { ItemInput, Site, SiteSettings } from '../model/schema';
import { feedUrl } from '../render/document';
import { storeFor } from '../store/kv-store';
import { commitItem, releaseDue, withdrawItem, type IndexParts } from './commit';
import type { JobContext } from './documents';
import { ItemIndex } from './item-index';
import { Ledger } from './ledger';
import { nextPurgeAt, queuePurge, sendPings, sendPurges, EVERYTHING } from './outbox';
import { WritePacer } from './pacer';
import { finishRebuild, noticeChanges, rebuildProgress, startRebuild } from './rebuild';
import {
  ifMatchRefusal,
  reject,
  type ImportResult,
  type ItemOutcome,
  type PublishResult,
  type Rejection,
  type SiteResult,
} from './results';
import { ScopeIndex } from './scope-index';
import { stage } from './stage';
import { addStats, emptyStats, FLUSH_BUDGET, Writer, type FlushStats } from './writer';
import { itemStatus, writerStatus } from './status';

// Jobs per backlog batch; the flush budget (FLUSH_BUDGET KV operations) bounds what they write.
const BACKLOG_BATCH = 100;
const NEWS_REFRESH_MS = 3_600_000;

const refused = (r: object): r is Rejection => (r as Rejection).ok === false;

/** Thrown inside a transaction to roll it back with the writer's answer. */
class Refused {
  constructor(readonly rejection: Rejection) {}
}

const num = (s: string | undefined, fallback: number) => {
  const n = Number(s);
  return s !== undefined && s !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
};

export class Publisher extends DurableObject<Env> {
  private readonly items: ItemIndex;
  private readonly scopes: ScopeIndex;
  private readonly ledger: Ledger;
  private readonly pacer = new WritePacer();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.items = new ItemIndex(ctx.storage.sql);
    this.scopes = new ScopeIndex(ctx.storage.sql);
    this.ledger = new Ledger(ctx.storage.sql);
    // A deploy with a new render version or new settings is noticed on the first call after it,
    // cron or request, and the alarm starts the rebuild at once.
    void ctx.blockConcurrencyWhile(async () => {
      if (noticeChanges(this.items, this.scopes, this.ledger, this.site(), Date.now())) await ctx.storage.setAlarm(Date.now());
    });
  }

  private site(): Site {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(num(this.env.PAGE_SIZE, 50)) || 50));
    return { ...this.ledger.site(), url: this.env.SITE_URL, ...(this.env.HUB_URL ? { hub: this.env.HUB_URL } : {}), pageSize: size };
  }

  private parts(site: Site): IndexParts {
    return { items: this.items, scopes: this.scopes, ledger: this.ledger, pageSize: site.pageSize };
  }

  private context(site: Site, now: number): JobContext {
    return { items: this.items, scopes: this.scopes, ledger: this.ledger, site, now, podcastGuid: (scope) => podcastGuid(site, scope) };
  }

  // KV writes are awaited, so two publishes could interleave there; one queue keeps them in order.
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `change` in one transaction (rolled back if it refuses), then writes what it owes. */
  private async change<T>(change: (p: IndexParts, now: number, site: Site) => T): Promise<(T & FlushStats) | Rejection> {
    return this.serial(async () => {
      const site = this.site();
      const now = Date.now();
      let out: T;
      try {
        out = this.ctx.storage.transactionSync(() => change(this.parts(site), now, site));
      } catch (err) {
        if (err instanceof Refused) return err.rejection;
        throw err;
      }
      return { ...out, ...(await this.drainAfterCommit(site, now)) };
    });
  }

  /**
   * Once a change is committed it is the writer's to finish: an unexpected failure while writing is
   * logged and left to the alarm, and the answer says how many jobs are still owed.
   */
  private async drainAfterCommit(site: Site, now: number): Promise<FlushStats> {
    try {
      return await this.drain(site, now, false);
    } catch (err) {
      console.error('writing after a commit failed; the alarm retries', err);
      await this.ctx.storage.setAlarm(now + 5_000);
      return { ...emptyStats(), pending: this.ledger.jobCount() };
    }
  }

  /** The item at `slug` as the newsroom sent it, with the writer's facts apart; null when none. */
  async get(slug: string) {
    const it = this.items.itemBySlug(slug);
    return it ? itemStatus(it) : null;
  }

  /** One page of every item (slug order) with its hash, for sync clients. */
  async list(after: string, limit: number) {
    return this.items.list(after, limit);
  }

  /** Publishes, schedules, edits or renames (a known `id` under a new slug) one item. */
  async put(input: ItemInput, hash: string, ifMatch?: string): Promise<PublishResult | Rejection> {
    const r = await this.change((p, now, site) => {
      const s = stage(this.items, this.scopes, site, input, now, ifMatch);
      if (!s.ok) throw new Refused(s);
      return commitItem(p, s, input, hash, now);
    });
    return refused(r) ? r : { ok: true, ...r };
  }

  /** Imports many items in one pass: all are staged, and if any is refused, none is kept. */
  async putMany(inputs: { input: ItemInput; hash: string }[]): Promise<ImportResult> {
    const rejections: (Rejection & { index: number })[] = [];
    const r = await this.change((p, now, site) => {
      const outcomes: ItemOutcome[] = [];
      inputs.forEach(({ input, hash }, index) => {
        const s = stage(this.items, this.scopes, site, input, now);
        if (!s.ok) rejections.push({ ...s, index });
        else if (!rejections.length) outcomes.push(commitItem(p, s, input, hash, now));
      });
      if (rejections.length) throw new Refused(rejections[0] as Rejection);
      return { items: outcomes };
    });
    return refused(r) ? { ok: false, rejections } : { ok: true, ...r };
  }

  /** Withdraws an item from every document that holds it; its addresses answer 410 from now on. */
  async remove(slug: string, ifMatch?: string): Promise<PublishResult | Rejection> {
    const r = await this.change((p, now) => {
      const prev = this.items.itemBySlug(slug);
      if (!prev) throw new Refused(reject(404, 'slug', `no item "${slug}" is stored`));
      const stale = ifMatchRefusal(ifMatch, prev.etag);
      if (stale) throw new Refused(stale);
      return withdrawItem(p, prev, now);
    });
    return refused(r) ? r : { ok: true, ...r };
  }

  /** The site settings as stored, and the hash of what was sent for them (as items have). */
  async getSite(): Promise<{ settings: SiteSettings; hash: string }> {
    const settings = this.ledger.site();
    return { settings, hash: this.ledger.text('siteHash') ?? (await contentHash(settings)) };
  }

  /**
   * Replaces the site settings. Every document shows them, so this is a rebuild: the home page and
   * subscription feeds in this request, the rest a batch per alarm.
   */
  async putSite(settings: SiteSettings, hash: string): Promise<SiteResult> {
    return this.serial(async () => {
      const now = Date.now();
      const changed = canonical(this.ledger.site()) !== canonical(settings);
      this.ledger.setText('siteHash', hash);
      if (changed) {
        this.ctx.storage.transactionSync(() => {
          this.ledger.saveSite(settings);
          startRebuild(this.items, this.scopes, this.ledger, now, 'site settings changed');
        });
      }
      const stats = await this.drain(this.site(), now, true);
      return { changed, rebuild: rebuildProgress(this.ledger), ...stats };
    });
  }

  /** Starts a full rebuild that rewrites every document (even identical bytes); progress is in the status. */
  async rebuild() {
    return this.serial(async () => {
      const now = Date.now();
      this.ctx.storage.transactionSync(() => startRebuild(this.items, this.scopes, this.ledger, now, 'requested', true));
      await this.drain(this.site(), now, true);
      return writerStatus(this.items, this.ledger, this.env, this.purgeGapMs());
    });
  }

  /** The writer's state at a glance. */
  async status() {
    return writerStatus(this.items, this.ledger, this.env, this.purgeGapMs());
  }

  /** The cron's call: notice a new render version, refresh the news sitemap, then do what is due. */
  async tick(): Promise<void> {
    await this.serial(async () => {
      const now = Date.now();
      noticeChanges(this.items, this.scopes, this.ledger, this.site(), now);
      if (now - (this.ledger.num('newsAt') ?? 0) >= NEWS_REFRESH_MS) {
        this.ledger.addJob({ t: 'news' });
        this.ledger.setNum('newsAt', now);
      }
      await this.drain(this.site(), now, true);
    });
  }

  /**
   * Releases scheduled items, retries owed jobs and takes a backlog batch; then, outside the write
   * queue (a slow edge or hub must not hold publishes), the edge purges and hub pings, and the alarm
   * is set again for what they left.
   */
  override async alarm(): Promise<void> {
    const stats = await this.serial(async () => this.drain(this.site(), Date.now(), true));
    await sendPurges(this.ledger, this.env.EDGE_CACHE, Date.now(), this.purgeGapMs());
    await sendPings(this.ledger, this.env.HUB_URL, this.env.SITE_URL, Date.now());
    await this.reschedule(Date.now(), stats.dueAt);
  }

  /**
   * What is owed, in order, within one invocation's KV budget: scheduled items now due, jobs, then
   * (alarm, cron, rebuilds) one backlog batch. Edge purges and hub pings leave from the alarm, which
   * this sets for whatever comes next: at once when purges are due and the rate limit allows.
   */
  private async drain(site: Site, now: number, backlog: boolean): Promise<FlushStats> {
    const writer = new Writer(storeFor(this.env), this.ledger, this.pacer, num(this.env.KV_WRITE_GAP_MS, 1000));
    if (this.items.dueScheduled(now).length) this.ctx.storage.transactionSync(() => releaseDue(this.parts(site), now));
    const ctx = this.context(site, now);
    let stats = await writer.flush(ctx, this.ledger.jobs(now), { source: 'jobs', budget: FLUSH_BUDGET });
    queuePurge(this.ledger, stats.keys, now);
    if (this.env.HUB_URL) this.ledger.addHub(stats.feeds);
    // One invocation's KV operations are shared: what publishes owe first, then the backlog.
    const room = FLUSH_BUDGET - stats.kvWrites - stats.kvDeletes;
    const batch = backlog && room > 0 ? this.ledger.backlog(BACKLOG_BATCH) : [];
    if (batch.length) {
      const more = await writer.flush(ctx, batch, { source: 'backlog', force: this.ledger.num('rebuildForce') === 1, budget: room });
      if (this.env.HUB_URL) this.ledger.addHub(more.feeds);
      stats = addStats(stats, { ...more, dueAt: more.deferred === batch.length ? more.dueAt : now });
      if (finishRebuild(this.ledger)) queuePurge(this.ledger, [EVERYTHING], now);
    }
    await this.reschedule(now, stats.dueAt);
    return stats;
  }

  /** Cloudflare rate-limits purges: at most one call per this many ms. */
  private purgeGapMs(): number {
    return num(this.env.PURGE_GAP_MS, 12_000);
  }

  private async reschedule(now: number, dueAt: number | null): Promise<void> {
    const times = [
      this.items.nextScheduledAt(),
      this.ledger.jobCount() ? this.ledger.nextJobAt() : null,
      this.ledger.backlogSize() ? (dueAt ?? now) : null,
      nextPurgeAt(this.ledger, this.purgeGapMs()),
      this.ledger.hubQueued() ? now : null,
      dueAt,
    ].filter((t): t is number => t !== null);
    if (!times.length) return;
    const at = Math.max(Math.min(...times), now);
    // Set exactly: a scheduled story moved later must not leave the alarm at its old time.
    if ((await this.ctx.storage.getAlarm()) !== at) await this.ctx.storage.setAlarm(at);
  }
}

/** Podcasting 2.0 GUID: the UUIDv5 (in the namespace the spec gives) of the feed URL without scheme or trailing slash. */
function podcastGuid(site: Site, scope: Scope): Promise<string> {
  const url = feedUrl({ site, scope, page: 0 }, 'xml')
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '');
  return uuidV5('ead4c236bf5858c6a2c6a6b28d128cb6', url);
}

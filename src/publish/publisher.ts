// The single writer: a Durable Object that owns the index and writes every affected document to KV.
// Each change is one pass, in this order: stage → index → queue → render and write KV → outbox; the
// alarm sends the outbox (edge purges, WebSub pings) and carries on with whatever is still owed.
import { DurableObject } from 'cloudflare:workers';
import { config } from '../config';
import { canonical, contentHash } from '../model/hash';
import type { PartnerInput } from '../model/partner';
import type { ItemInput, Site, SiteSettings } from '../model/schema';
import type { ItemTotals } from '../render/item-counts';
import { storeFor } from '../store/kv-store';
import { flushBackground } from './background';
import { migrate } from './db-schema';
import { commitItem, withdrawItem, type IndexChange } from './index-change';
import { emptyStats, FLUSH_BUDGET, KvWriter, type FlushStats } from './kv-writer';
import { sendPings, sendPurges } from './outbox';
import { countsDueAt, takeCounts, type CountsResult } from './live-counts';
import { itemPartnerJobs, withPartnerJobs } from './partner-change';
import { dropPartner, itemPreflight, partnerList, partnerStatus, preflightPartner, savePartner } from './partner-ops';
import { noticeChanges, rebuildProgress, startRebuild } from './rebuild';
import {
  ifMatchRefusal,
  reject,
  type ImportResult,
  type ItemOutcome,
  type PartnerDeleted,
  type PartnerResult,
  type PublishResult,
  type Rejection,
  type SiteResult,
} from './results';
import { stage } from './stage';
import { itemStatus, writerStatus } from './status';
import { openStores, type Pass, type Stores } from './stores';
import { nextWakeAt, oweWhatFellDue, refreshNewsIfDue } from './wake';
import { WritePacer } from './write-pacer';

// After a failure past the commit, the alarm comes back this much later to finish the work.
const RETRY_AFTER_FAILURE_MS = 5_000;

const refused = (r: object): r is Rejection => (r as Rejection).ok === false;

/** Thrown inside a transaction to roll it back with the writer's answer. */
class Refused {
  constructor(readonly rejection: Rejection) {}
}

export class Publisher extends DurableObject<Env> {
  private readonly stores: Stores;
  private readonly pacer = new WritePacer();
  /** The last change queued: KV writes are awaited, so changes are chained to keep them in order. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.stores = openStores(ctx.storage.sql);
    // Nothing runs before the schema is this code's. A deploy with a new render version or new
    // settings is noticed on the first call after it, cron or request, and the alarm starts the rebuild.
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage);
      if (noticeChanges(this.pass(Date.now()))) await ctx.storage.setAlarm(Date.now());
    });
  }

  /** The site as this deployment serves it: the stored settings, with the URL, hub and page size configured. */
  private site(): Site {
    const cfg = config(this.env);
    return { ...this.stores.books.site(), url: cfg.siteUrl, ...(cfg.hubUrl ? { hub: cfg.hubUrl } : {}), pageSize: cfg.pageSize };
  }

  private pass(now: number): Pass {
    return { stores: this.stores, site: this.site(), now };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Stages and indexes a change in one transaction (rolled back if it refuses), queues what it owes, then writes it. */
  private async change<T>(apply: (pass: Pass) => T): Promise<(T & FlushStats) | Rejection> {
    return this.serial(async () => {
      const pass = this.pass(Date.now());
      let out: T;
      try {
        out = this.ctx.storage.transactionSync(() => apply(pass));
      } catch (err) {
        if (err instanceof Refused) return err.rejection;
        throw err;
      }
      return { ...out, ...(await this.finish(pass, false)) };
    });
  }

  /** Queues a change's jobs as publish work and answers its outcome. */
  private owe({ outcome, jobs }: IndexChange): ItemOutcome {
    this.stores.queue.owe(jobs);
    return outcome;
  }

  /** The item at `slug` as the newsroom sent it, with the writer's facts apart (and each partner's refusals); null when none. */
  async get(slug: string) {
    const it = this.stores.items.itemBySlug(slug);
    if (!it) return null;
    const status = itemStatus(it);
    return { ...status, meta: { ...status.meta, preflight: itemPreflight(this.pass(Date.now()), it.record) } };
  }

  /** One page of every item (slug order) with its hash, for sync clients. */
  async list(after: string, limit: number) {
    return this.stores.items.list(after, limit);
  }

  /** Publishes, schedules, edits or renames (a known `id` under a new slug) one item. */
  async put(input: ItemInput, hash: string, ifMatch?: string): Promise<PublishResult | Rejection> {
    const r = await this.change((pass) => {
      const staged = stage(pass, input, ifMatch);
      if (!staged.ok) throw new Refused(staged);
      return this.owe(withPartnerJobs(pass, commitItem(pass, staged, input, hash), staged.record));
    });
    return refused(r) ? r : { ok: true, ...r };
  }

  /** Imports many items in one pass: all are staged, and if any is refused, none is kept. */
  async putMany(inputs: { input: ItemInput; hash: string }[]): Promise<ImportResult> {
    const rejections: (Rejection & { index: number })[] = [];
    const r = await this.change((pass) => {
      const outcomes: ItemOutcome[] = [];
      inputs.forEach(({ input, hash }, index) => {
        // Each item is staged against the index as the items before it left it.
        const staged = stage(pass, input);
        if (!staged.ok) rejections.push({ ...staged, index });
        else if (!rejections.length) outcomes.push(this.owe(withPartnerJobs(pass, commitItem(pass, staged, input, hash), staged.record)));
      });
      if (rejections.length) throw new Refused(rejections[0] as Rejection);
      return { items: outcomes };
    });
    return refused(r) ? { ok: false, rejections } : { ok: true, ...r };
  }

  /** Withdraws an item from every document that holds it; its addresses answer 410 from now on. */
  async remove(slug: string, ifMatch?: string): Promise<PublishResult | Rejection> {
    const r = await this.change((pass) => {
      const prev = this.stores.items.itemBySlug(slug);
      if (!prev) throw new Refused(reject(404, 'slug', `no item "${slug}" is stored`));
      const stale = ifMatchRefusal(ifMatch, prev.etag);
      if (stale) throw new Refused(stale);
      const change = withdrawItem(pass, prev);
      change.jobs.push(...itemPartnerJobs(pass, prev.record.id, null, prev.record));
      return this.owe(change);
    });
    return refused(r) ? r : { ok: true, ...r };
  }

  /** Creates or replaces a partner; a change re-decides every item for it alone and rewrites its documents. */
  async putPartner(id: string, input: PartnerInput, sent: Record<string, unknown>, hash: string): Promise<PartnerResult> {
    const r = await this.change((pass) => {
      const { outcome, jobs } = savePartner(pass, id, input, sent, hash);
      this.stores.queue.owe(jobs);
      return outcome;
    });
    return refused(r) ? r : { ok: true, ...r };
  }

  /** Deletes a partner: its rows now, its documents in KV by its job. */
  async deletePartner(id: string): Promise<PartnerDeleted> {
    const r = await this.change((pass) => {
      if (!this.stores.partners.ids().includes(id)) throw new Refused(reject(404, 'id', `no partner "${id}" is stored`));
      this.stores.queue.owe(dropPartner(pass, id));
      return { id };
    });
    return refused(r) ? r : { ok: true, ...r };
  }

  /** A partner as sent, with the writer's facts apart; null when none. */
  async getPartner(id: string) {
    return partnerStatus(this.stores.partners, id);
  }

  /** Every partner: id, profile, hash and where its documents are (an unreadable one with its error). */
  async listPartners() {
    return partnerList(this.stores.partners);
  }

  /** Why the partner would refuse each item now, and what its document leaves out for size; null for an unknown partner. */
  async partnerPreflight(id: string) {
    const stored = this.stores.partners.ids().includes(id) ? this.stores.partners.get(id) : null;
    return stored ? preflightPartner(this.pass(Date.now()), stored.partner) : null;
  }

  /** The site settings as stored, and the hash of what was sent for them (as items have). */
  async getSite(): Promise<{ settings: SiteSettings; hash: string }> {
    const settings = this.stores.books.site();
    return { settings, hash: this.stores.books.text('siteHash') ?? (await contentHash(settings)) };
  }

  /**
   * Replaces the site settings. Every document shows them, so this is a rebuild: the home page and
   * subscription feeds in this request, the rest a batch per alarm.
   */
  async putSite(settings: SiteSettings, hash: string): Promise<SiteResult> {
    return this.serial(async () => {
      const now = Date.now();
      const { books } = this.stores;
      const changed = canonical(books.site()) !== canonical(settings);
      this.ctx.storage.transactionSync(() => {
        books.setText('siteHash', hash);
        if (!changed) return;
        books.saveSite(settings);
        startRebuild(this.pass(now), 'site settings changed');
      });
      // The pass renders with the settings just stored.
      const stats = await this.finish(this.pass(now), true);
      return { changed, rebuild: rebuildProgress(this.stores), ...stats };
    });
  }

  /** Starts a full rebuild that rewrites every document (even identical bytes); progress is in the status. */
  async rebuild() {
    return this.serial(async () => {
      const pass = this.pass(Date.now());
      this.ctx.storage.transactionSync(() => startRebuild(pass, 'requested', true));
      await this.finish(pass, true);
      return writerStatus(this.stores, config(this.env));
    });
  }

  /** The writer's state at a glance. */
  async status() {
    return writerStatus(this.stores, config(this.env));
  }

  /** The cron's call: notice a new render version, refresh the news sitemap, then do what is due; says when live counts are next due. */
  async tick(): Promise<{ countsDueAt: number }> {
    await this.serial(async () => {
      const pass = this.pass(Date.now());
      this.ctx.storage.transactionSync(() => {
        noticeChanges(pass);
        refreshNewsIfDue(pass);
      });
      await this.finish(pass, true);
    });
    // When live counts may next be applied: the cron sums the series only then.
    return { countsDueAt: countsDueAt(this.stores.books, config(this.env).liveCountsEveryMs) };
  }

  /** The cron's live counts (each item's all-time totals) measured up to `at`: see takeCounts; the alarm writes what they owe. */
  async counts(totals: ItemTotals[], at: number): Promise<CountsResult> {
    return this.serial(async () => {
      const every = config(this.env).liveCountsEveryMs;
      const r = this.ctx.storage.transactionSync(() => takeCounts(this.stores, totals, at, every));
      if (r.owed) await this.reschedule(Date.now(), null);
      return r;
    });
  }

  /**
   * Releases scheduled items, retries owed jobs and takes a batch of rebuild work; then, outside the
   * serial chain (a slow edge or hub must not hold publishes), the edge purges and hub pings, and
   * the alarm is set again for what they left.
   */
  override async alarm(): Promise<void> {
    const stats = await this.serial(async () => this.run(this.pass(Date.now()), true));
    const cfg = config(this.env);
    const { outbox, books } = this.stores;
    await sendPurges(outbox, books, this.env.EDGE_CACHE, Date.now(), cfg);
    await sendPings(outbox, Date.now(), cfg);
    await this.reschedule(Date.now(), stats.dueAt);
  }

  /**
   * Once a change is committed it is the writer's to finish, so the answer must not say nothing was
   * stored: a failure while writing is logged and left to the alarm, and the answer says how many
   * jobs are still owed.
   */
  private async finish(pass: Pass, withRebuild: boolean): Promise<FlushStats> {
    try {
      return await this.run(pass, withRebuild);
    } catch (err) {
      console.error('writing after a commit failed; the alarm retries', err);
      await this.ctx.storage.setAlarm(pass.now + RETRY_AFTER_FAILURE_MS);
      return { ...emptyStats(), pending: this.stores.queue.size() };
    }
  }

  /**
   * What is owed, in order, within one invocation's KV budget: scheduled items now due, publish work,
   * then (alarm, cron, rebuilds) one batch of rebuild work and live counts' pages. What KV now holds goes to the outbox;
   * the alarm is set for whatever comes next: at once when purges are due and the rate limit allows.
   */
  private async run(pass: Pass, withRebuild: boolean): Promise<FlushStats> {
    const { queue, outbox } = pass.stores;
    const cfg = config(this.env);
    const transact = (fn: () => void) => this.ctx.storage.transactionSync(fn);
    oweWhatFellDue(pass, transact);
    const kv = new KvWriter(pass, storeFor(this.env), this.pacer, cfg.kvWriteGapMs);
    let stats = await kv.flush(queue.due(pass.now), { tier: 'publish', budget: FLUSH_BUDGET });
    outbox.queuePurges(stats.keys, pass.now, cfg.purgeRepeatMs);
    if (cfg.hubUrl) outbox.addHub(stats.feeds);
    // One invocation's KV operations are shared: what publishes owe first, then the lower tiers.
    if (withRebuild) stats = await flushBackground(pass, kv, stats, cfg, transact);
    await this.reschedule(pass.now, stats.dueAt);
    return stats;
  }

  private async reschedule(now: number, dueAt: number | null): Promise<void> {
    const at = nextWakeAt(this.stores, now, dueAt, config(this.env).purgeGapMs);
    if (at === null) return;
    // Set exactly: a scheduled story moved later must not leave the alarm at its old time.
    if ((await this.ctx.storage.getAlarm()) !== at) await this.ctx.storage.setAlarm(at);
  }
}

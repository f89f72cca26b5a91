// The single writer: a Durable Object that owns the index and renders every affected document to KV.
import { DurableObject } from 'cloudflare:workers';
import { itemPath, embedPath, newItemId, scopesOf, authorSlug, type Scope } from '../model/paths';
import type { ItemInput, ItemRecord, Site, SiteSettings } from '../model/schema';
import { renderMarkdown } from '../render/markdown';
import { storeFor } from '../store/kv-store';
import { IndexDb, type Job } from './index-db';
import { runJob, scopeJobs, type JobOutput } from './documents';
import { WritePacer, keysOf } from './pacer';
import { SITEMAP_PAGE } from '../render/sitemap';
import { pingHub } from '../http/websub';
import type { ImportResult, PublishConflict, PublishResult, SiteResult } from './results';

const RETRY_MS = 5_000;
// Jobs per backlog batch: at most 3 KV writes each, well inside one invocation's 1,000 KV operations.
const BACKLOG_BATCH = 100;

export class Publisher extends DurableObject<Env> {
  private readonly db: IndexDb;
  private readonly pacer = new WritePacer();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new IndexDb(ctx.storage.sql);
  }

  private site(): Site {
    const size = Number(this.env.PAGE_SIZE);
    return {
      ...this.db.site(),
      url: this.env.SITE_URL,
      ...(this.env.HUB_URL ? { hub: this.env.HUB_URL } : {}),
      pageSize: Number.isInteger(size) && size > 0 ? size : 50,
    };
  }

  // KV writes are awaited, so two publishes could interleave there; one queue keeps them in order.
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The stored record, or null. */
  async get(slug: string): Promise<ItemRecord | null> {
    return this.db.itemBySlug(slug);
  }

  /** Publishes or edits an item (a known `id` under a new slug renames it) and rewrites what holds it. */
  async put(input: ItemInput): Promise<PublishResult | PublishConflict> {
    return this.serial(async () => {
      const site = this.site();
      const staged = this.stage(input, site);
      if (!staged.ok) return staged;
      return this.result(staged.record, staged.created, staged.changed, await this.flush(site));
    });
  }

  /**
   * Imports many items (an archive migration) in one pass: the index takes them in order and each
   * affected document is rendered once at the end. Stops at the first conflict, keeping the ones before.
   */
  async putMany(inputs: ItemInput[]): Promise<ImportResult> {
    return this.serial(async () => {
      const site = this.site();
      let conflict: (PublishConflict & { index: number }) | null = null;
      for (const [index, input] of inputs.entries()) {
        const staged = this.stage(input, site);
        if (!staged.ok) {
          conflict = { ...staged, index };
          break;
        }
      }
      const stats = await this.flush(site);
      return conflict ?? { ok: true, imported: inputs.length, kvWrites: stats.kvWrites, deferred: stats.deferred, paths: stats.paths, slugs: stats.slugs };
    });
  }

  /** Updates the index for one item and records the documents it owes; no KV yet. */
  private stage(input: ItemInput, site: Site): PublishConflict | { ok: true; record: ItemRecord; created: boolean; changed: boolean } {
    const bySlug = this.db.itemBySlug(input.slug);
    const byId = input.id ? this.db.itemById(input.id) : null;
    if (bySlug && input.id && bySlug.id !== input.id) {
      return { ok: false, status: 409, field: 'slug', detail: `slug: "${input.slug}" already belongs to another item (${bySlug.id})` };
    }
    const prev = byId ?? bySlug;
    const id = prev?.id ?? input.id ?? this.freshId(site.url, input);
    const record: ItemRecord = { ...input, id, seq: prev?.seq ?? this.db.nextSeq(), bodyHtml: renderMarkdown(input.body, site.url) };
    if (prev && canonical(prev) === canonical(record)) return { ok: true, record, created: false, changed: false };
    this.ctx.storage.transactionSync(() => {
      this.db.saveItem(record);
      this.membership(prev, record, site.pageSize);
      if (prev && (prev.slug !== record.slug || prev.kind !== record.kind)) {
        this.db.addJob({ t: 'item', slug: prev.slug });
        // Old links keep working: the old page and player answer 301 to the new ones.
        if (prev.slug !== record.slug) this.db.addJob({ t: 'moved', from: prev.slug, to: record.slug });
        // Same slug, new kind: the page moves, and an article has no player.
        if (prev.slug === record.slug) {
          this.db.addJob({ t: 'drop', paths: prev.kind === 'video' ? [itemPath(prev), embedPath(prev.slug)] : [itemPath(prev)] });
        }
      }
      this.db.addJob({ t: 'item', slug: record.slug });
      this.db.addJob({ t: 'home' });
      this.db.addJob({ t: 'sitemap', page: Math.ceil(record.seq / SITEMAP_PAGE) });
    });
    return { ok: true, record, created: !prev, changed: true };
  }

  /** Withdraws an item from every document that holds it. */
  async remove(slug: string): Promise<PublishResult | PublishConflict> {
    return this.serial(async () => {
      const site = this.site();
      const prev = this.db.itemBySlug(slug);
      if (!prev) return { ok: false, status: 404, field: 'slug', detail: `slug: no item "${slug}" is published` } as const;
      this.ctx.storage.transactionSync(() => {
        this.db.deleteItem(prev.id);
        this.membership(prev, null, site.pageSize);
        this.db.addJob({ t: 'item', slug });
        this.db.addJob({ t: 'home' });
        this.db.addJob({ t: 'sitemap', page: Math.ceil(prev.seq / SITEMAP_PAGE) });
      });
      return this.result(prev, false, true, await this.flush(site));
    });
  }

  /**
   * Replaces the site settings. Every document shows them (titles, language, copyright, oEmbed
   * provider), so all are rewritten a batch per invocation, within its KV budget: the home page and
   * subscription feeds first, in this request, then archives and items by alarm.
   */
  async putSite(settings: SiteSettings): Promise<SiteResult> {
    return this.serial(async () => {
      const changed = canonical(this.db.site()) !== canonical(settings);
      if (changed) {
        this.ctx.storage.transactionSync(() => {
          this.db.saveSite(settings);
          // Backlog order is work order: what readers poll first, then archives, then newest items.
          this.db.addBacklog({ t: 'home' });
          for (const scope of this.db.allScopes()) this.db.addBacklog({ t: 'scope', scope, page: 0 });
          for (const { scope, archived } of this.db.archivedScopes()) {
            for (let page = 1; page <= archived; page++) this.db.addBacklog({ t: 'scope', scope, page });
          }
          for (const slug of this.db.allSlugs()) this.db.addBacklog({ t: 'item', slug });
        });
      }
      const stats = await this.drain(this.site());
      return { changed, ...stats, pending: this.db.backlogSize() };
    });
  }

  /** Retries documents a failed KV write left owed, then takes the next batch of the backlog. */
  override async alarm(): Promise<void> {
    const r = await this.serial(() => this.drain(this.site()));
    // Feeds written here (paced or retried) were not announced by the request that changed them.
    if (this.env.HUB_URL && r.changedFeeds.length) await pingHub(this.env.HUB_URL, this.env.SITE_URL, r.changedFeeds);
  }

  /** What publishes owe, then one backlog batch; the alarm comes back for the rest. */
  private async drain(site: Site) {
    const owed = await this.flush(site);
    const batch = this.db.backlog(BACKLOG_BATCH);
    const more = batch.length ? await this.flush(site, batch, (finished) => this.db.doneBacklog(finished)) : null;
    // A batch that made progress is followed at once; one that waits on the pacer has set its own time.
    if (more && more.deferred < batch.length && this.db.backlogSize() > 0) await this.wake(Date.now());
    if (!more) return owed;
    return {
      kvWrites: owed.kvWrites + more.kvWrites,
      kvDeletes: owed.kvDeletes + more.kvDeletes,
      deferred: owed.deferred + more.deferred,
      changedFeeds: [...owed.changedFeeds, ...more.changedFeeds],
      paths: [...owed.paths, ...more.paths],
      slugs: [...owed.slugs, ...more.slugs],
    };
  }

  // Tag ids are date + slug; a later item reusing a renamed item's old slug on the same day needs a suffix.
  private freshId(siteUrl: string, input: ItemInput): string {
    const base = newItemId(siteUrl, input);
    let id = base;
    for (let n = 2; this.db.itemById(id); n++) id = `${base}-${n}`;
    return id;
  }

  private membership(prev: ItemRecord | null, next: ItemRecord | null, pageSize: number): void {
    const before = new Set<Scope>(prev ? scopesOf(prev) : []);
    const after = new Set<Scope>(next ? scopesOf(next) : []);
    const id = (next ?? prev)!.id;
    const jobs: Job[] = [];
    for (const scope of before) {
      const pos = after.has(scope) ? this.db.position(scope, id) : this.db.leave(scope, id);
      if (pos !== null) jobs.push(...scopeJobs(this.db, scope, pos, pageSize));
    }
    for (const scope of after) {
      if (before.has(scope)) continue;
      const pos = this.db.join(scope, id, next ? labelOf(scope, next) : '');
      jobs.push(...scopeJobs(this.db, scope, pos, pageSize));
    }
    for (const j of jobs) this.db.addJob(j);
  }

  /** Minimum time between two writes of one KV key; KV allows one a second. */
  private writeGap(): number {
    const ms = Number(this.env.KV_WRITE_GAP_MS);
    return Number.isFinite(ms) && ms >= 0 ? ms : 1000;
  }

  /** Sets the alarm for `at` unless it is already due sooner. */
  private async wake(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Renders and writes the given jobs. A job whose keys were written less than a gap ago stays owed
   * (`deferred`) and the alarm comes back for it, so a burst of publishes never trips KV's per-key limit.
   */
  private async flush(site: Site, jobs = this.db.jobs(), done = (finished: Job[]) => this.db.doneJobs(finished)) {
    const store = storeFor(this.env);
    const now = Date.now();
    const gap = this.writeGap();
    const outputs: JobOutput[] = [];
    const finished: Job[] = [];
    const taken = new Set<string>();
    let dueAt = Infinity;
    for (const job of jobs) {
      const out = runJob(this.db, site, job);
      const keys = keysOf(out);
      const at = this.pacer.readyAt(keys, gap);
      // A later job of this batch that shares a key with an earlier one waits its turn too.
      if (at > now || (gap > 0 && keys.some((k) => taken.has(k)))) {
        dueAt = Math.min(dueAt, Math.max(at, now + gap));
        continue;
      }
      for (const k of keys) taken.add(k);
      outputs.push(out);
      finished.push(job);
    }
    // Stamped as the writes leave, after rendering, so the gap holds between the writes themselves.
    this.pacer.wrote([...taken], Date.now(), gap);
    const writes = outputs.flatMap((o) => o.writes);
    const deletes = outputs.flatMap((o) => o.deletes);
    const items = outputs.flatMap((o) => o.items);
    const gone = outputs.flatMap((o) => o.goneSlugs);
    try {
      await Promise.all([
        ...writes.map((w) => store.putDocument(w.path, w.body, { type: w.type, cache: w.cache, lastModified: w.lastModified })),
        ...items.map((i) => store.putItem(i, site, new Date(i.updated ?? i.published).toUTCString())),
        ...deletes.map((p) => store.deleteDocument(p)),
        ...gone.map((s) => store.deleteItem(s)),
      ]);
    } catch (err) {
      console.error('KV write failed; documents stay owed and are retried', err);
      await this.wake(Date.now() + RETRY_MS);
      throw err;
    }
    done(finished);
    if (dueAt < Infinity) await this.wake(dueAt);
    return {
      kvWrites: writes.length + items.length,
      kvDeletes: deletes.length + gone.length,
      deferred: jobs.length - finished.length,
      changedFeeds: outputs.flatMap((o) => o.changedFeeds),
      paths: [...writes.map((w) => w.path), ...deletes],
      slugs: [...items.map((i) => i.slug), ...gone],
    };
  }

  private result(record: ItemRecord, created: boolean, changed: boolean, stats: Awaited<ReturnType<Publisher['flush']>>): PublishResult {
    return { ok: true, id: record.id, slug: record.slug, created, changed, ...stats };
  }
}

/** People see an author's name and a tag's own text in feed titles. */
function labelOf(scope: Scope, item: ItemRecord): string {
  if (scope.startsWith('/authors/')) return item.authors.find((a) => `/authors/${authorSlug(a.name)}` === scope)?.name ?? '';
  if (scope.startsWith('/tags/')) return `#${scope.slice('/tags/'.length)}`;
  return '';
}

/** JSON with sorted keys, so equal records compare equal whatever order their fields came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

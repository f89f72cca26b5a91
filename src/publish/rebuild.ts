// A full re-render as one idempotent piece of the writer's work: after a deploy that changes a
// renderer, a site settings change, or on demand. Old copies keep being served until each document
// is rewritten. Its state is one typed record (books.ts); its jobs are the queue's rebuild work.
import { byScopeKind } from '../model/paths';
import { SITEMAP_PAGE } from '../render/sitemap';
import { RENDER_VERSION } from '../render/version';
import type { Job } from './jobs';
import { startRelist } from './related';
import { rebuildRank } from './render-jobs';
import type { RebuildProgress } from './results';
import type { Pass, Stores } from './stores';

/**
 * Queues every document the writer owes as rebuild work, ranked in the order readers need them (home
 * page and subscription feeds, the directory and sitemaps, archive pages, then item pages). A
 * rebuild already under way is folded in (the queue holds each job once).
 */
export function startRebuild(pass: Pass, reason: string, force = false): void {
  const { items, scopes, queue, books, partners } = pass.stores;
  // Every related list computed again, a batch per alarm ahead of the item pages (relistSome).
  startRelist(pass);
  const all = scopes.scopes().sort((a, b) => byScopeKind(a.scope, b.scope));
  const jobs: Job[] = all.map((s) => ({ t: 'scope', scope: s.scope, page: 0 }));
  jobs.push({ t: 'directory' }, { t: 'news' });
  const sitemapPages = Math.ceil((items.nextSeq() - 1) / SITEMAP_PAGE);
  for (let page = 1; page <= sitemapPages; page++) jobs.push({ t: 'sitemap', page });
  for (const s of all) for (let page = 1; page <= s.archived; page++) jobs.push({ t: 'scope', scope: s.scope, page });
  for (const slug of items.allSlugs()) jobs.push({ t: 'slug', slug });
  // Partners' documents after the public ones: each partner's feed or list, then its item documents.
  const ninjs = new Set(
    partners
      .readable()
      .filter((p) => p.profile === 'ninjs')
      .map((p) => p.id),
  );
  for (const id of partners.ids()) {
    jobs.push({ t: 'partner', id });
    if (ninjs.has(id))
      for (const item of partners.itemsOf(id)) {
        const c = partners.carried(id, item);
        if (c && c.status !== 'held') jobs.push({ t: 'partner-item', id, slug: c.slug });
      }
  }
  for (const job of jobs) queue.queueRebuild(job, rebuildRank(job));
  const running = books.rebuild();
  books.setRebuild({
    total: queue.rebuildLeft() + (running ? rebuildDone(pass.stores) : 0),
    startedAt: running?.startedAt ?? pass.now,
    // The version this rebuild renders with: a deploy during a rebuild folds a new one in (above).
    target: RENDER_VERSION,
    force: force || (running?.force ?? false),
    reason,
  });
}

function rebuildDone({ books, queue }: Pick<Stores, 'books' | 'queue'>): number {
  return Math.max(0, (books.rebuild()?.total ?? 0) - queue.rebuildLeft());
}

/** The rebuild under way, or null. */
export function rebuildProgress(stores: Pick<Stores, 'books' | 'queue'>): RebuildProgress | null {
  const r = stores.books.rebuild();
  if (r === null) return null;
  return { total: r.total, done: rebuildDone(stores), startedAt: new Date(r.startedAt).toISOString(), reason: r.reason };
}

/**
 * True when the documents KV holds were made by another renderer (and there are documents), and no
 * rebuild with this one is under way. With no documents yet, this version is simply recorded (a write).
 */
function staleRenderVersion({ books }: Stores): boolean {
  if (books.num('rv') === RENDER_VERSION) return false;
  if (books.docCount() === 0) {
    books.setNum('rv', RENDER_VERSION);
    return false;
  }
  return books.rebuild()?.target !== RENDER_VERSION;
}

/** Closes a rebuild whose work is all done: KV now holds this version's documents. Returns whether it did. */
export function finishRebuild({ books, queue }: Stores): boolean {
  const r = books.rebuild();
  if (r === null || queue.rebuildLeft() > 0) return false;
  books.setNum('rv', r.target);
  books.setRebuild(null);
  return true;
}

/**
 * Starts a rebuild when the documents KV holds were rendered by another renderer or for another
 * deployment (its URL, hub or page size: every document names them). Returns whether one started.
 */
export function noticeChanges(pass: Pass): boolean {
  const { books, scopes, queue } = pass.stores;
  const { site } = pass;
  const fingerprint = JSON.stringify({ url: site.url, hub: site.hub ?? '', pageSize: site.pageSize });
  const before = books.text('deployment');
  books.setText('deployment', fingerprint);
  const redeployed = before !== null && before !== fingerprint && books.docCount() > 0;
  // Pages are cut by the page size: archives are counted again in the new size, and the pages a
  // larger size no longer has are queued, so their old copies are deleted rather than served.
  if (redeployed && (JSON.parse(before) as { pageSize: number }).pageSize !== site.pageSize) {
    for (const c of scopes.recountArchives(site.pageSize))
      for (let page = c.to + 1; page <= c.from; page++) {
        const job: Job = { t: 'scope', scope: c.scope, page };
        queue.queueRebuild(job, rebuildRank(job));
      }
  }
  if (redeployed) startRebuild(pass, 'deployment settings changed');
  else if (staleRenderVersion(pass.stores)) startRebuild(pass, 'new render version');
  else return false;
  return true;
}

// A full re-render as one idempotent job of the writer: after a deploy that changes a renderer, a site
// settings change, or on demand. Old copies keep being served until each document is rewritten.
import { byScopeKind } from '../model/paths';
import { SITEMAP_PAGE } from '../render/sitemap';
import { RENDER_VERSION } from '../render/version';
import type { ItemIndex } from './item-index';
import type { Ledger } from './ledger';
import type { RebuildProgress } from './results';
import type { Site } from '../model/schema';
import type { ScopeIndex } from './scope-index';

/**
 * Queues every document the writer owes in the backlog, in the order readers need them: home page
 * and subscription feeds, the directory and sitemaps, archive pages, then item pages. A rebuild
 * already under way is folded in (the backlog holds each job once).
 */
export function startRebuild(items: ItemIndex, scopes: ScopeIndex, ledger: Ledger, now: number, reason: string, force = false): void {
  const all = scopes.scopes().sort((a, b) => byScopeKind(a.scope, b.scope));
  for (const s of all) ledger.addBacklog({ t: 'scope', scope: s.scope, page: 0 });
  ledger.addBacklog({ t: 'directory' });
  ledger.addBacklog({ t: 'news' });
  const sitemapPages = Math.ceil((items.nextSeq() - 1) / SITEMAP_PAGE);
  for (let page = 1; page <= sitemapPages; page++) ledger.addBacklog({ t: 'sitemap', page });
  for (const s of all) for (let page = 1; page <= s.archived; page++) ledger.addBacklog({ t: 'scope', scope: s.scope, page });
  for (const slug of items.allSlugs()) ledger.addBacklog({ t: 'slug', slug });
  const running = ledger.num('rebuildTotal') !== null;
  ledger.setNum('rebuildTotal', ledger.backlogSize() + (running ? rebuildDone(ledger) : 0));
  if (!running) ledger.setNum('rebuildStarted', now);
  // The version this rebuild renders with: a deploy during a rebuild folds a new one in (above).
  ledger.setNum('rebuildTarget', RENDER_VERSION);
  ledger.setNum('rebuildForce', force || ledger.num('rebuildForce') === 1 ? 1 : 0);
  ledger.setText('rebuildReason', reason);
}

function rebuildDone(ledger: Ledger): number {
  return Math.max(0, (ledger.num('rebuildTotal') ?? 0) - ledger.backlogSize());
}

/** The rebuild under way, or null. */
export function rebuildProgress(ledger: Ledger): RebuildProgress | null {
  const total = ledger.num('rebuildTotal');
  if (total === null) return null;
  return {
    total,
    done: rebuildDone(ledger),
    startedAt: new Date(ledger.num('rebuildStarted') ?? 0).toISOString(),
    reason: ledger.text('rebuildReason') ?? '',
  };
}

/**
 * True when the documents KV holds were made by another renderer (and there are documents), and no
 * rebuild with this one is under way. With no documents yet, this version is simply recorded.
 */
export function staleRenderVersion(ledger: Ledger): boolean {
  if (ledger.num('rv') === RENDER_VERSION) return false;
  if (ledger.docCount() === 0) {
    ledger.setNum('rv', RENDER_VERSION);
    return false;
  }
  return ledger.num('rebuildTotal') === null || ledger.num('rebuildTarget') !== RENDER_VERSION;
}

/** Closes a rebuild whose backlog is empty: KV now holds this version's documents. Returns whether it did. */
export function finishRebuild(ledger: Ledger): boolean {
  if (ledger.num('rebuildTotal') === null || ledger.backlogSize() > 0) return false;
  ledger.setNum('rv', ledger.num('rebuildTarget') ?? RENDER_VERSION);
  ledger.setNum('rebuildTarget', null);
  ledger.setNum('rebuildTotal', null);
  ledger.setNum('rebuildStarted', null);
  ledger.setNum('rebuildForce', null);
  ledger.setText('rebuildReason', null);
  return true;
}

/**
 * Starts a rebuild when the documents KV holds were rendered by another renderer or for another
 * deployment (its URL, hub or page size: every document names them). Returns whether one started.
 */
export function noticeChanges(items: ItemIndex, scopes: ScopeIndex, ledger: Ledger, site: Site, now: number): boolean {
  const fingerprint = JSON.stringify({ url: site.url, hub: site.hub ?? '', pageSize: site.pageSize });
  const before = ledger.text('deployment');
  ledger.setText('deployment', fingerprint);
  const redeployed = before !== null && before !== fingerprint && ledger.docCount() > 0;
  // Pages are cut by the page size: archives are counted again in the new size, and the pages a
  // larger size no longer has are queued, so their old copies are deleted rather than served.
  if (redeployed && (JSON.parse(before) as { pageSize: number }).pageSize !== site.pageSize) {
    for (const c of scopes.recountArchives(site.pageSize))
      for (let page = c.to + 1; page <= c.from; page++) ledger.addBacklog({ t: 'scope', scope: c.scope, page });
  }
  if (redeployed) startRebuild(items, scopes, ledger, now, 'deployment settings changed');
  else if (staleRenderVersion(ledger)) startRebuild(items, scopes, ledger, now, 'new render version');
  else return false;
  return true;
}

// What the writer shows the newsroom: one item as the API returns it, and the writer's state at a glance.
import type { IndexedItem, ItemIndex } from './item-index';
import type { Ledger } from './ledger';
import { nextPurgeAt } from './outbox';
import { rebuildProgress } from './rebuild';
import type { WriterStatus } from './results';
import { RENDER_VERSION } from '../render/version';
import { itemPath } from '../model/paths';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * An item as GET /api/items/:slug answers: the fields exactly as PUT takes them, and the writer's
 * read-only facts apart under `meta` (which PUT ignores).
 */
export function itemStatus(it: IndexedItem) {
  const { id: _id, ...fields } = it.input;
  return {
    item: { ...fields, slug: it.record.slug },
    meta: {
      id: it.record.id,
      state: it.state,
      hash: it.hash,
      etag: it.etag,
      path: itemPath(it.record.kind, it.record.slug),
      publishAt: new Date(it.publishAt).toISOString(),
      createdAt: new Date(it.createdAt).toISOString(),
      updatedAt: new Date(it.updatedAt).toISOString(),
    },
  };
}

/** GET /api/status: counts, what is scheduled, owed and set aside, the render version, the outbox. */
export function writerStatus(items: ItemIndex, ledger: Ledger, env: Pick<Env, 'HUB_URL'>, purgeGapMs: number): WriterStatus {
  const now = Date.now();
  const purgeAt = nextPurgeAt(ledger, purgeGapMs);
  return {
    items: items.counts(),
    scheduled: items.scheduled(20).map((s) => ({ slug: s.slug, publishAt: new Date(s.publishAt).toISOString() })),
    jobs: { pending: ledger.jobCount(), backlog: ledger.backlogSize(), failed: ledger.failedCount() },
    failed: ledger.failed(20).map((f) => ({ job: f.job, error: f.error, at: new Date(f.at).toISOString() })),
    render: { version: RENDER_VERSION, stored: ledger.num('rv'), rebuild: rebuildProgress(ledger) },
    documents: ledger.docCount(),
    lastPublish: iso(ledger.num('lastPublish')),
    hub: {
      url: env.HUB_URL || null,
      queued: ledger.hubQueued(),
      pings: ledger.pings(10).map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
    },
    edgeCache: {
      lastPurge: iso(ledger.num('lastPurge')),
      result: ledger.text('lastPurgeResult'),
      queued: ledger.purgesQueued(),
      due: purgeAt !== null && purgeAt <= now ? ledger.purgesDue(now) : 0,
    },
  };
}

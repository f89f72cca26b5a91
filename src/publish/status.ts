// What the writer shows the newsroom: one item as the API returns it, and the writer's state at a glance.
import type { Config } from '../config';
import type { IndexedItem } from './item-index';
import { nextPurgeAt } from './outbox';
import { rebuildProgress } from './rebuild';
import type { WriterStatus } from './results';
import type { Stores } from './stores';
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
export function writerStatus(stores: Stores, cfg: Config): WriterStatus {
  const { items, books, queue, outbox } = stores;
  const now = Date.now();
  const purgeAt = nextPurgeAt(outbox, books, cfg.purgeGapMs);
  return {
    items: items.counts(),
    scheduled: items.scheduled(20).map((s) => ({ slug: s.slug, publishAt: new Date(s.publishAt).toISOString() })),
    // Both numbers come from the one queue: publish work, and what a rebuild has left.
    jobs: { pending: queue.pending(), backlog: queue.rebuildLeft(), failed: queue.failedCount() },
    // Live counts' pages come last and are no rebuild's: shown apart, so neither number above counts them.
    liveCounts: { owed: queue.countsLeft(), appliedAt: iso(books.num('countsAt')) },
    failed: queue.failed(20).map((f) => ({ job: f.job, error: f.error, at: new Date(f.at).toISOString() })),
    render: { version: RENDER_VERSION, stored: books.num('rv'), rebuild: rebuildProgress(stores) },
    documents: books.docCount(),
    lastPublish: iso(books.num('lastPublish')),
    hub: {
      url: cfg.hubUrl || null,
      queued: outbox.hubQueued(),
      pings: outbox.pings(10).map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
    },
    edgeCache: {
      lastPurge: iso(books.num('lastPurge')),
      result: books.text('lastPurgeResult'),
      queued: outbox.purgesQueued(),
      due: purgeAt !== null && purgeAt <= now ? outbox.purgesDue(now) : 0,
    },
  };
}

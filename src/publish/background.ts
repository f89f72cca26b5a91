// The alarm's lower tiers, after publish work and within what is left of one invocation's KV budget:
// a batch of a rebuild's work (its related lists computed again ahead of the item pages), then live
// counts' pages, which are no part of the rebuild's progress or end.
import type { Config } from '../config';
import type { Job } from './jobs';
import { addStats, FLUSH_BUDGET, type FlushStats, type KvWriter } from './kv-writer';
import { EVERYTHING } from './outbox';
import { finishRebuild } from './rebuild';
import { relistSome } from './related';
import type { Pass, Stores } from './stores';

// Jobs per invocation across both tiers; the flush budget (FLUSH_BUDGET KV operations) bounds what they write.
const BATCH = 100;

/** Whether lower-tier work is owed: a rebuild's jobs or related lists, or live counts' pages. */
export function backgroundOwed({ queue, books }: Pick<Stores, 'queue' | 'books'>): boolean {
  return queue.rebuildLeft() > 0 || queue.countsLeft() > 0 || Boolean(books.num('relistBelow'));
}

/**
 * Takes one batch of lower-tier work on top of `stats` (what publish work wrote this invocation) and
 * returns the sum. `transact` runs a write in one transaction (the relist's).
 */
export async function flushBackground(
  pass: Pass,
  kv: KvWriter,
  stats: FlushStats,
  cfg: Config,
  transact: (fn: () => void) => void,
): Promise<FlushStats> {
  const { queue, books, outbox } = pass.stores;
  if (books.num('relistBelow')) transact(() => void relistSome(pass, 2 * BATCH));
  let out = stats;
  const room = () => FLUSH_BUDGET - out.kvWrites - out.kvDeletes;
  const take = async (jobs: Job[], force: boolean) => {
    if (!jobs.length) return;
    const more = await kv.flush(jobs, { tier: 'rebuild', force, budget: room() });
    if (cfg.hubUrl) outbox.addHub(more.feeds);
    // Some written: come back at once for the rest; none: when the first deferred one may go.
    out = addStats(out, { ...more, dueAt: more.deferred === jobs.length ? more.dueAt : pass.now });
  };
  if (room() <= 0) return out;
  const batch = queue.rebuildBatch(BATCH);
  await take(batch, books.rebuild()?.force ?? false);
  if (batch.length && finishRebuild(pass.stores)) outbox.queuePurges([EVERYTHING], pass.now, cfg.purgeRepeatMs);
  // Live counts' pages fill the rest of the batch (a page the rebuild writes shows the counts anyway).
  if (batch.length < BATCH && room() > 0) await take(queue.countsBatch(BATCH - batch.length), false);
  return out;
}

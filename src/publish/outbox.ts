// What the writer tells others after KV holds a change: the edge cache (purge by tag) and the WebSub hub.
import type { EdgeCachePurger } from '../http/edge-cache';
import { pingHub } from '../http/websub';
import type { Ledger } from './ledger';

/** Purging everything, after a full rebuild; no document's tag looks like this. */
export const EVERYTHING = '*';

/** KV between locations can lag by about this much: each purge is repeated after it. */
export const KV_SETTLE_MS = 60_000;

// A purge that does not answer must not hold the writer's queue.
const PURGE_TIMEOUT_MS = 10_000;
const timeout = (ms: number) =>
  new Promise<{ success: false; errors: string[] }>((r) => setTimeout(() => r({ success: false, errors: [`no answer in ${ms} ms`] }), ms));

/** Queues purges of the keys just written: now, and again once KV has settled everywhere. */
export function queuePurge(ledger: Ledger, keys: readonly string[], now: number): void {
  if (keys.length) ledger.addPurge(keys, [now, now + KV_SETTLE_MS]);
}

/**
 * Sends the purges that are due, at most one call every `gapMs` (Cloudflare rate-limits purges), up
 * to 100 tags a call. Tags are dropped once sent, whatever the answer, and the outcome is kept for
 * the status endpoint: a purge that failed leaves an entry to expire by its own lifetime.
 */
export async function sendPurges(ledger: Ledger, purger: EdgeCachePurger | undefined, now: number, gapMs: number): Promise<void> {
  const last = ledger.num('lastPurge');
  if (last !== null && now - last < gapMs) return;
  const tags = ledger.duePurges(now, 100, EVERYTHING);
  if (!tags.length) return;
  const everything = tags[0] === EVERYTHING;
  let result: string;
  try {
    const r = purger
      ? await Promise.race([purger.purge(everything ? { everything: true } : { tags }), timeout(PURGE_TIMEOUT_MS)])
      : { success: false, errors: ['no EDGE_CACHE binding'] };
    result = r.success ? `purged ${everything ? 'everything' : `${tags.length} tags`}` : `not purged: ${r.errors.join('; ')}`;
  } catch (err) {
    result = `purge failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  // A purge of everything covers every tag due with it.
  ledger.donePurges(everything ? null : tags, now);
  ledger.setNum('lastPurge', now);
  ledger.setText('lastPurgeResult', result);
}

/** When the next purge may go out, or null when none is queued. */
export function nextPurgeAt(ledger: Ledger, gapMs: number): number | null {
  const due = ledger.nextPurgeAt();
  if (due === null) return null;
  return Math.max(due, (ledger.num('lastPurge') ?? -Infinity) + gapMs);
}

/** Announces queued feeds to the hub and books each outcome. */
export async function sendPings(ledger: Ledger, hub: string, siteUrl: string, now: number): Promise<void> {
  const paths = ledger.takeHub(50);
  if (!paths.length) return;
  if (!hub) return;
  for (const o of await pingHub(hub, siteUrl, paths)) {
    if (!o.ok) console.warn(`WebSub ping for ${o.topic}: ${o.detail}`);
    ledger.addPing({ ...o, at: now });
  }
}

// What time brings the writer: work that falls due (scheduled items, partners' embargoes and expiries,
// the news sitemap's hourly refresh), and when its alarm should next fire for everything still owed.
import { backgroundOwed } from './background';
import { releaseDue } from './index-change';
import { nextPurgeAt } from './outbox';
import { releasePartnersDue } from './partner-change';
import type { Pass, Stores } from './stores';

const NEWS_REFRESH_MS = 3_600_000;

/**
 * Owes, as publish work, what falls due at `pass.now`: scheduled items now published, and the partners
 * whose documents change as embargoes end and expiries come. `transact` runs each in one transaction.
 */
export function oweWhatFellDue(pass: Pass, transact: (fn: () => void) => void): void {
  const { items, partners, queue } = pass.stores;
  if (items.dueScheduled(pass.now).length) transact(() => queue.owe(releaseDue(pass)));
  if (partners.due(pass.now).length) transact(() => queue.owe(releasePartnersDue(pass)));
}

/** Owes the news sitemap again when it was last refreshed an hour or more ago (its window moves with time); a write. */
export function refreshNewsIfDue(pass: Pass): void {
  const { books, queue } = pass.stores;
  if (pass.now - (books.num('newsAt') ?? 0) < NEWS_REFRESH_MS) return;
  queue.owe([{ t: 'news' }]);
  books.setNum('newsAt', pass.now);
}

/**
 * When the alarm should next fire (never before `now`), or null when nothing is owed: the next
 * scheduled item or partner change, publish work's back-off, lower-tier work (at `dueAt`, else at
 * once), the next edge purge the rate limit allows, hub pings, and `dueAt` (a paced write's turn).
 */
export function nextWakeAt(stores: Stores, now: number, dueAt: number | null, purgeGapMs: number): number | null {
  const { items, partners, queue, outbox, books } = stores;
  const times = [
    items.nextScheduledAt(),
    partners.nextAt(),
    queue.pending() ? queue.nextDueAt() : null,
    backgroundOwed(stores) ? (dueAt ?? now) : null,
    nextPurgeAt(outbox, books, purgeGapMs),
    outbox.hubQueued() ? now : null,
    dueAt,
  ].filter((t): t is number => t !== null);
  return times.length ? Math.max(Math.min(...times), now) : null;
}

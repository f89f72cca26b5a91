// Live counts into the writer: the totals the audience rollup measured → the items whose numbers
// changed → the jobs they owe (their page; a video's sitemap page too). Feeds never show counts.
import { LIVE_METRICS, type Counts, type ItemTotals } from '../render/item-counts';
import { SITEMAP_PAGE } from '../render/sitemap';
import type { Books } from './books';
import type { Job } from './jobs';
import type { Stores } from './stores';

/** When live counts may next be applied (ms): at once the first time, then `everyMs` after the last application. */
export function countsDueAt(books: Books, everyMs: number): number {
  const last = books.num('countsAt');
  return last === null ? 0 : last + everyMs;
}

// The store sums REAL columns: a whole, non-negative count, whatever it was handed.
const whole = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

const same = (a: Counts, b: Counts) => LIVE_METRICS.every((m) => a[m] === b[m]);
const none = (): Counts => ({ views: 0, shares: 0, plays: 0 });

/**
 * The items `totals` change: each total is folded into the published item it counts for (a renamed
 * item's old address into the item; a withdrawn, scheduled or unknown address is ignored), and an
 * item whose numbers differ from those last applied is one entry. Reads only.
 */
export function changedCounts(stores: Pick<Stores, 'items' | 'counts'>, totals: readonly ItemTotals[]): Changed[] {
  const { items, counts } = stores;
  const folded = new Map<string, Changed>();
  for (const t of totals) {
    const live = items.liveAt(t.slug);
    if (!live) continue;
    const f = folded.get(live.slug) ?? { ...live, counts: none() };
    for (const m of LIVE_METRICS) f.counts[m] += whole(t[m]);
    folded.set(live.slug, f);
  }
  return [...folded.values()].filter((f) => !same(counts.get(f.slug) ?? none(), f.counts));
}

/** One item whose shown numbers change. */
export interface Changed {
  slug: string;
  seq: number;
  video: boolean;
  counts: Counts;
}

/** What the writer did with a set of live counts: whether it took them, which items changed, how many jobs they owe. */
export interface CountsResult {
  applied: boolean;
  changed: string[];
  owed: number;
}

/**
 * The cron's live counts measured up to `at`, inside the caller's transaction: taken at most once per
 * `everyMs` (before that, nothing changes). Items whose numbers changed owe their page and video
 * sitemap page, queued as live counts' work (below publish work and no part of a rebuild's); the
 * alarm writes them, a batch an invocation. No item record, date or feed changes.
 */
export function takeCounts(stores: Stores, totals: readonly ItemTotals[], at: number, everyMs: number): CountsResult {
  if (at < countsDueAt(stores.books, everyMs)) return { applied: false, changed: [], owed: 0 };
  const found = changedCounts(stores, totals);
  const jobs = applyCounts(stores, found, at);
  for (const job of jobs) stores.queue.queueCounts(job);
  return { applied: true, changed: found.map((c) => c.slug), owed: jobs.length };
}

/**
 * Records `changed` as applied at `at` (and the application time), and returns the jobs they owe:
 * each item's page and, for a video, its sitemap page.
 */
export function applyCounts(stores: Pick<Stores, 'counts' | 'books'>, changed: readonly Changed[], at: number): Job[] {
  const jobs: Job[] = [];
  const sitemapPages = new Set<number>();
  for (const c of changed) {
    stores.counts.set(c.slug, c.counts, at);
    jobs.push({ t: 'slug', slug: c.slug });
    if (c.video) sitemapPages.add(Math.ceil(c.seq / SITEMAP_PAGE));
  }
  for (const page of sitemapPages) jobs.push({ t: 'sitemap', page });
  stores.books.setNum('countsAt', at);
  return jobs;
}
